#pragma once
// What a graph fit is asked to do (GraphFitOptions, with validate()) and what it did (GraphFitSummary), in the
// style of the dense model's FitOptions / FitSummary (fit.hpp), each with its field list (fields.hpp).
#include <cstdint>
#include <string>
#include <string_view>

#include "hamsam/fit.hpp"

namespace hamsam::particles {

/// What the pair networks see: the distance r, or its inverse 1/r (steep repulsive cores such as
/// Lennard-Jones are smoother in 1/r).
enum class PairInput { Distance, Inverse };
std::string to_string(PairInput p);
PairInput pair_input_from_string(const std::string& name);

}  // namespace hamsam::particles

namespace hamsam {
/// The vocabulary of types.hpp: "r" (or "distance"), "inverse" (or "1/r").
template <>
particles::PairInput from_string<particles::PairInput>(std::string_view name);
}  // namespace hamsam

namespace hamsam::particles {

struct GraphFitOptions {
  Index kinetic_width = 16;         ///< neurons of each kinetic network T_type(u)
  Index pair_width = 64;            ///< neurons of each pair network V_{a,b}(r) (plus its constant v0)
  /// Each kinetic network also gets the linear feature u itself (T = c_u u + sampled neurons): the Newtonian
  /// |p|^2 / 2m is then exactly representable, and the sampled neurons fit any deviation from it.
  bool kinetic_linear = true;
  PairInput pair_input = PairInput::Distance;
  Index message_width = 0;          ///< node neurons of the message-passing term; 0 = off
  Index message_features = 8;       ///< edge features phi(r) summed into each node (with message_width > 0)
  /// elm (default: the most accurate on these scalar inputs, bench/results/graph.md), u-swim, swim (= a-swim
  /// here, see docs/graph.md), a-swim
  Sampler sampler = Sampler::ELM;
  Activation activation = Activation::Tanh;
  Solver solver = Solver::Auto;     ///< backend of the final (small) solve; auto = svd (gelsd)
  double rcond = 1e-13;             ///< relative singular-value threshold of the solve
  /// Rows per TSQR block (snapshots are grouped until a block holds this many rows of Hamilton's equations);
  /// 0 = assemble the whole matrix and solve it at once (the dense oracle, memory grows with the rows).
  Index block_rows = 16384;
  double anchor_weight = 1.0;       ///< weight of the anchor row(s)
  double gauge_weight = 1.0;        ///< weight of the rows T(0) = 0, N(0) = 0 and (radius graphs) V(cutoff) = 0
  Index sample_points = 20000;      ///< at most this many observed feature values per network feed the sampler
  std::uint64_t seed = 0;           ///< the only source of randomness
  int blas_threads = 0;             ///< > 0: set OpenBLAS threads for the fit; 0: leave as they are
  int threads = 0;                  ///< own threads (assembly, evaluation); 0 = all cores
  /// Throws hamsam::Error naming the first invalid field and the fix.
  void validate() const;
};

/// The fields of GraphFitOptions (names are the JSON keys and Python keywords) with their checks.
template <class Self, class V>
  requires fields::Of<Self, GraphFitOptions>
void visit_fields(Self& o, V&& v) {
  v("kinetic_width", o.kinetic_width, fields::at_least(1, "the neurons of each kinetic network, e.g. 16"));
  v("pair_width", o.pair_width, fields::at_least(1, "the neurons of each pair network, e.g. 64"));
  v("kinetic_linear", o.kinetic_linear);
  v("pair_input", o.pair_input);
  v("message_width", o.message_width, fields::non_negative("0 = off"));
  v("message_features", o.message_features);
  v("sampler", o.sampler);
  v("activation", o.activation);
  v("solver", o.solver);
  v("rcond", o.rcond, fields::interval(0, 1, "[)", "the default 1e-13 suits float64"));
  v("block_rows", o.block_rows, fields::non_negative("0 = one dense solve, e.g. 16384 rows per TSQR block"));
  v("anchor_weight", o.anchor_weight, fields::positive());
  v("gauge_weight", o.gauge_weight, fields::positive());
  v("sample_points", o.sample_points, fields::at_least(3));
  v("seed", o.seed);
  v("blas_threads", o.blas_threads, fields::non_negative("0 leaves OpenBLAS as it is"));
  v("threads", o.threads, fields::non_negative("0 uses all cores"));
}

/// What a graph fit did: the FitSummary fields (width = all columns but the constants, rows = all rows of
/// Hamilton's equations + gauge + anchor rows) plus the graph-specific ones.
struct GraphFitSummary : FitSummary {
  Index snapshots = 0, particles = 0;
  Index edges = 0;                  ///< edges over all training snapshots
  Index blocks = 0;                 ///< TSQR blocks (1 for the dense solve)
  Index max_block_rows = 0;         ///< most rows held at once
  Index kinetic_networks = 0, pair_networks = 0;
  double mse = 0.0;                 ///< training MSE of (qdot, pdot)
  std::string brief() const;
  std::string report() const;
};

/// The fields of GraphFitSummary: those of FitSummary, then the graph's own.
template <class Self, class V>
  requires fields::Of<Self, GraphFitSummary>
void visit_fields(Self& s, V&& v) {
  visit_fields(static_cast<fields::Like<Self, FitSummary>&>(s), v);
  v("snapshots", s.snapshots);
  v("particles", s.particles);
  v("edges", s.edges);
  v("blocks", s.blocks);
  v("max_block_rows", s.max_block_rows);
  v("kinetic_networks", s.kinetic_networks);
  v("pair_networks", s.pair_networks);
  v("mse", s.mse);
}

}  // namespace hamsam::particles
