// The potential fit (GraphHamiltonian::fit_potential): configurations with forces, energies and virials, no
// momenta. Checks the data, builds every configuration's pair list once, lets every term observe them, samples
// the terms' hidden layers, streams the weighted rows of each block of configurations through a RowAccumulator
// (TSQR) and solves once for the terms' output weights and the per-species constant energies (twice for swim and
// a-swim: the second sampling is weighted by the first fit), then reports the training errors per group.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <numbers>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "../../detail/format.hpp"
#include "../../detail/parallel.hpp"
#include "../../fit/skeleton.hpp"
#include "../detail.hpp"
#include "hamsam/error.hpp"
#include "hamsam/lstsq.hpp"
#include "hamsam/resources.hpp"
#include "fitter.hpp"
#include "potential.hpp"
#include "sampling.hpp"

namespace hamsam::particles {
namespace detail {
namespace {

using hamsam::detail::FitRun;
using hamsam::detail::Pass;
using hamsam::detail::seconds_since;
using Clock = std::chrono::steady_clock;

/// About how many pairs lie within `cutoff` in one (validated) configuration: N^2 / 2 times the ball of the cutoff
/// over the volume the atoms fill (the cell's where it is periodic along every axis, else the bounding box of the
/// atoms grown by the cutoff, and at most N (N - 1) / 2 there); images across a small cell are counted.
double expected_pairs(const Configuration& c, double cutoff) {
  const Index N = c.positions.rows(), d = c.positions.cols();
  const double pi = std::numbers::pi;
  const double ball = d == 1 ? 2.0 * cutoff : d == 2 ? pi * cutoff * cutoff : 4.0 / 3.0 * pi * std::pow(cutoff, 3);
  const bool periodic =
      c.cell && std::all_of(c.cell->periodic.begin(), c.cell->periodic.end(), [](bool b) { return b; });
  double vol = 1.0;
  if (periodic) {
    vol = volume(*c.cell);
  } else {
    for (Index a = 0; a < d; ++a) vol *= c.positions.col(a).maxCoeff() - c.positions.col(a).minCoeff() + cutoff;
  }
  const double n = static_cast<double>(N), pairs = 0.5 * n * n * ball / std::max(vol, 1e-300);
  return periodic ? pairs : std::min(pairs, 0.5 * n * (n - 1.0));
}

/// Rows of one configuration: the energy row, the force rows, the virial rows (counts, 0 when absent).
struct RowCounts {
  Index energy = 0, force = 0, virial = 0;
  Index total() const { return energy + force + virial; }
};

struct PotentialFitter {
  const GraphFitOptions& o;
  const PotentialDataset& data;
  GraphFitSummary& s;
  Potential& pot;
  int dim = 3, threads = 1;
  std::vector<PreparedConfig> prepared;
  std::vector<RowCounts> counts;
  std::vector<double> w_energy, w_force, w_virial;  // per configuration, final row weights
  // Columns: [term 0 | term 1 | ... | fitted species constants].
  std::vector<Index> term_col;
  Index n_terms_cols = 0, n_cols = 0;
  std::vector<int> species;           // sorted, every species of the data
  std::vector<double> given;          // per species: the given constant (NaN: fitted)
  std::vector<Index> species_col;     // per species: its column, -1 when given (or not fitted: no energies)
  bool any_energy = false;

  PotentialFitter(const GraphFitOptions& options, const PotentialDataset& d, GraphFitSummary& summary, Potential& p)
      : o(options), data(d), s(summary), pot(p) {}

  void check_and_prepare() {
    const auto& cs = data.configurations;
    require(!cs.empty(), "the dataset has no configuration: give at least one");
    dim = static_cast<int>(cs[0].positions.cols());
    for (std::size_t k = 0; k < cs.size(); ++k) validate(cs[k], dim, static_cast<Index>(k));
    for (const auto& [name, g] : data.groups)
      require(std::isfinite(g.energy) && std::isfinite(g.force) && std::isfinite(g.virial) && g.energy >= 0 &&
                  g.force >= 0 && g.virial >= 0,
              "group '" + name + "': its energy, force and virial weights must be finite and >= 0");
    // Memory: every configuration's pair list is kept through the fit (built once, read by every pass): vector,
    // length, both atoms and the image of each pair.
    double pairs = 0.0;
    for (const Configuration& c : cs) pairs += expected_pairs(c, pot.cutoff);
    check_memory(pairs * (8.0 * (dim + 3) + 4.0 * dim),
                 "the pair lists of the " + std::to_string(cs.size()) + " configurations (about " +
                     hamsam::detail::fmt("%.3g", pairs) + " pairs within the cutoff " + str(pot.cutoff) + ")",
                 "use a smaller cutoff, or fit on fewer or smaller configurations");
    const Index C = static_cast<Index>(cs.size());
    prepared.resize(cs.size());
    hamsam::detail::parallel_for(C, threads, [&](Index r0, Index r1) {
      for (Index k = r0; k < r1; ++k) {
        check_cancel();
        try {
          prepared[k] = prepare(cs[k], pot.cutoff);
        } catch (const Error& e) {
          throw Error("configuration " + std::to_string(k) + ": " + e.what());
        }
        require(prepared[k].pairs.size() > 0,
                "configuration " + std::to_string(k) + " has no neighbours: no pair of its atoms lies within the "
                "cutoff " + str(pot.cutoff) + "; remove it, or raise the cutoff");
      }
    }, 1);
    // Rows and their weights.
    std::set<int> sp;
    counts.resize(cs.size());
    w_energy.assign(cs.size(), 0.0);
    w_force.assign(cs.size(), 0.0);
    w_virial.assign(cs.size(), 0.0);
    Index rows = 0, atoms = 0;
    for (std::size_t k = 0; k < cs.size(); ++k) {
      const Configuration& c = cs[k];
      const auto it = data.groups.find(c.group);
      const GroupWeights g = it == data.groups.end() ? GroupWeights{} : it->second;
      const Index N = c.positions.rows();
      atoms += N;
      for (int x : prepared[k].species) sp.insert(x);
      w_energy[k] = o.energy_weight * g.energy * c.weight / static_cast<double>(N);
      w_force[k] = o.force_weight * g.force * c.weight;
      w_virial[k] = o.virial_weight * g.virial * c.weight / static_cast<double>(N);
      if (c.energy && w_energy[k] > 0) counts[k].energy = 1;
      if (c.forces && w_force[k] > 0) counts[k].force = N * dim;
      if (c.virial && w_virial[k] > 0) counts[k].virial = dim * (dim + 1) / 2;
      any_energy = any_energy || counts[k].energy > 0;
      rows += counts[k].total();
    }
    require(rows > 0, "no configuration gives forces, an energy or a virial with a weight > 0: nothing to fit");
    species.assign(sp.begin(), sp.end());
    s.configurations = C;
    s.atoms = atoms;
    s.rows = rows;
  }

  /// Pass 0: every term observes every configuration.
  void observe() { observe_terms(pot.terms, prepared, o.seed); }

  void sample(bool with_values) {
    sample_terms(pot.terms, o, with_values, true);
    layout();
  }

  /// Column offsets of the terms and of the fitted species constants.
  void layout() {
    term_col.clear();
    n_terms_cols = 0;
    for (const auto& t : pot.terms) {
      term_col.push_back(n_terms_cols);
      n_terms_cols += t->columns();
    }
    n_cols = n_terms_cols;
    given.assign(species.size(), std::nan(""));
    species_col.assign(species.size(), -1);
    for (std::size_t k = 0; k < species.size(); ++k) {
      const int x = species[k];
      if (!o.species_energies.empty()) {
        require(x < static_cast<int>(o.species_energies.size()),
                "species_energies holds " + std::to_string(o.species_energies.size()) +
                    " values (index = species) but the data has species " + std::to_string(x) +
                    ": give one value per species (NaN: fitted)");
        given[k] = o.species_energies[static_cast<std::size_t>(x)];
      }
      if (std::isnan(given[k]) && any_energy) species_col[k] = n_cols++;
    }
  }

  Index species_index(int x) const {
    return static_cast<Index>(std::lower_bound(species.begin(), species.end(), x) - species.begin());
  }

  /// The weighted rows of configuration k into B (its rows, n_cols + 1 columns, right-hand side last).
  void rows_of(Index k, Eigen::Ref<RowMatrix> B) const {
    const Configuration& c = data.configurations[static_cast<std::size_t>(k)];
    const PreparedConfig& pc = prepared[static_cast<std::size_t>(k)];
    const ConfigView view = pc.view();
    const RowCounts& n = counts[static_cast<std::size_t>(k)];
    const Index N = view.atoms, d = dim;
    B.setZero();
    RowMatrix E, G, S;
    DesignRows rows;
    if (n.energy) {
      E = RowMatrix::Zero(1, n_cols);
      rows.energy = &E;
    }
    if (n.force) {
      G = RowMatrix::Zero(N * d, n_cols);
      rows.grad = &G;
    }
    if (n.virial) {
      S = RowMatrix::Zero(d * d, n_cols);
      rows.strain = &S;
    }
    for (std::size_t t = 0; t < pot.terms.size(); ++t) pot.terms[t]->design(view, rows, term_col[t]);
    // The reference potential and the given constants leave the targets.
    std::vector<double> gref(static_cast<std::size_t>(N * d), 0.0), sref(static_cast<std::size_t>(d * d), 0.0);
    double eref = pot.reference ? pot.reference->evaluate(view, gref.data(), sref.data(), nullptr) : 0.0;
    Index r = 0;
    if (n.energy) {
      for (Index i = 0; i < N; ++i) {
        const Index si = species_index(pc.species[static_cast<std::size_t>(i)]);
        if (species_col[si] >= 0)
          E(0, species_col[si]) += 1.0;
        else if (!std::isnan(given[si]))
          eref += given[si];
      }
      const double w = w_energy[static_cast<std::size_t>(k)];
      B.row(r).head(n_cols) = w * E.row(0);
      B(r, n_cols) = w * (*c.energy - eref);
      ++r;
    }
    if (n.force) {
      const double w = w_force[static_cast<std::size_t>(k)];
      B.middleRows(r, N * d).leftCols(n_cols) = w * G;
      for (Index i = 0; i < N; ++i)
        for (Index a = 0; a < d; ++a)
          B(r + i * d + a, n_cols) = w * (-(*c.forces)(i, a) - gref[static_cast<std::size_t>(i * d + a)]);
      r += N * d;
    }
    if (n.virial) {
      const double w = w_virial[static_cast<std::size_t>(k)];
      const Matrix& V = *c.virial;
      for (Index a = 0; a < d; ++a)
        for (Index b = a; b < d; ++b) {
          B.row(r).head(n_cols) = 0.5 * w * (S.row(a * d + b) + S.row(b * d + a));
          // virial = -dV/dstrain
          B(r, n_cols) = w * (-0.5 * (V(a, b) + V(b, a)) - 0.5 * (sref[a * d + b] + sref[b * d + a]));
          ++r;
        }
    }
  }

  /// One solve for the current hidden layers: the rows of every configuration, streamed in blocks.
  void solve(FitRun& run, const Pass& pass) {
    const auto t0 = Clock::now();
    const Index C = static_cast<Index>(prepared.size());
    const Index target = o.block_rows == 0 ? s.rows : std::max<Index>(o.block_rows, 1);
    // Memory: the running triangle and the final solve (columns squared, a few copies) and one block of rows.
    Index largest = 0;
    for (const RowCounts& n : counts) largest = std::max(largest, n.total());
    const double block = static_cast<double>(std::min<Index>(s.rows, target + largest));
    const double cols = static_cast<double>(n_cols);
    check_memory(8.0 * (4.0 * (cols + 1) * (cols + 1) + block * (cols + 1) * 2.0),
                 "this potential fit (" + std::to_string(n_cols) + " columns, up to " +
                     std::to_string(static_cast<long long>(block)) + " rows held at once)",
                 "reduce the terms' widths (pair_width, density_width, angular_features) or block_rows");
    RowAccumulator acc(n_cols, threads);
    Index blocks = 0, max_rows = 0;
    double seconds_qr = 0.0;
    for (Index c0 = 0; c0 < C;) {
      run.report("assembly", pass.from + (pass.to - pass.from) * 0.9 * double(c0) / double(C));
      Index c1 = c0, nrows = 0;
      std::vector<Index> offset;
      while (c1 < C && (c1 == c0 || nrows + counts[static_cast<std::size_t>(c1)].total() <= target)) {
        offset.push_back(nrows);
        nrows += counts[static_cast<std::size_t>(c1)].total();
        ++c1;
      }
      RowMatrix B(nrows, n_cols + 1);
      hamsam::detail::parallel_for(c1 - c0, threads, [&](Index r0, Index r1) {
        for (Index k = r0; k < r1; ++k) {
          check_cancel();
          const Index n = counts[static_cast<std::size_t>(c0 + k)].total();
          if (n > 0) rows_of(c0 + k, B.middleRows(offset[static_cast<std::size_t>(k)], n));
        }
      }, 1);
      const auto tq = Clock::now();
      acc.add(B.leftCols(n_cols), B.col(n_cols), 1.0,
              "rows of configurations " + std::to_string(c0) + "-" + std::to_string(c1 - 1));
      seconds_qr += seconds_since(tq);
      max_rows = std::max(max_rows, nrows);
      ++blocks;
      c0 = c1;
    }
    s.seconds_assembly += seconds_since(t0) - seconds_qr;
    RowProblem problem(n_cols);
    // The solve runs on equilibrated columns (each of unit norm over the weighted rows; the triangle's column
    // norms are those of the rows it carries), so that rcond cuts the same directions whatever the units of
    // energies and lengths and the scales of the terms' columns; the weights are scaled back after.
    RowBlock tri = acc.block("rows of every configuration");
    Vector scale = tri.A.colwise().norm().transpose();
    for (Index j = 0; j < n_cols; ++j) {
      if (!(scale(j) > 0)) scale(j) = 1.0;
      tri.A.col(j) /= scale(j);
    }
    problem.add(std::move(tri));
    LstsqResult r = solve_pass(problem, o, threads, run, pass);
    r.coef.array() /= scale.array();
    s.seconds_solve += seconds_qr;
    s.cols = n_cols;
    s.width = n_cols;
    s.blocks = blocks;
    s.max_block_rows = max_rows;
    s.residual_norm = r.residual_norm;
    s.relative_residual = r.rhs_norm > 0 ? r.residual_norm / r.rhs_norm : r.residual_norm;
    s.train_error = s.relative_residual;
    s.mse = r.residual_norm * r.residual_norm / static_cast<double>(std::max<Index>(s.rows, 1));
    s.warnings.clear();
    if (s.cols > s.rows)
      s.warnings.push_back(std::to_string(s.cols) + " output weights are more than the " + std::to_string(s.rows) +
                           " training rows: the fit can reproduce the training data exactly and still generalize "
                           "poorly; use smaller widths or more configurations");
    for (std::size_t t = 0; t < pot.terms.size(); ++t) pot.terms[t]->set_weights(r.coef.data() + term_col[t]);
    pot.species = species;
    pot.species_energy = Vector::Zero(static_cast<Index>(species.size()));
    for (std::size_t k = 0; k < species.size(); ++k)
      pot.species_energy(static_cast<Index>(k)) =
          species_col[k] >= 0 ? r.coef(species_col[k]) : (std::isnan(given[k]) ? 0.0 : given[k]);
  }

  /// Training errors per group and overall, and each term's share of the forces.
  void report_errors() {
    const auto& cs = data.configurations;
    const Index C = static_cast<Index>(cs.size());
    const std::size_t T = pot.terms.size();
    struct Acc {
      double e2 = 0, ne = 0, f2 = 0, fref2 = 0, nf = 0, v2 = 0, nv = 0;
      void add(const Acc& o) {
        e2 += o.e2, ne += o.ne, f2 += o.f2, fref2 += o.fref2, nf += o.nf, v2 += o.v2, nv += o.nv;
      }
    };
    std::vector<Acc> per(cs.size());
    std::vector<std::vector<double>> share(cs.size(), std::vector<double>(T, 0.0));
    hamsam::detail::parallel_for(C, threads, [&](Index r0, Index r1) {
      for (Index k = r0; k < r1; ++k) {
        check_cancel();
        const Configuration& c = cs[static_cast<std::size_t>(k)];
        const ConfigView view = prepared[static_cast<std::size_t>(k)].view();
        const Index N = view.atoms, d = dim;
        std::vector<double> grad(static_cast<std::size_t>(N * d), 0.0), strain(static_cast<std::size_t>(d * d), 0.0);
        std::vector<double> tg(grad.size());
        Acc& a = per[static_cast<std::size_t>(k)];
        double e = 0.0;
        for (Index i = 0; i < N; ++i) e += pot.constant(view.species[i]);
        for (std::size_t t = 0; t < T; ++t) {
          std::fill(tg.begin(), tg.end(), 0.0);
          e += pot.terms[t]->evaluate(view, tg.data(), strain.data(), nullptr);
          double sq = 0.0;
          for (std::size_t x = 0; x < tg.size(); ++x) {
            grad[x] += tg[x];
            sq += tg[x] * tg[x];
          }
          share[static_cast<std::size_t>(k)][t] = sq;
        }
        if (pot.reference) e += pot.reference->evaluate(view, grad.data(), strain.data(), nullptr);
        if (c.energy) {
          const double de = (e - *c.energy) / static_cast<double>(N);
          a.e2 = de * de;
          a.ne = 1;
        }
        if (c.forces) {
          for (Index i = 0; i < N; ++i)
            for (Index x = 0; x < d; ++x) {
              const double f = (*c.forces)(i, x), df = -grad[static_cast<std::size_t>(i * d + x)] - f;
              a.f2 += df * df;
              a.fref2 += f * f;
            }
          a.nf = static_cast<double>(N * d);
        }
        if (c.virial) {
          for (Index x = 0; x < d; ++x)
            for (Index y = 0; y < d; ++y) {
              const double dv = (-0.5 * (strain[x * d + y] + strain[y * d + x]) - (*c.virial)(x, y)) /
                                static_cast<double>(N);
              a.v2 += dv * dv;
            }
          a.nv = static_cast<double>(d * d);
        }
      }
    }, 1);
    const double nan = std::nan("");
    auto rms = [&](double sq, double n) { return n > 0 ? std::sqrt(sq / n) : nan; };
    std::map<std::string, Acc> groups;
    Acc all;
    for (std::size_t k = 0; k < cs.size(); ++k) {
      groups[cs[k].group].add(per[k]);
      all.add(per[k]);
    }
    s.energy_rmse = rms(all.e2, all.ne);
    s.force_rmse = rms(all.f2, all.nf);
    s.force_relative_error = all.nf > 0 ? (all.fref2 > 0 ? std::sqrt(all.f2 / all.fref2) : std::sqrt(all.f2)) : nan;
    s.virial_rmse = rms(all.v2, all.nv);
    s.group_names.clear();
    s.group_energy_rmse.clear();
    s.group_force_rmse.clear();
    s.group_force_relative_error.clear();
    s.group_virial_rmse.clear();
    for (const auto& [name, a] : groups) {
      s.group_names.push_back(name);
      s.group_energy_rmse.push_back(rms(a.e2, a.ne));
      s.group_force_rmse.push_back(rms(a.f2, a.nf));
      s.group_force_relative_error.push_back(
          a.nf > 0 ? (a.fref2 > 0 ? std::sqrt(a.f2 / a.fref2) : std::sqrt(a.f2)) : nan);
      s.group_virial_rmse.push_back(rms(a.v2, a.nv));
    }
    std::vector<double> tot(T, 0.0);
    double sum = 0.0;
    for (const auto& row : share)
      for (std::size_t t = 0; t < T; ++t) {
        tot[t] += row[t];
        sum += row[t];
      }
    s.term_names.clear();
    s.term_columns.clear();
    s.term_shares.clear();
    for (std::size_t t = 0; t < T; ++t) {
      s.term_names.push_back(pot.terms[t]->name());
      s.term_columns.push_back(static_cast<double>(pot.terms[t]->columns()));
      s.term_shares.push_back(sum > 0 ? tot[t] / sum : nan);
    }
  }
};

}  // namespace

GraphParameters fit_potential(const GraphFitOptions& options, const PotentialDataset& data, double fallback_cutoff,
                              const ProgressCallback& progress) {
  options.validate();
  GraphParameters p;
  p.options = options;
  GraphFitSummary& s = p.summary;
  s.kind = "potential";
  Potential pot;
  for (const TermOptions& t : term_options(options, fallback_cutoff)) {
    pot.terms.push_back(make_term(t));
    pot.cutoff = std::max(pot.cutoff, pot.terms.back()->cutoff());
  }
  pot.reference = make_reference(options);
  if (pot.reference) pot.cutoff = std::max(pot.cutoff, pot.reference->cutoff());
  PotentialFitter f(options, data, s, pot);
  f.threads = hamsam::detail::resolve_threads(options.threads);
  f.check_and_prepare();
  p.dim = f.dim;
  p.train_cutoff = fallback_cutoff;
  const Matrix shape = Matrix::Zero(static_cast<Index>(data.configurations.size()), f.dim);
  FitRun run(s, hamsam::detail::RunSettings::of(options), shape, progress);
  s.snapshots = s.configurations;
  s.particles = data.configurations.front().positions.rows();
  Index edges = 0;
  for (const PreparedConfig& pc : f.prepared) edges += pc.pairs.size();
  s.edges = edges;
  s.anchor = "none: the energy rows fix the constants (per-species energies)";
  bool second_pass = false, swim = false;
  for (const auto& t : pot.terms) {
    const Sampler ts = term_sampler(options, t->name());
    second_pass = second_pass || ts == Sampler::SWIM || ts == Sampler::ASWIM;
    swim = swim || ts == Sampler::SWIM;
  }
  if (swim)
    s.notes.push_back("swim on potential terms resamples with the term values of a first u-swim solve (as a-swim)");
  hamsam::detail::run_passes(
      run, second_pass,
      [&](bool reweighted) {
        if (!reweighted) f.observe();
        f.sample(reweighted);
      },
      [&](const Pass& pass) { f.solve(run, pass); });
  if (!f.any_energy)
    s.notes.push_back("no energies given: the potential is fitted up to a constant (species energies 0)");
  f.report_errors();
  for (const auto& t : pot.terms) p.term_states.push_back(t->state());
  p.energy_species = pot.species;
  p.species_energy = pot.species_energy;
  run.finish();
  return p;
}

}  // namespace detail

GraphFitSummary GraphHamiltonian::fit_potential(const PotentialDataset& data, const ProgressCallback& progress) {
  *this = GraphHamiltonian(detail::fit_potential(params_.options, data, 0.0, progress));
  return params_.summary;
}

GraphFitSummary GraphHamiltonian::fit_potential(const Topology& topology, const Matrix& positions,
                                                const Matrix& forces, const std::optional<Vector>& energy,
                                                const std::optional<Matrix>& virial,
                                                const std::optional<Vector>& weights,
                                                const ProgressCallback& progress) {
  validate(topology);
  const Index S = positions.rows(), N = topology.size(), d = topology.dim(), nd = N * d;
  require(positions.cols() == nd, "positions must have N d = " + std::to_string(nd) + " columns (one snapshot per "
                                  "row), got " + std::to_string(positions.cols()));
  require(forces.rows() == S && forces.cols() == nd,
          "forces must have the shape of positions (" + std::to_string(S) + "x" + std::to_string(nd) + "), got " +
              std::to_string(forces.rows()) + "x" + std::to_string(forces.cols()));
  if (energy)
    require(energy->size() == S, "energy must have one value per snapshot (" + std::to_string(S) + "), got " +
                                     std::to_string(energy->size()));
  if (virial)
    require(virial->rows() == S && virial->cols() == d * d,
            "virial must be S x d d = " + std::to_string(S) + "x" + std::to_string(d * d) + " (row-major d x d per "
            "snapshot), got " + std::to_string(virial->rows()) + "x" + std::to_string(virial->cols()));
  if (weights)
    require(weights->size() == S, "weights must have one value per snapshot (" + std::to_string(S) + "), got " +
                                      std::to_string(weights->size()));
  PotentialDataset data;
  for (Index k = 0; k < S; ++k) {
    Configuration c;
    c.positions = Eigen::Map<const detail::RowMatrix>(positions.row(k).eval().data(), N, d);
    c.species = topology.particles.type;
    c.cell = cell_of(topology);
    c.forces = Eigen::Map<const detail::RowMatrix>(forces.row(k).eval().data(), N, d);
    if (energy) c.energy = (*energy)(k);
    if (virial) c.virial = Eigen::Map<const detail::RowMatrix>(virial->row(k).eval().data(), d, d);
    if (weights) c.weight = (*weights)(k);
    data.configurations.push_back(std::move(c));
  }
  const double fallback = topology.is_radius_graph() ? topology.cutoff : 0.0;
  *this = GraphHamiltonian(detail::fit_potential(params_.options, data, fallback, progress));
  return params_.summary;
}

}  // namespace hamsam::particles
