// The pieces of hamsam._core, one function per component, each in its own file under python/src/ (the CMake
// target globs python/src/*.cpp). bindings.cpp defines the module, the shared classes (Hamiltonian, System,
// DenseHamiltonian) and the exception translation, then calls each bind_* below. A component adds its file and
// one line here and in bindings.cpp's list.
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include "hamsam/dynamics/integrators.hpp"
#include "hamsam/dynamics/verlet.hpp"
#include "interrupt.hpp"

namespace hamsam_py {

/// python/src/bind_dynamics.cpp: integrators, simulate, trajectories, derivative estimation, rollout metrics.
void bind_dynamics(pybind11::module_& m);
/// python/src/bind_particles.cpp: particle systems, topologies, potentials, graph models.
void bind_particles(pybind11::module_& m);
/// python/src/bind_learn.cpp: learning from snapshot pairs, corrected Hamiltonians, ridge selection.
void bind_learn(pybind11::module_& m);
/// python/src/bind_graph.cpp: the graph Hamiltonian network (GraphHamiltonian, bound models, their rollouts).
void bind_graph(pybind11::module_& m);
/// python/src/bind_dissipative.cpp: the dissipative model (H with Rayleigh dissipation and an input map).
void bind_dissipative(pybind11::module_& m);
/// python/src/bind_tools.cpp: the memory estimate of a fit and the backend comparison (doctor).
void bind_tools(pybind11::module_& m);

// ---- shared by the bind_* files ----------------------------------------------------------------------------

/// Calls f() with the GIL released, so that other Python threads run during a long computation, and Ctrl-C
/// stopping it (Interruptible), and returns what it returns. f must not touch Python objects.
template <class F>
auto without_gil(F&& f) {
  Interruptible interruptible;
  return f();
}

/// A trajectory as a numpy array of shape (times, batch, 2n).
inline pybind11::array_t<double> trajectory_to_array(const hamsam::Trajectory& tr) {
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const hamsam::Index T = tr.times(), B = tr.batch(), D = tr.dim();
  pybind11::array_t<double> out({T, B, D});
  for (hamsam::Index k = 0; k < T; ++k) Eigen::Map<RowMajor>(out.mutable_data(k), B, D) = tr.at(k);
  return out;
}

/// velocity_verlet (hamsam/dynamics/verlet.hpp) of a particle system or a bound graph model, without the GIL:
/// the tuple (trajectory array, neighbour-list rebuilds, force evaluations).
template <class Model>
pybind11::tuple verlet_rollout(const Model& model, const hamsam::Matrix& x0, double dt, hamsam::Index steps,
                               const hamsam::particles::VerletOptions& options) {
  hamsam::particles::VerletStats stats;
  const hamsam::Trajectory tr =
      without_gil([&] { return hamsam::particles::velocity_verlet(model, x0, dt, steps, options, &stats); });
  return pybind11::make_tuple(trajectory_to_array(tr), stats.rebuilds, stats.force_evaluations);
}

}  // namespace hamsam_py
