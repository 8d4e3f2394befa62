// The pieces of hamsam._core, one function per component, each in its own file under python/src/ (the CMake
// target globs python/src/*.cpp). bindings.cpp defines the module, the shared classes (Hamiltonian, System,
// DenseHamiltonian) and the exception translation, then calls each bind_* below. A component adds its file and
// one line here and in bindings.cpp's list.
#pragma once
#include <pybind11/pybind11.h>

namespace hamsam_py {

/// python/src/bind_dynamics.cpp: integrators, simulate, trajectories, derivative estimation, rollout metrics.
void bind_dynamics(pybind11::module_& m);
/// python/src/bind_particles.cpp: particle systems, topologies, potentials, graph models.
void bind_particles(pybind11::module_& m);
/// python/src/bind_learn.cpp: learning from snapshot pairs, corrected Hamiltonians, ridge selection.
void bind_learn(pybind11::module_& m);
/// python/src/bind_graph.cpp: the graph Hamiltonian network (GraphHamiltonian, bound models, their rollouts).
void bind_graph(pybind11::module_& m);
/// python/src/bind_tools.cpp: the memory estimate of a fit and the backend comparison (doctor).
void bind_tools(pybind11::module_& m);

}  // namespace hamsam_py
