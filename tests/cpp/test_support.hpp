#pragma once
// Shared helpers for the C++ tests.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <iterator>
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

/// The bytes of a file ("" if it cannot be read).
inline std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

/// Writes `bytes` to a file, replacing it.
inline void write_all(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
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
