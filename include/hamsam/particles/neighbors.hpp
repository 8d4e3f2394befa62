#pragma once
// Neighbour search: radius graphs from positions with a cell list in O(N) (open space or a periodic box with
// the minimum image), per-edge displacements r_ij = q_j - q_i for batches of states, and a Verlet-skin
// neighbour list reused across integration steps.
//
//   auto edges = hamsam::particles::radius_graph(positions /* N x d */, 2.5, box);   // pairs i < j, r < 2.5
//   hamsam::particles::NeighborList nl(2.5, 0.3, box);
//   nl.update(positions);              // rebuilds only when a particle moved more than skin / 2
//   const auto& e = nl.edges();        // pairs with r < cutoff at the positions of the last update
#include <cmath>
#include <optional>
#include <vector>

#include "hamsam/particles/topology.hpp"

namespace hamsam::particles {

/// Minimum-image displacement in place: dx_k -= L_k round(dx_k / L_k) for every axis of the box (skipped when
/// |dx_k| <= L_k / 2 already: the common case costs one comparison).
inline void minimum_image(double* dx, int dim, const PeriodicBox& box) {
  for (int k = 0; k < dim; ++k) {
    const double L = box.length(k);
    if (std::abs(dx[k]) > 0.5 * L) dx[k] -= L * std::nearbyint(dx[k] / L);
  }
}

/// Pairs (i < j) with |q_j - q_i| < cutoff (minimum image when periodic), sorted, found with a cell list in
/// O(N). positions: N x d. Throws hamsam::Error for a bad cutoff (non-positive, or >= half a box side when
/// periodic), non-finite positions, or dim not in {1, 2, 3}.
std::vector<Edge> radius_graph(const Matrix& positions, double cutoff,
                               const std::optional<PeriodicBox>& box = std::nullopt);
/// The same pairs by checking all N (N - 1) / 2 pairs: the reference the cell list is tested against.
std::vector<Edge> radius_graph_brute_force(const Matrix& positions, double cutoff,
                                           const std::optional<PeriodicBox>& box = std::nullopt);

/// Edges of one configuration of a topology: its fixed edges, or its radius graph at these positions.
std::vector<Edge> edges_at(const Topology& topology, const Matrix& positions);

/// Per-edge geometry of a batch of states: r (B x E d, edge e's vector r_ij = q_j - q_i in columns
/// e d .. e d + d - 1, minimum image when periodic) and distance (B x E).
struct Displacements {
  Matrix r;
  Matrix distance;
};
/// X holds positions (B x N d) or whole states (B x 2 N d, momenta ignored); edges are checked against N.
Displacements displacements(const Topology& topology, const std::vector<Edge>& edges, const Matrix& X);

/// A Verlet-skin neighbour list: candidate pairs within cutoff + skin, rebuilt (cell list) only when some
/// particle moved more than skin / 2 since the last build (or the particle count changed); edges() filters the
/// candidates to r < cutoff at the latest positions. Reuse one object per trajectory across steps.
class NeighborList {
 public:
  /// cutoff > 0, skin >= 0; when periodic, cutoff + skin must stay below half of every box side.
  NeighborList(double cutoff, double skin, std::optional<PeriodicBox> box = std::nullopt);
  /// Takes new positions (N x d); returns true when the candidate list was rebuilt. filter = false skips
  /// computing edges() (callers that screen the candidates themselves, like velocity_verlet, save a pass).
  bool update(const Matrix& positions, bool filter = true);
  /// Pairs (i < j) with r < cutoff at the positions of the last filtering update, sorted.
  const std::vector<Edge>& edges() const { return edges_; }
  /// Candidate pairs within cutoff + skin at the last rebuild.
  const std::vector<Edge>& candidates() const { return candidates_; }
  Index rebuilds() const { return rebuilds_; }
  Index updates() const { return updates_; }
  double cutoff() const { return cutoff_; }
  double skin() const { return skin_; }
  const std::optional<PeriodicBox>& box() const { return box_; }

 private:
  double cutoff_, skin_;
  std::optional<PeriodicBox> box_;
  Matrix reference_;  // positions at the last rebuild
  std::vector<Edge> candidates_, edges_;
  Index rebuilds_ = 0, updates_ = 0;
};

}  // namespace hamsam::particles
