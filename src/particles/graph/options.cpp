// Options and summaries of the graph model: the pair-input names, GraphFitOptions::validate, and the text of
// GraphFitSummary and TableReport.
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>

#include "../detail.hpp"
#include "hamsam/error.hpp"
#include "hamsam/particles/graph/networks.hpp"
#include "hamsam/particles/graph/options.hpp"

namespace hamsam::particles {
namespace {

using detail::str;

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

}  // namespace

std::string to_string(PairInput p) { return p == PairInput::Distance ? "r" : "inverse"; }

PairInput pair_input_from_string(const std::string& name) {
  if (name == "r" || name == "distance") return PairInput::Distance;
  if (name == "inverse" || name == "1/r") return PairInput::Inverse;
  throw Error("unknown pair input '" + name + "': use r (the distance) or inverse (1/r)");
}

void GraphFitOptions::validate() const {
  require(kinetic_width >= 1, "kinetic_width must be at least 1 (got " + std::to_string(kinetic_width) +
                                  "): the neurons of each kinetic network, e.g. 16");
  require(pair_width >= 1, "pair_width must be at least 1 (got " + std::to_string(pair_width) +
                               "): the neurons of each pair network, e.g. 64");
  require(message_width >= 0, "message_width must be >= 0 (got " + std::to_string(message_width) + "; 0 = off)");
  require(message_width == 0 || message_features >= 1,
          "message_features must be at least 1 when message_width > 0 (got " + std::to_string(message_features) + ")");
  require(std::isfinite(rcond) && rcond >= 0 && rcond < 1,
          "rcond must be in [0, 1) (got " + str(rcond) + "): the default 1e-13 suits float64");
  require(block_rows >= 0, "block_rows must be >= 0 (got " + std::to_string(block_rows) +
                               "; 0 = one dense solve, e.g. 16384 rows per TSQR block)");
  require(std::isfinite(anchor_weight) && anchor_weight > 0,
          "anchor_weight must be positive and finite (got " + str(anchor_weight) + ")");
  require(std::isfinite(gauge_weight) && gauge_weight > 0,
          "gauge_weight must be positive and finite (got " + str(gauge_weight) + ")");
  require(sample_points >= 3, "sample_points must be at least 3 (got " + std::to_string(sample_points) + ")");
  require(blas_threads >= 0, "blas_threads must be >= 0 (0 leaves OpenBLAS as it is)");
  require(threads >= 0, "threads must be >= 0 (0 uses all cores)");
}

std::string GraphFitSummary::brief() const {
  std::ostringstream s;
  s << "graph " << FitSummary::brief() << "; " << snapshots << " snapshots of " << particles << " particles, "
    << edges << " edges, " << blocks << " block(s), train MSE " << fmt("%.2e", mse);
  return s.str();
}

std::string GraphFitSummary::report() const {
  std::ostringstream s;
  s << FitSummary::report() << "  snapshots          " << snapshots << " of " << particles << " particles ("
    << edges << " edges in all)\n"
    << "  networks           " << kinetic_networks << " kinetic, " << pair_networks << " pair\n"
    << "  least squares      " << blocks << " block(s), at most " << max_block_rows << " rows held at once\n"
    << "  train MSE          " << fmt("%.3e", mse) << " (of qdot, pdot)\n";
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
