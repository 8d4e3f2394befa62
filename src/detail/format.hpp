#pragma once
// Internal: numbers as text for reports and messages.
#include <cmath>
#include <cstdio>
#include <string>

namespace hamsam::detail {

/// Scientific notation with `digits` decimals; "nan", "inf" and "-inf" for values that are not finite.
inline std::string sci(double v, int digits = 2) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*e", digits, v);
  return buf;
}

/// One number through a printf format ("%.3e", "%.1f", ...).
inline std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

/// Fixed notation with `digits` decimals.
inline std::string fixed(double v, int digits = 2) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace hamsam::detail
