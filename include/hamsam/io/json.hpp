#pragma once
// JSON views of options and summaries, derived from their field lists (fields.hpp): the CLI's --json, the headers
// of model files, Python's to_json(). Keys are the field names; doubles that are not finite are written as null
// (NaN) or "inf" / "-inf".
#include <string>

#include "hamsam/fit.hpp"
#include "hamsam/particles/graph/options.hpp"

namespace hamsam {

std::string to_json(const FitOptions& options);
/// Options from a JSON object: absent keys keep their defaults; the result is validated.
FitOptions options_from_json(const std::string& json);
std::string to_json(const FitSummary& summary);
/// A summary from its JSON (to_json); absent keys keep their defaults, the nested "seconds" of earlier files too.
FitSummary summary_from_json(const std::string& json);

std::string to_json(const particles::GraphFitOptions& options);
std::string to_json(const particles::GraphFitSummary& summary);

}  // namespace hamsam
