#include "hamsam/activation.hpp"

#include <cmath>
#include <numbers>

namespace hamsam {

double swim_constant(Activation a) {
  switch (a) {
    case Activation::Tanh: return 0.5 * std::log(3.0);
    case Activation::Sigmoid: return std::log(3.0);
    case Activation::Softplus: return std::log(3.0);
    case Activation::Sin: return 0.5 * std::numbers::pi;
    case Activation::Gaussian: return std::sqrt(std::log(2.0));
  }
  return 0.0;
}

namespace {
// Numerically safe softplus: log(1 + e^z) = max(z, 0) + log1p(e^-|z|).
inline double softplus(double z) { return std::max(z, 0.0) + std::log1p(std::exp(-std::abs(z))); }
inline double sigmoid(double z) {
  if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}
}  // namespace

double activation_value(Activation a, double z) {
  switch (a) {
    case Activation::Tanh: return std::tanh(z);
    case Activation::Sigmoid: return sigmoid(z);
    case Activation::Softplus: return softplus(z);
    case Activation::Sin: return std::sin(z);
    case Activation::Gaussian: return std::exp(-z * z);
  }
  return 0.0;
}

double activation_d1(Activation a, double z) {
  switch (a) {
    case Activation::Tanh: {
      const double t = std::tanh(z);
      return 1.0 - t * t;
    }
    case Activation::Sigmoid: {
      const double s = sigmoid(z);
      return s * (1.0 - s);
    }
    case Activation::Softplus: return sigmoid(z);
    case Activation::Sin: return std::cos(z);
    case Activation::Gaussian: return -2.0 * z * std::exp(-z * z);
  }
  return 0.0;
}

double activation_d2(Activation a, double z) {
  switch (a) {
    case Activation::Tanh: {
      const double t = std::tanh(z);
      return -2.0 * t * (1.0 - t * t);
    }
    case Activation::Sigmoid: {
      const double s = sigmoid(z);
      return s * (1.0 - s) * (1.0 - 2.0 * s);
    }
    case Activation::Softplus: {
      const double s = sigmoid(z);
      return s * (1.0 - s);
    }
    case Activation::Sin: return -std::sin(z);
    case Activation::Gaussian: return (4.0 * z * z - 2.0) * std::exp(-z * z);
  }
  return 0.0;
}

double activation_d3(Activation a, double z) {
  switch (a) {
    case Activation::Tanh: {
      const double t = std::tanh(z);
      return (6.0 * t * t - 2.0) * (1.0 - t * t);
    }
    case Activation::Sigmoid: {
      const double s = sigmoid(z);
      return s * (1.0 - s) * (1.0 - 6.0 * s + 6.0 * s * s);
    }
    case Activation::Softplus: {
      const double s = sigmoid(z);
      return s * (1.0 - s) * (1.0 - 2.0 * s);
    }
    case Activation::Sin: return -std::cos(z);
    case Activation::Gaussian: return (12.0 * z - 8.0 * z * z * z) * std::exp(-z * z);
  }
  return 0.0;
}

namespace {
template <class F>
void apply(const Matrix& z, Matrix& out, F f) {
  out.resize(z.rows(), z.cols());
  const Index n = z.size();
  const double* in = z.data();
  double* o = out.data();
  for (Index i = 0; i < n; ++i) o[i] = f(in[i]);
}
}  // namespace

// tanh and its derivative from one vectorized exponential, t = exp(-2|z|) in (0, 1]:
//   tanh z = sign(z) (1 - t) / (1 + t),   tanh' z = 4 t / (1 + t)^2.
// Eigen vectorizes exp for doubles but not tanh (std::tanh per element was ~80% of the feature assembly).
// The absolute error is a few ulp of 1 (as for std::tanh, whose values are at most 1 in size); tanh' keeps full
// relative accuracy far into the tails, where 1 - tanh^2 rounds to 0.
static void tanh_and_d1(const Matrix& z, Matrix* value, Matrix* d1) {
  if (!value) {  // d1 only: 4 t / (1 + t)^2
    d1->resize(z.rows(), z.cols());
    d1->array() = (-2.0 * z.array().abs()).exp();
    d1->array() = 4.0 * d1->array() / (1.0 + d1->array()).square();
    return;
  }
  thread_local Matrix inv;  // 1 / (1 + t): one division serves both outputs
  value->resize(z.rows(), z.cols());
  inv.resize(z.rows(), z.cols());
  value->array() = (-2.0 * z.array().abs()).exp();  // t
  inv.array() = 1.0 / (1.0 + value->array());
  if (d1) {
    d1->resize(z.rows(), z.cols());
    d1->array() = 4.0 * value->array() * inv.array().square();
  }
  value->array() = (1.0 - value->array()) * inv.array() * z.array().sign();
}

void activate(Activation a, const Matrix& z, Matrix& out) {
  switch (a) {
    case Activation::Tanh: tanh_and_d1(z, &out, nullptr); return;
    default: apply(z, out, [a](double v) { return activation_value(a, v); });
  }
}

void activate_d1(Activation a, const Matrix& z, Matrix& out) {
  switch (a) {
    case Activation::Tanh: tanh_and_d1(z, nullptr, &out); return;
    default: apply(z, out, [a](double v) { return activation_d1(a, v); });
  }
}

void activate_value_d1(Activation a, const Matrix& z, Matrix& value, Matrix& d1) {
  if (a == Activation::Tanh) {
    tanh_and_d1(z, &value, &d1);
    return;
  }
  activate(a, z, value);
  activate_d1(a, z, d1);
}

void activate_d2(Activation a, const Matrix& z, Matrix& out) {
  apply(z, out, [a](double v) { return activation_d2(a, v); });
}

void activate_d3(Activation a, const Matrix& z, Matrix& out) {
  apply(z, out, [a](double v) { return activation_d3(a, v); });
}

}  // namespace hamsam
