#include "hamsam/fields.hpp"

#include <charconv>

namespace hamsam::fields {

std::string number_text(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, r.ptr);
}

Check at_least(double min, std::string hint) {
  Check c;
  c.lo = min;
  c.requirement = "at least " + number_text(min);
  c.hint = std::move(hint);
  return c;
}

Check non_negative(std::string hint) { return at_least(0, std::move(hint)).say(">= 0"); }

Check finite_at_least(double min, std::string hint) {
  Check c = at_least(min, std::move(hint));
  c.finite = true;
  c.requirement = "finite and >= " + number_text(min);
  return c;
}

Check positive(std::string hint) {
  Check c;
  c.lo = 0;
  c.lo_open = c.finite = true;
  c.requirement = "positive and finite";
  c.hint = std::move(hint);
  return c;
}

Check interval(double lo, double hi, const char* ends, std::string hint) {
  Check c;
  c.lo = lo;
  c.hi = hi;
  c.lo_open = ends[0] == '(';
  c.hi_open = ends[1] == ')';
  c.finite = true;
  c.requirement = "in " + std::string(1, ends[0]) + number_text(lo) + ", " + number_text(hi) + ends[1];
  c.hint = std::move(hint);
  return c;
}

void fail(const char* name, const std::string& value, const Check& check) {
  throw Error(std::string(name) + " must be " + check.requirement + " (got " + value + ")" +
              (check.hint.empty() ? "" : ": " + check.hint));
}

void check_range(const char* name, double low, double high) {
  const std::string n(name);
  const bool low_set = !std::isnan(low), high_set = !std::isnan(high);
  require(low_set == high_set, n + "_low and " + n + "_high must be given together (or neither)");
  if (low_set)
    require(std::isfinite(low) && std::isfinite(high) && low <= high,
            n + " range must be finite with " + n + "_low <= " + n + "_high (got [" + number_text(low) + ", " +
                number_text(high) + "])");
}

}  // namespace hamsam::fields
