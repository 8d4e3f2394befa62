#include "hamsam/dynamics/trajectories.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "hamsam/error.hpp"
#include "hamsam/random.hpp"

namespace hamsam {

IntegratorOptions ground_truth_integrator() {
  IntegratorOptions o;
  o.method = Integrator::DoPri5;
  o.rtol = 1e-12;
  o.atol = 1e-14;
  return o;
}

Trajectory sample_trajectories(const Hamiltonian& h, const systems::Box& box, Index trajectories, double dt,
                               Index steps, std::uint64_t seed, const IntegratorOptions& options) {
  require(trajectories >= 1, "trajectories must be >= 1, got " + std::to_string(trajectories));
  const systems::Dataset start = systems::sample_box(h, box, trajectories, seed);
  return simulate(h, start.x, dt, steps, options);
}

SnapshotPairs snapshot_pairs(const Trajectory& tr) {
  require(tr.times() >= 2, "snapshot_pairs: the trajectory needs at least 2 saved times, got " +
                               std::to_string(tr.times()));
  const Index B = tr.batch(), d = tr.dim(), T = tr.times();
  SnapshotPairs out;
  out.dt = tr.dt;
  out.x.resize((T - 1) * B, d);
  out.x_next.resize((T - 1) * B, d);
  for (Index k = 0; k + 1 < T; ++k) {
    out.x.middleRows(k * B, B) = tr.at(k);
    out.x_next.middleRows(k * B, B) = tr.at(k + 1);
  }
  return out;
}

NoiseKind noise_kind_from_string(const std::string& name) {
  if (name == "absolute") return NoiseKind::Absolute;
  if (name == "relative") return NoiseKind::Relative;
  throw Error("unknown noise kind '" + name + "': use absolute or relative");
}

Matrix add_noise(const Matrix& x, double level, NoiseKind kind, std::uint64_t seed) {
  require(std::isfinite(level) && level >= 0, "noise level must be a finite number >= 0, got " +
                                                  std::to_string(level));
  require(x.allFinite(), "add_noise: x contains NaN or Inf");
  Rng rng(seed);
  Matrix out = x;
  for (Index j = 0; j < x.cols(); ++j)
    for (Index i = 0; i < x.rows(); ++i) {
      const double scale = kind == NoiseKind::Absolute ? level : level * std::abs(x(i, j));
      out(i, j) += scale * rng.normal();
    }
  return out;
}

Difference difference_from_string(const std::string& name) {
  if (name == "forward") return Difference::Forward;
  if (name == "backward") return Difference::Backward;
  if (name == "central") return Difference::Central;
  if (name == "central4") return Difference::Central4;
  throw Error("unknown finite-difference scheme '" + name + "': use forward, backward, central or central4");
}

int difference_order(Difference d) {
  switch (d) {
    case Difference::Forward:
    case Difference::Backward: return 1;
    case Difference::Central: return 2;
    case Difference::Central4: return 4;
  }
  return 0;
}

Derivatives finite_difference(const Matrix& X, double dt, Difference scheme) {
  require(std::isfinite(dt) && dt > 0, "dt must be a finite number > 0, got " + std::to_string(dt));
  require(X.allFinite(), "finite_difference: the trajectory contains NaN or Inf");
  const Index T = X.rows();
  const Index need = scheme == Difference::Central4 ? 5 : scheme == Difference::Central ? 3 : 2;
  require(T >= need, "finite_difference: the '" + std::string(scheme == Difference::Central4 ? "central4"
                                                               : scheme == Difference::Central ? "central"
                                                                                               : "one-sided") +
                         "' scheme needs at least " + std::to_string(need) + " snapshots, got " +
                         std::to_string(T));
  Derivatives d;
  switch (scheme) {
    case Difference::Forward:
      d.first = 0;
      d.xdot = (X.bottomRows(T - 1) - X.topRows(T - 1)) / dt;
      break;
    case Difference::Backward:
      d.first = 1;
      d.xdot = (X.bottomRows(T - 1) - X.topRows(T - 1)) / dt;
      break;
    case Difference::Central:
      d.first = 1;
      d.xdot = (X.bottomRows(T - 2) - X.topRows(T - 2)) / (2.0 * dt);
      break;
    case Difference::Central4:
      d.first = 2;
      d.xdot = (-X.bottomRows(T - 4) + 8.0 * X.middleRows(3, T - 4) - 8.0 * X.middleRows(1, T - 4) +
                X.topRows(T - 4)) /
               (12.0 * dt);
      break;
  }
  return d;
}

void WeakFormOptions::validate() const {
  require(window >= 2, "window must be >= 2 intervals (window + 1 samples per row), got " + std::to_string(window));
  require(stride >= 1, "stride must be >= 1 sample, got " + std::to_string(stride));
  require(smoothness >= 2, "smoothness (the test function's power) must be >= 2, got " + std::to_string(smoothness));
}

namespace {

// The input checks of weak_form and cumulative_form: at least one trajectory, an even number of columns shared by
// all, finite values, at most times.size() and at least `min_samples` samples each (else "... fewer than " + fix),
// times finite and strictly increasing. Returns the rows' points (every sample, trajectory after trajectory) and
// their times, C and the targets still empty.
WeakForm start_rows(const std::vector<Matrix>& trajectories, const Vector& times, Index min_samples,
                    const std::string& fix) {
  require(!trajectories.empty(), "trajectories is empty: give at least one trajectory");
  const Index D = trajectories.front().cols();
  require(D >= 2 && D % 2 == 0, "trajectories must have an even number of columns (q, p), got " + std::to_string(D));
  require(times.allFinite(), "times contains NaN or Inf");
  for (Index k = 1; k < times.size(); ++k)
    require(times(k) > times(k - 1), "times must be strictly increasing (sample " + std::to_string(k) + ")");
  Index P = 0;
  for (std::size_t b = 0; b < trajectories.size(); ++b) {
    const Matrix& X = trajectories[b];
    require(X.cols() == D, "trajectory " + std::to_string(b) + " has " + std::to_string(X.cols()) +
                               " columns, the first has " + std::to_string(D));
    require(X.rows() <= times.size(), "trajectory " + std::to_string(b) + " has more samples (" +
                                          std::to_string(X.rows()) + ") than times (" + std::to_string(times.size()) + ")");
    require(X.rows() >= min_samples, "trajectory " + std::to_string(b) + " has " + std::to_string(X.rows()) +
                                         " samples, fewer than " + fix);
    require(X.allFinite(), "trajectory " + std::to_string(b) + " contains NaN or Inf");
    P += X.rows();
  }
  WeakForm w;
  w.points.resize(P, D);
  w.times.resize(P);
  Index at = 0;
  for (const Matrix& X : trajectories) {
    w.points.middleRows(at, X.rows()) = X;
    w.times.segment(at, X.rows()) = times.head(X.rows());
    at += X.rows();
  }
  return w;
}

// C (rows.size() x points) from its entries and the targets from their rows.
void finish_rows(WeakForm& w, const std::vector<Eigen::Triplet<double>>& entries, const std::vector<Vector>& rows) {
  const Index R = static_cast<Index>(rows.size());
  w.C.resize(R, w.points.rows());
  w.C.setFromTriplets(entries.begin(), entries.end());
  w.targets.resize(R, w.points.cols());
  for (Index r = 0; r < R; ++r) w.targets.row(r) = rows[static_cast<std::size_t>(r)].transpose();
}

}  // namespace

WeakForm weak_form(const std::vector<Matrix>& trajectories, const Vector& times, const WeakFormOptions& options) {
  options.validate();
  const Index K = options.window;
  WeakForm w =
      start_rows(trajectories, times, K + 1, "window + 1 (" + std::to_string(K + 1) + "): use a smaller window");
  const Index D = w.points.cols();
  std::vector<Eigen::Triplet<double>> entries;
  std::vector<Vector> rows;
  Index at = 0, R = 0;
  Vector phi(K + 1), dphi(K + 1);
  for (const Matrix& X : trajectories) {
    for (Index s0 = 0; s0 + K < X.rows(); s0 += options.stride, ++R) {
      const double t0 = times(s0), t1 = times(s0 + K), half = 0.5 * (t1 - t0), mid = 0.5 * (t0 + t1);
      double norm = 0.0;
      Vector target = Vector::Zero(D);
      for (Index j = 0; j <= K; ++j) {
        const double s = (times(s0 + j) - mid) / half, u = std::max(0.0, 1.0 - s * s);
        const double wq = 0.5 * ((j < K ? times(s0 + j + 1) : times(s0 + j)) - (j > 0 ? times(s0 + j - 1) : times(s0 + j)));
        phi(j) = wq * std::pow(u, options.smoothness);
        dphi(j) = wq * (-2.0 * options.smoothness * s * std::pow(u, options.smoothness - 1) / half);
        norm += phi(j);
        target -= dphi(j) * X.row(s0 + j).transpose();
      }
      for (Index j = 0; j <= K; ++j)
        if (phi(j) != 0.0) entries.emplace_back(R, at + s0 + j, phi(j) / norm);
      rows.push_back(target / norm);
    }
    at += X.rows();
  }
  finish_rows(w, entries, rows);
  return w;
}

WeakForm cumulative_form(const std::vector<Matrix>& trajectories, const Vector& times, Index segment) {
  require(segment >= 2, "segment must be >= 2 intervals (segment + 1 samples per segment), got " +
                            std::to_string(segment));
  WeakForm w = start_rows(trajectories, times, 3, "3: give trajectories of at least 3 samples");
  std::vector<Eigen::Triplet<double>> entries;
  std::vector<Vector> rows;
  Index at = 0;
  for (const Matrix& X : trajectories) {
    const Index n = X.rows();
    for (Index s = 0; s + 1 < n; s += segment) {  // consecutive segments share their boundary sample
      Index e = std::min(s + segment, n - 1);
      if (n - 1 - e < 2) e = n - 1;  // a tail of fewer than 2 intervals joins this segment
      const Index m = e - s + 1;
      // A(k, j): trapezoid weight of sample s + j in the integral from t_s to t_{s + k}
      Matrix A = Matrix::Zero(m, m);
      for (Index k = 1; k < m; ++k) {
        A.row(k).head(k + 1) = A.row(k - 1).head(k + 1);
        const double h = times(s + k) - times(s + k - 1);
        A(k, k - 1) += 0.5 * h;
        A(k, k) += 0.5 * h;
      }
      const Vector mean_a = A.colwise().mean().transpose();
      const Vector mean_x = X.middleRows(s, m).colwise().mean().transpose();
      for (Index k = 0; k < m; ++k) {
        for (Index j = 0; j < m; ++j) {
          const double c = A(k, j) - mean_a(j);
          if (c != 0.0) entries.emplace_back(static_cast<Index>(rows.size()), at + s + j, c);
        }
        rows.push_back(X.row(s + k).transpose() - mean_x);
      }
      if (e == n - 1) break;
    }
    at += n;
  }
  finish_rows(w, entries, rows);
  return w;
}

}  // namespace hamsam

