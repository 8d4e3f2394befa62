// hamsam._core: the dissipative model, H with Rayleigh dissipation R and input map G (bind.hpp).
#include <pybind11/eigen.h>
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <optional>

#include "bind.hpp"
#include "fields.hpp"
#include "fit_call.hpp"
#include "hamsam/dissipative.hpp"
#include "hamsam/io/dissipative_file.hpp"

namespace py = pybind11;
using namespace hamsam;

namespace hamsam_py {

namespace {

py::dict rollout_dict(const ForcedRollout& r) {
  py::dict d;
  d["x"] = trajectory_to_array(r.trajectory);
  d["t"] = r.times;
  d["energy"] = r.energy;
  d["dissipated_power"] = r.dissipated_power;
  d["input_power"] = r.input_power;
  d["dissipated_energy"] = r.dissipated_energy;
  d["input_energy"] = r.input_energy;
  d["balance_residual"] = r.balance_residual;
  return d;
}

}  // namespace

void bind_dissipative(py::module_& m) {
  py::class_<DissipativeHamiltonian>(m, "DissipativeHamiltonian")
      .def(py::init([](const py::dict& options, const py::dict& dissipation) {
             return DissipativeHamiltonian(fields_from_kwargs<FitOptions>(options),
                                           fields_from_kwargs<DissipationOptions>(dissipation));
           }),
           py::arg("options"), py::arg("dissipation"))
      .def(py::init([](const py::dict& options, const py::dict& dissipation, const DenseHamiltonian& h,
                       const Matrix& rW, const Vector& rb, const Matrix& gW, const Vector& gb, Index inputs,
                       const Vector& coef) {
             return DissipativeHamiltonian(fields_from_kwargs<FitOptions>(options),
                                           fields_from_kwargs<DissipationOptions>(dissipation), h,
                                           HiddenLayer{rW, rb}, HiddenLayer{gW, gb}, inputs, coef);
           }),
           py::arg("options"), py::arg("dissipation"), py::arg("hamiltonian"), py::arg("dissipation_W"),
           py::arg("dissipation_b"), py::arg("input_W"), py::arg("input_b"), py::arg("inputs"), py::arg("coef"))
      .def_static("default_dissipation_options", [] { return fields_dict(DissipationOptions{}); })
      .def(
          "fit",
          [](DissipativeHamiltonian& model, const Matrix& x, const Matrix& xdot, const std::optional<Matrix>& u,
             const std::optional<Vector>& energy, const std::optional<Matrix>& anchor_x,
             const std::optional<Vector>& anchor_h) {
            const std::optional<Anchors> anchors = fit_anchors(anchor_x, anchor_h);
            return without_gil([&] { return model.fit(x, xdot, u, energy, anchors); });
          },
          py::arg("x"), py::arg("xdot"), py::arg("u") = py::none(), py::arg("energy") = py::none(),
          py::arg("anchor_x") = py::none(), py::arg("anchor_h") = py::none())
      .def(
          "fit_snapshots",
          [](DissipativeHamiltonian& model, const Matrix& x, const Matrix& x_next, double h,
             const std::optional<Matrix>& u, const std::optional<Matrix>& anchor_x,
             const std::optional<Vector>& anchor_h) {
            const std::optional<Anchors> anchors = fit_anchors(anchor_x, anchor_h);
            return without_gil([&] { return model.fit_snapshots(x, x_next, h, u, anchors); });
          },
          py::arg("x"), py::arg("x_next"), py::arg("h"), py::arg("u") = py::none(), py::arg("anchor_x") = py::none(),
          py::arg("anchor_h") = py::none())
      .def(
          "fit_integral",
          [](DissipativeHamiltonian& model, const std::vector<Matrix>& trajectories, const Vector& t, Index window,
             Index stride, const std::optional<Matrix>& u, const std::optional<Matrix>& anchor_x,
             const std::optional<Vector>& anchor_h) {
            const std::optional<Anchors> anchors = fit_anchors(anchor_x, anchor_h);
            return without_gil([&] {
              const WeakForm rows = integral_rows(trajectories, t, window, stride);
              return model.fit_integral(rows.points, rows, u, anchors);
            });
          },
          py::arg("trajectories"), py::arg("t"), py::arg("window"), py::arg("stride") = 1, py::arg("u") = py::none(),
          py::arg("anchor_x") = py::none(), py::arg("anchor_h") = py::none(),
          "integral_rows(trajectories, t, window, stride), then fit_integral; u: the inputs at every sample, "
          "trajectory by trajectory")
      .def_property_readonly("fitted", &DissipativeHamiltonian::fitted)
      .def_property_readonly("dof", &DissipativeHamiltonian::dof)
      .def_property_readonly("inputs", &DissipativeHamiltonian::inputs)
      .def_property_readonly("hamiltonian", [](const DissipativeHamiltonian& d) { return d.hamiltonian(); })
      .def_property_readonly("options", [](const DissipativeHamiltonian& d) { return fields_dict(d.options()); })
      .def_property_readonly("dissipation_options",
                             [](const DissipativeHamiltonian& d) { return fields_dict(d.dissipation_options()); })
      .def_property_readonly("dissipation_W", [](const DissipativeHamiltonian& d) { return d.dissipation_layer().W; })
      .def_property_readonly("dissipation_b", [](const DissipativeHamiltonian& d) { return d.dissipation_layer().b; })
      .def_property_readonly("input_W", [](const DissipativeHamiltonian& d) { return d.input_layer().W; })
      .def_property_readonly("input_b", [](const DissipativeHamiltonian& d) { return d.input_layer().b; })
      .def_property_readonly("coef", [](const DissipativeHamiltonian& d) { return d.coefficients(); })
      .def_property_readonly("summary", [](const DissipativeHamiltonian& d) { return d.summary(); })
      .def_property_readonly("dissipation_summary",
                             [](const DissipativeHamiltonian& d) { return fields_dict(d.dissipation_summary()); })
      .def("energy", [](const DissipativeHamiltonian& d, const Matrix& x) { return d.hamiltonian().energy(x); },
           py::arg("x"), py::call_guard<Interruptible>())
      .def("gradient", [](const DissipativeHamiltonian& d, const Matrix& x) { return d.hamiltonian().gradient(x); },
           py::arg("x"), py::call_guard<Interruptible>())
      .def("dissipation", &DissipativeHamiltonian::dissipation, py::arg("x"), py::call_guard<Interruptible>())
      .def("dissipation_gradient", &DissipativeHamiltonian::dissipation_gradient, py::arg("x"),
           py::call_guard<Interruptible>())
      .def("input_map", &DissipativeHamiltonian::input_map, py::arg("x"), py::call_guard<Interruptible>())
      .def("vector_field", &DissipativeHamiltonian::vector_field, py::arg("x"), py::arg("u") = py::none(),
           py::call_guard<Interruptible>())
      .def("dissipated_power", &DissipativeHamiltonian::dissipated_power, py::arg("x"), py::call_guard<Interruptible>())
      .def("input_power", &DissipativeHamiltonian::input_power, py::arg("x"), py::arg("u") = py::none(),
           py::call_guard<Interruptible>())
      .def(
          "rollout",
          [](const DissipativeHamiltonian& d, const Matrix& x0, double t0, double dt, Index steps,
             const py::object& u, double tolerance, int max_iterations) {
            IntegratorOptions o;
            o.method = Integrator::ImplicitMidpoint;
            o.tolerance = tolerance;
            o.max_iterations = max_iterations;
            InputSignal signal;
            if (!u.is_none())  // called with the GIL held: the rollout keeps it
              signal = [&u](double t) { return u(t).cast<Vector>(); };
            return rollout_dict(d.rollout(x0, t0, dt, steps, signal, o));
          },
          py::arg("x0"), py::arg("t0"), py::arg("dt"), py::arg("steps"), py::arg("u") = py::none(),
          py::arg("tolerance") = 1e-12, py::arg("max_iterations") = 50);

  m.def("save_dissipative_model", &save_dissipative_model, py::arg("model"), py::arg("path"), py::arg("overwrite"),
        py::call_guard<py::gil_scoped_release>());
  m.def("load_dissipative_model", &load_dissipative_model, py::arg("path"), py::call_guard<py::gil_scoped_release>());
}

}  // namespace hamsam_py
