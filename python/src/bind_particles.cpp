// hamsam._core: particle systems (bind.hpp): topologies and neighbour search, pair potentials, ParticleSystem,
// initial conditions, velocity Verlet and datasets. One function per group below; the graph model's bindings
// live in bind_graph.cpp. Edges cross as int64 arrays of shape (E, 2); trajectories as (times, batch, 2n).
#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "bind.hpp"
#include "hamsam/hamsam.hpp"

namespace py = pybind11;
using namespace hamsam;
using namespace hamsam::particles;

namespace hamsam_py {
namespace {

using EdgeArray = py::array_t<std::int64_t>;

EdgeArray edges_to_array(const std::vector<Edge>& edges) {
  EdgeArray out({static_cast<py::ssize_t>(edges.size()), py::ssize_t{2}});
  auto r = out.mutable_unchecked<2>();
  for (std::size_t e = 0; e < edges.size(); ++e) {
    r(e, 0) = edges[e].first;
    r(e, 1) = edges[e].second;
  }
  return out;
}

std::vector<Edge> edges_from_array(const py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>& a) {
  if (a.size() == 0) return {};
  if (a.ndim() != 2 || a.shape(1) != 2)
    throw Error("edges must be an integer array of shape (E, 2), got " + std::to_string(a.ndim()) + " dimensions");
  const auto r = a.unchecked<2>();
  std::vector<Edge> out(static_cast<std::size_t>(r.shape(0)));
  for (py::ssize_t e = 0; e < r.shape(0); ++e) out[e] = {r(e, 0), r(e, 1)};
  return out;
}

std::optional<PeriodicBox> box_from(const std::optional<Vector>& length) {
  if (!length) return std::nullopt;
  return PeriodicBox{*length};
}

// A general cell from its vectors (d x d, one per row) and periodic flags (validated where it is used).
std::optional<Cell> cell_from(const std::optional<Matrix>& vectors, const std::vector<bool>& pbc) {
  if (!vectors) return std::nullopt;
  return Cell{*vectors, pbc};
}

// A pair list as numpy arrays: first, second (E,), shift (E, d) int64, vec (E, d), r (E,).
py::dict pairs_dict(const PairList& pl) {
  const auto E = static_cast<py::ssize_t>(pl.size());
  const auto d = static_cast<py::ssize_t>(pl.dim);
  py::array_t<std::int64_t> first(E), second(E), shift({E, d});
  py::array_t<double> vec({E, d}), r(E);
  std::copy(pl.first.begin(), pl.first.end(), first.mutable_data());
  std::copy(pl.second.begin(), pl.second.end(), second.mutable_data());
  std::copy(pl.shift.begin(), pl.shift.end(), shift.mutable_data());
  std::copy(pl.vec.begin(), pl.vec.end(), vec.mutable_data());
  std::copy(pl.r.begin(), pl.r.end(), r.mutable_data());
  py::dict out;
  out["first"] = first;
  out["second"] = second;
  out["shift"] = shift;
  out["vec"] = vec;
  out["r"] = r;
  return out;
}

py::dict dataset_dict(const ParticleDataset& d) {
  py::dict out;
  out["topology"] = d.topology;
  out["x"] = d.x;
  out["xdot"] = d.xdot;
  out["energy"] = d.energy;
  out["trajectories"] = d.trajectories;
  out["times"] = d.times;
  out["dt"] = d.dt;
  return out;
}

VerletOptions verlet_options(int save_every, double skin) {
  VerletOptions o;
  o.save_every = save_every;
  o.skin = skin;
  o.validate();
  return o;
}

void bind_topology(py::module_& m) {
  py::class_<Topology>(m, "Topology")
      .def(py::init([](int dim, const Vector& mass, std::vector<int> type, const EdgeArray& edges, double cutoff,
                       const std::optional<Vector>& box, const std::optional<Matrix>& cell,
                       const std::vector<bool>& pbc) {
             Topology t;
             t.particles.dim = dim;
             t.particles.mass = mass;
             t.particles.type = type.empty() ? std::vector<int>(static_cast<std::size_t>(mass.size()), 0) : type;
             t.edges = ordered_edges(edges_from_array(edges), mass.size());
             t.cutoff = cutoff;
             t.box = box_from(box);
             t.cell = cell_from(cell, pbc);
             validate(t);
             return t;
           }),
           py::arg("dim"), py::arg("mass"), py::arg("type"), py::arg("edges"), py::arg("cutoff"), py::arg("box"),
           py::arg("cell"), py::arg("pbc"))
      .def_property_readonly("size", &Topology::size)
      .def_property_readonly("dim", &Topology::dim)
      .def_property_readonly("dof", &Topology::dof)
      .def_property_readonly("mass", [](const Topology& t) { return t.particles.mass; })
      .def_property_readonly("type", [](const Topology& t) { return t.particles.type; })
      .def_property_readonly("edges", [](const Topology& t) { return edges_to_array(t.edges); })
      .def_property_readonly("cutoff", [](const Topology& t) { return t.cutoff; })
      .def_property_readonly("box", [](const Topology& t) -> std::optional<Vector> {
        if (!t.box) return std::nullopt;
        return t.box->length;
      })
      .def_property_readonly("cell", [](const Topology& t) -> std::optional<Matrix> {
        if (!t.cell) return std::nullopt;
        return t.cell->vectors;
      })
      .def_property_readonly("pbc", [](const Topology& t) -> std::optional<std::vector<bool>> {
        if (!t.cell) return std::nullopt;
        return t.cell->periodic;
      })
      .def_property_readonly("is_radius_graph", &Topology::is_radius_graph)
      .def("with_particles",
           [](Topology t, const Vector& mass, std::vector<int> type) {
             t.particles.mass = mass;
             if (!type.empty()) t.particles.type = std::move(type);
             validate(t);
             return t;
           },
           py::arg("mass"), py::arg("type"));

  m.def("chain", &chain, py::arg("n"), py::arg("dim"), py::arg("closed"));
  m.def("chain_positions", &chain_positions, py::arg("n"), py::arg("dim"), py::arg("spacing"), py::arg("closed"));
  m.def("chain_box", [](Index n, double spacing) { return chain_box(n, spacing).length; });
  m.def("lattice", &lattice, py::arg("shape"), py::arg("periodic"), py::arg("spacing"));
  m.def("lattice_positions", &lattice_positions, py::arg("shape"), py::arg("spacing"));
  m.def("random_network", &random_network, py::arg("n"), py::arg("dim"), py::arg("mean_degree"), py::arg("seed"));
  m.def("complete_graph", &complete_graph, py::arg("n"), py::arg("dim"));
  m.def(
      "radius_topology",
      [](Index n, int dim, double cutoff, const std::optional<Vector>& box, const std::optional<Matrix>& cell,
         const std::vector<bool>& pbc) {
        require(!(box && cell), "radius_topology: give either box= (orthorhombic) or cell= (general), not both");
        if (cell) return radius_topology(n, dim, cutoff, *cell_from(cell, pbc));
        return radius_topology(n, dim, cutoff, box_from(box));
      },
      py::arg("n"), py::arg("dim"), py::arg("cutoff"), py::arg("box"), py::arg("cell"), py::arg("pbc"));
  m.def(
      "radius_graph",
      [](const Matrix& positions, double cutoff, const std::optional<Vector>& box, bool brute_force) {
        return edges_to_array(without_gil([&] {
          return brute_force ? radius_graph_brute_force(positions, cutoff, box_from(box))
                             : radius_graph(positions, cutoff, box_from(box));
        }));
      },
      py::arg("positions"), py::arg("cutoff"), py::arg("box"), py::arg("brute_force"));
  m.def(
      "neighbor_pairs",
      [](const Matrix& positions, double cutoff, const std::optional<Matrix>& cell, const std::vector<bool>& pbc,
         bool brute_force) {
        const PairList pl = without_gil([&] {
          const auto c = cell_from(cell, pbc);
          return brute_force ? neighbor_pairs_brute_force(positions, cutoff, c) : neighbor_pairs(positions, cutoff, c);
        });
        return pairs_dict(pl);
      },
      py::arg("positions"), py::arg("cutoff"), py::arg("cell"), py::arg("pbc"), py::arg("brute_force"));
  m.def(
      "displacements",
      [](const Topology& t, const EdgeArray& edges, const Matrix& X) {
        const Displacements d = displacements(t, edges_from_array(edges), X);
        return py::make_tuple(d.r, d.distance);
      },
      py::arg("topology"), py::arg("edges"), py::arg("x"));

  py::class_<NeighborList>(m, "NeighborList")
      .def(py::init([](double cutoff, double skin, const std::optional<Vector>& box) {
             return NeighborList(cutoff, skin, box_from(box));
           }),
           py::arg("cutoff"), py::arg("skin"), py::arg("box"))
      .def("update", &NeighborList::update, py::arg("positions"), py::arg("filter") = true,
           py::call_guard<hamsam_py::Interruptible>())
      .def_property_readonly("edges", [](const NeighborList& n) { return edges_to_array(n.edges()); })
      .def_property_readonly("candidates", [](const NeighborList& n) { return edges_to_array(n.candidates()); })
      .def_property_readonly("rebuilds", &NeighborList::rebuilds)
      .def_property_readonly("updates", &NeighborList::updates)
      .def_property_readonly("cutoff", &NeighborList::cutoff)
      .def_property_readonly("skin", &NeighborList::skin);
}

void bind_potentials(py::module_& m) {
  py::class_<PairPotential, std::shared_ptr<PairPotential>>(m, "PairPotential")
      .def_property_readonly("name", &PairPotential::name)
      .def_property_readonly("parameters", &PairPotential::parameters)
      .def_property_readonly("cutoff", &PairPotential::cutoff)
      .def_property_readonly("min_distance", &PairPotential::min_distance)
      .def_property_readonly("mass_weighted", &PairPotential::mass_weighted)
      .def(
          "evaluate",
          [](const PairPotential& p, const Vector& r) {
            Vector v(r.size()), d1(r.size()), d2(r.size());
            for (Index e = 0; e < r.size(); ++e) {
              const PairValue a = p.at(r(e));
              v(e) = a.value;
              d1(e) = a.first;
              d2(e) = a.second;
            }
            return py::make_tuple(v, d1, d2);
          },
          py::arg("r"));
  m.def("potential_names", &potential_names);
  m.def("potential_defaults", &potential_defaults, py::arg("name"));
  m.def(
      "make_potential",
      [](const std::string& name, const std::map<std::string, double>& params) {
        return std::const_pointer_cast<PairPotential>(make_potential(name, params));
      },
      py::arg("name"), py::arg("params"));
}

void bind_particle_system(py::module_& m) {
  py::class_<ParticleSystem, Hamiltonian>(m, "ParticleSystem")
      .def(py::init([](const Topology& t, std::shared_ptr<PairPotential> p) { return ParticleSystem(t, p); }),
           py::arg("topology"), py::arg("potential"))
      .def(py::init([](const Topology& t, const std::map<std::pair<int, int>, std::shared_ptr<PairPotential>>& table) {
             PotentialTable pt;
             for (const auto& [k, v] : table) pt[k] = v;
             return ParticleSystem(t, std::move(pt));
           }),
           py::arg("topology"), py::arg("potentials"))
      .def_property_readonly("topology", &ParticleSystem::topology)
      .def("kinetic_energy", &ParticleSystem::kinetic_energy, py::arg("x"), py::call_guard<hamsam_py::Interruptible>())
      .def("potential_energy", &ParticleSystem::potential_energy, py::arg("x"),
           py::call_guard<hamsam_py::Interruptible>())
      .def("forces", &ParticleSystem::forces, py::arg("x"), py::call_guard<hamsam_py::Interruptible>())
      .def("edges", [](const ParticleSystem& s, const Matrix& positions) {
        return edges_to_array(s.edges(positions));
      }, py::arg("positions"))
      .def("potential", [](const ParticleSystem& s, int a, int b) {
        return std::const_pointer_cast<PairPotential>(s.potential(a, b));
      }, py::arg("a"), py::arg("b"));
}

void bind_particle_simulation(py::module_& m) {
  m.def(
      "initial_states",
      [](const Topology& t, const Matrix& rest, const std::string& positions, double jitter, double low, double high,
         const std::string& velocities, double vlow, double vhigh, double temperature, Index count,
         std::uint64_t seed) {
        InitialConditions ic;
        ic.positions = positions;
        ic.jitter = jitter;
        ic.low = low;
        ic.high = high;
        ic.velocities = velocities;
        ic.velocity_low = vlow;
        ic.velocity_high = vhigh;
        ic.temperature = temperature;
        return initial_states(t, rest, ic, count, seed);
      },
      py::arg("topology"), py::arg("rest_positions"), py::arg("positions"), py::arg("jitter"), py::arg("low"),
      py::arg("high"), py::arg("velocities"), py::arg("velocity_low"), py::arg("velocity_high"),
      py::arg("temperature"), py::arg("count"), py::arg("seed"));
  m.def(
      "lennard_jones_fluid",
      [](Index n, int dim, double density, double temperature, double cutoff, Index count, std::uint64_t seed,
         double mass) {
        Fluid f = lennard_jones_fluid(n, dim, density, temperature, cutoff, count, seed, mass);
        return py::make_tuple(f.topology, f.x0);
      },
      py::arg("n"), py::arg("dim"), py::arg("density"), py::arg("temperature"), py::arg("cutoff"), py::arg("count"),
      py::arg("seed"), py::arg("mass"));
  m.def(
      "velocity_verlet",
      [](const ParticleSystem& s, const Matrix& x0, double dt, Index steps, int save_every, double skin) {
        return verlet_rollout(s, x0, dt, steps, verlet_options(save_every, skin));
      },
      py::arg("system"), py::arg("x0"), py::arg("dt"), py::arg("steps"), py::arg("save_every"), py::arg("skin"));
  m.def(
      "snapshot_dataset",
      [](const ParticleSystem& s, const Matrix& X) {
        return dataset_dict(without_gil([&] { return snapshot_dataset(s, X); }));
      },
      py::arg("system"), py::arg("x"));
  m.def(
      "trajectory_dataset",
      [](const ParticleSystem& s, const Matrix& x0, double dt, Index steps, int save_every, double skin) {
        const VerletOptions o = verlet_options(save_every, skin);
        return dataset_dict(without_gil([&] { return trajectory_dataset(s, x0, dt, steps, o); }));
      },
      py::arg("system"), py::arg("x0"), py::arg("dt"), py::arg("steps"), py::arg("save_every"), py::arg("skin"));
}

}  // namespace

void bind_particles(py::module_& m) {
  bind_topology(m);
  bind_potentials(m);
  bind_particle_system(m);
  bind_particle_simulation(m);
}

}  // namespace hamsam_py
