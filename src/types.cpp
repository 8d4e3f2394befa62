#include "hamsam/types.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include "hamsam/error.hpp"

namespace hamsam {
namespace {

template <class E, std::size_t N>
using Table = std::array<std::pair<E, const char*>, N>;

constexpr Table<Sampler, 4> kSamplers{{{Sampler::ELM, "elm"},
                                       {Sampler::USWIM, "u-swim"},
                                       {Sampler::SWIM, "swim"},
                                       {Sampler::ASWIM, "a-swim"}}};
constexpr Table<Activation, 5> kActivations{{{Activation::Tanh, "tanh"},
                                             {Activation::Sigmoid, "sigmoid"},
                                             {Activation::Softplus, "softplus"},
                                             {Activation::Sin, "sin"},
                                             {Activation::Gaussian, "gaussian"}}};
constexpr Table<Solver, 5> kSolvers{{{Solver::Auto, "auto"},
                                     {Solver::SVD, "svd"},
                                     {Solver::COD, "cod"},
                                     {Solver::QR, "qr"},
                                     {Solver::Gram, "gram"}}};
constexpr Table<Regularization, 3> kRegularizations{{{Regularization::None, "none"},
                                                     {Regularization::GCV, "gcv"},
                                                     {Regularization::Holdout, "holdout"}}};

std::string normalise(std::string_view name) {
  std::string s(name);
  for (char& c : s) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (c == '_') c = '-';
  }
  return s;
}

template <class E, std::size_t N>
std::string name_of(const Table<E, N>& table, E e) {
  for (const auto& [v, n] : table)
    if (v == e) return n;
  return "unknown";
}

template <class E, std::size_t N>
std::vector<std::string> names_of(const Table<E, N>& table) {
  std::vector<std::string> out;
  for (const auto& entry : table) out.emplace_back(entry.second);
  return out;
}

template <class E, std::size_t N>
E parse(const Table<E, N>& table, std::string_view name, const char* what,
        std::initializer_list<std::pair<const char*, E>> aliases = {}) {
  const std::string key = normalise(name);
  for (const auto& [v, n] : table)
    if (key == n) return v;
  for (const auto& [n, v] : aliases)
    if (key == n) return v;
  std::string valid;
  for (const auto& entry : table) valid += std::string(valid.empty() ? "" : ", ") + entry.second;
  throw Error(std::string("unknown ") + what + " '" + std::string(name) + "': use one of " + valid);
}

}  // namespace

std::string to_string(Sampler s) { return name_of(kSamplers, s); }
std::string to_string(Activation a) { return name_of(kActivations, a); }
std::string to_string(Solver s) { return name_of(kSolvers, s); }
std::string to_string(Regularization r) { return name_of(kRegularizations, r); }

template <>
Sampler from_string<Sampler>(std::string_view name) {
  return parse(kSamplers, name, "sampler", {{"uswim", Sampler::USWIM}, {"aswim", Sampler::ASWIM}});
}
template <>
Activation from_string<Activation>(std::string_view name) {
  return parse(kActivations, name, "activation", {{"rff", Activation::Sin}, {"gauss", Activation::Gaussian}});
}
template <>
Solver from_string<Solver>(std::string_view name) {
  return parse(kSolvers, name, "solver", {{"gelsd", Solver::SVD}, {"gelsy", Solver::COD}});
}

template <>
Regularization from_string<Regularization>(std::string_view name) {
  return parse(kRegularizations, name, "regularization", {{"held-out", Regularization::Holdout}});
}

template <>
std::vector<std::string> all_names<Sampler>() { return names_of(kSamplers); }
template <>
std::vector<std::string> all_names<Activation>() { return names_of(kActivations); }
template <>
std::vector<std::string> all_names<Solver>() { return names_of(kSolvers); }
template <>
std::vector<std::string> all_names<Regularization>() { return names_of(kRegularizations); }

}  // namespace hamsam
