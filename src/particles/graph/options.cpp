// Options and summaries of the graph model: the pair-input names, GraphFitOptions::validate, and the text of
// GraphFitSummary and TableReport.
#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <utility>

#include "../../detail/format.hpp"
#include "hamsam/error.hpp"
#include "hamsam/particles/graph/networks.hpp"
#include "hamsam/particles/graph/options.hpp"
#include "terms/term.hpp"

namespace hamsam::particles {
using hamsam::detail::fmt;

std::string to_string(PairInput p) { return p == PairInput::Distance ? "r" : "inverse"; }

PairInput pair_input_from_string(const std::string& name) {
  if (name == "r" || name == "distance") return PairInput::Distance;
  if (name == "inverse" || name == "1/r") return PairInput::Inverse;
  throw Error("unknown pair input '" + name + "': use r (the distance) or inverse (1/r)");
}

void GraphFitOptions::validate() const {
  fields::check_fields(*this);
  require(message_width == 0 || message_features >= 1,
          "message_features must be at least 1 when message_width > 0 (got " + std::to_string(message_features) + ")");
  const std::vector<std::string> known = detail::term_kinds();
  std::string names;
  for (const auto& k : known) names += (names.empty() ? "" : ", ") + k;
  for (std::size_t i = 0; i < terms.size(); ++i) {
    require(std::find(known.begin(), known.end(), terms[i]) != known.end(),
            "terms: unknown term '" + terms[i] + "': use " + names);
    require(std::find(terms.begin(), terms.begin() + static_cast<std::ptrdiff_t>(i), terms[i]) ==
                terms.begin() + static_cast<std::ptrdiff_t>(i),
            "terms: '" + terms[i] + "' is listed twice");
  }
  for (const auto& [name, value] : {std::pair<const char*, const std::string*>{"pair_sampler", &pair_sampler},
                                    std::pair<const char*, const std::string*>{"angular_sampler", &angular_sampler}}) {
    std::string samplers = "auto";
    bool ok = *value == "auto";
    for (const auto& k : all_names<Sampler>()) {
      samplers += ", " + k;
      ok = ok || *value == k;
    }
    require(ok, std::string(name) + ": unknown sampler '" + *value + "': use " + samplers);
  }
  require(reference == "none" || reference == "zbl",
          "unknown reference '" + reference + "': use none or zbl");
  require(zbl_inner < zbl_outer, "zbl_inner (" + fmt("%g", zbl_inner) + ") must be below zbl_outer (" +
                                     fmt("%g", zbl_outer) + ")");
  for (double z : zbl_numbers)
    require(std::isfinite(z) && z > 0, "zbl_numbers: every atomic number must be finite and > 0");
}

namespace {
/// One line per term of a model of terms: its columns and share of the training forces (pdot).
void put_terms(std::ostream& s, const GraphFitSummary& r) {
  for (std::size_t k = 0; k < r.term_names.size(); ++k)
    s << "  term " << r.term_names[k]
      << std::string(r.term_names[k].size() < 14 ? 14 - r.term_names[k].size() : 1, ' ')
      << fmt("%.0f", r.term_columns[k]) << " columns, share of the forces " << fmt("%.3f", r.term_shares[k]) << "\n";
}
}  // namespace

std::string GraphFitSummary::brief() const {
  std::ostringstream s;
  if (kind == "potential") {
    s << "graph potential " << FitSummary::brief() << "; " << configurations << " configurations, " << atoms
      << " atoms, " << edges << " pairs; train force rel. error " << fmt("%.2e", force_relative_error)
      << ", energy RMS/atom " << fmt("%.2e", energy_rmse);
    return s.str();
  }
  s << "graph " << FitSummary::brief() << "; " << snapshots << " snapshots of " << particles << " particles, "
    << edges << " edges, " << blocks << " block(s), train MSE " << fmt("%.2e", mse);
  return s.str();
}

std::string GraphFitSummary::report() const {
  std::ostringstream s;
  if (kind == "potential") {
    s << FitSummary::report() << "  configurations     " << configurations << " (" << atoms << " atoms, " << edges
      << " pairs in all)\n"
      << "  least squares      " << blocks << " block(s), at most " << max_block_rows << " rows held at once\n"
      << "  train errors       energy RMS/atom " << fmt("%.3e", energy_rmse) << ", force RMSE "
      << fmt("%.3e", force_rmse) << " (relative " << fmt("%.3e", force_relative_error) << "), virial RMS/atom "
      << fmt("%.3e", virial_rmse) << "\n";
    put_terms(s, *this);
    for (std::size_t k = 0; k < group_names.size(); ++k)
      s << "  group '" << group_names[k] << "'  energy RMS/atom " << fmt("%.3e", group_energy_rmse[k])
        << ", force RMSE " << fmt("%.3e", group_force_rmse[k]) << " (relative "
        << fmt("%.3e", group_force_relative_error[k]) << "), virial RMS/atom " << fmt("%.3e", group_virial_rmse[k])
        << "\n";
    return s.str();
  }
  s << FitSummary::report() << "  snapshots          " << snapshots << " of " << particles << " particles ("
    << edges << " edges in all)\n"
    << "  networks           " << kinetic_networks << " kinetic, " << pair_networks << " pair\n"
    << "  least squares      " << blocks << " block(s), at most " << max_block_rows << " rows held at once\n"
    << "  train MSE          " << fmt("%.3e", mse) << " (of qdot, pdot)\n";
  put_terms(s, *this);
  return s.str();
}

std::string TableReport::report() const {
  std::ostringstream s;
  for (const auto& e : entries)
    s << e.term << " on [" << fmt("%.4g", e.lo) << ", " << fmt("%.4g", e.hi) << "], " << e.knots
      << " knots: max error " << fmt("%.2e", e.max_value_error) << " (value, largest " << fmt("%.2e", e.max_value)
      << "), " << fmt("%.2e", e.max_derivative_error) << " (derivative, largest " << fmt("%.2e", e.max_derivative)
      << ")\n";
  return s.str();
}

}  // namespace hamsam::particles

namespace hamsam {
template <>
particles::PairInput from_string<particles::PairInput>(std::string_view name) {
  return particles::pair_input_from_string(std::string(name));
}
}  // namespace hamsam
