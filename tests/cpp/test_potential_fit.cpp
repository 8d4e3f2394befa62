// The potential fit (fit_potential) and the pair term: the term checks (term_checks.hpp), a fit of a known pair
// potential from forces, energies and virials of small periodic cells, the ZBL reference, and bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "hamsam/error.hpp"
#include "hamsam/particles/graph_model.hpp"
#include "term_checks.hpp"
#include "test_support.hpp"

using namespace hamsam;
using namespace hamsam::particles;
using hamsam::test::fcc_config;

namespace {

/// A Morse pair potential with the quintic switch between 4 and 5: energy, forces, virial (-dV/dstrain).
void morse(Configuration& c) {
  const PairList pl = neighbor_pairs_brute_force(c.positions, 5.0, c.cell);
  const Index N = c.positions.rows();
  double E = 0;
  Matrix F = Matrix::Zero(N, 3), W = Matrix::Zero(3, 3);
  detail::SmoothCutoff fc{5.0, 4.0};
  for (Index e = 0; e < pl.size(); ++e) {
    const double r = pl.r[e], ex = std::exp(-1.5 * (r - 2.6));
    const double V = 0.3 * (ex * ex - 2 * ex), dV = 0.3 * (-3.0 * ex * ex + 3.0 * ex);
    double f, df;
    fc.eval(r, f, df);
    E += V * f;
    const double de = dV * f + V * df;
    for (int a = 0; a < 3; ++a) {
      const double g = de * pl.vec[e * 3 + a] / r;
      F(pl.first[e], a) += g;
      F(pl.second[e], a) -= g;
      for (int b = 0; b < 3; ++b) W(b, a) -= pl.vec[e * 3 + b] * g;
    }
  }
  c.energy = E;
  c.forces = F;
  c.virial = W;
}

std::vector<Configuration> morse_data(int count, std::uint64_t seed, int n = 1) {
  std::vector<Configuration> out;
  for (int k = 0; k < count; ++k) {
    Configuration c = fcc_config(n, 3.6 * (1 + 0.01 * (k % 5 - 2)), 0.1, seed + k, {29});
    morse(c);
    out.push_back(c);
  }
  return out;
}

detail::TermOptions pair_options(double rc = 5.0) {
  detail::TermOptions o;
  o.kind = "pair";
  o.cutoff = rc;
  o.cutoff_on = 0.5 * rc;
  o.width = 16;
  return o;
}

}  // namespace

TEST(PairTerm, DesignEvaluateAndFiniteDifferences) {
  const auto data = morse_data(4, 11);
  auto t = test::sampled_term(pair_options(), data);
  EXPECT_EQ(t->columns(), 17);
  test::check_term(*t, data[0]);
  Configuration inv = data[1];
  test::check_invariance(*t, inv);
  test::check_continuity(*t, 29);
}

TEST(PairTerm, TwoSpeciesAndInverseInput) {
  std::vector<Configuration> data;
  for (int k = 0; k < 3; ++k) data.push_back(fcc_config(1, 3.7, 0.1, 20 + k, {0, 1}));
  detail::TermOptions o = pair_options();
  o.pair_input = PairInput::Inverse;
  auto t = test::sampled_term(o, data);
  EXPECT_EQ(t->columns(), 3 * 17);  // (0,0), (0,1), (1,1)
  EXPECT_EQ(t->species(), (std::vector<int>{0, 1}));
  test::check_term(*t, data[0]);
  test::check_invariance(*t, data[1]);
  // A species the term has not seen.
  Configuration other = data[0];
  other.species[0] = 7;
  test::expect_error([&] { test::term_energy(*t, other); }, "species 7 is missing from the model");
}

TEST(PairTerm, StateRoundTrip) {
  const auto data = morse_data(3, 5);
  auto t = test::sampled_term(pair_options(), data);
  auto u = detail::make_term(pair_options());
  u->restore(t->state());
  EXPECT_EQ(test::term_energy(*u, data[0]), test::term_energy(*t, data[0]));
  detail::TermState bad = t->state();
  bad.erase("c0");
  test::expect_error([&] { u->restore(bad); }, "no array 'c0'");
}

TEST(PotentialFit, LearnsAPairPotentialFromForcesEnergiesAndVirials) {
  PotentialDataset data;
  data.configurations = morse_data(24, 100);
  GraphFitOptions o;
  o.cutoff = 5.0;
  o.cutoff_on = 0.8;  // the switch of the data: the pair network then only has to learn the Morse curve
  o.pair_width = 48;
  GraphHamiltonian model(o);
  const GraphFitSummary s = model.fit_potential(data);
  EXPECT_EQ(s.kind, "potential");
  EXPECT_EQ(s.configurations, 24);
  EXPECT_EQ(s.term_names, (std::vector<std::string>{"pair"}));
  EXPECT_LT(s.force_relative_error, 1e-3);
  // Held out, and a zero-shot 2x2x2 cell (32 atoms).
  for (const Configuration& c : morse_data(3, 900, 2)) {
    const PotentialResult r = model.evaluate(c);
    EXPECT_LT((r.forces - *c.forces).norm() / c.forces->norm(), 1e-3);
    EXPECT_LT(std::abs(r.energy - *c.energy) / 32, 1e-3);
    EXPECT_LT((r.virial - *c.virial).cwiseAbs().maxCoeff(), 0.05 * c.virial->cwiseAbs().maxCoeff() + 1e-3);
    EXPECT_NEAR(r.per_atom.sum(), r.energy, 1e-9);
  }
  // The model file keeps the terms.
  const std::string path = ::testing::TempDir() + "/potential_fit_model.hsm";
  std::remove(path.c_str());
  save_graph_model(model, path, true);
  const GraphHamiltonian back = load_graph_model(path);
  const Configuration& c = data.configurations[0];
  EXPECT_EQ(back.evaluate(c).energy, model.evaluate(c).energy);
  EXPECT_EQ((back.evaluate(c).forces - model.evaluate(c).forces).norm(), 0.0);
}

TEST(PotentialFit, BadInputIsAnError) {
  PotentialDataset data;
  data.configurations = morse_data(2, 1);
  GraphFitOptions o;
  o.cutoff = 5.0;
  GraphHamiltonian model(o);
  PotentialDataset d = data;
  d.configurations[1].forces = Matrix::Zero(3, 3);
  test::expect_error([&] { model.fit_potential(d); }, "configuration 1: forces must have the shape of positions");
  d = data;
  (*d.configurations[0].forces)(0, 0) = std::nan("");
  test::expect_error([&] { model.fit_potential(d); }, "configuration 0: forces contain NaN or Inf");
  d = data;
  d.configurations[0].positions.row(1) = d.configurations[0].positions.row(0);
  test::expect_error([&] { model.fit_potential(d); }, "overlapping");
  d = data;
  d.configurations[0].cell->vectors.row(2) = d.configurations[0].cell->vectors.row(1);
  test::expect_error([&] { model.fit_potential(d); }, "singular");
  d = data;
  d.configurations[0].cell->vectors(0, 0) = INFINITY;
  test::expect_error([&] { model.fit_potential(d); }, "NaN or Inf");
  d = data;
  d.configurations[1].cell.reset();
  d.configurations[1].positions *= 10.0;  // far apart, open space: no neighbours
  d.configurations[1].virial.reset();
  test::expect_error([&] { model.fit_potential(d); }, "configuration 1 has no neighbours");
  d = data;
  d.configurations.clear();
  test::expect_error([&] { model.fit_potential(d); }, "no configuration");
  GraphFitOptions none;  // no cutoff at all
  GraphHamiltonian m2(none);
  test::expect_error([&] { m2.fit_potential(data); }, "cutoff must be finite and > 0");
  o.terms = {"pair", "nonsense"};
  test::expect_error([&] { GraphHamiltonian{o}; }, "unknown term 'nonsense'");
  // A fitted model asked about a species it has not seen.
  GraphHamiltonian fitted(GraphFitOptions{.pair_width = 8, .cutoff = 5.0});
  fitted.fit_potential(data);
  Configuration c = data.configurations[0];
  c.species[0] = 30;
  test::expect_error([&] { fitted.evaluate(c); }, "species 30 is missing from the model");
}

TEST(PotentialFit, ZblReferenceIsSubtractedAndAddedBack) {
  const detail::ZblReference zbl(1.0, 2.0, {});
  // dE/dr by central differences, and the switch: E = 0 from the outer radius on.
  for (double r : {0.3, 0.8, 1.2, 1.7, 1.99}) {
    double e, de, ep, dep, em, dem;
    zbl.pair(29, 79, r, e, de);
    zbl.pair(29, 79, r + 1e-6, ep, dep);
    zbl.pair(29, 79, r - 1e-6, em, dem);
    EXPECT_NEAR(de, (ep - em) / 2e-6, 1e-5 * (1 + std::abs(de))) << r;
  }
  double e, de;
  zbl.pair(29, 29, 2.0, e, de);
  EXPECT_EQ(e, 0.0);
  // Cu-Cu at 1 Angstrom, inside the switch: Z^2 e^2/(4 pi eps0 r) phi(r/a), a = 0.4685 / (2 * 29^0.23).
  zbl.pair(29, 29, 0.9, e, de);
  const double a = 0.46850 / (2 * std::pow(29.0, 0.23)), x = 0.9 / a;
  const double phi = 0.18175 * std::exp(-3.19980 * x) + 0.50986 * std::exp(-0.94229 * x) +
                     0.28022 * std::exp(-0.40290 * x) + 0.02817 * std::exp(-0.20162 * x);
  EXPECT_NEAR(e, 14.399645 * 29 * 29 / 0.9 * phi, 1e-9 * e);
  // Data = Morse + ZBL (compressed cells reach into its range); a fit with the reference learns the Morse part.
  PotentialDataset data;
  for (int k = 0; k < 16; ++k) {
    Configuration c = fcc_config(1, 3.0 + 0.02 * k, 0.12, 300 + k, {29});
    morse(c);
    const detail::PreparedConfig pc = detail::prepare(c, 2.0);
    std::vector<double> g(12, 0.0), s(9, 0.0);
    *c.energy += zbl.evaluate(pc.view(), g.data(), s.data(), nullptr);
    for (Index i = 0; i < 4; ++i)
      for (int x2 = 0; x2 < 3; ++x2) (*c.forces)(i, x2) -= g[static_cast<std::size_t>(i * 3 + x2)];
    for (int x2 = 0; x2 < 3; ++x2)
      for (int y = 0; y < 3; ++y) (*c.virial)(x2, y) -= s[static_cast<std::size_t>(x2 * 3 + y)];
    data.configurations.push_back(c);
  }
  GraphFitOptions o;
  o.cutoff = 5.0;
  o.cutoff_on = 0.8;
  o.pair_width = 48;
  o.reference = "zbl";
  GraphHamiltonian model(o);
  const GraphFitSummary s = model.fit_potential(data);
  EXPECT_LT(s.force_relative_error, 1e-4);
  EXPECT_LT(s.virial_rmse, 1e-3);
  o.reference = "none";
  GraphHamiltonian plain(o);
  EXPECT_GT(plain.fit_potential(data).force_relative_error, 10 * s.force_relative_error);
}

TEST(PotentialFit, SpeciesEnergiesAreFittedOrGiven) {
  // Two species; the data's energies carry a constant per atom of each species (-2 for 0, +1.5 for 1), and the
  // cells differ in size (4 and 32 atoms), so only the per-species columns can carry them.
  PotentialDataset data;
  for (int k = 0; k < 10; ++k) {
    Configuration c = fcc_config(k % 3 == 0 ? 2 : 1, 3.6 + 0.02 * (k % 4), 0.1, 700 + k, {0, 1, 1, 0});
    morse(c);
    for (int s : c.species) *c.energy += s == 0 ? -2.0 : 1.5;
    data.configurations.push_back(c);
  }
  GraphFitOptions o;
  o.cutoff = 5.0;
  o.cutoff_on = 0.8;
  o.pair_width = 24;
  GraphHamiltonian fitted(o);
  fitted.fit_potential(data);
  EXPECT_EQ(fitted.parameters().energy_species, (std::vector<int>{0, 1}));
  // Per species the constant is only fixed together with the pair term's energies; the sum over a
  // configuration is what the data fixes: the energies are reproduced.
  EXPECT_LT(fitted.summary().energy_rmse, 1e-4);
  o.species_energies = {-2.0, 1.5};
  GraphHamiltonian given(o);
  given.fit_potential(data);
  EXPECT_EQ(given.parameters().species_energy(0), -2.0);
  EXPECT_EQ(given.parameters().species_energy(1), 1.5);
  EXPECT_LT(given.summary().energy_rmse, 1e-4);
  o.species_energies = {-2.0};  // species 1 has none
  GraphHamiltonian short_list(o);
  test::expect_error([&] { short_list.fit_potential(data); }, "species_energies holds 1 values");
  o.species_energies = {-2.0, std::nan("")};  // NaN: fitted
  GraphHamiltonian half(o);
  half.fit_potential(data);
  EXPECT_EQ(half.parameters().species_energy(0), -2.0);
  EXPECT_LT(half.summary().energy_rmse, 1e-4);
}

TEST(PotentialFit, PairTermGivesThePairEnergyOfEachSpeciesPair) {
  // Two species, the pair term and the ZBL reference: summing pair_term over a configuration's pairs (plus the
  // species constants) gives its energy and forces, which the LAMMPS export relies on.
  PotentialDataset data;
  for (int k = 0; k < 6; ++k) {
    Configuration c = fcc_config(1, 3.2 + 0.04 * k, 0.1, 40 + k, {0, 1, 1, 0});
    morse(c);
    data.configurations.push_back(c);
  }
  // rcond 1e-9: small output weights, so that rounding (which differs between batched and single evaluations)
  // stays far below the tolerances.
  GraphHamiltonian model(GraphFitOptions{.pair_width = 12, .rcond = 1e-9, .cutoff = 5.0, .cutoff_on = 0.8,
                                         .reference = "zbl", .zbl_outer = 2.8, .zbl_numbers = {29, 79}});
  model.fit_potential(data);
  EXPECT_EQ(model.pair_species(), (std::vector<std::pair<int, int>>{{0, 0}, {0, 1}, {1, 1}}));
  EXPECT_EQ(model.pair_cutoff(), 5.0);
  const auto [lo, hi] = model.pair_range(1, 0);
  EXPECT_GT(lo, 1.5);
  EXPECT_LT(lo, 3.0);
  EXPECT_GT(hi, 4.5);
  EXPECT_LE(hi, 5.0);
  const Configuration& c = data.configurations[2];
  const PairList pl = neighbor_pairs_brute_force(c.positions, 5.0, c.cell);
  double E = model.parameters().species_energy(0) * 2 + model.parameters().species_energy(1) * 2;
  Matrix F = Matrix::Zero(4, 3);
  for (Index e = 0; e < pl.size(); ++e) {
    const auto [v, dv] = model.pair_term(c.species[pl.first[e]], c.species[pl.second[e]], Vector::Constant(1, pl.r[e]));
    E += v(0);
    for (int a = 0; a < 3; ++a) {
      const double g = dv(0) * pl.vec[e * 3 + a] / pl.r[e];
      F(pl.first[e], a) += g;
      F(pl.second[e], a) -= g;
    }
  }
  const PotentialResult r = model.evaluate(c);
  EXPECT_NEAR(E, r.energy, 1e-10 * std::abs(r.energy));
  EXPECT_LT((F - r.forces).norm(), 1e-10 * r.forces.norm());
  // Zero at and past the cutoff, symmetric in the species, dV/dr by central differences.
  const auto [v5, dv5] = model.pair_term(1, 0, Vector::LinSpaced(3, 5.0, 6.0));
  EXPECT_EQ(v5.cwiseAbs().maxCoeff(), 0.0);
  EXPECT_EQ(dv5.cwiseAbs().maxCoeff(), 0.0);
  EXPECT_EQ(model.pair_term(0, 1, Vector::Constant(1, 2.5)).first(0), model.pair_term(1, 0, Vector::Constant(1, 2.5)).first(0));
  for (double x : {1.5, 2.7, 3.3, 4.5}) {
    const double h = 1e-5;
    const double fd = (model.pair_term(0, 1, Vector::Constant(1, x + h)).first(0) -
                       model.pair_term(0, 1, Vector::Constant(1, x - h)).first(0)) / (2 * h);
    EXPECT_NEAR(model.pair_term(0, 1, Vector::Constant(1, x)).second(0), fd, 1e-5 * (1 + std::abs(fd))) << x;
  }
  test::expect_error([&] { model.pair_term(0, 5, Vector::Constant(1, 2.0)); }, "species 5 is missing from the model");
  test::expect_error([&] { model.pair_term(0, 1, Vector::Constant(1, 0.0)); }, "r must hold finite distances > 0");
  // A density term is not a pair energy: a density-only model has none (zeros, no cutoff).
  GraphFitOptions od;
  od.cutoff = 5.0;
  od.terms = {"density"};
  od.density_width = 8;
  od.density_features = 2;
  GraphHamiltonian dens(od);
  dens.fit_potential(data);
  EXPECT_EQ(dens.pair_cutoff(), 0.0);
  EXPECT_EQ(dens.pair_range(0, 1), (std::pair<double, double>{0.0, 0.0}));
  EXPECT_EQ(dens.pair_term(0, 1, Vector::Constant(2, 3.0)).first.cwiseAbs().maxCoeff(), 0.0);
  // A Hamiltonian model's pair network and its training cutoff: unchanged meaning.
  GraphHamiltonian unfitted(GraphFitOptions{});
  test::expect_error([&] { unfitted.pair_cutoff(); }, "not fitted");
}
