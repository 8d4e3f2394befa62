#pragma once
// Private to src/particles/graph: the density (embedding) term, the embedded-atom form with sampled parts.
//
// Each atom i of species s has a density vector rho_i (D = K T entries, T species): for every neighbour species t,
// K densities
//   rho_i[t, k] = sum_{j of species t, r_ij < rc} f_{s t, k}(r_ij),   f_{s t, k}(r) = exp(-alpha_k (r - r0)) fc(r),
// (pooled: K densities rho_i[k] = sum_j f_{s t_j, k}(r_ij) over all neighbours, D = K; with K = 1 one density per
// atom, the Finnis-Sinclair form of LAMMPS's eam/fs), with r0 the shortest observed distance between the two
// species and the decay rates log-spaced so that
// alpha_k (rc - r0) runs over [2, 12] (the radial functions of effective-medium and embedded-atom densities are
// exponentials; sampled tanh neurons on r span them far worse: docs/graph.md). The energy is a sum over atoms of an
// embedding function of the standardized densities x_i = (rho_i - mean_s) / scale_s (mean and spread of the
// observed densities of species s: a thermal crystal sits in a narrow band around its mean, which this maps onto
// a unit range), linear in its output weights: per central species the columns are
//   x_a                      D: the linear part (a pair-like sum; kept at zero beside a pair term, which spans it)
//   x_a x_b, a <= b          D (D + 1) / 2: the quadratic part, exact, the leading many-body order
//   y_a y_b y_c ..., degree 3 and 4 in y = P^T x, the 4 leading principal directions of the observed x, whitened
//                            (directions under 1% of the leading variance scaled as if at 1%; the densities of a
//                            crystal vary mostly along a few directions; the embedding's
//                            curvature beyond quadratic lives there)
//   act(w_m . x + b_m)       width sampled neurons for what remains: ELM w ~ N(0, s^2 / D), b ~ U(-s, s) with
//                            s = 1/2 (smooth on the unit range), whatever the fit's sampler (which samples the
//                            other terms; the radial functions and columns above are fixed by the data).
// Forces follow from dE/dx, the chain rule through the densities and add_pair_derivative (term.hpp).
#include <map>
#include <utility>
#include <vector>

#include "hamsam/particles/graph/networks.hpp"
#include "../sampling.hpp"
#include "term.hpp"

namespace hamsam::particles::detail {

class DensityTerm final : public Term {
 public:
  /// Throws hamsam::Error naming the option for a bad cutoff, width or features.
  explicit DensityTerm(const TermOptions& options);

  std::string name() const override { return "density"; }
  double cutoff() const override { return fc_.rc; }
  Index columns() const override;
  void observe(const ConfigView& config, Rng& rng) override;
  void sample(const TermSampling& s, bool with_values) override;
  void design(const ConfigView& config, const DesignRows& rows, Index col) const override;
  void set_weights(const double* c) override;
  double evaluate(const ConfigView& config, double* grad, double* strain, double* per_atom) const override;
  std::vector<int> species() const override { return species_; }
  TermState state() const override;
  void restore(const TermState& state) override;

  /// The standardized densities x of the observed atoms of species index si (rows), after sample().
  const Matrix& observed_inputs(Index si) const { return embed_[static_cast<std::size_t>(si)].observed; }

  // ---- the fitted functions, for inspection and export (throw hamsam::Error for a species the term lacks) ----
  /// Densities per atom (D): features x neighbour species, or features when pooled.
  Index densities_per_atom() const { return dims(); }
  /// The K radial functions f_{centre, neighbour, k}(r) and their r-derivatives at distances r (n x K each); the
  /// density of an atom of species `centre` sums them over its neighbours of species `neighbour` into its
  /// density block of that species (pooled: into its K densities).
  void radial_functions(int centre, int neighbour, const Vector& r, Matrix& f, Matrix& df) const;
  /// The embedding energy F_s(rho) of an atom of species s at densities rho (n x D) and dF/drho (n x D).
  void embedding(int s, const Matrix& rho, Vector& F, Matrix& dF) const;
  /// The smallest and largest densities (D each) observed on atoms of species s in the fit.
  std::pair<Vector, Vector> observed_range(int s) const;

 private:
  /// An observed atom: its species and its neighbours' species and distances (within the cutoff).
  struct Environment {
    std::vector<int> neighbour;
    std::vector<double> r;
  };
  /// Radial functions of one ordered species pair: f_k(r) = exp(-alpha_k (r - r0)) fc(r).
  struct Radial {
    Vector alpha;  ///< K decay rates
    double r0 = 0.0;
  };
  /// The embedding of one central species.
  struct Embedding {
    Vector mean, scale;  ///< D
    Vector lo, hi;       ///< D: the observed range
    Matrix pc;           ///< D x p: leading principal directions of x, whitened
    HiddenLayer layer;   ///< D x width
    Vector weights;      ///< columns of this species
    Matrix observed;     ///< standardized densities of the observed environments (sampling only)
  };
  /// Densities of one configuration: rho (N x D) and per pair (r < rc) the radial values and r-derivatives in
  /// both directions: f[e][0..K) = f_{s_i s_j}, f[e][K..2K) = f_{s_j s_i}.
  struct Work {
    RowMatrix rho;
    RowMatrix f, df;
  };

  Index dims() const { return options_.features * (options_.pooled ? 1 : static_cast<Index>(species_.size())); }
  /// The density block that neighbours of species index t add to (0 when pooled).
  Index block(Index t) const { return options_.pooled ? 0 : t; }
  Index block_columns() const;  // columns of one central species
  Index index_of(int species) const;
  /// index_of(species); throws hamsam::Error naming a species the term lacks (`what`: where it came from).
  Index known_index(int species, const std::string& what) const;
  std::vector<Index> species_indices(const ConfigView& config) const;
  void radial(Index pair, double r, double* f, double* df) const;
  void densities(const ConfigView& config, const std::vector<Index>& sidx, Work& w) const;
  /// Column values of one atom (block_columns()) and, where P is given, their derivatives wrt rho (D x columns).
  void atom_columns(Index si, const double* rho, double* v, RowMatrix* P) const;
  Matrix environment_densities(const std::vector<Environment>& envs, Index si) const;

  TermOptions options_;
  SmoothCutoff fc_;
  Activation act_ = Activation::Tanh;
  std::vector<int> species_;                     // sorted
  std::vector<Radial> radial_;                   // T x T ordered (centre, neighbour)
  std::vector<std::vector<int>> monomials_;      // the power columns: indices into the principal components
  std::vector<Embedding> embed_;                 // T
  bool sampled_ = false;
  // observation
  std::map<std::pair<int, int>, Reservoir> distances_;   // (smaller, larger species)
  std::map<int, std::vector<Environment>> environments_;  // per central species, a uniform sample
  std::map<int, Index> environments_seen_;
};

}  // namespace hamsam::particles::detail
