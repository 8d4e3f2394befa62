#pragma once
// Structured hidden layers (docs/choosing.md): every neuron sees the coordinates of one group only, so the model
// is H(x) = sum_g H_g(x_g) + c0, a sum of sampled networks over small groups of coordinates. The layer stays a
// plain HiddenLayer (W is D x M with zeros outside each neuron's group): evaluation, gradients, Hessians, the
// least-squares problem and the model files are those of the dense model.
//
// Group specs (FitOptions::groups; states are (q_0..q_{n-1}, p_0..p_{n-1}), D = 2n):
//   dense      one group of all coordinates (the plain model)
//   separable  {q}, {p}: H = V(q) + T(p)
//   pairs      every pair of positions and every pair of momenta {q_i, q_j}, {p_i, p_j}
//   chain      neighbours along a chain {q_i, q_{i+1}}, {p_i, p_{i+1}}
//   ring       chain and the closing pair {q_{n-1}, q_0}, {p_{n-1}, p_0}
//   auto       pairs of coordinates found coupled in the training data (find_coupled_pairs), every coordinate
//              in no such pair alone
//   explicit   groups of 0-based coordinate indices, "0 1; 1 2; 2 3" (`;` between groups, spaces or commas
//              within), covering every coordinate
//
// Kinetic term (FitOptions::kinetic):
//   none       H is the sampled part alone
//   quadratic  H = 1/2 p^T A p + V(q): an exact quadratic kinetic term with A (the inverse mass matrix M^-1) a
//              learned constant symmetric n x n matrix, and the sampled part a function of the positions. Its
//              n(n+1)/2 columns are neurons with the activation z^2/2 on z = u_k . p (u_k = e_i for the diagonal,
//              e_i + e_j for a pair), so the least-squares problem keeps the dense model's shape; the groups
//              then cover the positions (presets name groups of positions, "dense" all of them in one group;
//              explicit groups may also name momenta).
//   quadratic-q  H = 1/2 p^T A(q) p + V(q): as quadratic, plus A(q) - A0 = sum_k act(w_k . q + b_k) B_k over
//              FitOptions::mass_width neurons sampled on the positions, every B_k symmetric and learned in the
//              same solve (kinetic.hpp): n(n+1)/2 * (mass_width + 1) columns in all.
#include <cstdint>
#include <string>
#include <vector>

#include "hamsam/sampling.hpp"
#include "hamsam/types.hpp"

namespace hamsam {

/// Groups of coordinates, each a list of distinct 0-based indices into the state.
using Groups = std::vector<std::vector<Index>>;

/// Throws hamsam::Error naming `kinetic` and the choices unless it is "none", "quadratic" or "quadratic-q".
void check_kinetic(const std::string& kinetic);

/// True when `kinetic` adds the quadratic kinetic term (constant or position-dependent A).
bool has_kinetic(const std::string& kinetic);

/// True when the kinetic term's A depends on the positions ("quadratic-q", kinetic.hpp).
bool has_position_kinetic(const std::string& kinetic);

/// The kinetic term's neurons for states of dimension `dim` (even, n = dim / 2): a D x n(n+1)/2 matrix, column k
/// the weights u_k on the momentum rows (e_i for i = 0..n-1, then e_i + e_j for i < j); a neuron computes
/// (u_k . p)^2 / 2.
Matrix kinetic_basis(Index dim);

/// A = sum_k a_k u_k u_k^T (n x n, symmetric) from the coefficients `a` of kinetic_basis(dim)'s neurons.
Matrix kinetic_matrix(Index dim, const Vector& a);

/// True when `spec` is the plain model ("dense").
bool is_dense_groups(const std::string& spec);

/// Checks the syntax of a group spec (a preset name or an explicit list); throws hamsam::Error naming
/// `groups` and the fix. Indices are checked against the dimension by coordinate_groups.
void check_group_spec(const std::string& spec);

/// The groups a spec names for states of dimension `dim` (even). "auto" needs data: use find_coupled_pairs.
/// Throws hamsam::Error for bad specs, indices outside 0..dim-1, repeated indices within a group, empty
/// groups and coordinates no group covers. `positions_only` (the kinetic term holds the momenta): presets name
/// groups of positions ("dense" and "separable": all positions in one group) and only the positions need a group.
Groups coordinate_groups(const std::string& spec, Index dim, bool positions_only = false);

/// The spec text of explicit groups ("0 1; 1 2"), the inverse of coordinate_groups for explicit lists.
std::string groups_text(const Groups& groups);

/// What find_coupled_pairs measured: score(i, j) is the share of the variance of dH/dx_i on held-out points that
/// a small sampled network of (x_i, x_j) explains beyond one of x_i alone, and the same with i and j swapped:
/// the smaller of the two (a coupling shows in both, as d2H/dx_i dx_j = d2H/dx_j dx_i); `groups` holds the pairs scoring above the threshold and every coordinate in none of them alone.
struct CouplingScreen {
  Matrix score;  ///< D x D, symmetric, zero diagonal
  Groups groups;
  Index pairs = 0;  ///< number of coupled pairs found
};

/// Finds the coupled pairs of coordinates from the states x (N x D) and the target gradients Gt = dH/dx (N x D)
/// on at most `max_points` of the points (half to fit, half to score). Deterministic in `seed`.
CouplingScreen find_coupled_pairs(const Matrix& x, const Matrix& Gt, double threshold, std::uint64_t seed,
                                  Index max_points = 4000);

/// How the neurons of a structured layer are drawn: the sampler of each group's network and its settings.
struct GroupSampling {
  Sampler sampler = Sampler::USWIM;  ///< elm, or swim on the group's coordinates (values null: u-swim)
  Activation activation = Activation::Tanh;
  double elm_bias_low = 0.0, elm_bias_high = 0.0;  ///< elm bias range
  std::uint64_t seed = 0;
};

/// The number of neurons of each group for a total `width`: shares in proportion to the squared group sizes
/// (a pair gets four times a single coordinate), at least one each. Throws Error if width < groups.size().
std::vector<Index> group_widths(const Groups& groups, Index width);

/// A structured hidden layer on x (N x D): per group, a layer sampled on x's columns of the group (elm, or swim
/// with pair probabilities from `values`, null: u-swim), its weights placed in the group's rows of W (zeros
/// elsewhere). `values` is N x G (column g for group g: A-SWIM passes each group's own part of the fitted H) or
/// N x 1 (the same values for every group). Neurons are ordered by group. `info` sums the groups' diagnostics.
/// The groups' indices are checked, not that they cover every coordinate (coordinate_groups checks that).
HiddenLayer sample_grouped(const Groups& groups, const Matrix& x, const Matrix* values, Index width,
                           const GroupSampling& how, SwimInfo* info = nullptr);

}  // namespace hamsam
