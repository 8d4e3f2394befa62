#pragma once
// Shared helpers for the C++ tests.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <iterator>
#include <string>

#include "hamsam/hamsam.hpp"

namespace hamsam::test {

/// Whether `s` contains `needle`.
inline bool contains(const std::string& s, const std::string& needle) { return s.find(needle) != std::string::npos; }

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

/// A fresh folder under the system's temporary directory (named by the prefix, the process, a counter and the
/// clock, so that tests running at the same time never share one), removed with its contents at the end of scope.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& prefix = "hamsam-test") {
    static int counter = 0;
    const auto ticks = std::chrono::steady_clock::now().time_since_epoch().count();
    path = std::filesystem::temp_directory_path() / (prefix + "-" + std::to_string(::getpid()) + "-" +
                                                     std::to_string(counter++) + "-" + std::to_string(ticks));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  /// The path of `name` inside the folder.
  std::string file(const std::string& name) const { return (path / name).string(); }
};

/// The bytes of a file; fails the test (and returns "") when the file cannot be opened.
inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot open " << path;
    return {};
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

/// Writes `bytes` to a file, replacing what it held; fails the test when the file cannot be written.
inline void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) ADD_FAILURE() << "cannot write " << path;
}

}  // namespace hamsam::test
