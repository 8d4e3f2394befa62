// The angular (three-body) term: neighbour lists and triplets, finite differences of gradient and strain, the
// design rows against the evaluation, invariance, continuity across the cutoff, model-file state, bad input, and
// that the term represents Stillinger-Weber's three-body energy.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <optional>

#include "../../src/particles/graph/terms/angular.hpp"
#include "hamsam/error.hpp"
#include "hamsam/particles/cell.hpp"
#include "hamsam/random.hpp"

using namespace hamsam;
using namespace hamsam::particles;
using namespace hamsam::particles::detail;

namespace {

// Diamond silicon: the 8-atom cubic cell (lattice constant a) repeated n times along each axis.
Matrix diamond(double a, int n) {
  const double basis[8][3] = {{0, 0, 0},          {0, 0.5, 0.5},      {0.5, 0, 0.5},      {0.5, 0.5, 0},
                              {0.25, 0.25, 0.25}, {0.25, 0.75, 0.75}, {0.75, 0.25, 0.75}, {0.75, 0.75, 0.25}};
  Matrix q(8 * n * n * n, 3);
  Index k = 0;
  for (int x = 0; x < n; ++x)
    for (int y = 0; y < n; ++y)
      for (int z = 0; z < n; ++z)
        for (const auto& b : basis) q.row(k++) << (x + b[0]) * a, (y + b[1]) * a, (z + b[2]) * a;
  return q;
}

Matrix jitter(const Matrix& q, double sigma, std::uint64_t seed) {
  Rng rng(seed);
  Matrix out = q;
  for (Index i = 0; i < q.rows(); ++i)
    for (Index c = 0; c < q.cols(); ++c) out(i, c) += sigma * rng.normal();
  return out;
}

// One configuration with its pair list (kept alive beside the view).
struct Config {
  Matrix q;
  std::vector<int> species;
  std::optional<Cell> cell;
  PairList pairs;
  Config(Matrix positions, std::vector<int> s, std::optional<Cell> c, double cutoff)
      : q(std::move(positions)), species(std::move(s)), cell(std::move(c)) {
    pairs = neighbor_pairs(q, cutoff, cell);
  }
  ConfigView view() const { return ConfigView{q.rows(), static_cast<int>(q.cols()), species.data(), &pairs}; }
};

constexpr double kSiA = 5.431, kCut = 3.77118;

TermOptions angular_options(Index features = 6, Index order = 4) {
  TermOptions o;
  o.kind = "angular";
  o.cutoff = kCut;
  o.cutoff_on = 2.8;
  o.features = features;
  o.angular_order = order;
  return o;
}

// A term sampled on the configurations with random output weights (each column ~ N(0, 1) / columns).
std::unique_ptr<Term> sampled_term(const std::vector<const Config*>& configs, TermOptions o = angular_options(),
                                   Sampler sampler = Sampler::ELM) {
  auto term = make_angular_term(o);
  Rng rng(7);
  for (const Config* c : configs) term->observe(c->view(), rng);
  TermSampling s;
  s.sampler = sampler;
  s.seed = 11;
  term->sample(s, false);
  Vector w(term->columns());
  for (Index k = 0; k < w.size(); ++k) w(k) = rng.normal() / static_cast<double>(w.size());
  term->set_weights(w.data());
  return term;
}

struct Eval {
  double energy;
  Vector grad, strain, per_atom;
};
Eval eval(const Term& t, const Config& c) {
  Eval e;
  const Index N = c.q.rows(), d = c.q.cols();
  e.grad = Vector::Zero(N * d);
  e.strain = Vector::Zero(d * d);
  e.per_atom = Vector::Zero(N);
  e.energy = t.evaluate(c.view(), e.grad.data(), e.strain.data(), e.per_atom.data());
  return e;
}
double energy_at(const Term& t, const Matrix& q, const std::vector<int>& s, const std::optional<Cell>& cell) {
  return t.evaluate(Config(q, s, cell, kCut).view(), nullptr, nullptr, nullptr);
}

Cell cubic(double L) { return Cell{Matrix::Identity(3, 3) * L, {true, true, true}}; }

// A triclinic cell of 8 diamond atoms (sheared cube), small against the cutoff.
Config triclinic_config(std::vector<int> species) {
  Cell c = cubic(kSiA);
  c.vectors(1, 0) = 0.6;
  c.vectors(2, 0) = -0.4;
  c.vectors(2, 1) = 0.3;
  const Matrix frac = diamond(kSiA, 1) / kSiA;
  return Config(jitter(frac * c.vectors, 0.12, 3), std::move(species), c, kCut);
}

// Stillinger-Weber's three-body energy of silicon (eV, A): lambda eps (cos + 1/3)^2 g(r_ij) g(r_ik) per triplet
// with g(r) = exp(gamma sigma / (r - a sigma)); returns the energy and adds dE/dq into grad.
double sw_three_body(const Config& c, Vector& grad) {
  const double eps = 2.1683, sigma = 2.0951, a = 1.80, lambda = 21.0, gamma = 1.20, rc = a * sigma;
  const NeighborLists nl = neighbor_lists(c.pairs, rc);
  grad = Vector::Zero(c.q.size());
  double E = 0.0;
  for (Index i = 0; i < nl.atoms(); ++i)
    for (Index na = nl.start[i]; na < nl.start[i + 1]; ++na)
      for (Index nb = na + 1; nb < nl.start[i + 1]; ++nb) {
        const double r1 = nl.r[na], r2 = nl.r[nb];
        const double* u = &nl.vec[na * 3];
        const double* v = &nl.vec[nb * 3];
        const double cs = (u[0] * v[0] + u[1] * v[1] + u[2] * v[2]) / (r1 * r2);
        const double g1 = std::exp(gamma * sigma / (r1 - rc)), g2 = std::exp(gamma * sigma / (r2 - rc));
        const double dg1 = -g1 * gamma * sigma / ((r1 - rc) * (r1 - rc));
        const double dg2 = -g2 * gamma * sigma / ((r2 - rc) * (r2 - rc));
        const double h = (cs + 1.0 / 3.0) * (cs + 1.0 / 3.0), dh = 2.0 * (cs + 1.0 / 3.0);
        E += lambda * eps * g1 * g2 * h;
        const double s1 = lambda * eps * dg1 * g2 * h, s2 = lambda * eps * g1 * dg2 * h, sc = lambda * eps * g1 * g2 * dh;
        for (int k = 0; k < 3; ++k) {
          const double du = s1 * u[k] / r1 + sc * (v[k] / (r1 * r2) - cs * u[k] / (r1 * r1));
          const double dv = s2 * v[k] / r2 + sc * (u[k] / (r1 * r2) - cs * v[k] / (r2 * r2));
          grad(nl.atom[na] * 3 + k) += du;
          grad(nl.atom[nb] * 3 + k) += dv;
          grad(i * 3 + k) -= du + dv;
        }
      }
  return E;
}

}  // namespace

TEST(AngularTerm, NeighborListsHoldEveryPairFromBothEnds) {
  // 64 atoms of diamond: 4 neighbours each (first shell 2.35 A, second 3.84 A beyond the cutoff).
  Config c(diamond(kSiA, 2), std::vector<int>(64, 0), cubic(2 * kSiA), kCut);
  const NeighborLists nl = neighbor_lists(c.pairs, kCut);
  ASSERT_EQ(nl.atoms(), 64);
  for (Index i = 0; i < 64; ++i) EXPECT_EQ(nl.count(i), 4);
  // The 8-atom cell (5.43 A, smaller than twice the cutoff) gives the same neighbourhoods through images; the
  // 1-atom-per-axis FCC primitive cell of diamond (2 atoms) too.
  Config small(diamond(kSiA, 1), std::vector<int>(8, 0), cubic(kSiA), kCut);
  const NeighborLists ns = neighbor_lists(small.pairs, kCut);
  for (Index i = 0; i < 8; ++i) EXPECT_EQ(ns.count(i), 4);
  Cell prim{Matrix(3, 3), {true, true, true}};
  prim.vectors << 0, 0.5, 0.5, 0.5, 0, 0.5, 0.5, 0.5, 0;
  prim.vectors *= kSiA;
  Matrix q2(2, 3);
  q2 << 0, 0, 0, 0.25 * kSiA, 0.25 * kSiA, 0.25 * kSiA;
  Config p(q2, {0, 0}, prim, kCut);
  const NeighborLists np = neighbor_lists(p.pairs, kCut);
  EXPECT_EQ(np.count(0), 4);
  EXPECT_EQ(np.count(1), 4);
  // Each entry's vector is the pair's vector seen from its centre, and the list skips pairs past its cutoff.
  Config j(jitter(diamond(kSiA, 1), 0.1, 5), std::vector<int>(8, 0), cubic(kSiA), 5.0);
  const NeighborLists nj = neighbor_lists(j.pairs, kCut);
  Index within = 0;
  for (double r : j.pairs.r) within += r < kCut;
  EXPECT_EQ(static_cast<Index>(nj.r.size()), 2 * within);
  for (Index i = 0; i < 8; ++i)
    for (Index n = nj.start[i]; n < nj.start[i + 1]; ++n) {
      const Index e = nj.pair[n];
      // From the first atom the pair's vector, from the second its negative (an atom and its image: both).
      const bool self = j.pairs.first[e] == j.pairs.second[e];
      const double sign = self ? (nj.vec[n * 3] == j.pairs.vec[e * 3] ? 1.0 : -1.0)
                               : (j.pairs.first[e] == i ? 1.0 : -1.0);
      EXPECT_EQ(nj.atom[n], j.pairs.first[e] == i ? j.pairs.second[e] : j.pairs.first[e]);
      for (int k = 0; k < 3; ++k) EXPECT_EQ(nj.vec[n * 3 + k], sign * j.pairs.vec[e * 3 + k]);
      EXPECT_LT(nj.r[n], kCut);
    }
}

TEST(AngularTerm, ColumnsFollowTheDocumentedLayout) {
  Config one(diamond(kSiA, 1), std::vector<int>(8, 0), cubic(kSiA), kCut);
  one.q = jitter(one.q, 0.05, 1);
  one.pairs = neighbor_pairs(one.q, kCut, one.cell);
  auto t = sampled_term({&one}, angular_options(6, 3));
  EXPECT_EQ(t->columns(), 7 * 8 / 2 * 4);
  Config two = triclinic_config({0, 1, 0, 1, 1, 0, 1, 0});
  auto t2 = sampled_term({&two}, angular_options(2, 1));
  // Centre species 2 x (neighbours 00: 6, 01: 9, 11: 6) x (order + 1 = 2).
  EXPECT_EQ(t2->columns(), 2 * (6 + 9 + 6) * 2);
  EXPECT_EQ(t2->species(), (std::vector<int>{0, 1}));
}

TEST(AngularTerm, GradientAndStrainMatchFiniteDifferences) {
  // One species; two; two with 1/r as the radial input and another activation.
  for (int variant = 0; variant < 3; ++variant) {
    Config c = variant == 0 ? triclinic_config(std::vector<int>(8, 0)) : triclinic_config({0, 1, 0, 1, 1, 0, 1, 0});
    TermOptions o = angular_options();
    if (variant == 2) {
      o.pair_input = PairInput::Inverse;
      o.activation = Activation::Sigmoid;
    }
    auto t = sampled_term({&c}, o);
    const Eval e = eval(*t, c);
    EXPECT_NEAR(e.per_atom.sum(), e.energy, 1e-12 * (1 + std::abs(e.energy)));
    const double h = 1e-5;
    double scale = e.grad.cwiseAbs().maxCoeff();
    ASSERT_GT(scale, 0.0);
    for (Index i = 0; i < c.q.rows(); ++i)
      for (Index k = 0; k < 3; ++k) {
        Matrix qp = c.q, qm = c.q;
        qp(i, k) += h;
        qm(i, k) -= h;
        const double fd = (energy_at(*t, qp, c.species, c.cell) - energy_at(*t, qm, c.species, c.cell)) / (2 * h);
        EXPECT_NEAR(e.grad(i * 3 + k), fd, 1e-7 * scale) << "atom " << i << " axis " << k;
      }
    // Strain: positions and cell vectors (rows) deformed by (I + eps): dE/d eps_ab = sum vec_a dE/dvec_b.
    for (int a = 0; a < 3; ++a)
      for (int b = 0; b < 3; ++b) {
        Matrix F = Matrix::Identity(3, 3);
        F(a, b) += h;
        Cell cp = *c.cell, cm = *c.cell;
        cp.vectors = c.cell->vectors * F;
        Matrix Fm = Matrix::Identity(3, 3);
        Fm(a, b) -= h;
        cm.vectors = c.cell->vectors * Fm;
        const double fd = (energy_at(*t, c.q * F, c.species, cp) - energy_at(*t, c.q * Fm, c.species, cm)) / (2 * h);
        EXPECT_NEAR(e.strain(a * 3 + b), fd, 1e-7 * std::max(scale, e.strain.cwiseAbs().maxCoeff()))
            << "strain " << a << b;
      }
    EXPECT_NEAR(e.strain(1), e.strain(3), 1e-10 * e.strain.cwiseAbs().maxCoeff());  // symmetric
  }
}

TEST(AngularTerm, DesignRowsAreTheEvaluationsColumns) {
  Config c = triclinic_config({0, 1, 0, 1, 1, 0, 1, 0});
  auto t = sampled_term({&c});
  const Index W = t->columns(), off = 3;
  RowMatrix energy = RowMatrix::Zero(1, W + off), grad = RowMatrix::Zero(8 * 3, W + off),
            strain = RowMatrix::Zero(9, W + off);
  t->design(c.view(), DesignRows{&energy, &grad, &strain}, off);
  EXPECT_EQ(energy.leftCols(off).cwiseAbs().maxCoeff(), 0.0);
  const TermState st = t->state();
  const Vector w = st.at("weights").row(0).transpose();
  const Eval e = eval(*t, c);
  EXPECT_NEAR((energy.rightCols(W) * w)(0), e.energy, 1e-12 * (1 + std::abs(e.energy)));
  EXPECT_LT((grad.rightCols(W) * w - e.grad).cwiseAbs().maxCoeff(), 1e-12 * (1 + e.grad.cwiseAbs().maxCoeff()));
  EXPECT_LT((strain.rightCols(W) * w - e.strain).cwiseAbs().maxCoeff(),
            1e-12 * (1 + e.strain.cwiseAbs().maxCoeff()));
}

TEST(AngularTerm, InvariantUnderRotationReflectionTranslationAndPermutation) {
  const std::vector<int> species = {0, 1, 0, 1, 1, 0, 1, 0};
  Config c = triclinic_config(species);
  auto t = sampled_term({&c});
  const Eval e = eval(*t, c);
  const double tol = 1e-11 * (1 + std::abs(e.energy)), gtol = 1e-11 * (1 + e.grad.cwiseAbs().maxCoeff());
  // Rotation (and a reflection): positions and cell vectors q -> q R^T; the gradient rotates with them.
  const double th = 0.7;
  Matrix R(3, 3);
  R << std::cos(th), -std::sin(th), 0, std::sin(th), std::cos(th), 0, 0, 0, 1;
  Matrix M(3, 3);
  M << 1, 0, 0, 0, 1, 0, 0, 0, -1;
  for (const Matrix& Q : {Matrix(R), Matrix(R * M)}) {
    Cell cr = *c.cell;
    cr.vectors = c.cell->vectors * Q.transpose();
    Config r(c.q * Q.transpose(), species, cr, kCut);
    const Eval er = eval(*t, r);
    EXPECT_NEAR(er.energy, e.energy, tol);
    for (Index i = 0; i < 8; ++i) {
      const Vector g = e.grad.segment(i * 3, 3), gr = er.grad.segment(i * 3, 3);
      EXPECT_LT((Q * g - gr).cwiseAbs().maxCoeff(), gtol);
    }
  }
  // Translation (atoms leave the cell: positions need not be inside it).
  Config tr(c.q.rowwise() + Eigen::RowVector3d(1.3, -7.1, 0.4), species, c.cell, kCut);
  EXPECT_NEAR(eval(*t, tr).energy, e.energy, tol);
  // Permutation within species: swap atoms 0 and 2 (both species 0), and 1 and 3 (both 1).
  Matrix qp = c.q;
  qp.row(0) = c.q.row(2);
  qp.row(2) = c.q.row(0);
  qp.row(1) = c.q.row(3);
  qp.row(3) = c.q.row(1);
  Config p(qp, species, c.cell, kCut);
  const Eval ep = eval(*t, p);
  EXPECT_NEAR(ep.energy, e.energy, tol);
  EXPECT_LT((ep.grad.segment(0, 3) - e.grad.segment(6, 3)).cwiseAbs().maxCoeff(), gtol);
  EXPECT_LT((ep.grad.segment(3, 3) - e.grad.segment(9, 3)).cwiseAbs().maxCoeff(), gtol);
  // A different species assignment is a different configuration.
  std::vector<int> other = species;
  std::swap(other[0], other[1]);
  Config o(c.q, other, c.cell, kCut);
  EXPECT_GT(std::abs(eval(*t, o).energy - e.energy), 1e3 * tol);
}

TEST(AngularTerm, EnergyAndForcesAreContinuousAcrossTheCutoff) {
  // A centre, one neighbour at 2.35 A and a second moved outward along a line through the cutoff.
  Config base(jitter(diamond(kSiA, 1), 0.1, 9), std::vector<int>(8, 0), cubic(kSiA), kCut);
  auto t = sampled_term({&base}, angular_options(6, 4));
  auto at = [&](double r, Eval& out) {
    Matrix q(3, 3);
    q << 0, 0, 0, 2.35, 0, 0, r * std::cos(1.9), r * std::sin(1.9), 0;
    out = eval(*t, Config(q, {0, 0, 0}, std::nullopt, kCut + 1.0));
  };
  Eval in, out, mid;
  at(kCut - 1e-4, in);
  at(kCut + 1e-4, out);
  at(kCut - 0.5, mid);
  ASSERT_GT(std::abs(mid.energy), 1e-6);
  // Past the cutoff the triplet is gone (two atoms have no triplet), inside it vanishes with fc (O(x^3)).
  EXPECT_EQ(out.energy, 0.0);
  EXPECT_EQ(out.grad.cwiseAbs().maxCoeff(), 0.0);
  EXPECT_LT(std::abs(in.energy), 1e-9 * std::abs(mid.energy));
  EXPECT_LT(in.grad.cwiseAbs().maxCoeff(), 1e-5 * mid.grad.cwiseAbs().maxCoeff());
  // Along the path the energy has no jumps: the largest step of E on a fine grid across the switch is of the
  // order of the grid step times the largest slope.
  double prev = 0.0, largest = 0.0, slope = 0.0;
  for (int s = 0; s <= 400; ++s) {
    Eval e;
    at(kCut - 1.2 + 1.4 * s / 400.0, e);
    if (s > 0) largest = std::max(largest, std::abs(e.energy - prev));
    slope = std::max(slope, e.grad.cwiseAbs().maxCoeff());
    prev = e.energy;
  }
  EXPECT_LT(largest, 2.0 * slope * 1.4 / 400.0);
}

TEST(AngularTerm, StateRoundTripsAndBadStateIsAnError) {
  Config c = triclinic_config({0, 1, 0, 1, 1, 0, 1, 0});
  auto t = sampled_term({&c});
  auto u = make_angular_term(angular_options());
  u->restore(t->state());
  const Eval a = eval(*t, c), b = eval(*u, c);
  EXPECT_EQ(a.energy, b.energy);
  EXPECT_EQ(a.grad, b.grad);
  EXPECT_EQ(u->columns(), t->columns());
  TermState bad = t->state();
  bad.erase("radial_w");
  EXPECT_THROW(u->restore(bad), Error);
  bad = t->state();
  bad["weights"] = Matrix::Zero(1, 3);
  EXPECT_THROW(u->restore(bad), Error);
}

TEST(AngularTerm, BadOptionsAndMissingSpeciesAreErrors) {
  TermOptions o = angular_options();
  o.cutoff = -1.0;
  EXPECT_THROW(make_angular_term(o), Error);
  o = angular_options();
  o.cutoff_on = o.cutoff;
  EXPECT_THROW(make_angular_term(o), Error);
  o = angular_options();
  o.angular_order = -1;
  EXPECT_THROW(make_angular_term(o), Error);
  Config c = triclinic_config(std::vector<int>(8, 0));
  auto t = sampled_term({&c});
  Config other = triclinic_config({0, 2, 0, 0, 0, 0, 0, 0});
  try {
    t->evaluate(other.view(), nullptr, nullptr, nullptr);
    FAIL() << "species 2 is not in the model";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("species 2 of atom 1"), std::string::npos) << e.what();
  }
}

TEST(AngularTerm, RepresentsStillingerWeberThreeBody) {
  // Fit the term's columns alone to the three-body forces of Stillinger-Weber silicon (64 atoms, 0.07 A random
  // displacements: second neighbours come within the cutoff) by least squares; held-out forces within 1e-3
  // relative (about 6e-5 measured; the fit of the whole potential is the Python benchmark's).
  std::vector<Config> train, test;
  for (int s = 0; s < 10; ++s)
    (s < 8 ? train : test)
        .emplace_back(jitter(diamond(kSiA, 2), 0.07, 100 + s), std::vector<int>(64, 0), cubic(2 * kSiA), kCut);
  std::vector<const Config*> ptr;
  for (const Config& c : train) ptr.push_back(&c);
  auto t = sampled_term(ptr, angular_options(12, 4));
  const Index W = t->columns(), rows = 64 * 3;
  Matrix A(rows * static_cast<Index>(train.size()), W);
  Vector y(A.rows());
  for (std::size_t s = 0; s < train.size(); ++s) {
    RowMatrix g = RowMatrix::Zero(rows, W);
    t->design(train[s].view(), DesignRows{nullptr, &g, nullptr}, 0);
    A.middleRows(static_cast<Index>(s) * rows, rows) = g;
    Vector grad;
    sw_three_body(train[s], grad);
    y.segment(static_cast<Index>(s) * rows, rows) = grad;
  }
  const Vector w = A.completeOrthogonalDecomposition().solve(y);
  t->set_weights(w.data());
  double err = 0.0, norm = 0.0;
  for (const Config& c : test) {
    Vector grad;
    sw_three_body(c, grad);
    const Eval e = eval(*t, c);
    err += (e.grad - grad).squaredNorm();
    norm += grad.squaredNorm();
  }
  const double rel = std::sqrt(err / norm);
  RecordProperty("sw_three_body_force_rel_l2", std::to_string(rel));
  EXPECT_LT(rel, 1e-3);
}
