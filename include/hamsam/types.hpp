#pragma once
// Enumerations shared by the library, the CLI, model files and Python. Each converts to and from one string
// vocabulary: to_string(e) and from_string<E>("name"); unknown names throw hamsam::Error listing the valid ones.
#include <Eigen/Dense>
#include <string>
#include <string_view>
#include <vector>

namespace hamsam {

using Matrix = Eigen::MatrixXd;
using Vector = Eigen::VectorXd;
using Index = Eigen::Index;

/// How hidden-layer weights are drawn (REFERENCE section 1).
enum class Sampler { ELM, USWIM, SWIM, ASWIM };
/// Hidden-layer nonlinearity.
enum class Activation { Tanh, Sigmoid, Softplus, Sin, Gaussian };
/// Least-squares backend for the last layer.
enum class Solver { Auto, SVD, COD, QR, Gram };
/// How the ridge of the last layer is chosen (regularization.hpp): none (FitOptions::ridge as given),
/// generalized cross-validation, or the error on a held-out part of the training points.
enum class Regularization { None, GCV, Holdout };

std::string to_string(Sampler s);
std::string to_string(Activation a);
std::string to_string(Solver s);
std::string to_string(Regularization r);

template <class E>
E from_string(std::string_view name);
template <>
Sampler from_string<Sampler>(std::string_view name);
template <>
Activation from_string<Activation>(std::string_view name);
template <>
Solver from_string<Solver>(std::string_view name);
template <>
Regularization from_string<Regularization>(std::string_view name);

/// All names of an enumeration, in declaration order (for help texts and error messages).
template <class E>
std::vector<std::string> all_names();
template <>
std::vector<std::string> all_names<Sampler>();
template <>
std::vector<std::string> all_names<Activation>();
template <>
std::vector<std::string> all_names<Solver>();
template <>
std::vector<std::string> all_names<Regularization>();

}  // namespace hamsam
