// hamsam._core: thin pybind11 bindings over the C++ library. The Python package (python/hamsam/) wraps these
// with argument checking, numpy conversion and progress display; users import `hamsam`, not `hamsam._core`.
//
// Conventions:
//   - hamsam::Error surfaces as ValueError with the same message.
//   - Enums travel as strings (the one vocabulary of types.hpp).
//   - Options and summaries cross as dictionaries and keywords derived from their field lists (fields.hpp).
//   - The GIL is released during fits, evaluations and dataset sampling; the progress callback re-acquires it.
#include <pybind11/eigen.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <string>

#include "bind.hpp"
#include "fields.hpp"
#include "fit_call.hpp"
#include "hamsam/hamsam.hpp"

namespace py = pybind11;
using namespace hamsam;
using systems::System;

namespace {

py::tuple box_tuple(const systems::Box& b) { return py::make_tuple(b.low, b.high); }

// ---- fit with the GIL released ----------------------------------------------------------------------------

FitSummary fit_model(DenseHamiltonian& model, const Matrix& x, const Matrix& xdot,
                     const std::optional<Vector>& energy, const std::optional<Matrix>& anchor_x,
                     const std::optional<Vector>& anchor_h, const py::object& progress) {
  const std::optional<Anchors> anchors = hamsam_py::fit_anchors(anchor_x, anchor_h);
  const ProgressCallback callback = hamsam_py::fit_progress(progress);
  hamsam_py::Interruptible interruptible;
  return model.fit(x, xdot, energy, anchors, callback);
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "hamsam C++ core (use the `hamsam` package, which wraps this module)";
  m.attr("__version__") = HAMSAM_VERSION;
  m.attr("MODEL_FORMAT_VERSION") = kModelFormatVersion;

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const hamsam::Error& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const hamsam::Cancelled&) {
      hamsam_py::translate_cancelled();
    }
  });
  // Tried before the one above: a save that would replace a file says how to allow it, in Python's words.
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const hamsam::PathExistsError& e) {
      PyErr_SetString(PyExc_ValueError, (std::string(e.what()) + " (overwrite=True)").c_str());
    }
  });

  // ---- vocabulary ----
  m.def("sampler_names", &all_names<Sampler>);
  m.def("activation_names", &all_names<Activation>);
  m.def("solver_names", &all_names<Solver>);
  m.def("normalise_sampler", [](const std::string& s) { return to_string(from_string<Sampler>(s)); });
  m.def("normalise_activation", [](const std::string& s) { return to_string(from_string<Activation>(s)); });
  m.def("normalise_solver", [](const std::string& s) { return to_string(from_string<Solver>(s)); });
  m.def("available_solvers", [] {
    std::vector<std::string> out;
    for (Solver s : available_solvers()) out.push_back(to_string(s));
    return out;
  });
  m.def("set_blas_threads", &set_blas_threads, py::arg("n"));
  m.def("blas_threads", &blas_threads);

  // ---- metrics ----
  m.def("relative_l2", &relative_l2, py::arg("pred"), py::arg("truth"), py::call_guard<py::gil_scoped_release>());
  m.def("mse", &mse, py::arg("pred"), py::arg("truth"), py::call_guard<py::gil_scoped_release>());

  // ---- Hamiltonians ----
  py::class_<Hamiltonian>(m, "Hamiltonian")
      .def("energy", &Hamiltonian::energy, py::arg("x"), py::call_guard<hamsam_py::Interruptible>())
      .def("gradient", &Hamiltonian::gradient, py::arg("x"), py::call_guard<hamsam_py::Interruptible>())
      .def("vector_field", &Hamiltonian::vector_field, py::arg("x"), py::call_guard<hamsam_py::Interruptible>())
      .def("hessian", &Hamiltonian::hessian, py::arg("x"), py::call_guard<hamsam_py::Interruptible>())
      .def_property_readonly("dof", &Hamiltonian::dof)
      .def_property_readonly("dim", &Hamiltonian::dim)
      .def_property_readonly("name", &Hamiltonian::name)
      .def_property_readonly("separable", &Hamiltonian::separable);

  py::class_<System, Hamiltonian>(m, "System")
      .def("default_box", [](const System& s) { return box_tuple(s.default_box()); })
      .def_property_readonly("parameters", &System::parameters);

  py::class_<systems::HarmonicOscillator, System>(m, "HarmonicOscillator")
      .def(py::init<double, double>(), py::arg("mass") = 1.0, py::arg("stiffness") = 1.0);
  py::class_<systems::Pendulum, System>(m, "Pendulum").def(py::init<double>(), py::arg("frequency") = 1.0);
  py::class_<systems::LotkaVolterra, System>(m, "LotkaVolterra")
      .def(py::init<double, double, double, double>(), py::arg("alpha") = -2.0, py::arg("beta") = -1.0,
           py::arg("gamma") = -1.0, py::arg("delta") = -1.0)
      .def_static("preset", &systems::LotkaVolterra::preset, py::arg("name"));
  py::class_<systems::DoublePendulum, System>(m, "DoublePendulum").def(py::init<>());
  py::class_<systems::HenonHeiles, System>(m, "HenonHeiles").def(py::init<double>(), py::arg("alpha") = 1.0);

  m.def("system_names", &systems::system_names);
  m.def("make_system", &systems::make_system, py::arg("name"), py::arg("params") = std::map<std::string, double>{},
        py::arg("preset") = std::string());

  m.def(
      "sample_box",
      [](const Hamiltonian& h, const Vector& low, const Vector& high, Index n, std::uint64_t seed) {
        systems::Dataset d;
        {
          hamsam_py::Interruptible interruptible;
          d = systems::sample_box(h, systems::Box{low, high}, n, seed);
        }
        return py::make_tuple(std::move(d.x), std::move(d.xdot), std::move(d.energy));
      },
      py::arg("hamiltonian"), py::arg("low"), py::arg("high"), py::arg("n"), py::arg("seed"));

  // ---- fit summary ----
  py::class_<FitSummary> summary(m, "FitSummary");
  summary.def(py::init<>());
  hamsam_py::bind_field_attributes<FitSummary>(summary);
  summary      .def("brief", &FitSummary::brief, "One line: sampler, width, solver, rank, residual, time.")
      .def("report", &FitSummary::report, "The full report, one field per line.")
      .def("to_dict", &hamsam_py::fields_dict<FitSummary>,
           "All fields as a dict (keys are the attribute names); the same fields and shape as to_json().")
      .def("to_json", [](const FitSummary& s) { return to_json(s); })
      .def("__str__", &FitSummary::report)
      .def("__repr__", [](const FitSummary& s) { return "<FitSummary " + s.brief() + ">"; });

  // ---- dense model ----
  py::class_<DenseHamiltonian, Hamiltonian>(m, "DenseHamiltonian")
      .def(py::init([](const py::kwargs& options) {
        return DenseHamiltonian(hamsam_py::fields_from_kwargs<FitOptions>(options));  // validates
      }))
      .def_static("default_options", [] { return hamsam_py::fields_dict(FitOptions{}); })
      .def("fit", &fit_model, py::arg("x"), py::arg("xdot"), py::arg("energy") = py::none(),
           py::arg("anchor_x") = py::none(), py::arg("anchor_h") = py::none(), py::arg("progress") = py::none())
      .def_property_readonly("fitted", &DenseHamiltonian::fitted)
      .def_property_readonly("options", [](const DenseHamiltonian& d) { return hamsam_py::fields_dict(d.options()); })
      .def_property_readonly("options_json", [](const DenseHamiltonian& d) { return to_json(d.options()); })
      .def_property_readonly("W", [](const DenseHamiltonian& d) { return d.layer().W; })
      .def_property_readonly("b", [](const DenseHamiltonian& d) { return d.layer().b; })
      .def_property_readonly("c", [](const DenseHamiltonian& d) { return Vector(d.coefficients()); })
      .def_property_readonly("c0", &DenseHamiltonian::constant)
      .def_property_readonly("kinetic_matrix", [](const DenseHamiltonian& d) { return d.kinetic_matrix(); })
      .def("kinetic_matrix_at", [](const DenseHamiltonian& d, const Vector& q) { return d.kinetic_matrix(q); },
           py::arg("q"))
      .def_property_readonly("summary", [](const DenseHamiltonian& d) { return d.summary(); })
      .def_property(
          "threads", [](const DenseHamiltonian& d) { return d.options().threads; },
          [](DenseHamiltonian& d, int threads) {
            FitOptions o = d.options();
            o.threads = threads;
            o.validate();
            d.options().threads = threads;
          },
          "hamsam's own threads for evaluations (0 = all cores); results do not depend on it.")
      .def_property("metadata_json", &DenseHamiltonian::metadata, &DenseHamiltonian::set_metadata)
      .def_property("units", &DenseHamiltonian::units, &DenseHamiltonian::set_units)
      .def("with_output_weights", &DenseHamiltonian::with_output_weights, py::arg("c"), py::arg("kinetic"),
           py::arg("c0"), "A copy with the same hidden layer and new output weights c, kinetic matrix and constant.");

  m.def("save_model", &save_model, py::arg("model"), py::arg("path"), py::arg("overwrite") = false,
        py::call_guard<py::gil_scoped_release>());
  m.def("load_model", &load_model, py::arg("path"), py::call_guard<py::gil_scoped_release>());
  m.def("model_kind", [](const std::string& path) { return to_string(model_kind(path)); }, py::arg("path"),
        "'dense', 'graph', 'dissipative' or 'unknown' (none: the loaders say what is wrong with the file).");
  m.def(
      "dense_fit_warnings",
      [](const DenseHamiltonian& model, Index points, Index dim, Index anchor_rows, bool with_energy) {
        return dense_fit_warnings(model.options(), points, dim, anchor_rows, with_energy);
      },
      py::arg("model"), py::arg("points"), py::arg("dim"), py::arg("anchor_rows"), py::arg("with_energy"),
      "The warnings a fit of this model's options will record, known before any work (fit(strict=True)).");

  // ---- components, each in its own file (bind.hpp) ----
  hamsam_py::bind_dynamics(m);
  hamsam_py::bind_particles(m);
  hamsam_py::bind_learn(m);
  hamsam_py::bind_graph(m);
  hamsam_py::bind_tools(m);
  hamsam_py::bind_dissipative(m);
}
