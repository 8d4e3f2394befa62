// hamsam._core: the graph Hamiltonian network (bind.hpp): GraphHamiltonian (fit on a topology and snapshots,
// energy / gradient / vector field on any topology), its fit summary, tables, the bound Hamiltonian and its
// velocity Verlet. Trajectories cross as (times, batch, 2n) arrays like simulate's.
#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "bind.hpp"
#include "hamsam/hamsam.hpp"
#include "hamsam/particles/graph_model.hpp"

namespace py = pybind11;
using namespace hamsam;
using namespace hamsam::particles;

namespace hamsam_py {
namespace {

py::array_t<double> trajectory_array(const Trajectory& tr) {
  const Index T = tr.times(), B = tr.batch(), D = tr.dim();
  py::array_t<double> out({T, B, D});
  double* dst = out.mutable_data();
  for (Index k = 0; k < T; ++k)
    Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(dst + k * B * D, B, D) =
        tr.at(k);
  return out;
}

GraphFitOptions graph_options(Index kinetic_width, Index pair_width, bool kinetic_linear, const std::string& pair_input,
                              Index message_width, Index message_features, const std::string& sampler,
                              const std::string& activation, const std::string& solver, double rcond,
                              Index block_rows, double anchor_weight, double gauge_weight, Index sample_points,
                              std::uint64_t seed, int blas_threads, int threads) {
  GraphFitOptions o;
  o.kinetic_width = kinetic_width;
  o.pair_width = pair_width;
  o.kinetic_linear = kinetic_linear;
  o.pair_input = pair_input_from_string(pair_input);
  o.message_width = message_width;
  o.message_features = message_features;
  o.sampler = from_string<Sampler>(sampler);
  o.activation = from_string<Activation>(activation);
  o.solver = from_string<Solver>(solver);
  o.rcond = rcond;
  o.block_rows = block_rows;
  o.anchor_weight = anchor_weight;
  o.gauge_weight = gauge_weight;
  o.sample_points = sample_points;
  o.seed = seed;
  o.blas_threads = blas_threads;
  o.threads = threads;
  o.validate();
  return o;
}

py::dict options_dict(const GraphFitOptions& o) {
  py::dict d;
  d["kinetic_width"] = o.kinetic_width;
  d["pair_width"] = o.pair_width;
  d["kinetic_linear"] = o.kinetic_linear;
  d["pair_input"] = to_string(o.pair_input);
  d["message_width"] = o.message_width;
  d["message_features"] = o.message_features;
  d["sampler"] = to_string(o.sampler);
  d["activation"] = to_string(o.activation);
  d["solver"] = to_string(o.solver);
  d["rcond"] = o.rcond;
  d["block_rows"] = o.block_rows;
  d["anchor_weight"] = o.anchor_weight;
  d["gauge_weight"] = o.gauge_weight;
  d["sample_points"] = o.sample_points;
  d["seed"] = o.seed;
  d["blas_threads"] = o.blas_threads;
  d["threads"] = o.threads;
  return d;
}

GraphFitSummary fit_graph(GraphHamiltonian& model, const Topology& topology, const Matrix& x, const Matrix& xdot,
                          const std::optional<Vector>& energy, const std::optional<Matrix>& anchor_x,
                          const std::optional<Vector>& anchor_h, const py::object& progress) {
  std::optional<Anchors> anchors;
  if (anchor_x || anchor_h) {
    require(anchor_x.has_value() && anchor_h.has_value(), "anchor needs both states x0 and values H0");
    anchors = Anchors{*anchor_x, *anchor_h};
  }
  ProgressCallback callback;
  if (!progress.is_none()) {
    callback = [&progress](const Progress& p) {  // on the fitting thread: take the GIL back for the call
      py::gil_scoped_acquire gil;
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
      progress(p.phase, p.fraction);
    };
  }
  py::gil_scoped_release release;
  return model.fit(topology, x, xdot, energy, anchors, callback);
}

}  // namespace

void bind_graph(py::module_& m) {
  py::class_<GraphFitSummary, FitSummary>(m, "GraphFitSummary")
      .def_readonly("snapshots", &GraphFitSummary::snapshots)
      .def_readonly("particles", &GraphFitSummary::particles)
      .def_readonly("edges", &GraphFitSummary::edges)
      .def_readonly("blocks", &GraphFitSummary::blocks)
      .def_readonly("max_block_rows", &GraphFitSummary::max_block_rows)
      .def_readonly("kinetic_networks", &GraphFitSummary::kinetic_networks)
      .def_readonly("pair_networks", &GraphFitSummary::pair_networks)
      .def_readonly("mse", &GraphFitSummary::mse)
      .def("brief", &GraphFitSummary::brief)
      .def("report", &GraphFitSummary::report)
      .def("__str__", &GraphFitSummary::report)
      .def("__repr__", [](const GraphFitSummary& s) { return "<GraphFitSummary " + s.brief() + ">"; });

  py::class_<BoundGraphHamiltonian, Hamiltonian>(m, "BoundGraphHamiltonian")
      .def_property_readonly("topology", &BoundGraphHamiltonian::topology);

  py::class_<GraphHamiltonian>(m, "GraphHamiltonian")
      .def(py::init([](Index kinetic_width, Index pair_width, bool kinetic_linear, const std::string& pair_input,
                       Index message_width, Index message_features, const std::string& sampler,
                       const std::string& activation, const std::string& solver, double rcond, Index block_rows,
                       double anchor_weight, double gauge_weight, Index sample_points, std::uint64_t seed,
                       int blas_threads, int threads) {
             return GraphHamiltonian(graph_options(kinetic_width, pair_width, kinetic_linear, pair_input,
                                                   message_width, message_features, sampler, activation, solver,
                                                   rcond, block_rows, anchor_weight, gauge_weight, sample_points,
                                                   seed, blas_threads, threads));
           }),
           py::arg("kinetic_width"), py::arg("pair_width"), py::arg("kinetic_linear"), py::arg("pair_input"),
           py::arg("message_width"), py::arg("message_features"), py::arg("sampler"), py::arg("activation"),
           py::arg("solver"), py::arg("rcond"), py::arg("block_rows"), py::arg("anchor_weight"),
           py::arg("gauge_weight"), py::arg("sample_points"), py::arg("seed"), py::arg("blas_threads"),
           py::arg("threads"))
      .def("fit", &fit_graph, py::arg("topology"), py::arg("x"), py::arg("xdot"), py::arg("energy") = py::none(),
           py::arg("anchor_x") = py::none(), py::arg("anchor_h") = py::none(), py::arg("progress") = py::none())
      .def("energy", &GraphHamiltonian::energy, py::arg("topology"), py::arg("x"),
           py::call_guard<py::gil_scoped_release>())
      .def("gradient", &GraphHamiltonian::gradient, py::arg("topology"), py::arg("x"),
           py::call_guard<py::gil_scoped_release>())
      .def("vector_field", &GraphHamiltonian::vector_field, py::arg("topology"), py::arg("x"),
           py::call_guard<py::gil_scoped_release>())
      .def("bind", [](const GraphHamiltonian& g, const Topology& t) { return BoundGraphHamiltonian(*g.bind(t)); },
           py::arg("topology"))
      .def("tabulate",
           [](GraphHamiltonian& g, Index knots) {
             const TableReport& r = g.tabulate(knots);
             py::list out;
             for (const auto& e : r.entries) {
               py::dict d;
               d["term"] = e.term;
               d["lo"] = e.lo;
               d["hi"] = e.hi;
               d["knots"] = e.knots;
               d["max_value_error"] = e.max_value_error;
               d["max_derivative_error"] = e.max_derivative_error;
               d["max_value"] = e.max_value;
               d["max_derivative"] = e.max_derivative;
               out.append(d);
             }
             return out;
           },
           py::arg("knots"))
      .def("clear_table", &GraphHamiltonian::clear_table)
      .def_property_readonly("tabulated", &GraphHamiltonian::tabulated)
      .def("pair_term", &GraphHamiltonian::pair_term, py::arg("a"), py::arg("b"), py::arg("r"))
      .def("kinetic_term", &GraphHamiltonian::kinetic_term, py::arg("type"), py::arg("u"))
      .def_property_readonly("fitted", &GraphHamiltonian::fitted)
      .def_property_readonly("dim", &GraphHamiltonian::dim)
      .def_property_readonly("kinetic_types", &GraphHamiltonian::kinetic_types)
      .def_property_readonly("pair_types", &GraphHamiltonian::pair_types)
      .def_property_readonly("options", [](const GraphHamiltonian& g) { return options_dict(g.options()); })
      .def_property_readonly("summary", [](const GraphHamiltonian& g) { return g.summary(); });

  m.def("save_graph_model", &save_graph_model, py::arg("model"), py::arg("path"), py::arg("overwrite"),
        py::call_guard<py::gil_scoped_release>());
  m.def("load_graph_model", &load_graph_model, py::arg("path"), py::call_guard<py::gil_scoped_release>());

  m.def(
      "graph_velocity_verlet",
      [](const BoundGraphHamiltonian& model, const Matrix& x0, double dt, Index steps, int save_every, double skin) {
        VerletOptions o;
        o.save_every = save_every;
        o.skin = skin;
        VerletStats st;
        Trajectory tr;
        {
          py::gil_scoped_release release;
          tr = velocity_verlet(model, x0, dt, steps, o, &st);
        }
        return py::make_tuple(trajectory_array(tr), st.rebuilds, st.force_evaluations);
      },
      py::arg("model"), py::arg("x0"), py::arg("dt"), py::arg("steps"), py::arg("save_every"), py::arg("skin"));
}

}  // namespace hamsam_py
