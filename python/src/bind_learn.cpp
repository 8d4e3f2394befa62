// hamsam._core: learning from snapshot pairs, modified-Hamiltonian corrections, ridge selection (bind.hpp).
#include <pybind11/eigen.h>
#include <pybind11/stl.h>

#include <optional>

#include "bind.hpp"
#include "hamsam/hamsam.hpp"

namespace py = pybind11;
using namespace hamsam;

namespace hamsam_py {
namespace {
std::optional<Anchors> anchors_of(const std::optional<Matrix>& anchor_x, const std::optional<Vector>& anchor_h) {
  if (!anchor_x && !anchor_h) return std::nullopt;
  require(anchor_x.has_value() && anchor_h.has_value(), "anchor needs both states x0 and values H0");
  return Anchors{*anchor_x, *anchor_h};
}
}  // namespace

void bind_learn(py::module_& m) {
  m.def("snapshot_scheme_names", &snapshot_scheme_names);
  m.def("regularization_names", &all_names<Regularization>);
  m.def(
      "snapshot_targets",
      [](const Matrix& x, const Matrix& x_next, double h, const std::string& scheme) {
        const SnapshotTargets t = snapshot_targets(x, x_next, h, snapshot_scheme_from_string(scheme));
        return py::make_tuple(t.x, t.xdot);
      },
      py::arg("x"), py::arg("x_next"), py::arg("h"), py::arg("scheme"));
  m.def(
      "fit_snapshots",
      [](DenseHamiltonian& model, const Matrix& x, const Matrix& x_next, double h, const std::string& scheme,
         const std::optional<Matrix>& anchor_x, const std::optional<Vector>& anchor_h, int verlet_passes,
         int verlet_sweeps) {
        SnapshotFitOptions o;
        o.scheme = snapshot_scheme_from_string(scheme);
        o.verlet_passes = verlet_passes;
        o.verlet_sweeps = verlet_sweeps;
        const std::optional<Anchors> anchors = anchors_of(anchor_x, anchor_h);
        SnapshotFitSummary s;
        {
          hamsam_py::Interruptible interruptible;
          s = fit_snapshots(model, x, x_next, h, o, anchors);
        }
        py::dict d;
        d["summary"] = s.fit;
        d["scheme"] = to_string(s.scheme);
        d["h"] = s.h;
        d["passes"] = s.passes;
        d["half_step_change"] = s.half_step_change;
        return d;
      },
      py::arg("model"), py::arg("x"), py::arg("x_next"), py::arg("h"), py::arg("scheme"), py::arg("anchor_x"),
      py::arg("anchor_h"), py::arg("verlet_passes"), py::arg("verlet_sweeps"));
  m.def(
      "fit_weak",
      [](DenseHamiltonian& model, const std::vector<Matrix>& trajectories, const Vector& times, Index window,
         Index stride, int smoothness, const std::optional<Matrix>& anchor_x, const std::optional<Vector>& anchor_h) {
        WeakFormOptions o;
        o.window = window;
        o.stride = stride;
        o.smoothness = smoothness;
        const std::optional<Anchors> anchors = anchors_of(anchor_x, anchor_h);
        hamsam_py::Interruptible interruptible;
        const WeakForm w = weak_form(trajectories, times, o);
        return model.fit_combined(w.points, w.C, w.targets, anchors);
      },
      py::arg("model"), py::arg("trajectories"), py::arg("times"), py::arg("window"), py::arg("stride"),
      py::arg("smoothness"), py::arg("anchor_x"), py::arg("anchor_h"));
  m.def(
      "fit_cumulative",
      [](DenseHamiltonian& model, const std::vector<Matrix>& trajectories, const Vector& times, Index segment,
         const std::optional<Matrix>& anchor_x, const std::optional<Vector>& anchor_h) {
        const std::optional<Anchors> anchors = anchors_of(anchor_x, anchor_h);
        hamsam_py::Interruptible interruptible;
        const WeakForm w = cumulative_form(trajectories, times, segment);
        return model.fit_combined(w.points, w.C, w.targets, anchors);
      },
      py::arg("model"), py::arg("trajectories"), py::arg("times"), py::arg("segment"), py::arg("anchor_x"),
      py::arg("anchor_h"));
  py::class_<CorrectedHamiltonian, Hamiltonian>(m, "CorrectedHamiltonian")
      .def(py::init([](const Hamiltonian& base, const std::string& scheme, double h, int order) {
             return new CorrectedHamiltonian(base, snapshot_scheme_from_string(scheme), h, order);
           }),
           py::arg("base"), py::arg("scheme"), py::arg("h"), py::arg("order") = 2, py::keep_alive<1, 2>())
      .def("correction", &CorrectedHamiltonian::correction, py::arg("x"))
      .def_property_readonly("order", &CorrectedHamiltonian::order);
  m.def(
      "select_ridge",
      [](const DenseHamiltonian& model, const Matrix& x, const Matrix& xdot, std::vector<double> candidates,
         double validation_fraction, std::uint64_t seed) {
        RidgeSelection s;
        {
          hamsam_py::Interruptible interruptible;
          s = select_ridge(model.options(), x, xdot, std::nullopt, std::move(candidates), validation_fraction,
                           seed);
        }
        py::dict d;
        d["ridge"] = s.ridge;
        d["candidates"] = s.candidates;
        d["validation_error"] = s.validation_error;
        return d;
      },
      py::arg("model"), py::arg("x"), py::arg("xdot"), py::arg("candidates"), py::arg("validation_fraction"),
      py::arg("seed"));
}

}  // namespace hamsam_py
