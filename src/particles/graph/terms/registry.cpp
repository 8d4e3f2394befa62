// The registry of potential terms: one line per kind (its factory, defined in the term's own file).
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "../../detail.hpp"
#include "hamsam/error.hpp"
#include "term.hpp"

namespace hamsam::particles::detail {

std::unique_ptr<Term> make_pair_term(const TermOptions& options);
std::unique_ptr<Term> make_density_term(const TermOptions& options);
std::unique_ptr<Term> make_angular_term(const TermOptions& options);

namespace {

using Factory = std::unique_ptr<Term> (*)(const TermOptions&);

/// kind -> factory (one line per term).
const std::vector<std::pair<std::string, Factory>>& registry() {
  static const std::vector<std::pair<std::string, Factory>> r = {
      {"pair", &make_pair_term},
      {"density", &make_density_term},
      {"angular", &make_angular_term},
  };
  return r;
}

}  // namespace

std::vector<std::string> term_kinds() {
  std::vector<std::string> out;
  for (const auto& [k, f] : registry()) out.push_back(k);
  return out;
}

std::unique_ptr<Term> make_term(const TermOptions& options) {
  require(std::isfinite(options.cutoff) && options.cutoff > 0.0,
          options.kind + " term: cutoff must be finite and > 0 (got " + str(options.cutoff) +
              "): set cutoff (or " + options.kind + "_cutoff)");
  require(std::isfinite(options.cutoff_on) && options.cutoff_on >= 0.0 && options.cutoff_on < options.cutoff,
          options.kind + " term: the smooth switch must start in [0, cutoff) (got " + str(options.cutoff_on) +
              " with cutoff " + str(options.cutoff) + "): set cutoff_on in [0, 1)");
  require(options.width >= 1, options.kind + " term: width must be at least 1 (got " +
                                  std::to_string(options.width) + ")");
  for (const auto& [k, f] : registry())
    if (k == options.kind) return f(options);
  std::string known;
  for (const auto& k : term_kinds()) known += (known.empty() ? "" : ", ") + k;
  throw Error("unknown term '" + options.kind + "': use one of " + known);
}

}  // namespace hamsam::particles::detail
