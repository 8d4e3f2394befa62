// hamsam._core: integrators, simulate, trajectory data, finite differences, noise, rollout metrics (bind.hpp).
// Trajectories cross as numpy arrays of shape (times, batch, 2n).
#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cstring>

#include "bind.hpp"
#include "hamsam/hamsam.hpp"

namespace py = pybind11;
using namespace hamsam;

namespace hamsam_py {
namespace {

Trajectory from_array(const py::array_t<double, py::array::c_style | py::array::forcecast>& a, double dt,
                      const char* name) {
  if (a.ndim() != 3)
    throw Error(std::string(name) + " must be an array of shape (times, batch, 2n), got " +
                std::to_string(a.ndim()) + " dimensions");
  const auto r = a.unchecked<3>();
  Trajectory tr;
  tr.dt = dt;
  for (py::ssize_t k = 0; k < r.shape(0); ++k) {
    Matrix m(r.shape(1), r.shape(2));
    for (py::ssize_t b = 0; b < r.shape(1); ++b)
      for (py::ssize_t j = 0; j < r.shape(2); ++j) m(b, j) = r(k, b, j);
    tr.states.push_back(std::move(m));
  }
  return tr;
}

IntegratorOptions options(const std::string& method, double tolerance, int max_iterations, bool newton,
                          double rtol, double atol, int save_every) {
  IntegratorOptions o;
  o.method = integrator_from_string(method);
  o.tolerance = tolerance;
  o.max_iterations = max_iterations;
  o.newton = newton;
  o.rtol = rtol;
  o.atol = atol;
  o.save_every = save_every;
  o.validate();
  return o;
}

}  // namespace

void bind_dynamics(py::module_& m) {
  m.def("integrator_names", &integrator_names);
  m.def("integrator_info", [](const std::string& name) {
    const Integrator i = integrator_from_string(name);
    py::dict d;
    d["name"] = to_string(i);
    d["order"] = integrator_order(i);
    d["symplectic"] = integrator_symplectic(i);
    d["separable_only"] = integrator_needs_separable(i);
    return d;
  });
  m.def(
      "simulate",
      [](const Hamiltonian& h, const Matrix& x0, double dt, Index steps, const std::string& method,
         double tolerance, int max_iterations, bool newton, double rtol, double atol, int save_every) {
        const IntegratorOptions o = options(method, tolerance, max_iterations, newton, rtol, atol, save_every);
        return trajectory_to_array(without_gil([&] { return simulate(h, x0, dt, steps, o); }));
      },
      py::arg("h"), py::arg("x0"), py::arg("dt"), py::arg("steps"), py::arg("method"), py::arg("tolerance"),
      py::arg("max_iterations"), py::arg("newton"), py::arg("rtol"), py::arg("atol"), py::arg("save_every"));
  m.def(
      "sample_trajectories",
      [](const Hamiltonian& h, const Vector& low, const Vector& high, Index n, double dt, Index steps,
         std::uint64_t seed, const std::string& method, double rtol, double atol) {
        IntegratorOptions o = ground_truth_integrator();
        o.method = integrator_from_string(method);
        o.rtol = rtol;
        o.atol = atol;
        return trajectory_to_array(
            without_gil([&] { return sample_trajectories(h, systems::Box{low, high}, n, dt, steps, seed, o); }));
      },
      py::arg("h"), py::arg("low"), py::arg("high"), py::arg("n"), py::arg("dt"), py::arg("steps"),
      py::arg("seed"), py::arg("method"), py::arg("rtol"), py::arg("atol"));
  m.def(
      "add_noise",
      [](const Matrix& x, double level, const std::string& kind, std::uint64_t seed) {
        return add_noise(x, level, noise_kind_from_string(kind), seed);
      },
      py::arg("x"), py::arg("level"), py::arg("kind"), py::arg("seed"));
  m.def(
      "finite_difference",
      [](const Matrix& X, double dt, const std::string& scheme) {
        const Derivatives d = finite_difference(X, dt, difference_from_string(scheme));
        return py::make_tuple(d.first, d.xdot);
      },
      py::arg("x"), py::arg("dt"), py::arg("scheme"));
  m.def(
      "rollout_metrics",
      [](const py::array_t<double, py::array::c_style | py::array::forcecast>& predicted,
         const py::array_t<double, py::array::c_style | py::array::forcecast>& truth, double dt,
         const Hamiltonian& h, double threshold) {
        const Trajectory p = from_array(predicted, dt, "predicted"), t = from_array(truth, dt, "truth");
        const RolloutMetrics r = rollout_metrics(p, t, h, threshold);
        py::dict d;
        d["time"] = r.time;
        d["rollout_error"] = r.rollout_error;
        d["energy_error"] = r.energy_error;
        d["rollout_error_gmean"] = r.rollout_error_gmean;
        d["energy_error_gmean"] = r.energy_error_gmean;
        d["valid_time"] = r.valid_time;
        d["energy_drift"] = r.energy_drift;
        d["threshold"] = r.threshold;
        return d;
      },
      py::arg("predicted"), py::arg("truth"), py::arg("dt"), py::arg("h"), py::arg("threshold"));
}

}  // namespace hamsam_py
