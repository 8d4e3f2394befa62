#pragma once
// Private to src/particles/graph: the potential terms of a graph model (pair, density, angular, ...), the one
// mechanism through which every term enters the fit and the evaluation.
//
// A term contributes columns to the single least-squares problem: its energy is linear in its output weights c,
//   E_term(config) = sum_k c_k phi_k(config),
// where each phi_k is a sum over atoms, pairs or triplets of sampled features of invariant inputs, each radial
// input multiplied by the smooth cutoff function (fc and its first two derivatives vanish at the cutoff, so
// energies and forces are continuous when neighbours cross it). For one configuration the term writes, for its
// columns, the feature values (the energy row), their gradients with respect to the positions (dE/dq: the force
// rows, forces = -dE/dq, and the pdot rows of Hamilton's equations) and their strain derivatives (the virial
// rows); with given weights it evaluates energy, gradient, strain and per-atom energies.
//
// Lifecycle, driven by the fit: observe(config) over the training configurations (reservoirs of the term's
// inputs), sample(...) once (and again with values for SWIM / A-SWIM's second pass), then design() per
// configuration; a fitted term (weights set) evaluates with evaluate().
//
// Conventions:
//   - pairs come from a PairList (cell.hpp): each interacting pair once, vec = q_j + shift - q_i, r = |vec|;
//   - a term that depends on pair vectors adds, per pair e and column k, g = dE/dvec_e (d values) with
//     add_pair_derivative(): gradient rows q_i -= g, q_j += g; strain rows (a, b) += vec_a g_b. The strain
//     derivative dE/d(strain) is the stress times the volume: ASE's stress = strain / volume, LAMMPS's virial
//     = -strain (both symmetric for invariant terms);
//   - per_atom energies: a pair's energy split evenly between its two atoms; a density or angular term's energy
//     belongs to its central atom.
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "../../detail.hpp"
#include "hamsam/particles/cell.hpp"
#include "hamsam/particles/graph/options.hpp"
#include "hamsam/random.hpp"
#include "hamsam/sampling.hpp"
#include "hamsam/types.hpp"

namespace hamsam::particles::detail {

/// The smooth cutoff fc(r) on [0, rc): 1 up to r_on, then the quintic switch 1 - 10 x^3 + 15 x^4 - 6 x^5 with
/// x = (r - r_on) / (rc - r_on), so that fc, fc' and fc'' are continuous everywhere and vanish at rc; 0 past rc.
struct SmoothCutoff {
  double rc = 0.0;    ///< the cutoff radius
  double r_on = 0.0;  ///< where the switch starts (0 <= r_on < rc)
  /// fc(r) and dfc/dr.
  void eval(double r, double& fc, double& dfc) const {
    if (r >= rc) {
      fc = dfc = 0.0;
      return;
    }
    if (r <= r_on) {
      fc = 1.0;
      dfc = 0.0;
      return;
    }
    const double w = rc - r_on, x = (r - r_on) / w, x2 = x * x, x3 = x2 * x;
    fc = 1.0 - x3 * (10.0 - 15.0 * x + 6.0 * x2);
    dfc = -30.0 * x2 * (1.0 - 2.0 * x + x2) / w;
  }
};

/// One configuration as a term sees it: atoms, their species, and the pairs within the model's largest cutoff
/// (a term skips the pairs beyond its own cutoff).
struct ConfigView {
  Index atoms = 0;
  int dim = 3;
  const int* species = nullptr;     ///< atoms entries (>= 0)
  const PairList* pairs = nullptr;  ///< each pair once (cell.hpp)
};

/// The rows of one configuration in the design matrix (every column of the model; a term writes its own
/// columns [col, col + columns())). Any of the three may be null (not asked for).
struct DesignRows {
  RowMatrix* energy = nullptr;  ///< 1 x cols: feature values
  RowMatrix* grad = nullptr;    ///< N d x cols: dE/dq (row i d + c), zeroed by the caller
  RowMatrix* strain = nullptr;  ///< d d x cols: dE/d(strain), row a d + b, zeroed by the caller
};

/// Adds pair e's derivative g (d x w, row-major: g[c * w + k] = d phi_k / d vec_e[c]) into the gradient rows
/// (atom first: -g, atom second: +g) and the strain rows (vec_a g_b), columns [col, col + w).
inline void add_pair_derivative(const PairList& pl, Index e, const double* g, Index w, const DesignRows& rows,
                                Index col) {
  const int d = pl.dim;
  const Index i = pl.first[static_cast<std::size_t>(e)], j = pl.second[static_cast<std::size_t>(e)];
  if (rows.grad) {
    for (int c = 0; c < d; ++c) {
      double* gi = rows.grad->row(i * d + c).data() + col;
      double* gj = rows.grad->row(j * d + c).data() + col;
      const double* gc = g + c * w;
      for (Index k = 0; k < w; ++k) {
        gi[k] -= gc[k];
        gj[k] += gc[k];
      }
    }
  }
  if (rows.strain) {
    const double* v = pl.vec.data() + e * d;
    for (int a = 0; a < d; ++a)
      for (int b = 0; b < d; ++b) {
        double* s = rows.strain->row(a * d + b).data() + col;
        const double* gb = g + b * w;
        for (Index k = 0; k < w; ++k) s[k] += v[a] * gb[k];
      }
  }
}

/// Adds pair e's energy ee (split evenly between its atoms into per_atom) and its radial derivative dE/dr along
/// the pair vector into grad (N d) and strain (d d) of an evaluation; any of the three may be null.
inline void add_pair_energy(const PairList& pl, Index e, double ee, double de_dr, double* grad, double* strain,
                            double* per_atom) {
  const int d = pl.dim;
  const Index i = pl.first[static_cast<std::size_t>(e)], j = pl.second[static_cast<std::size_t>(e)];
  if (per_atom) {
    per_atom[i] += 0.5 * ee;
    per_atom[j] += 0.5 * ee;
  }
  const double* v = pl.vec.data() + e * d;
  const double r = pl.r[static_cast<std::size_t>(e)];
  for (int c = 0; c < d; ++c) {
    const double g = de_dr * v[c] / r;
    if (grad) {
      grad[i * d + c] -= g;
      grad[j * d + c] += g;
    }
    if (strain)
      for (int a = 0; a < d; ++a) strain[a * d + c] += v[a] * g;
  }
}

/// What sample() needs from the fit's options.
struct TermSampling {
  Sampler sampler = Sampler::ELM;  ///< the first pass: ELM or U-SWIM; the second pass of SWIM/A-SWIM: SWIM
  Activation activation = Activation::Tanh;
  std::uint64_t seed = 0;          ///< the term's own seed (derived from the fit's seed and the term's kind)
  Index sample_points = 20000;     ///< at most this many observed inputs feed the sampler
};

/// A term's options (the model's options hold one per term; defaults documented with the public options).
struct TermOptions {
  std::string kind;          ///< "pair", "density", "angular"
  double cutoff = 0.0;       ///< the term's cutoff radius (> 0)
  double cutoff_on = 0.0;    ///< where the smooth switch starts, 0 <= cutoff_on < cutoff
  Index width = 64;          ///< neurons of the term's sampled output network(s) (per species pair / species)
  Index features = 8;        ///< radial functions of a many-body term (densities, angular radial basis)
  Index angular_order = 0;   ///< angular term: the highest power of cos(theta) (or its sampled features' size)
  Activation activation = Activation::Tanh;      ///< of every sampled neuron (also needed to evaluate)
  PairInput pair_input = PairInput::Distance;    ///< what radial networks see: r or 1/r
  /// Density term: each radial function's density sums over all neighbours whatever their species (false: one
  /// density per neighbour species).
  bool pooled = false;
  /// Density term: its linear columns x_a (sums over pairs of the radial functions, which a pair term spans as
  /// well) are fitted; false (a pair term is present): they stay zero and the pair term carries that part.
  bool linear = true;
};

/// A term's fitted state as named arrays (scalars as 1 x 1), what a model file holds; restore() validates it.
using TermState = std::map<std::string, Matrix>;

class Term {
 public:
  virtual ~Term() = default;
  /// "pair", "density", "angular", ...
  virtual std::string name() const = 0;
  /// The largest pair distance the term reads.
  virtual double cutoff() const = 0;
  /// Number of columns (output weights); known once sampled.
  virtual Index columns() const = 0;
  /// Pass 0 of the fit: records the inputs of one configuration (species seen, reservoirs of feature inputs).
  virtual void observe(const ConfigView& config, Rng& rng) = 0;
  /// Samples the hidden layers from the observed inputs. with_values: the second SWIM pass, weighted by the
  /// term's values under its current weights (set_weights was called).
  virtual void sample(const TermSampling& s, bool with_values) = 0;
  /// Writes the term's columns [col, col + columns()) of one configuration's rows (design matrix).
  virtual void design(const ConfigView& config, const DesignRows& rows, Index col) const = 0;
  /// Sets the output weights (columns() values) from the solve.
  virtual void set_weights(const double* c) = 0;
  /// Energy of one configuration under the weights; adds dE/dq into grad (N d), dE/dstrain into strain (d d) and
  /// each atom's share into per_atom (N) where not null.
  virtual double evaluate(const ConfigView& config, double* grad, double* strain, double* per_atom) const = 0;
  /// For a term whose energy is a sum over pairs of a function of their distance and species alone (the pair
  /// term): adds that function, E_ab(r) with its smooth cutoff, and dE/dr at n distances r > 0 into v and dv and
  /// returns true (throws hamsam::Error naming a species pair it has no network for; n = 0 only asks whether the
  /// term has a pair energy); other terms return false.
  virtual bool pair_energy(int a, int b, Index n, const double* r, double* v, double* dv) const {
    (void)a, (void)b, (void)n, (void)r, (void)v, (void)dv;
    return false;
  }
  /// With pair_energy(): the distances [lo, hi] its function of species (a, b) was fitted on (observed in
  /// training); false for other terms. Throws hamsam::Error naming a species pair it has no network for.
  virtual bool pair_range(int a, int b, double& lo, double& hi) const {
    (void)a, (void)b, (void)lo, (void)hi;
    return false;
  }
  /// The species (sorted) the term has networks for; evaluate() and design() throw hamsam::Error naming a species
  /// of the configuration that is missing.
  virtual std::vector<int> species() const = 0;
  /// The fitted state (hidden layers, ranges, weights, species) and its inverse; restore throws hamsam::Error
  /// naming a missing or inconsistent array.
  virtual TermState state() const = 0;
  virtual void restore(const TermState& state) = 0;
};

/// The term of options.kind (terms/registry.cpp: one line per kind); throws hamsam::Error for an unknown kind or
/// invalid options, naming the option.
std::unique_ptr<Term> make_term(const TermOptions& options);
/// The registered kinds, in registry order.
std::vector<std::string> term_kinds();

}  // namespace hamsam::particles::detail
