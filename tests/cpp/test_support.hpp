#pragma once
// Shared helpers for the C++ tests.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "hamsam/hamsam.hpp"

namespace hamsam::test {

/// Expects `f` to throw hamsam::Error whose message contains `needle`.
inline void expect_error(const std::function<void()>& f, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "expected hamsam::Error containing '" << needle << "'";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)
        << "message '" << e.what() << "' lacks '" << needle << "'";
  }
}

/// Max relative difference between the analytic gradient of h and central differences of its energy.
inline double fd_gradient_error(const Hamiltonian& h, const Matrix& X, double step = 1e-6) {
  const Matrix g = h.gradient(X);
  double worst = 0.0;
  for (Index j = 0; j < X.cols(); ++j) {
    Matrix xp = X, xm = X;
    xp.col(j).array() += step;
    xm.col(j).array() -= step;
    const Vector fd = (h.energy(xp) - h.energy(xm)) / (2 * step);
    const double scale = std::max(1.0, g.col(j).cwiseAbs().maxCoeff());
    worst = std::max(worst, (fd - g.col(j)).cwiseAbs().maxCoeff() / scale);
  }
  return worst;
}

}  // namespace hamsam::test
