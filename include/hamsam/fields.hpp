#pragma once
// Field lists: every options and summary struct names its fields once, in a visit_fields function beside the struct:
//
//   template <class Self, class V>
//     requires fields::Of<Self, FitOptions>
//   void visit_fields(Self& o, V&& v) {
//     v("width", o.width, fields::at_least(1, "set width to the number of hidden neurons, e.g. 1000"));
//     v("sampler", o.sampler);
//     ...
//   }
//
// Everything else is derived from that list: validate() (fields::check_fields runs each field's check in order;
// cross-field rules stay as named checks in validate()), the JSON of model files and of the CLI's --json
// (src/io/json_fields.hpp), and the Python side (python/src/fields.hpp): keyword arguments, defaults, option and
// summary dictionaries, summary attributes. A new option is one line in its list.
//
// Field types: bool, Index, int, std::uint64_t, double, std::string, enums with to_string / from_string<E> (they
// travel as their names), std::vector<double>, std::vector<std::string>, and two compound kinds:
//   fields::range(low, high)  an optional range of two doubles (both NaN = unset): JSON keys <name>_low and
//                             <name>_high (null when unset); Python one value, None or a pair (low, high)
//   fields::Group<D>          a read-only view of other (double) fields as one nested object under <name>, for
//                             readers of an earlier nested shape; JSON readers take it when the flat keys are absent
#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "hamsam/error.hpp"

namespace hamsam::fields {

/// True when Self is T or const T (the constraint of every visit_fields overload).
template <class Self, class T>
concept Of = std::is_same_v<std::remove_const_t<Self>, T>;

/// `double` with the constness of Self.
template <class Self, class T>
using Like = std::conditional_t<std::is_const_v<Self>, const T, T>;

/// The check of one field: its value must lie in [lo, hi] (open ends where asked, finite where asked). The message
/// is "<name> must be <requirement> (got <value>)", followed by ": <hint>" when there is a hint.
struct Check {
  double lo = -INFINITY, hi = INFINITY;
  bool lo_open = false, hi_open = false, finite = false;
  std::string requirement;  ///< empty: no check
  std::string hint;

  bool active() const { return !requirement.empty(); }
  bool ok(double x) const {
    if (finite && !std::isfinite(x)) return false;
    if (std::isnan(x)) return false;
    return (lo_open ? x > lo : x >= lo) && (hi_open ? x < hi : x <= hi);
  }
  /// The same check with other words (where a message has long been phrased differently).
  Check say(std::string words) const {
    Check c = *this;
    c.requirement = std::move(words);
    return c;
  }
};

/// The shortest decimal text that reads back as x ("1e-13", "0.2", "-1", "inf", "nan").
std::string number_text(double x);

/// Integers: value >= min ("at least <min>").
Check at_least(double min, std::string hint = {});
/// Integers: value >= 0 (">= 0").
Check non_negative(std::string hint = {});
/// Finite doubles with value >= min ("finite and >= min").
Check finite_at_least(double min, std::string hint = {});
/// Finite doubles > 0.
Check positive(std::string hint = {});
/// Finite doubles in an interval; `ends` is "[]", "[)", "(]" or "()".
Check interval(double lo, double hi, const char* ends, std::string hint = {});

/// An optional range of two doubles (both NaN = unset); T is double or const double.
template <class T>
struct Range {
  T& low;
  T& high;
  bool set() const { return !std::isnan(low) || !std::isnan(high); }
};
template <class T>
Range<T> range(T& low, T& high) {
  return {low, high};
}

/// A read-only nested view of other double fields (D is double or const double).
template <class D>
struct Group {
  struct Member {
    const char* key;
    D* value;
  };
  std::vector<Member> members;
};

/// Throws hamsam::Error with the message of a failed check.
[[noreturn]] void fail(const char* name, const std::string& value, const Check& check);
/// The rules of a range field: both ends or neither, finite, low <= high.
void check_range(const char* name, double low, double high);

namespace detail {
struct Checker {
  template <class T>
  void operator()(const char* name, const T& value, const Check& check = {}) const {
    if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
      if (check.active() && !check.ok(static_cast<double>(value)))
        fail(name, std::is_integral_v<T> ? std::to_string(value) : number_text(static_cast<double>(value)), check);
    }
  }
  template <class T>
  void operator()(const char* name, Range<T> r, const Check& = {}) const {
    check_range(name, r.low, r.high);
  }
  template <class D>
  void operator()(const char*, const Group<D>&, const Check& = {}) const {}
};
}  // namespace detail

/// Runs every field's check in list order; throws hamsam::Error naming the first invalid field and the fix.
template <class T>
void check_fields(const T& object) {
  visit_fields(object, detail::Checker{});
}

/// The names of an object's fields, in list order (the Python keywords, the JSON keys but for ranges).
template <class T>
std::vector<std::string> field_names() {
  std::vector<std::string> names;
  const T object{};
  visit_fields(object, [&](const char* name, auto&&...) { names.emplace_back(name); });
  return names;
}

}  // namespace hamsam::fields
