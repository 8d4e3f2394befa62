#pragma once
// hamsam::Error: the one exception type for invalid input. Its message names the argument and the fix.
#include <stdexcept>
#include <string>

namespace hamsam {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

/// Throws Error(message) when `ok` is false.
inline void require(bool ok, const std::string& message) {
  if (!ok) throw Error(message);
}

}  // namespace hamsam
