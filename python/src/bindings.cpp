// hamsam._core: thin pybind11 bindings over the C++ library. The Python package (python/hamsam/) wraps these
// with argument checking, numpy conversion and progress display; users import `hamsam`, not `hamsam._core`.
//
// Conventions:
//   - hamsam::Error surfaces as ValueError with the same message.
//   - Enums travel as strings (the one vocabulary of types.hpp).
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
#include "hamsam/hamsam.hpp"

namespace py = pybind11;
using namespace hamsam;
using systems::System;

namespace {

// ---- options <-> keyword arguments ------------------------------------------------------------------------

FitOptions make_options(Index width, const std::string& sampler, const std::string& activation,
                        const std::string& solver, double rcond, double ridge, std::uint64_t seed,
                        std::optional<double> elm_bias_low, std::optional<double> elm_bias_high,
                        double anchor_weight, double energy_weight, int blas_threads, int threads,
                        const std::string& regularization, double validation_fraction) {
  FitOptions o;
  o.width = width;
  o.sampler = from_string<Sampler>(sampler);
  o.activation = from_string<Activation>(activation);
  o.solver = from_string<Solver>(solver);
  o.rcond = rcond;
  o.ridge = ridge;
  o.seed = seed;
  o.elm_bias_low = elm_bias_low.value_or(std::numeric_limits<double>::quiet_NaN());
  o.elm_bias_high = elm_bias_high.value_or(std::numeric_limits<double>::quiet_NaN());
  o.anchor_weight = anchor_weight;
  o.energy_weight = energy_weight;
  o.blas_threads = blas_threads;
  o.threads = threads;
  o.regularization = from_string<Regularization>(regularization);
  o.validation_fraction = validation_fraction;
  o.validate();
  return o;
}

py::dict options_dict(const FitOptions& o) {
  py::dict d;
  d["width"] = o.width;
  d["sampler"] = to_string(o.sampler);
  d["activation"] = to_string(o.activation);
  d["solver"] = to_string(o.solver);
  d["rcond"] = o.rcond;
  d["ridge"] = o.ridge;
  d["seed"] = o.seed;
  if (std::isnan(o.elm_bias_low) || std::isnan(o.elm_bias_high))
    d["elm_bias"] = py::none();
  else
    d["elm_bias"] = py::make_tuple(o.elm_bias_low, o.elm_bias_high);
  d["anchor_weight"] = o.anchor_weight;
  d["energy_weight"] = o.energy_weight;
  d["blas_threads"] = o.blas_threads;
  d["threads"] = o.threads;
  d["regularization"] = to_string(o.regularization);
  d["validation_fraction"] = o.validation_fraction;
  return d;
}

py::dict summary_dict(const FitSummary& s) {
  py::dict d;
  d["width"] = s.width;
  d["dim"] = s.dim;
  d["points"] = s.points;
  d["sampler"] = to_string(s.sampler);
  d["activation"] = to_string(s.activation);
  d["solver"] = to_string(s.solver);
  d["solver_used"] = to_string(s.solver_used);
  d["rows"] = s.rows;
  d["cols"] = s.cols;
  d["rank"] = s.rank;
  d["rcond"] = s.rcond;
  d["residual_norm"] = s.residual_norm;
  d["relative_residual"] = s.relative_residual;
  d["cond_estimate"] = s.cond_estimate;
  d["train_error"] = s.train_error;
  d["seed"] = s.seed;
  d["solves"] = s.solves;
  d["seconds_sampling"] = s.seconds_sampling;
  d["seconds_assembly"] = s.seconds_assembly;
  d["seconds_solve"] = s.seconds_solve;
  d["seconds_total"] = s.seconds_total;
  d["solve_gflops"] = s.solve_gflops;
  d["blas_threads"] = s.blas_threads;
  d["threads"] = s.threads;
  d["anchor"] = s.anchor;
  d["regularization"] = to_string(s.regularization);
  d["ridge"] = s.ridge;
  d["ridge_candidates"] = s.ridge_candidates;
  d["ridge_scores"] = s.ridge_scores;
  d["notes"] = s.notes;
  return d;
}

py::tuple box_tuple(const systems::Box& b) { return py::make_tuple(b.low, b.high); }

// ---- fit with the GIL released ----------------------------------------------------------------------------

FitSummary fit_model(DenseHamiltonian& model, const Matrix& x, const Matrix& xdot,
                     const std::optional<Vector>& energy, const std::optional<Matrix>& anchor_x,
                     const std::optional<Vector>& anchor_h, const py::object& progress) {
  std::optional<Anchors> anchors;
  if (anchor_x || anchor_h) {
    require(anchor_x.has_value() && anchor_h.has_value(), "anchor needs both states x0 and values H0");
    anchors = Anchors{*anchor_x, *anchor_h};
  }
  ProgressCallback callback;
  if (!progress.is_none()) {
    // Called on the fitting thread with the GIL released: take it back for the Python call. `progress` is
    // captured by reference (it outlives the fit) so that no reference counts change without the GIL.
    callback = [&progress](const Progress& p) {
      py::gil_scoped_acquire gil;
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
      progress(p.phase, p.fraction);
    };
  }
  py::gil_scoped_release release;
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
      .def("energy", &Hamiltonian::energy, py::arg("x"), py::call_guard<py::gil_scoped_release>())
      .def("gradient", &Hamiltonian::gradient, py::arg("x"), py::call_guard<py::gil_scoped_release>())
      .def("vector_field", &Hamiltonian::vector_field, py::arg("x"), py::call_guard<py::gil_scoped_release>())
      .def("hessian", &Hamiltonian::hessian, py::arg("x"), py::call_guard<py::gil_scoped_release>())
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
          py::gil_scoped_release release;
          d = systems::sample_box(h, systems::Box{low, high}, n, seed);
        }
        return py::make_tuple(std::move(d.x), std::move(d.xdot), std::move(d.energy));
      },
      py::arg("hamiltonian"), py::arg("low"), py::arg("high"), py::arg("n"), py::arg("seed"));

  // ---- fit summary ----
  py::class_<FitSummary>(m, "FitSummary")
      .def(py::init<>())
      .def_readonly("width", &FitSummary::width)
      .def_readonly("dim", &FitSummary::dim)
      .def_readonly("points", &FitSummary::points)
      .def_property_readonly("sampler", [](const FitSummary& s) { return to_string(s.sampler); })
      .def_property_readonly("activation", [](const FitSummary& s) { return to_string(s.activation); })
      .def_property_readonly("solver", [](const FitSummary& s) { return to_string(s.solver); })
      .def_property_readonly("solver_used", [](const FitSummary& s) { return to_string(s.solver_used); })
      .def_readonly("rows", &FitSummary::rows)
      .def_readonly("cols", &FitSummary::cols)
      .def_readonly("rank", &FitSummary::rank)
      .def_readonly("rcond", &FitSummary::rcond)
      .def_readonly("residual_norm", &FitSummary::residual_norm)
      .def_readonly("relative_residual", &FitSummary::relative_residual)
      .def_readonly("cond_estimate", &FitSummary::cond_estimate)
      .def_readonly("train_error", &FitSummary::train_error)
      .def_readonly("seed", &FitSummary::seed)
      .def_readonly("solves", &FitSummary::solves)
      .def_readonly("seconds_sampling", &FitSummary::seconds_sampling)
      .def_readonly("seconds_assembly", &FitSummary::seconds_assembly)
      .def_readonly("seconds_solve", &FitSummary::seconds_solve)
      .def_readonly("seconds_total", &FitSummary::seconds_total)
      .def_readonly("solve_gflops", &FitSummary::solve_gflops)
      .def_readonly("blas_threads", &FitSummary::blas_threads)
      .def_readonly("threads", &FitSummary::threads)
      .def_readonly("anchor", &FitSummary::anchor)
      .def_property_readonly("regularization", [](const FitSummary& s) { return to_string(s.regularization); })
      .def_readonly("ridge", &FitSummary::ridge)
      .def_readonly("ridge_candidates", &FitSummary::ridge_candidates)
      .def_readonly("ridge_scores", &FitSummary::ridge_scores)
      .def_readonly("notes", &FitSummary::notes)
      .def("brief", &FitSummary::brief, "One line: sampler, width, solver, rank, residual, time.")
      .def("report", &FitSummary::report, "The full report, one field per line.")
      .def("to_dict", &summary_dict, "All fields as a dict (keys are the attribute names).")
      .def("to_json", [](const FitSummary& s) { return to_json(s); })
      .def("__str__", &FitSummary::report)
      .def("__repr__", [](const FitSummary& s) { return "<FitSummary " + s.brief() + ">"; });

  // ---- dense model ----
  py::class_<DenseHamiltonian, Hamiltonian>(m, "DenseHamiltonian")
      .def(py::init([](Index width, const std::string& sampler, const std::string& activation,
                       const std::string& solver, double rcond, double ridge, std::uint64_t seed,
                       std::optional<double> elm_bias_low, std::optional<double> elm_bias_high,
                       double anchor_weight, double energy_weight, int blas_threads, int threads,
                       const std::string& regularization, double validation_fraction) {
             return DenseHamiltonian(make_options(width, sampler, activation, solver, rcond, ridge, seed,
                                                  elm_bias_low, elm_bias_high, anchor_weight, energy_weight,
                                                  blas_threads, threads, regularization, validation_fraction));
           }),
           py::arg("width"), py::arg("sampler"), py::arg("activation"), py::arg("solver"), py::arg("rcond"),
           py::arg("ridge"), py::arg("seed"), py::arg("elm_bias_low"), py::arg("elm_bias_high"),
           py::arg("anchor_weight"), py::arg("energy_weight"), py::arg("blas_threads"), py::arg("threads"),
           py::arg("regularization") = "none", py::arg("validation_fraction") = 0.2)
      .def("fit", &fit_model, py::arg("x"), py::arg("xdot"), py::arg("energy") = py::none(),
           py::arg("anchor_x") = py::none(), py::arg("anchor_h") = py::none(), py::arg("progress") = py::none())
      .def_property_readonly("fitted", &DenseHamiltonian::fitted)
      .def_property_readonly("options", [](const DenseHamiltonian& d) { return options_dict(d.options()); })
      .def_property_readonly("options_json", [](const DenseHamiltonian& d) { return to_json(d.options()); })
      .def_property_readonly("W", [](const DenseHamiltonian& d) { return d.layer().W; })
      .def_property_readonly("b", [](const DenseHamiltonian& d) { return d.layer().b; })
      .def_property_readonly("c", [](const DenseHamiltonian& d) { return Vector(d.coefficients()); })
      .def_property_readonly("c0", &DenseHamiltonian::constant)
      .def_property_readonly("summary", [](const DenseHamiltonian& d) { return d.summary(); })
      .def_property("metadata_json", &DenseHamiltonian::metadata, &DenseHamiltonian::set_metadata);

  m.def("save_model", &save_model, py::arg("model"), py::arg("path"), py::arg("overwrite") = false,
        py::call_guard<py::gil_scoped_release>());
  m.def("load_model", &load_model, py::arg("path"), py::call_guard<py::gil_scoped_release>());

  // ---- components, each in its own file (bind.hpp) ----
  hamsam_py::bind_dynamics(m);
  hamsam_py::bind_particles(m);
  hamsam_py::bind_learn(m);
  hamsam_py::bind_graph(m);
  hamsam_py::bind_tools(m);
}
