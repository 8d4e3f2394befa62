// Trajectory data: sampled trajectories, snapshot pairs, noise, finite differences (dynamics/trajectories.hpp).
#include <gtest/gtest.h>

#include <cmath>

#include "test_support.hpp"

namespace hamsam {
namespace {

TEST(Trajectories, FiniteDifferencesHaveTheirOrder) {
  // x(t) = (sin t, cos t): exact derivative (cos t, -sin t).
  auto sample = [](double dt, Index T) {
    Matrix X(T, 2);
    for (Index k = 0; k < T; ++k) X.row(k) << std::sin(k * dt), std::cos(k * dt);
    return X;
  };
  for (Difference d : {Difference::Forward, Difference::Backward, Difference::Central, Difference::Central4}) {
    double errs[2];
    int i = 0;
    for (double dt : {0.02, 0.01}) {
      const Index T = static_cast<Index>(std::lround(1.0 / dt)) + 1;
      const Derivatives r = finite_difference(sample(dt, T), dt, d);
      double e = 0.0;
      for (Index k = 0; k < r.xdot.rows(); ++k) {
        const double t = (r.first + k) * dt;
        e = std::max(e, std::abs(r.xdot(k, 0) - std::cos(t)) + std::abs(r.xdot(k, 1) + std::sin(t)));
      }
      errs[i++] = e;
    }
    EXPECT_NEAR(std::log2(errs[0] / errs[1]), difference_order(d), 0.3) << int(d);
  }
  EXPECT_THROW(finite_difference(Matrix::Zero(4, 2), 0.1, Difference::Central4), Error);
  EXPECT_THROW(finite_difference(Matrix::Zero(5, 2), 0.0, Difference::Forward), Error);
  EXPECT_THROW(difference_from_string("spline"), Error);
}

TEST(Trajectories, NoiseIsSeededAndScaled) {
  const Matrix x = Matrix::Constant(2000, 2, 3.0);
  const Matrix a = add_noise(x, 0.1, NoiseKind::Absolute, 7), b = add_noise(x, 0.1, NoiseKind::Absolute, 7);
  EXPECT_EQ((a - b).cwiseAbs().maxCoeff(), 0.0);
  EXPECT_NEAR(std::sqrt((a - x).squaredNorm() / double(x.size())), 0.1, 0.01);
  const Matrix r = add_noise(x, 0.1, NoiseKind::Relative, 7);
  EXPECT_NEAR(std::sqrt((r - x).squaredNorm() / double(x.size())), 0.3, 0.03);
  EXPECT_THROW(add_noise(x, -1.0, NoiseKind::Absolute, 1), Error);
  EXPECT_THROW(noise_kind_from_string("pink"), Error);
}

TEST(Trajectories, SampledTrajectoriesAndPairs) {
  const systems::Pendulum h;
  systems::Box box{Vector::Constant(2, -1.0), Vector::Constant(2, 1.0)};
  const Trajectory tr = sample_trajectories(h, box, 5, 0.1, 20, 3, ground_truth_integrator());
  EXPECT_EQ(tr.times(), 21);
  EXPECT_EQ(tr.batch(), 5);
  const Vector H0 = h.energy(tr.at(0)), H1 = h.energy(tr.at(20));
  EXPECT_LT((H0 - H1).cwiseAbs().maxCoeff(), 1e-10);
  const SnapshotPairs pairs = snapshot_pairs(tr);
  EXPECT_EQ(pairs.x.rows(), 100);
  EXPECT_EQ((pairs.x_next.topRows(5) - tr.at(1)).cwiseAbs().maxCoeff(), 0.0);
  EXPECT_EQ(tr.trajectory(2).rows(), 21);
  EXPECT_THROW(tr.trajectory(5), Error);
}

// Seeds: the same seed gives the same initial states; the states lie in the box; ground truth keeps H.
TEST(Trajectories, SampledTrajectoriesAreSeededAndInTheBox) {
  const systems::HenonHeiles h;
  const systems::Box box{Vector::Constant(4, -0.3), Vector::Constant(4, 0.3)};
  const Trajectory a = sample_trajectories(h, box, 6, 0.5, 4, 11, ground_truth_integrator());
  const Trajectory b = sample_trajectories(h, box, 6, 0.5, 4, 11, ground_truth_integrator());
  const Trajectory c = sample_trajectories(h, box, 6, 0.5, 4, 12, ground_truth_integrator());
  EXPECT_EQ((a.at(4) - b.at(4)).cwiseAbs().maxCoeff(), 0.0);
  EXPECT_GT((a.at(0) - c.at(0)).cwiseAbs().maxCoeff(), 0.0);
  EXPECT_LE(a.at(0).cwiseAbs().maxCoeff(), 0.3);
  EXPECT_LT((h.energy(a.at(4)) - h.energy(a.at(0))).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_NEAR(a.dt, 0.5, 0.0);
  EXPECT_THROW(sample_trajectories(h, box, 0, 0.5, 4, 1, ground_truth_integrator()), Error);
}

// Edge handling: each scheme's first row and count; exact on a linear trajectory.
TEST(Trajectories, FiniteDifferenceEdges) {
  Matrix X(6, 2);
  for (Index k = 0; k < 6; ++k) X.row(k) << 2.0 * k * 0.1, -1.0 * k * 0.1;
  struct Case {
    Difference d;
    Index first, rows;
  };
  for (const Case& c : {Case{Difference::Forward, 0, 5}, Case{Difference::Backward, 1, 5},
                        Case{Difference::Central, 1, 4}, Case{Difference::Central4, 2, 2}}) {
    const Derivatives r = finite_difference(X, 0.1, c.d);
    EXPECT_EQ(r.first, c.first);
    ASSERT_EQ(r.xdot.rows(), c.rows);
    EXPECT_LT((r.xdot.col(0).array() - 2.0).abs().maxCoeff(), 1e-12);
    EXPECT_LT((r.xdot.col(1).array() + 1.0).abs().maxCoeff(), 1e-12);
  }
  EXPECT_EQ(difference_from_string("central4"), Difference::Central4);
  EXPECT_EQ(difference_order(Difference::Backward), 1);
  Matrix bad = X;
  bad(2, 1) = std::nan("");
  EXPECT_THROW(finite_difference(bad, 0.1, Difference::Central), Error);
  EXPECT_THROW(finite_difference(Matrix::Zero(2, 2), 0.1, Difference::Central), Error);
  EXPECT_THROW(snapshot_pairs(Trajectory{}), Error);
}

}  // namespace
}  // namespace hamsam
