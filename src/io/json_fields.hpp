#pragma once
// JSON of field lists (fields.hpp), private to the library (nlohmann::json is not part of the public interface).
//
//   nlohmann::json j = io::fields_to_json(options);   // every field: numbers, names of enums, arrays
//   io::fields_from_json(options, j);                 // keys present in j replace the values; others stay
//
// Doubles: finite numbers as numbers, NaN as null, infinities as the strings "inf" / "-inf" (JSON has no
// non-finite numbers); readers take all three back. A wrong type throws hamsam::Error naming the key.
#include <nlohmann/json.hpp>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "hamsam/error.hpp"
#include "hamsam/fields.hpp"
#include "hamsam/types.hpp"

namespace hamsam::io {

using json = nlohmann::json;

json number_json(double x);
double json_number(const json& j, const std::string& key);
/// The deepest nesting a file's JSON may have (deeper JSON is refused while parsing, so that printing or
/// destroying it cannot exhaust the stack).
inline constexpr int kMaxJsonDepth = 64;
/// Parses the JSON of a file; throws json::exception when it is not JSON, hamsam::Error when nested too deep.
json parse_file_json(const std::string& text);
/// Parses `text` as a JSON object; Error "<what> are not valid JSON: ..." otherwise.
json parse_object(const std::string& text, const char* what);

namespace detail {

template <class T>
json value_json(const T& value) {
  if constexpr (std::is_same_v<T, double>) {
    return number_json(value);
  } else if constexpr (std::is_enum_v<T>) {
    return to_string(value);
  } else if constexpr (std::is_same_v<T, std::vector<double>>) {
    json a = json::array();
    for (double x : value) a.push_back(number_json(x));
    return a;
  } else {
    return json(value);  // bool, integers, strings, vectors of strings
  }
}

template <class T>
void read_value(const json& j, const std::string& key, T& value) {
  auto wrong = [&](const char* what) { throw Error("'" + key + "' must be " + what + " (got " + j.dump() + ")"); };
  if constexpr (std::is_same_v<T, bool>) {
    if (!j.is_boolean()) wrong("true or false");
    value = j.get<bool>();
  } else if constexpr (std::is_integral_v<T>) {
    if (!j.is_number_integer()) wrong("an integer");
    const bool fits = j.is_number_unsigned() ? std::in_range<T>(j.get<std::uint64_t>())
                                             : std::in_range<T>(j.get<std::int64_t>());
    if (!fits) wrong("an integer in the range of its type");
    value = j.is_number_unsigned() ? static_cast<T>(j.get<std::uint64_t>()) : static_cast<T>(j.get<std::int64_t>());
  } else if constexpr (std::is_same_v<T, double>) {
    value = json_number(j, key);
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!j.is_string()) wrong("a string");
    value = j.get<std::string>();
  } else if constexpr (std::is_enum_v<T>) {
    if (!j.is_string()) wrong("a name (string)");
    value = from_string<T>(j.get<std::string>());
  } else if constexpr (std::is_same_v<T, std::vector<double>>) {
    if (!j.is_array()) wrong("an array of numbers");
    value.clear();
    for (const auto& x : j) value.push_back(json_number(x, key));
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    if (!j.is_array()) wrong("an array of strings");
    value.clear();
    for (const auto& x : j) {
      if (!x.is_string()) wrong("an array of strings");
      value.push_back(x.get<std::string>());
    }
  } else {
    static_assert(sizeof(T) == 0, "field type without a JSON conversion");
  }
}

struct Writer {
  json& out;
  template <class T>
  void operator()(const char* name, const T& value, const fields::Check& = {}) const {
    out[name] = value_json(value);
  }
  template <class T>
  void operator()(const char* name, fields::Range<T> r, const fields::Check& = {}) const {
    out[std::string(name) + "_low"] = number_json(r.low);
    out[std::string(name) + "_high"] = number_json(r.high);
  }
  template <class D>
  void operator()(const char* name, const fields::Group<D>& g, const fields::Check& = {}) const {
    json o = json::object();
    for (const auto& m : g.members) o[m.key] = number_json(*m.value);
    out[name] = std::move(o);
  }
};

struct Reader {
  const json& in;
  const json* find(const std::string& key) const {
    const auto it = in.find(key);
    return it == in.end() ? nullptr : &*it;
  }
  template <class T>
  void operator()(const char* name, T& value, const fields::Check& = {}) const {
    const json* j = find(name);
    if (j && (!j->is_null() || std::is_same_v<T, double>)) read_value(*j, name, value);
  }
  template <class T>
  void operator()(const char* name, fields::Range<T> r, const fields::Check& = {}) const {
    for (auto [suffix, value] : {std::pair<const char*, double*>{"_low", &r.low}, {"_high", &r.high}}) {
      const std::string key = std::string(name) + suffix;
      if (const json* j = find(key)) *value = json_number(*j, key);
    }
  }
  template <class D>
  void operator()(const char* name, const fields::Group<D>& g, const fields::Check& = {}) const {
    const json* j = find(name);
    if (!j || !j->is_object()) return;
    for (const auto& m : g.members)
      if (j->contains(m.key)) *m.value = json_number(j->at(m.key), std::string(name) + "." + m.key);
  }
};

}  // namespace detail

/// Every field of `object` as one JSON object.
template <class T>
json fields_to_json(const T& object) {
  json out = json::object();
  visit_fields(object, detail::Writer{out});
  return out;
}

/// Reads the fields present in `j` (an object) into `object`; absent keys keep their values.
template <class T>
void fields_from_json(T& object, const json& j) {
  require(j.is_object(), "expected a JSON object of fields, got " + std::string(j.type_name()));
  visit_fields(object, detail::Reader{j});
}

}  // namespace hamsam::io
