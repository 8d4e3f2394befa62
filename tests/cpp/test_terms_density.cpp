// The density (embedding) term: gradients and strain derivatives against finite differences, the design rows
// against the evaluation, invariances, continuity across the cutoff, state round trip, errors.
#include <cmath>
#include <optional>

#include "../../src/particles/graph/terms/density.hpp"
#include "hamsam/particles/cell.hpp"
#include "term_checks.hpp"
#include "test_support.hpp"

namespace hamsam::particles::detail {
namespace {

using hamsam::test::expect_error;

/// A configuration: positions, species, optional cell, and its pair list at `cutoff`.
struct Config {
  Matrix q;
  std::vector<int> species;
  std::optional<Cell> cell;
  PairList pairs;
  void update(double cutoff) { pairs = neighbor_pairs(q, cutoff, cell); }
  ConfigView view() const { return ConfigView{q.rows(), static_cast<int>(q.cols()), species.data(), &pairs}; }
};

constexpr double kCutoff = 4.0;

/// A jittered small triclinic periodic cell (smaller than twice the cutoff) with two species.
Config small_cell(std::uint64_t seed, double jitter = 0.15) {
  Rng rng(seed);
  Config c;
  Matrix v(3, 3);
  v << 3.0, 0.0, 0.0, 0.6, 2.9, 0.0, 0.3, -0.4, 3.2;
  c.cell = Cell{v, {true, true, true}};
  Matrix frac(4, 3);
  frac << 0, 0, 0, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5;
  c.q = frac * v;
  for (Index i = 0; i < c.q.size(); ++i) c.q.data()[i] += rng.uniform(-jitter, jitter);
  c.species = {0, 1, 0, 1};
  c.update(kCutoff);
  return c;
}

TermOptions density_options(Index width = 16, Index features = 3, bool pooled = false) {
  TermOptions o;
  o.kind = "density";
  o.cutoff = kCutoff;
  o.cutoff_on = 1.0;
  o.width = width;
  o.features = features;
  o.pooled = pooled;
  return o;
}

/// A term observed on a few jittered cells, sampled, with random weights.
DensityTerm fitted_term(Sampler sampler = Sampler::ELM, Index width = 16, Index features = 3, bool pooled = false) {
  DensityTerm t(density_options(width, features, pooled));
  Rng rng(7);
  for (std::uint64_t s = 1; s <= 12; ++s) {
    Config c = small_cell(s, 0.3);
    t.observe(c.view(), rng);
  }
  TermSampling smp;
  smp.sampler = sampler;
  smp.seed = 11;
  t.sample(smp, false);
  Rng wr(3);
  Vector w(t.columns());
  for (Index k = 0; k < w.size(); ++k) w(k) = wr.uniform(-1.0, 1.0);
  t.set_weights(w.data());
  if (sampler != Sampler::ELM) {
    smp.sampler = Sampler::SWIM;
    t.sample(smp, true);
    t.set_weights(w.data());
  }
  return t;
}

double energy_of(const DensityTerm& t, Config c) {
  c.update(kCutoff);
  return t.evaluate(c.view(), nullptr, nullptr, nullptr);
}

/// Applies the deformation v_b += eps v_a (positions and cell vectors): dE/deps is the strain entry (a, b).
Config deformed(Config c, int a, int b, double eps) {
  for (Index i = 0; i < c.q.rows(); ++i) c.q(i, b) += eps * c.q(i, a);
  if (c.cell)
    for (Index k = 0; k < 3; ++k) c.cell->vectors(k, b) += eps * c.cell->vectors(k, a);
  return c;
}

void check_derivatives(const DensityTerm& t, const Config& c) {
  const Index n = c.q.rows();
  Vector grad = Vector::Zero(n * 3), strain = Vector::Zero(9), per_atom = Vector::Zero(n);
  const double e = t.evaluate(c.view(), grad.data(), strain.data(), per_atom.data());
  EXPECT_NEAR(per_atom.sum(), e, 1e-10 * std::max(1.0, std::abs(e)));
  const double h = 1e-6;  // the embedding's quartic columns are steep: a small step keeps the truncation error down
  const double scale = std::max(1.0, grad.cwiseAbs().maxCoeff());
  for (Index i = 0; i < n; ++i)
    for (int a = 0; a < 3; ++a) {
      Config p = c, m = c;
      p.q(i, a) += h;
      m.q(i, a) -= h;
      const double fd = (energy_of(t, p) - energy_of(t, m)) / (2 * h);
      EXPECT_NEAR(grad(i * 3 + a), fd, 1e-6 * scale) << "atom " << i << " axis " << a;
    }
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b) {
      const double fd = (energy_of(t, deformed(c, a, b, h)) - energy_of(t, deformed(c, a, b, -h))) / (2 * h);
      EXPECT_NEAR(strain(a * 3 + b), fd, 1e-6 * std::max(1.0, strain.cwiseAbs().maxCoeff())) << a << b;
    }
}

TEST(DensityTerm, GradientAndStrainMatchFiniteDifferences) {
  for (Sampler s : {Sampler::ELM, Sampler::USWIM}) {
    const DensityTerm t = fitted_term(s);
    EXPECT_EQ(t.species(), (std::vector<int>{0, 1}));
    check_derivatives(t, small_cell(21));
    // an open cluster (no cell) too
    Config open = small_cell(22);
    open.cell.reset();
    open.update(kCutoff);
    check_derivatives(t, open);
  }
}

TEST(DensityTerm, PooledGradientAndStrainMatchFiniteDifferences) {
  // one density per atom summed over both species (the Finnis-Sinclair form), and three pooled densities
  for (Index features : {1, 3}) {
    const DensityTerm t = fitted_term(Sampler::ELM, 16, features, true);
    EXPECT_EQ(t.densities_per_atom(), features);
    check_derivatives(t, small_cell(21));
  }
}

TEST(DensityTerm, PooledEnergyIsTheEmbeddingOfTheSummedRadialFunctions) {
  // E = sum_i F_{s_i}(rho_i), rho_i = sum_j f_{s_i s_j}(r_ij): what an eam/fs table holds
  const DensityTerm t = fitted_term(Sampler::ELM, 16, 1, true);
  const Config c = small_cell(17);
  const PairList& pl = c.pairs;
  Matrix rho = Matrix::Zero(c.q.rows(), 1);
  for (Index e = 0; e < pl.size(); ++e) {
    if (pl.r[static_cast<std::size_t>(e)] >= kCutoff) continue;
    const Index i = pl.first[static_cast<std::size_t>(e)], j = pl.second[static_cast<std::size_t>(e)];
    Matrix f, df;
    const Vector r = Vector::Constant(1, pl.r[static_cast<std::size_t>(e)]);
    t.radial_functions(c.species[i], c.species[j], r, f, df);
    rho(i, 0) += f(0, 0);
    t.radial_functions(c.species[j], c.species[i], r, f, df);
    rho(j, 0) += f(0, 0);
  }
  Vector per_atom = Vector::Zero(c.q.rows());
  const double e = t.evaluate(c.view(), nullptr, nullptr, per_atom.data());
  double sum = 0.0;
  for (Index i = 0; i < c.q.rows(); ++i) {
    Vector F;
    Matrix dF;
    t.embedding(c.species[i], rho.row(i), F, dF);
    EXPECT_NEAR(F(0), per_atom(i), 1e-12 * std::max(1.0, std::abs(F(0))));
    // dF/drho against a central difference
    const double h = 1e-6;
    Vector Fp, Fm;
    Matrix unused;
    t.embedding(c.species[i], rho.row(i).array() + h, Fp, unused);
    t.embedding(c.species[i], rho.row(i).array() - h, Fm, unused);
    EXPECT_NEAR(dF(0, 0), (Fp(0) - Fm(0)) / (2 * h), 1e-6 * std::max(1.0, std::abs(dF(0, 0))));
    sum += F(0);
  }
  EXPECT_NEAR(sum, e, 1e-12 * std::max(1.0, std::abs(e)));
  // radial derivatives against central differences; the observed range holds the densities seen
  Matrix f, df, fp, fm;
  const Vector r = Vector::LinSpaced(7, 1.5, kCutoff);
  t.radial_functions(0, 1, r, f, df);
  t.radial_functions(0, 1, r.array() + 1e-6, fp, df);
  t.radial_functions(0, 1, r.array() - 1e-6, fm, df);
  t.radial_functions(0, 1, r, f, df);
  EXPECT_LT((df - (fp - fm) / 2e-6).cwiseAbs().maxCoeff(), 1e-7);
  EXPECT_EQ(f(6, 0), 0.0);  // at the cutoff
  const auto [lo, hi] = t.observed_range(0);
  EXPECT_EQ(lo.size(), 1);
  EXPECT_LT(lo(0), hi(0));
  Vector Fx;
  Matrix dFx;
  expect_error([&] { t.embedding(0, Matrix::Zero(1, 2), Fx, dFx); }, "rho must have 1 columns");
  expect_error([&] { t.radial_functions(0, 5, r, f, df); },
               "the neighbour atom has species 5, which is missing from the model");
}

TEST(DensityTerm, OneSpeciesIsTheSameFormPooledOrNot) {
  // with one species the per-species densities are the pooled ones: same columns, same energies
  auto one_species = [](bool pooled) {
    DensityTerm t(density_options(8, 2, pooled));
    Rng rng(7);
    for (std::uint64_t s = 1; s <= 6; ++s) {
      Config c = small_cell(s, 0.3);
      c.species = {0, 0, 0, 0};
      t.observe(c.view(), rng);
    }
    TermSampling smp;
    smp.seed = 11;
    t.sample(smp, false);
    Vector w = Vector::LinSpaced(t.columns(), -1.0, 1.0);
    t.set_weights(w.data());
    return t;
  };
  const DensityTerm a = one_species(false), b = one_species(true);
  Config c = small_cell(40);
  c.species = {0, 0, 0, 0};
  Vector ga = Vector::Zero(12), gb = Vector::Zero(12);
  EXPECT_EQ(a.columns(), b.columns());
  EXPECT_EQ(a.evaluate(c.view(), ga.data(), nullptr, nullptr), b.evaluate(c.view(), gb.data(), nullptr, nullptr));
  EXPECT_EQ(ga, gb);
}

TEST(DensityTerm, DesignRowsAreTheEvaluationPerWeight) {
  const DensityTerm t = fitted_term();
  const Config c = small_cell(5);
  const Index n = c.q.rows(), C = t.columns(), off = 2;
  RowMatrix energy = RowMatrix::Zero(1, C + off), grad = RowMatrix::Zero(n * 3, C + off),
            strain = RowMatrix::Zero(9, C + off);
  t.design(c.view(), DesignRows{&energy, &grad, &strain}, off);
  EXPECT_EQ(energy.leftCols(off).cwiseAbs().maxCoeff(), 0.0);
  TermState st = t.state();
  Vector w(C);
  Index k = 0;
  for (int s : {0, 1}) {
    const Matrix& ws = st.at("weights_" + std::to_string(s));
    for (Index m = 0; m < ws.cols(); ++m) w(k++) = ws(0, m);
  }
  ASSERT_EQ(k, C);
  Vector g = Vector::Zero(n * 3), s = Vector::Zero(9);
  const double e = t.evaluate(c.view(), g.data(), s.data(), nullptr);
  EXPECT_NEAR((energy.rightCols(C) * w)(0), e, 1e-10 * std::max(1.0, std::abs(e)));
  EXPECT_LT((grad.rightCols(C) * w - g).cwiseAbs().maxCoeff(), 1e-10 * std::max(1.0, g.cwiseAbs().maxCoeff()));
  EXPECT_LT((strain.rightCols(C) * w - s).cwiseAbs().maxCoeff(), 1e-10 * std::max(1.0, s.cwiseAbs().maxCoeff()));
}

TEST(DensityTerm, InvariantUnderRotationReflectionTranslationAndPermutation) {
  const DensityTerm t = fitted_term();
  const Config c = small_cell(9);
  const Index n = c.q.rows();
  Vector g0 = Vector::Zero(n * 3);
  const double e0 = t.evaluate(c.view(), g0.data(), nullptr, nullptr);
  // a rotation times a reflection
  const double th = 0.7;
  Matrix R(3, 3);
  R << std::cos(th), -std::sin(th), 0, std::sin(th), std::cos(th), 0, 0, 0, -1;
  Config r = c;
  r.q = c.q * R.transpose();
  r.cell->vectors = c.cell->vectors * R.transpose();
  r.q.rowwise() += Eigen::RowVector3d(0.3, -1.2, 5.0);  // and a translation
  r.update(kCutoff);
  Vector g1 = Vector::Zero(n * 3);
  EXPECT_NEAR(t.evaluate(r.view(), g1.data(), nullptr, nullptr), e0, 1e-11 * std::abs(e0));
  for (Index i = 0; i < n; ++i) {
    const Vector expect = R * g0.segment(i * 3, 3);
    EXPECT_LT((g1.segment(i * 3, 3) - expect).cwiseAbs().maxCoeff(), 1e-10);
  }
  // swap the two atoms of species 0 (atoms 0 and 2)
  Config p = c;
  p.q.row(0) = c.q.row(2);
  p.q.row(2) = c.q.row(0);
  p.update(kCutoff);
  Vector g2 = Vector::Zero(n * 3);
  EXPECT_NEAR(t.evaluate(p.view(), g2.data(), nullptr, nullptr), e0, 1e-11 * std::abs(e0));
  EXPECT_LT((g2.segment(0, 3) - g0.segment(6, 3)).cwiseAbs().maxCoeff(), 1e-10);
  EXPECT_LT((g2.segment(6, 3) - g0.segment(0, 3)).cwiseAbs().maxCoeff(), 1e-10);
}

TEST(DensityTerm, EnergyAndForcesAreContinuousAcrossTheCutoff) {
  const DensityTerm t = fitted_term();
  // three atoms in open space: atom 2 moves out along x through the cutoff of its pair with atom 0
  Config c;
  c.q = Matrix::Zero(3, 3);
  c.q.row(1) << 0.0, 2.5, 0.0;
  c.species = {0, 1, 0};
  auto at = [&](double x, Vector* g) {
    Config m = c;
    m.q.row(2) << x, 0.0, 0.0;
    m.update(kCutoff + 1.0);  // a longer list: the term skips pairs past its own cutoff
    *g = Vector::Zero(9);
    return t.evaluate(m.view(), g->data(), nullptr, nullptr);
  };
  // the jumps of energy and force between r = rc - h and rc + h vanish like h^3 and h^2 (fc is C2 at rc): each
  // tenfold smaller h shrinks them at least 500 and 50 times
  Vector gin, gout, gfar;
  double last_e = 0.0, last_g = 0.0;
  for (double h : {1e-2, 1e-3, 1e-4}) {
    const double ein = at(kCutoff - h, &gin), eout = at(kCutoff + h, &gout);
    const double ejump = std::abs(ein - eout), gjump = (gin - gout).cwiseAbs().maxCoeff();
    if (h < 1e-2) {
      EXPECT_LT(ejump, last_e / 500) << h;
      EXPECT_LT(gjump, last_g / 50) << h;
    }
    last_e = ejump;
    last_g = gjump;
    EXPECT_EQ(eout, at(kCutoff + 0.5, &gfar));  // past the cutoff the neighbour is not seen at all
    EXPECT_EQ(gout.segment(0, 6), gfar.segment(0, 6));
  }
}

TEST(DensityTerm, StateRoundTripEvaluatesTheSame) {
  const DensityTerm t = fitted_term(Sampler::USWIM);
  const Config c = small_cell(13);
  DensityTerm u(density_options(1, 1));
  u.restore(t.state());
  EXPECT_EQ(u.columns(), t.columns());
  Vector g0 = Vector::Zero(12), g1 = Vector::Zero(12);
  EXPECT_EQ(t.evaluate(c.view(), g0.data(), nullptr, nullptr), u.evaluate(c.view(), g1.data(), nullptr, nullptr));
  EXPECT_EQ(g0, g1);
  // pooled survives the round trip; a state without the keys added later (pooled, the observed range) loads
  const DensityTerm pooled = fitted_term(Sampler::ELM, 16, 1, true);
  u.restore(pooled.state());
  EXPECT_EQ(u.densities_per_atom(), 1);
  EXPECT_EQ(pooled.evaluate(c.view(), nullptr, nullptr, nullptr), u.evaluate(c.view(), nullptr, nullptr, nullptr));
  TermState old = t.state();
  for (const char* key : {"pooled", "rho_lo_0", "rho_hi_0", "rho_lo_1", "rho_hi_1"}) old.erase(key);
  u.restore(old);
  EXPECT_EQ(u.densities_per_atom(), 6);
  EXPECT_EQ(t.evaluate(c.view(), nullptr, nullptr, nullptr), u.evaluate(c.view(), nullptr, nullptr, nullptr));
  TermState bad = t.state();
  bad.erase("W_1");
  expect_error([&] { u.restore(bad); }, "missing array 'W_1'");
  bad = t.state();
  bad["mean_0"] = Matrix::Zero(1, 2);
  expect_error([&] { u.restore(bad); }, "'mean_0' has shape 1 x 2");
}

TEST(DensityTerm, BadInputIsAnError) {
  TermOptions o = density_options();
  o.cutoff = -1;
  expect_error([&] { DensityTerm t(o); }, "cutoff must be finite and > 0");
  o = density_options();
  o.features = 0;
  expect_error([&] { DensityTerm t(o); }, "features (radial functions) must be in [1, 64]");
  o = density_options();
  o.cutoff_on = 5.0;
  expect_error([&] { DensityTerm t(o); }, "cutoff_on must be in [0, cutoff)");
  DensityTerm empty(density_options());
  expect_error([&] { empty.sample(TermSampling{}, false); }, "no neighbours within the cutoff");
  const DensityTerm t = fitted_term();
  Config c = small_cell(3);
  c.species[2] = 4;
  expect_error([&] { t.evaluate(c.view(), nullptr, nullptr, nullptr); },
               "atom 2 has species 4, which is missing from the model (fitted species: 0, 1)");
}

TEST(DensityTerm, ColumnsPerSpecies) {
  const DensityTerm t = fitted_term(Sampler::ELM, 16, 3);
  // D = 3 features x 2 species = 6: 6 linear, 21 quadratic, 20 cubic and 35 quartic monomials of the 4 leading
  // principal components, 16 neurons, per central species
  EXPECT_EQ(t.columns(), 2 * (6 + 21 + 20 + 35 + 16));
  EXPECT_EQ(t.observed_inputs(0).cols(), 6);
  // standardized: mean 0, spread 1 per density
  EXPECT_LT(t.observed_inputs(0).colwise().mean().cwiseAbs().maxCoeff(), 1e-10);
}

}  // namespace
}  // namespace hamsam::particles::detail

namespace hamsam::test {

TEST(DensityTerm, SharedTermChecksThroughTheRegistry) {
  std::vector<particles::Configuration> data;
  // enough atoms that the observed means, spreads and principal directions are statistics, not noise
  for (int k = 0; k < 12; ++k) data.push_back(fcc_config(1, 3.6, 0.15, 30 + k, {0, 1}));
  TermOptions o;
  o.kind = "density";
  o.cutoff = 5.0;
  o.width = 8;
  o.features = 3;
  auto t = sampled_term(o, data);
  EXPECT_EQ(t->name(), "density");
  check_term(*t, data[0]);
  check_invariance(*t, data[1]);
  o.pooled = true;  // the Finnis-Sinclair form: one density per atom over both species
  o.features = 1;
  auto fs = sampled_term(o, data);
  check_term(*fs, data[2]);
  check_invariance(*fs, data[3]);
  // (check_continuity's three atoms in open space have densities far outside a crystal's, where the embedding's
  // quartic columns are steep but smooth: EnergyAndForcesAreContinuousAcrossTheCutoff checks the C2 switch by
  // how the jumps shrink instead)
}

}  // namespace hamsam::test
