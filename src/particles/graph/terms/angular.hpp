#pragma once
// Private to src/particles/graph: the angular (three-body) term and the per-centre neighbour lists its triplets
// come from.
//
// The term's energy is a sum over triplets (j, i, k): atom i (the centre) and two of its neighbours j != k
// (distinct entries of i's neighbour list: two images of one atom are two neighbours), each with r < cutoff:
//   E = sum_i sum_{j<k} sum_{a,b,l} c[s_i; s_j, s_k; a, b, l] S_ab(r_ij, r_ik) P_l(cos theta_jik),
// where
//   - R_0(r) = fc(r) and R_a(r) = act(w_a g(r) + b_a) fc(r) (a = 1..features, g(r) = r or 1/r: the pair input)
//     are radial functions per species pair (s_i, s_j), sampled like the pair networks' neurons (ELM on the
//     observed range of g, at least a tenth of the cutoff's wide; U-SWIM on pairs of observed values) and
//     multiplied by the smooth cutoff fc (C2 at the cutoff, term.hpp);
//   - S_ab is symmetric in j <-> k: for neighbours of one species R_a(r_ij) R_b(r_ik) + R_b(r_ij) R_a(r_ik)
//     (a < b) and R_a(r_ij) R_a(r_ik) (a = b); for two species the neighbour of the lower species comes first,
//     R_a(r_ij) R_b(r_ik) for every a, b;
//   - P_l is the Legendre polynomial of degree l = 0..angular_order in cos theta_jik.
// The energy is linear in the coefficients c (the columns). Any three-body energy of the form g(r_ij) g(r_ik)
// h(cos theta) (Stillinger-Weber's, with h a quadratic) lies in this span once g does in the span of the radial
// functions; Tersoff-like bond-order energies are approximated by the same sums. The radial functions are sampled
// once (the second SWIM pass keeps them): the term has no hidden layer whose inputs depend on its own output.
#include <memory>
#include <vector>

#include "term.hpp"

namespace hamsam::particles::detail {

/// Every atom's neighbours within a cutoff, from a half pair list, in O(pairs): entry n of atom i (n in
/// [start[i], start[i + 1])) is the pair pair[n] seen from i, its other atom `atom[n]`, the vector
/// vec[n d .. n d + d) from i to that neighbour (image included) and its length r[n]. A pair (i, j) appears
/// in the lists of i and j; an atom paired with its own image has both images (vec and -vec) in its list.
/// Entries of one atom are in the pair list's order.
struct NeighborLists {
  int dim = 3;
  std::vector<Index> start;  ///< atoms + 1
  std::vector<Index> pair, atom;
  std::vector<double> vec, r;
  Index atoms() const { return static_cast<Index>(start.size()) - 1; }
  Index count(Index i) const {
    return start[static_cast<std::size_t>(i) + 1] - start[static_cast<std::size_t>(i)];
  }
};
NeighborLists neighbor_lists(const PairList& pairs, double cutoff);

/// The angular term of the options (kind "angular"): throws hamsam::Error naming an invalid option.
/// Options read: cutoff, cutoff_on, features (sampled radial functions per species pair, besides fc itself),
/// angular_order (the highest Legendre degree; 0 means the default 4), activation, pair_input. width is not used: the number of
/// columns per (centre species, neighbour species pair) is (features + 1) (features + 2) / 2 (angular_order + 1)
/// for neighbours of one species and (features + 1)^2 (angular_order + 1) for two.
std::unique_ptr<Term> make_angular_term(const TermOptions& options);

}  // namespace hamsam::particles::detail
