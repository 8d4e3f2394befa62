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
