#include "hamsam/dynamics/learn.hpp"

#include <cmath>

#include "hamsam/error.hpp"

namespace hamsam {
namespace {
struct Name {
  SnapshotScheme s;
  const char* name;
};
constexpr Name kNames[] = {{SnapshotScheme::ForwardDifference, "forward-difference"},
                           {SnapshotScheme::SymplecticEulerA, "symplectic-euler-a"},
                           {SnapshotScheme::SymplecticEulerB, "symplectic-euler-b"},
                           {SnapshotScheme::ImplicitMidpoint, "implicit-midpoint"}};
}  // namespace

std::string to_string(SnapshotScheme s) {
  for (const auto& n : kNames)
    if (n.s == s) return n.name;
  return "?";
}

std::vector<std::string> snapshot_scheme_names() {
  std::vector<std::string> out;
  for (const auto& n : kNames) out.emplace_back(n.name);
  return out;
}

SnapshotScheme snapshot_scheme_from_string(const std::string& name) {
  for (const auto& n : kNames)
    if (name == n.name) return n.s;
  if (name == "forward") return SnapshotScheme::ForwardDifference;
  if (name == "midpoint") return SnapshotScheme::ImplicitMidpoint;
  std::string all;
  for (const auto& n : snapshot_scheme_names()) all += (all.empty() ? "" : ", ") + n;
  throw Error("unknown snapshot scheme '" + name + "': use one of " + all);
}

SnapshotTargets snapshot_targets(const Matrix& x, const Matrix& x_next, double h, SnapshotScheme scheme) {
  require(x.rows() >= 1 && x.cols() >= 2 && x.cols() % 2 == 0,
          "x must be a non-empty array of states with an even number of columns (q, p)");
  require(x_next.rows() == x.rows() && x_next.cols() == x.cols(),
          "x_next must have the shape of x (" + std::to_string(x.rows()) + "x" + std::to_string(x.cols()) +
              "), got " + std::to_string(x_next.rows()) + "x" + std::to_string(x_next.cols()));
  require(x.allFinite() && x_next.allFinite(), "x and x_next must be finite (no NaN or Inf)");
  require(std::isfinite(h) && h > 0, "h (the time step between snapshots) must be > 0, got " + std::to_string(h));
  const Index n = x.cols() / 2;
  SnapshotTargets t;
  t.xdot = (x_next - x) / h;
  switch (scheme) {
    case SnapshotScheme::ForwardDifference: t.x = x; break;
    case SnapshotScheme::SymplecticEulerA:  // (q_k, p_{k+1})
      t.x.resize(x.rows(), x.cols());
      t.x << x.leftCols(n), x_next.rightCols(n);
      break;
    case SnapshotScheme::SymplecticEulerB:  // (q_{k+1}, p_k)
      t.x.resize(x.rows(), x.cols());
      t.x << x_next.leftCols(n), x.rightCols(n);
      break;
    case SnapshotScheme::ImplicitMidpoint: t.x = 0.5 * (x + x_next); break;
  }
  return t;
}

CorrectedHamiltonian::CorrectedHamiltonian(const Hamiltonian& base, SnapshotScheme scheme, double h)
    : base_(base), scheme_(scheme), h_(h) {
  require(std::isfinite(h) && h > 0, "h must be > 0, got " + std::to_string(h));
}

Vector CorrectedHamiltonian::correction(const Matrix& X) const {
  check_states(X, dof(), "x");
  const Index n = dof();
  switch (scheme_) {
    case SnapshotScheme::ForwardDifference: return Vector::Zero(X.rows());
    case SnapshotScheme::SymplecticEulerA:
    case SnapshotScheme::SymplecticEulerB: {
      const Matrix G = base_.gradient(X);
      const Vector qp = (G.leftCols(n).array() * G.rightCols(n).array()).rowwise().sum();
      return (scheme_ == SnapshotScheme::SymplecticEulerB ? 0.5 : -0.5) * h_ * qp;
    }
    case SnapshotScheme::ImplicitMidpoint: {
      const Matrix F = base_.vector_field(X);
      Vector out(X.rows());
      for (Index i = 0; i < X.rows(); ++i) {
        const Vector f = F.row(i).transpose();
        out(i) = -(h_ * h_ / 24.0) * f.dot(base_.hessian(X.row(i).transpose()) * f);
      }
      return out;
    }
  }
  return Vector::Zero(X.rows());
}

Vector CorrectedHamiltonian::energy(const Matrix& X) const { return base_.energy(X) + correction(X); }

Matrix CorrectedHamiltonian::gradient(const Matrix& X) const {
  check_states(X, dof(), "x");
  const Index d = X.cols(), N = X.rows();
  Matrix P(2 * d * N, d);
  Matrix step(N, d);
  for (Index i = 0; i < N; ++i)
    for (Index j = 0; j < d; ++j) {
      step(i, j) = 1e-6 * (1.0 + std::abs(X(i, j)));
      P.row((i * d + j) * 2) = X.row(i);
      P.row((i * d + j) * 2 + 1) = X.row(i);
      P((i * d + j) * 2, j) += step(i, j);
      P((i * d + j) * 2 + 1, j) -= step(i, j);
    }
  const Vector E = energy(P);
  Matrix G(N, d);
  for (Index i = 0; i < N; ++i)
    for (Index j = 0; j < d; ++j) G(i, j) = (E((i * d + j) * 2) - E((i * d + j) * 2 + 1)) / (2.0 * step(i, j));
  return G;
}

}  // namespace hamsam
