// Python views of field lists (hamsam/fields.hpp): dictionaries, keyword arguments and attributes, so that the
// bindings spell no field by hand.
//
//   fields_dict(options)            {name: value}: numbers, enum names, lists; a range is None or (low, high)
//   fields_from_kwargs<T>(kwargs)   a T from its defaults and the given keywords (unknown names, wrong types and
//                                   invalid values are ValueErrors naming the keyword); validate() is the caller's
//   bind_field_attributes<T>(cls)   a read-only attribute per field
#pragma once
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "hamsam/fields.hpp"
#include "hamsam/types.hpp"

namespace hamsam_py {
namespace py = pybind11;

namespace fields_detail {

template <class T>
py::object value_py(const T& value) {
  if constexpr (std::is_enum_v<T>) {
    return py::str(to_string(value));
  } else {
    return py::cast(value);
  }
}

inline std::string repr_text(py::handle h) { return py::repr(h).cast<std::string>(); }

inline bool is_instance(py::handle value, const char* module, const char* type) {
  return py::isinstance(value, py::module_::import(module).attr(type));
}

inline double real_from_py(py::handle value, const std::string& name) {
  if (py::isinstance<py::bool_>(value) || !is_instance(value, "numbers", "Real"))
    throw hamsam::Error(name + " must be a real number, got " + repr_text(value));
  return py::float_(py::reinterpret_borrow<py::object>(value)).cast<double>();
}

/// Integers are checked against their type's range and, in Python's words, against the lower bound of their
/// check (the rest of the check is validate()'s).
template <class T>
void value_from_py(py::handle value, const std::string& name, T& out, const hamsam::fields::Check& check = {}) {
  if constexpr (std::is_same_v<T, bool>) {  // also the integers 0 and 1
    const py::object v = py::reinterpret_borrow<py::object>(value);
    const bool ok = py::isinstance<py::bool_>(v) || is_instance(v, "numpy", "bool_") ||
                    (is_instance(v, "numbers", "Integral") && (v.equal(py::int_(0)) || v.equal(py::int_(1))));
    if (!ok) throw hamsam::Error(name + " must be True or False, got " + repr_text(value));
    out = py::bool_(v).cast<bool>();
  } else if constexpr (std::is_integral_v<T>) {
    if (py::isinstance<py::bool_>(value) || !is_instance(value, "numbers", "Integral"))
      throw hamsam::Error(name + " must be an integer, got " + repr_text(value));
    const py::int_ v(py::reinterpret_borrow<py::object>(value));
    py::int_ lo(std::numeric_limits<T>::min());
    std::string hint;
    if (check.active() && check.lo > static_cast<double>(std::numeric_limits<T>::min())) {
      lo = py::int_(static_cast<long long>(std::ceil(check.lo)));
      if (!check.hint.empty()) hint = ": " + check.hint;
    }
    const py::int_ hi(std::numeric_limits<T>::max());
    if (v < lo) throw hamsam::Error(name + " must be at least " + repr_text(lo) + ", got " + repr_text(v) + hint);
    if (v > hi) throw hamsam::Error(name + " must be at most " + repr_text(hi) + ", got " + repr_text(v));
    out = v.cast<T>();
  } else if constexpr (std::is_same_v<T, double>) {
    out = real_from_py(value, name);
  } else if constexpr (std::is_same_v<T, std::string> || std::is_enum_v<T>) {
    if (!py::isinstance<py::str>(value)) throw hamsam::Error(name + " must be a string, got " + repr_text(value));
    if constexpr (std::is_enum_v<T>)
      out = hamsam::from_string<T>(value.cast<std::string>());
    else
      out = value.cast<std::string>();
  } else if constexpr (std::is_same_v<T, std::vector<double>> || std::is_same_v<T, std::vector<std::string>>) {
    constexpr bool strings = std::is_same_v<T, std::vector<std::string>>;
    const char* what = strings ? "a list of strings" : "a list of real numbers";
    if (py::isinstance<py::str>(value) || py::isinstance<py::bytes>(value) || !py::isinstance<py::iterable>(value))
      throw hamsam::Error(name + " must be " + what + ", got " + repr_text(value));
    T v;
    for (py::handle item : value) {
      if constexpr (strings) {
        if (!py::isinstance<py::str>(item))
          throw hamsam::Error(name + " must be " + what + ", got the item " + repr_text(item));
        v.push_back(item.cast<std::string>());
      } else {
        v.push_back(real_from_py(item, name + " item"));
      }
    }
    out = std::move(v);
  } else {
    static_assert(sizeof(T) == 0, "field type without a Python conversion");
  }
}

struct Dict {
  py::dict& out;
  template <class T>
  void operator()(const char* name, const T& value, const hamsam::fields::Check& = {}) const {
    out[name] = value_py(value);
  }
  template <class T>
  void operator()(const char* name, hamsam::fields::Range<T> r, const hamsam::fields::Check& = {}) const {
    out[name] = r.set() ? py::object(py::make_tuple(r.low, r.high)) : py::object(py::none());
  }
  template <class D>
  void operator()(const char* name, const hamsam::fields::Group<D>& g, const hamsam::fields::Check& = {}) const {
    py::dict d;
    for (const auto& m : g.members) d[m.key] = *m.value;
    out[name] = d;
  }
};

struct FromKwargs {
  const py::dict& in;
  template <class T>
  void operator()(const char* name, T& value, const hamsam::fields::Check& check = {}) const {
    if (in.contains(name)) value_from_py(in[name], name, value, check);
  }
  template <class T>
  void operator()(const char* name, hamsam::fields::Range<T> r, const hamsam::fields::Check& = {}) const {
    if (!in.contains(name)) return;
    const py::object v = in[name];
    const std::string n(name);
    if (v.is_none()) {
      r.low = r.high = std::numeric_limits<double>::quiet_NaN();
      return;
    }
    py::tuple pair;
    try {
      pair = py::module_::import("builtins").attr("tuple")(v);
    } catch (const py::error_already_set&) {
      throw hamsam::Error(n + " must be None or a pair (low, high), got " + repr_text(v));
    }
    if (pair.size() != 2) throw hamsam::Error(n + " must be None or a pair (low, high), got " + repr_text(v));
    r.low = real_from_py(pair[0], n + " low");
    r.high = real_from_py(pair[1], n + " high");
  }
  template <class D>
  void operator()(const char*, const hamsam::fields::Group<D>&, const hamsam::fields::Check& = {}) const {}
};

}  // namespace fields_detail

/// Every field of `object` as a dict (keys in list order).
template <class T>
py::dict fields_dict(const T& object) {
  py::dict d;
  visit_fields(object, fields_detail::Dict{d});
  return d;
}

/// A T from its defaults and `kwargs`; a name that is no field is a ValueError listing the valid ones. Does not
/// validate (the caller does, or the constructor it feeds).
template <class T>
T fields_from_kwargs(const py::dict& kwargs) {
  std::vector<std::string> names = hamsam::fields::field_names<T>(), unknown;
  for (const auto& [key, value] : kwargs) {
    const std::string k = py::str(key);
    if (std::find(names.begin(), names.end(), k) == names.end()) unknown.push_back(k);
  }
  if (!unknown.empty()) {
    std::sort(unknown.begin(), unknown.end());
    std::sort(names.begin(), names.end());
    throw hamsam::Error("unknown option(s) " + fields_detail::repr_text(py::cast(unknown)) + ": valid ones are " +
                        fields_detail::repr_text(py::cast(names)));
  }
  T object{};
  visit_fields(object, fields_detail::FromKwargs{kwargs});
  return object;
}

/// A read-only attribute for every field of T on the Python class (values as in fields_dict).
template <class T, class Class>
void bind_field_attributes(Class& cls) {
  const T defaults{};
  visit_fields(defaults, [&](const char* name, auto&&...) {  // names are string literals: they outlive cls
    cls.def_property_readonly(name, [name](const T& object) {
      py::object out = py::none();
      visit_fields(object, [&](const char* n, auto&& value, auto&&...) {
        if (std::string_view(n) == name) {
          py::dict one;
          fields_detail::Dict{one}(n, value);
          out = one[n];
        }
      });
      return out;
    });
  });
}

}  // namespace hamsam_py
