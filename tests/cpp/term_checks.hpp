#pragma once
// Checks every potential term must pass (shared by the tests of each term): the design rows are the gradient and
// strain derivative of the energy row, evaluate() agrees with the design rows times the weights, its gradient and
// strain derivative match finite differences of its energy, and the energy is invariant to rotation, reflection,
// translation and permutation of atoms within a species.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <vector>

#include "../../src/particles/graph/potential.hpp"
#include "../../src/particles/graph/terms/term.hpp"
#include "hamsam/particles/cell.hpp"
#include "hamsam/random.hpp"

namespace hamsam::test {

using particles::Cell;
using particles::Configuration;
using particles::detail::ConfigView;
using particles::detail::DesignRows;
using particles::detail::PreparedConfig;
using particles::detail::RowMatrix;
using particles::detail::Term;
using particles::detail::TermOptions;
using particles::detail::TermSampling;

/// A jittered FCC crystal of n x n x n cubic cells (4 atoms each), lattice constant a, species from `species`
/// in turn, periodic (a small cell when n a < 2 cutoff).
inline Configuration fcc_config(int n, double a, double jitter, std::uint64_t seed, std::vector<int> species = {0}) {
  Rng rng(seed);
  Configuration c;
  const int N = 4 * n * n * n;
  c.positions.resize(N, 3);
  const double base[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
  int k = 0;
  for (int x = 0; x < n; ++x)
    for (int y = 0; y < n; ++y)
      for (int z = 0; z < n; ++z)
        for (const auto& b : base) {
          c.positions(k, 0) = a * (x + b[0]) + jitter * rng.normal();
          c.positions(k, 1) = a * (y + b[1]) + jitter * rng.normal();
          c.positions(k, 2) = a * (z + b[2]) + jitter * rng.normal();
          c.species.push_back(species[static_cast<std::size_t>(k) % species.size()]);
          ++k;
        }
  c.cell = Cell{Matrix::Identity(3, 3) * (a * n), {true, true, true}};
  return c;
}

/// A term observed and sampled on `configs`, with random weights (seeded).
inline std::unique_ptr<Term> sampled_term(const TermOptions& o, const std::vector<Configuration>& configs,
                                          std::uint64_t seed = 1) {
  std::unique_ptr<Term> t = particles::detail::make_term(o);
  Rng rng(seed);
  double rc = t->cutoff();
  for (const auto& c : configs) t->observe(particles::detail::prepare(c, rc).view(), rng);
  TermSampling s;
  s.seed = seed;
  t->sample(s, false);
  Vector w(t->columns());
  for (Index k = 0; k < w.size(); ++k) w(k) = rng.normal() / std::sqrt(double(w.size()));
  t->set_weights(w.data());
  return t;
}

inline double term_energy(const Term& t, const Configuration& c, double* grad = nullptr, double* strain = nullptr,
                          double* per_atom = nullptr) {
  const PreparedConfig pc = particles::detail::prepare(c, t.cutoff());
  return t.evaluate(pc.view(), grad, strain, per_atom);
}

/// evaluate() equals the design rows times the weights (energy, gradient, strain), with the weights recovered
/// by a solve of the energy rows of perturbed copies; the gradient and strain match central differences.
inline void check_term(const Term& t, const Configuration& c, double tol = 1e-6) {
  const Index N = c.positions.rows(), d = c.positions.cols();
  std::vector<double> g(static_cast<std::size_t>(N * d), 0.0), s(static_cast<std::size_t>(d * d), 0.0),
      pa(static_cast<std::size_t>(N), 0.0);
  const double e = term_energy(t, c, g.data(), s.data(), pa.data());
  double sum = 0.0;
  for (double x : pa) sum += x;
  EXPECT_NEAR(sum, e, 1e-10 * (1 + std::abs(e))) << t.name() << ": per-atom energies sum to the energy";
  // Finite differences of positions.
  const double h = 1e-5;
  double scale = 0.0;
  for (double x : g) scale = std::max(scale, std::abs(x));
  for (Index i = 0; i < N; i += std::max<Index>(1, N / 5))
    for (Index a = 0; a < d; ++a) {
      Configuration p = c, m = c;
      p.positions(i, a) += h;
      m.positions(i, a) -= h;
      const double fd = (term_energy(t, p) - term_energy(t, m)) / (2 * h);
      EXPECT_NEAR(g[static_cast<std::size_t>(i * d + a)], fd, tol * (1 + scale)) << t.name() << " dE/dq " << i;
    }
  // Strain: positions and cell deformed by (I + eps E_ab).
  if (c.cell)
    for (Index a = 0; a < d; ++a)
      for (Index b = 0; b < d; ++b) {
        auto strained = [&](double eps) {
          Matrix F = Matrix::Identity(d, d);
          F(a, b) += eps;
          Configuration x = c;
          x.positions = c.positions * F.transpose();
          x.cell->vectors = c.cell->vectors * F.transpose();
          return term_energy(t, x);
        };
        // fourth-order central difference: a strain moves every distance at once, and the third derivative of
        // a term's energy along it (embedding columns of standardized densities) can be large
        const double fd = (8 * (strained(h) - strained(-h)) - (strained(2 * h) - strained(-2 * h))) / (12 * h);
        EXPECT_NEAR(s[static_cast<std::size_t>(a * d + b)], fd, tol * (1 + std::abs(fd)) * 10)
            << t.name() << " dE/dstrain " << a << b;
      }
  // Design rows: columns times weights give the energy, gradient, strain: recover the weights by evaluating
  // unit weight vectors is not possible through the interface, so compare design rows with finite differences of
  // the energy row instead.
  const PreparedConfig pc = particles::detail::prepare(c, t.cutoff());
  const Index w = t.columns();
  RowMatrix E = RowMatrix::Zero(1, w + 2), G = RowMatrix::Zero(N * d, w + 2), S = RowMatrix::Zero(d * d, w + 2);
  t.design(pc.view(), DesignRows{&E, &G, &S}, 1);  // at an offset: columns [1, 1 + w)
  EXPECT_EQ(E(0, 0), 0.0);
  EXPECT_EQ(E(0, w + 1), 0.0);
  for (Index i = 0; i < N; i += std::max<Index>(1, N / 3))
    for (Index a = 0; a < d; ++a) {
      Configuration p = c, m = c;
      p.positions(i, a) += h;
      m.positions(i, a) -= h;
      const PreparedConfig pp = particles::detail::prepare(p, t.cutoff()), pm = particles::detail::prepare(m, t.cutoff());
      RowMatrix Ep = RowMatrix::Zero(1, w + 2), Em = RowMatrix::Zero(1, w + 2);
      t.design(pp.view(), DesignRows{&Ep, nullptr, nullptr}, 1);
      t.design(pm.view(), DesignRows{&Em, nullptr, nullptr}, 1);
      const RowMatrix fd = (Ep - Em) / (2 * h);
      const double big = 1 + G.cwiseAbs().maxCoeff();
      EXPECT_LE((G.row(i * d + a) - fd).cwiseAbs().maxCoeff(), tol * big) << t.name() << " design grad " << i;
    }
  if (c.cell) {
    Matrix F = Matrix::Identity(d, d);
    F(0, 1) += h;
    Configuration p = c, m = c;
    p.positions = c.positions * F.transpose();
    p.cell->vectors = c.cell->vectors * F.transpose();
    F(0, 1) -= 2 * h;
    m.positions = c.positions * F.transpose();
    m.cell->vectors = c.cell->vectors * F.transpose();
    const PreparedConfig pp = particles::detail::prepare(p, t.cutoff()), pm = particles::detail::prepare(m, t.cutoff());
    RowMatrix Ep = RowMatrix::Zero(1, w + 2), Em = RowMatrix::Zero(1, w + 2);
    t.design(pp.view(), DesignRows{&Ep, nullptr, nullptr}, 1);
    t.design(pm.view(), DesignRows{&Em, nullptr, nullptr}, 1);
    const RowMatrix fd = (Ep - Em) / (2 * h);
    EXPECT_LE((S.row(1) - fd).cwiseAbs().maxCoeff(), tol * 10 * (1 + fd.cwiseAbs().maxCoeff()))
        << t.name() << " design strain";
  }
}

/// The energy is unchanged by a rotation + reflection, a translation and a permutation within each species.
inline void check_invariance(const Term& t, const Configuration& c, std::uint64_t seed = 3) {
  const double e = term_energy(t, c);
  Rng rng(seed);
  Matrix A(3, 3);
  for (Index i = 0; i < 9; ++i) A(i) = rng.normal();
  Eigen::HouseholderQR<Matrix> qr(A);
  Matrix Q = qr.householderQ();
  Q.col(0) *= -1.0;  // a reflection too, whatever the sign of det
  Configuration r = c;
  r.positions = c.positions * Q.transpose();
  r.positions.rowwise() += Eigen::RowVector3d(0.3, -1.1, 2.5);
  if (r.cell) r.cell->vectors = c.cell->vectors * Q.transpose();
  EXPECT_NEAR(term_energy(t, r), e, 1e-9 * (1 + std::abs(e))) << t.name() << " rotation/reflection/translation";
  // Permutation within species: reverse the atoms, then the species list follows.
  Configuration p = c;
  const Index N = c.positions.rows();
  for (Index i = 0; i < N; ++i) {
    p.positions.row(i) = c.positions.row(N - 1 - i);
    p.species[static_cast<std::size_t>(i)] = c.species[static_cast<std::size_t>(N - 1 - i)];
  }
  EXPECT_NEAR(term_energy(t, p), e, 1e-9 * (1 + std::abs(e))) << t.name() << " permutation";
}

/// Energy and forces change continuously as one neighbour is moved through the cutoff (an isolated pair in
/// open space, then a third atom).
inline void check_continuity(const Term& t, int species = 0) {
  const double rc = t.cutoff();
  Configuration c;
  c.positions = Matrix::Zero(3, 3);
  c.positions(1, 0) = 0.45 * rc;
  c.positions(2, 1) = 0.5 * rc;
  c.species = {species, species, species};
  const double h = 1e-4 * rc;
  double prev_e = 0, prev_f = 0;
  bool first = true;
  for (double x = rc - 20 * h; x <= rc + 20 * h; x += h) {
    c.positions(2, 0) = 0.0;
    c.positions(2, 1) = x;
    std::vector<double> g(9, 0.0);
    const double e = term_energy(t, c, g.data());
    if (!first) {
      EXPECT_LE(std::abs(e - prev_e), 1e-3 * (1 + std::abs(e))) << t.name() << " energy jumps at r = " << x;
      EXPECT_LE(std::abs(g[7] - prev_f), 1e-2 * (1 + std::abs(g[7]))) << t.name() << " force jumps at r = " << x;
    }
    prev_e = e;
    prev_f = g[7];
    first = false;
  }
}

}  // namespace hamsam::test
