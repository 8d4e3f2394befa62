#include <cmath>

#include "test_support.hpp"

using namespace hamsam;
using hamsam::test::expect_error;

TEST(Metrics, RelativeL2AndMse) {
  Matrix truth(2, 2), pred(2, 2);
  truth << 3, 0, 0, 4;
  pred << 3, 1, 0, 4;
  EXPECT_DOUBLE_EQ(relative_l2(pred, truth), 1.0 / 5.0);
  EXPECT_DOUBLE_EQ(mse(pred, truth), 0.25);
  EXPECT_DOUBLE_EQ(relative_l2(truth, truth), 0.0);
  EXPECT_DOUBLE_EQ(relative_l2(pred, Matrix::Zero(2, 2)), pred.norm());  // zero truth: absolute norm
  Matrix bad = pred;
  bad(0, 0) = NAN;
  EXPECT_TRUE(std::isinf(relative_l2(bad, truth)));  // a diverged prediction is infinitely wrong, not NaN
}

TEST(Metrics, BadInput) {
  expect_error([] { relative_l2(Matrix::Zero(2, 2), Matrix::Zero(3, 2)); }, "same shape");
  expect_error([] { mse(Matrix::Zero(0, 2), Matrix::Zero(0, 2)); }, "empty");
  Matrix t = Matrix::Ones(2, 2);
  t(1, 1) = INFINITY;
  expect_error([&] { relative_l2(Matrix::Ones(2, 2), t); }, "truth contains NaN or Inf");
}

TEST(Summary, JsonHasEveryField) {
  FitSummary s;
  s.width = 10;
  s.cond_estimate = INFINITY;
  s.notes = {"a note"};
  const std::string j = to_json(s);
  for (const char* key : {"\"width\":10", "\"rank\"", "\"cond_estimate\":\"inf\"", "\"seconds\"", "\"notes\":[\"a note\"]",
                          "\"solver_used\"", "\"blas_threads\"", "\"anchor\"", "\"train_error\""})
    EXPECT_NE(j.find(key), std::string::npos) << key << " in " << j;
}
