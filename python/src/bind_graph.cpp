// hamsam._core: the graph Hamiltonian network (bind.hpp): GraphHamiltonian (fit on a topology and snapshots,
// energy / gradient / vector field on any topology), its fit summary, tables, the bound Hamiltonian and its
// velocity Verlet. Trajectories cross as (times, batch, 2n) arrays like simulate's.
#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bind.hpp"
#include "fields.hpp"
#include "fit_call.hpp"
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

GraphFitSummary fit_graph(GraphHamiltonian& model, const Topology& topology, const Matrix& x, const Matrix& xdot,
                          const std::optional<Vector>& energy, const std::optional<Matrix>& anchor_x,
                          const std::optional<Vector>& anchor_h, const py::object& progress) {
  const std::optional<Anchors> anchors = fit_anchors(anchor_x, anchor_h);
  const ProgressCallback callback = fit_progress(progress);
  Interruptible interruptible;
  return model.fit(topology, x, xdot, energy, anchors, callback);
}

/// The configurations of a potential fit from their parts (python/hamsam/graph.py checks and shapes them).
PotentialDataset potential_dataset(const std::vector<Matrix>& positions, const std::vector<std::vector<int>>& species,
                                   const std::vector<std::optional<Matrix>>& cells,
                                   const std::vector<std::vector<bool>>& pbc,
                                   const std::vector<std::optional<double>>& energy,
                                   const std::vector<std::optional<Matrix>>& forces,
                                   const std::vector<std::optional<Matrix>>& virial, const std::vector<double>& weight,
                                   const std::vector<std::string>& group,
                                   const std::map<std::string, std::vector<double>>& groups) {
  const std::size_t n = positions.size();
  require(species.size() == n && cells.size() == n && pbc.size() == n && energy.size() == n && forces.size() == n &&
              virial.size() == n && weight.size() == n && group.size() == n,
          "configurations: every part needs one entry per configuration");
  PotentialDataset data;
  for (std::size_t k = 0; k < n; ++k) {
    Configuration c;
    c.positions = positions[k];
    c.species = species[k];
    if (cells[k]) c.cell = Cell{*cells[k], pbc[k]};
    c.energy = energy[k];
    c.forces = forces[k];
    c.virial = virial[k];
    c.weight = weight[k];
    c.group = group[k];
    data.configurations.push_back(std::move(c));
  }
  for (const auto& [name, w] : groups) {
    require(w.size() == 3, "group weights: give (energy, force, virial) for group '" + name + "'");
    data.groups[name] = GroupWeights{w[0], w[1], w[2]};
  }
  return data;
}

}  // namespace

void bind_graph(py::module_& m) {
  py::class_<GraphFitSummary, FitSummary> summary(m, "GraphFitSummary");
  bind_field_attributes<GraphFitSummary>(summary);
  summary.def("brief", &GraphFitSummary::brief)
      .def("report", &GraphFitSummary::report)
      .def("to_dict", &fields_dict<GraphFitSummary>,
           "All fields as a dict (keys are the attribute names); the same fields and shape as to_json().")
      .def("to_json", [](const GraphFitSummary& s) { return to_json(s); })
      .def("__str__", &GraphFitSummary::report)
      .def("__repr__", [](const GraphFitSummary& s) { return "<GraphFitSummary " + s.brief() + ">"; });

  py::class_<BoundGraphHamiltonian, Hamiltonian>(m, "BoundGraphHamiltonian")
      .def_property_readonly("topology", &BoundGraphHamiltonian::topology);

  py::class_<GraphHamiltonian>(m, "GraphHamiltonian")
      .def(py::init([](const py::kwargs& options) {
        return GraphHamiltonian(fields_from_kwargs<GraphFitOptions>(options));  // validates
      }))
      .def_static("default_options", [] { return fields_dict(GraphFitOptions{}); })
      .def("fit", &fit_graph, py::arg("topology"), py::arg("x"), py::arg("xdot"), py::arg("energy") = py::none(),
           py::arg("anchor_x") = py::none(), py::arg("anchor_h") = py::none(), py::arg("progress") = py::none())
      .def("fit_potential",
           [](GraphHamiltonian& model, const std::vector<Matrix>& positions,
              const std::vector<std::vector<int>>& species, const std::vector<std::optional<Matrix>>& cells,
              const std::vector<std::vector<bool>>& pbc, const std::vector<std::optional<double>>& energy,
              const std::vector<std::optional<Matrix>>& forces, const std::vector<std::optional<Matrix>>& virial,
              const std::vector<double>& weight, const std::vector<std::string>& group,
              const std::map<std::string, std::vector<double>>& groups, const py::object& progress) {
             const PotentialDataset data =
                 potential_dataset(positions, species, cells, pbc, energy, forces, virial, weight, group, groups);
             const ProgressCallback callback = fit_progress(progress);
             Interruptible interruptible;
             return model.fit_potential(data, callback);
           },
           py::arg("positions"), py::arg("species"), py::arg("cells"), py::arg("pbc"), py::arg("energy"),
           py::arg("forces"), py::arg("virial"), py::arg("weight"), py::arg("group"), py::arg("groups"),
           py::arg("progress") = py::none())
      .def("fit_potential_topology",
           [](GraphHamiltonian& model, const Topology& topology, const Matrix& positions, const Matrix& forces,
              const std::optional<Vector>& energy, const std::optional<Matrix>& virial,
              const std::optional<Vector>& weights, const py::object& progress) {
             const ProgressCallback callback = fit_progress(progress);
             Interruptible interruptible;
             return model.fit_potential(topology, positions, forces, energy, virial, weights, callback);
           },
           py::arg("topology"), py::arg("positions"), py::arg("forces"), py::arg("energy") = py::none(),
           py::arg("virial") = py::none(), py::arg("weights") = py::none(), py::arg("progress") = py::none())
      .def("evaluate_configuration",
           [](const GraphHamiltonian& model, const Matrix& positions, const std::vector<int>& species,
              const std::optional<Matrix>& cell, const std::vector<bool>& pbc) {
             Configuration c;
             c.positions = positions;
             c.species = species;
             if (cell) c.cell = Cell{*cell, pbc};
             PotentialResult r;
             {
               py::gil_scoped_release release;
               r = model.evaluate(c);
             }
             return py::make_tuple(r.energy, r.forces, r.virial, r.per_atom);
           },
           py::arg("positions"), py::arg("species"), py::arg("cell"), py::arg("pbc"))
      .def("potential_forces", &GraphHamiltonian::potential_forces, py::arg("topology"), py::arg("positions"),
           py::call_guard<hamsam_py::Interruptible>())
      .def_property_readonly("potential_model", &GraphHamiltonian::potential_model)
      .def_property_readonly("term_model", &GraphHamiltonian::term_model)
      .def_property_readonly("cutoff", &GraphHamiltonian::cutoff)
      .def_property("units", &GraphHamiltonian::units, &GraphHamiltonian::set_units)
      .def_property_readonly("species_energies",
                             [](const GraphHamiltonian& g) {
                               py::dict d;
                               const auto& p = g.parameters();
                               for (std::size_t k = 0; k < p.energy_species.size(); ++k)
                                 d[py::int_(p.energy_species[k])] = p.species_energy(static_cast<Index>(k));
                               return d;
                             })
      .def("energy", &GraphHamiltonian::energy, py::arg("topology"), py::arg("x"),
           py::call_guard<hamsam_py::Interruptible>())
      .def("gradient", &GraphHamiltonian::gradient, py::arg("topology"), py::arg("x"),
           py::call_guard<hamsam_py::Interruptible>())
      .def("vector_field", &GraphHamiltonian::vector_field, py::arg("topology"), py::arg("x"),
           py::call_guard<hamsam_py::Interruptible>())
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
      .def_property_readonly("pair_species", &GraphHamiltonian::pair_species)
      .def_property_readonly("pair_cutoff", &GraphHamiltonian::pair_cutoff)
      .def("pair_range", &GraphHamiltonian::pair_range, py::arg("a"), py::arg("b"))
      .def("kinetic_term", &GraphHamiltonian::kinetic_term, py::arg("type"), py::arg("u"))
      .def_property_readonly("density_dims", &GraphHamiltonian::density_dims)
      .def_property_readonly("density_cutoff", &GraphHamiltonian::density_cutoff)
      .def("density_range", &GraphHamiltonian::density_range, py::arg("species"))
      .def("density_radial", &GraphHamiltonian::density_radial, py::arg("centre"), py::arg("neighbour"), py::arg("r"))
      .def("density_embedding", &GraphHamiltonian::density_embedding, py::arg("species"), py::arg("rho"))
      .def_property_readonly("fitted", &GraphHamiltonian::fitted)
      .def_property_readonly("dim", &GraphHamiltonian::dim)
      .def_property_readonly("kinetic_types", &GraphHamiltonian::kinetic_types)
      .def_property_readonly("pair_types", &GraphHamiltonian::pair_types)
      .def_property_readonly("options", [](const GraphHamiltonian& g) { return fields_dict(g.options()); })
      .def_property_readonly("options_json", [](const GraphHamiltonian& g) { return to_json(g.options()); })
      .def_property_readonly("table_report", [](const GraphHamiltonian& g) { return g.table().report(); },
                             "The text report of the last tabulate() (each term's table errors).")
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
          hamsam_py::Interruptible interruptible;
          tr = velocity_verlet(model, x0, dt, steps, o, &st);
        }
        return py::make_tuple(trajectory_array(tr), st.rebuilds, st.force_evaluations);
      },
      py::arg("model"), py::arg("x0"), py::arg("dt"), py::arg("steps"), py::arg("save_every"), py::arg("skin"));
}

}  // namespace hamsam_py
