#include "hamsam/io/json.hpp"

#include <cmath>

#include "json_fields.hpp"

namespace hamsam {
namespace io {

json number_json(double x) {
  if (std::isnan(x)) return nullptr;
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  return x;
}

double json_number(const json& j, const std::string& key) {
  if (j.is_number()) return j.get<double>();
  if (j.is_null()) return NAN;
  if (j.is_string()) {
    const std::string s = j.get<std::string>();
    if (s == "inf") return INFINITY;
    if (s == "-inf") return -INFINITY;
    if (s == "nan") return NAN;
  }
  throw Error("'" + key + "' must be a number (got " + j.dump() + ")");
}

json parse_file_json(const std::string& text) {
  return json::parse(text, [](int depth, json::parse_event_t, json&) {
    require(depth <= kMaxJsonDepth, "JSON nested more than " + std::to_string(kMaxJsonDepth) + " deep");
    return true;
  });
}

json parse_object(const std::string& text, const char* what) {
  json j;
  try {
    j = parse_file_json(text);
  } catch (const std::exception& e) {
    throw Error(std::string(what) + " are not valid JSON: " + e.what());
  }
  require(j.is_object(), std::string(what) + " JSON must be an object");
  return j;
}

}  // namespace io

std::string to_json(const FitOptions& options) { return io::fields_to_json(options).dump(); }
std::string to_json(const FitSummary& summary) { return io::fields_to_json(summary).dump(); }
std::string to_json(const particles::GraphFitOptions& options) { return io::fields_to_json(options).dump(); }
std::string to_json(const particles::GraphFitSummary& summary) { return io::fields_to_json(summary).dump(); }

FitOptions options_from_json(const std::string& text) {
  FitOptions o;
  io::fields_from_json(o, io::parse_object(text, "options"));
  o.validate();
  return o;
}

FitSummary summary_from_json(const std::string& text) {
  FitSummary s;
  io::fields_from_json(s, io::parse_object(text, "summary"));
  return s;
}

}  // namespace hamsam
