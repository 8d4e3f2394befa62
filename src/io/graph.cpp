// Graph model files: the container of io/model_file.hpp (kind "graph"), and the JSON files (format "hamsam-graph",
// version 1) that earlier builds wrote, which still load.
#include <cstring>
#include <map>
#include <string>

#include "container.hpp"
#include "hamsam/io/graph_file.hpp"
#include "hamsam/io/json.hpp"

namespace hamsam::particles {
namespace {

using io::json;

void put(std::vector<double>& p, const Vector& v) { p.insert(p.end(), v.data(), v.data() + v.size()); }

Vector take(io::ParameterReader& r, Index n) {
  const std::vector<double> v = r.take(static_cast<std::uint64_t>(n));
  return Eigen::Map<const Vector>(v.data(), n);
}

/// An integer of a file in [lo, hi], checked before it sizes or indexes anything (a float, a string or an
/// out-of-range number is an error naming `what`).
std::int64_t integer_in(const json& j, std::int64_t lo, std::int64_t hi, const std::string& what) {
  const bool in = j.is_number_integer() &&
                  (j.is_number_unsigned() ? j.get<std::uint64_t>() <= static_cast<std::uint64_t>(hi)
                                          : j.get<std::int64_t>() >= lo && j.get<std::int64_t>() <= hi);
  require(in, "implausible " + what + " " + (j.is_primitive() ? j.dump() : std::string(j.type_name())) +
                  " (an integer in " + std::to_string(lo) + ".." + std::to_string(hi) + " expected)");
  return j.get<std::int64_t>();
}

/// A network's width from the header, at most the number of parameters (checked before anything is allocated).
Index width_of(const json& j, const char* key, std::size_t parameters) {
  return integer_in(j.at(key), 1, static_cast<std::int64_t>(parameters), key);
}

/// A particle type read from a file, bounded before the model sizes its type tables by it.
int type_of(const json& j) { return static_cast<int>(integer_in(j, 0, kMaxParticleType, "particle type")); }

/// The spatial dimension read from a file.
int dim_of(const json& j) { return static_cast<int>(integer_in(j, 1, 3, "dim")); }

ScalarNetwork read_network(io::ParameterReader& r, Index width) {
  ScalarNetwork n;
  n.a = take(r, width);
  n.b = take(r, width);
  n.c = take(r, width);
  n.linear = r.next();
  n.c0 = r.next();
  n.lo = r.next();
  n.hi = r.next();
  return n;
}

// ---- earlier JSON files ------------------------------------------------------------------------------------------

Vector json_vector(const json& j, const char* key) {
  std::vector<double> v;
  io::detail::read_value(j, key, v);
  return Eigen::Map<const Vector>(v.data(), static_cast<Index>(v.size()));
}

ScalarNetwork json_network(const json& j) {
  ScalarNetwork n;
  n.a = json_vector(j.at("a"), "a");
  n.b = json_vector(j.at("b"), "b");
  n.c = json_vector(j.at("c"), "c");
  n.linear = io::json_number(j.at("linear"), "linear");
  n.c0 = io::json_number(j.at("c0"), "c0");
  n.lo = io::json_number(j.at("lo"), "lo");
  n.hi = io::json_number(j.at("hi"), "hi");
  return n;
}

/// The JSON of an earlier graph model file, its format and version checked.
json parse_json_model(const std::string& text, const std::string& where) {
  json j;
  try {
    j = io::parse_file_json(text);
  } catch (const std::exception&) {
    throw Error(where + "is not a hamsam graph model (not JSON)");
  }
  require(j.is_object() && j.contains("format") && j["format"] == "hamsam-graph",
          where + "is not a hamsam graph model (format 'hamsam-graph' expected)");
  const json version = j.contains("version") ? j["version"] : json(0);
  const std::string shown = version.is_primitive() ? version.dump() : std::string(version.type_name());
  require(version.is_number_integer() && version.get<std::int64_t>() >= 1,
          where + "has an invalid graph model version " + shown + " (an integer >= 1 expected: corrupt file)");
  require(version.get<std::int64_t>() <= 1,
          where + "has graph model version " + shown +
              ", newer than this build reads (JSON graph models of version 1): upgrade hamsam to load it");
  return j;
}

GraphParameters read_json_model(const json& j, const std::string& path) {
  GraphParameters g;
  io::fields_from_json(g.options, j.at("options"));
  g.dim = dim_of(j.at("dim"));
  g.train_cutoff = io::json_number(j.at("train_cutoff"), "train_cutoff");
  for (const auto& k : j.at("kinetic")) {
    g.kinetic_types.push_back(type_of(k.at("type")));
    g.kinetic_networks.push_back(json_network(k.at("network")));
  }
  for (const auto& p : j.at("pair")) {
    g.pair_types.emplace_back(type_of(p.at("types").at(0)), type_of(p.at("types").at(1)));
    g.pair_networks.push_back(json_network(p.at("network")));
  }
  if (j.contains("message")) {
    const json& jm = j.at("message");
    MessageLayer L;
    L.alpha = json_vector(jm.at("alpha"), "message.alpha");
    L.beta = json_vector(jm.at("beta"), "message.beta");
    L.node.b = json_vector(jm.at("b"), "message.b");
    L.c = json_vector(jm.at("c"), "message.c");
    const Vector W = json_vector(jm.at("W"), "message.W");
    require(W.size() == L.alpha.size() * L.c.size(), "message layer sizes disagree");
    L.node.W = Eigen::Map<const Matrix>(W.data(), L.alpha.size(), L.c.size());
    g.message = std::move(L);
  }
  const json summary = j.contains("summary") && j["summary"].is_string() ? j["summary"] : json("?");
  g.summary.notes.push_back("loaded from " + path + " (fitted: " + summary.get<std::string>() +
                            "; a JSON graph model of version 1 carries no checksum)");
  return g;
}

// ---- model files -------------------------------------------------------------------------------------------------

GraphParameters read_model(const io::ModelFile& f) {
  const json& h = f.header;
  const std::size_t n = f.parameters.size();
  GraphParameters g;
  io::fields_from_json(g.options, h.at("options"));
  io::fields_from_json(g.summary, h.value("summary", json::object()));
  g.dim = dim_of(h.at("dim"));
  g.units = io::units_of(h, "");
  io::ParameterReader r(f.parameters);
  for (const auto& k : h.at("kinetic")) {
    g.kinetic_types.push_back(type_of(k.at("type")));
    g.kinetic_networks.push_back(read_network(r, width_of(k, "width", n)));
  }
  for (const auto& p : h.at("pair")) {
    g.pair_types.emplace_back(type_of(p.at("types").at(0)), type_of(p.at("types").at(1)));
    g.pair_networks.push_back(read_network(r, width_of(p, "width", n)));
  }
  g.train_cutoff = r.next();
  if (h.contains("terms")) {  // a potential model: each term's named arrays, then the species energies
    const json& terms = h.at("terms");
    require(terms.is_array() && terms.size() <= 64, "implausible terms list");
    for (const auto& t : terms) {
      std::map<std::string, Matrix> state;
      for (const auto& a : t.at("arrays")) {
        const auto rows = integer_in(a.at("rows"), 0, static_cast<std::int64_t>(n), "array rows");
        const auto cols = integer_in(a.at("cols"), 0, static_cast<std::int64_t>(n), "array cols");
        require(rows * cols <= static_cast<std::int64_t>(n), "implausible array size");
        const Vector v = take(r, rows * cols);
        require(a.at("name").is_string(), "an array name must be a string");
        state[a.at("name").get<std::string>()] = Eigen::Map<const Matrix>(v.data(), rows, cols);
      }
      g.term_states.push_back(std::move(state));
    }
    const json& es = h.at("energy_species");
    require(es.is_array() && es.size() <= n, "implausible energy_species");
    for (const auto& s : es) g.energy_species.push_back(type_of(s));
    g.species_energy = take(r, static_cast<Index>(g.energy_species.size()));
  }
  if (h.contains("message")) {
    const json& m = h.at("message");
    const Index K = width_of(m, "features", n), M = width_of(m, "width", n);
    require(static_cast<std::uint64_t>(K) * static_cast<std::uint64_t>(M) <= n, "implausible message layer");
    MessageLayer L;
    L.alpha = take(r, K);
    L.beta = take(r, K);
    const Vector W = take(r, K * M);
    L.node.W = Eigen::Map<const Matrix>(W.data(), K, M);
    L.node.b = take(r, M);
    L.c = take(r, M);
    g.message = std::move(L);
  }
  r.finish();
  return g;
}

}  // namespace

void save_graph_model(const GraphHamiltonian& model, const std::string& path, bool overwrite) {
  require(model.fitted(), "save: the graph model is not fitted yet: call fit() first");
  const GraphParameters& g = model.parameters();
  json header;
  header["options"] = io::fields_to_json(g.options);
  header["summary"] = io::fields_to_json(g.summary);
  header["dim"] = g.dim;
  if (!g.units.empty()) header["units"] = g.units;
  std::vector<double> p;
  json kinetic = json::array(), pair = json::array();
  auto network = [&](const ScalarNetwork& n) {
    put(p, n.a);
    put(p, n.b);
    put(p, n.c);
    p.insert(p.end(), {n.linear, n.c0, n.lo, n.hi});
  };
  for (std::size_t k = 0; k < g.kinetic_networks.size(); ++k) {
    kinetic.push_back({{"type", g.kinetic_types[k]}, {"width", g.kinetic_networks[k].width()}});
    network(g.kinetic_networks[k]);
  }
  for (std::size_t k = 0; k < g.pair_networks.size(); ++k) {
    pair.push_back({{"types", {g.pair_types[k].first, g.pair_types[k].second}}, {"width", g.pair_networks[k].width()}});
    network(g.pair_networks[k]);
  }
  header["kinetic"] = std::move(kinetic);
  header["pair"] = std::move(pair);
  p.push_back(g.train_cutoff);
  if (!g.term_states.empty()) {
    json terms = json::array();
    for (std::size_t k = 0; k < g.term_states.size(); ++k) {
      json arrays = json::array();
      for (const auto& [name, m] : g.term_states[k]) {
        arrays.push_back({{"name", name}, {"rows", m.rows()}, {"cols", m.cols()}});
        p.insert(p.end(), m.data(), m.data() + m.size());
      }
      terms.push_back({{"kind", g.options.terms.empty() ? std::string("pair") : g.options.terms[k]},
                       {"arrays", std::move(arrays)}});
    }
    header["terms"] = std::move(terms);
    header["energy_species"] = g.energy_species;
    put(p, g.species_energy);
  }
  if (g.message) {
    const MessageLayer& L = *g.message;
    header["message"] = {{"features", L.alpha.size()}, {"width", L.width()}};
    put(p, L.alpha);
    put(p, L.beta);
    p.insert(p.end(), L.node.W.data(), L.node.W.data() + L.node.W.size());
    put(p, L.node.b);
    put(p, L.c);
  }
  io::write_model_file(path, "graph", std::move(header), p, overwrite);
}

GraphHamiltonian load_graph_model(const std::string& path) {
  const std::string where = "load: '" + path + "' ";
  const std::string bytes = io::read_bytes(path);
  const auto first = bytes.find_first_not_of(" \t\r\n");
  const bool json_file = !io::has_magic(bytes) && first != std::string::npos && bytes[first] == '{';
  GraphParameters g;
  if (json_file) {  // a file of an earlier build
    const json j = parse_json_model(bytes, where);
    try {
      g = read_json_model(j, path);
    } catch (const std::exception& e) {
      throw Error(where + "is not a valid hamsam graph model: " + e.what());
    }
  } else {
    const io::ModelFile f = io::parse_model_file(bytes, path, "graph");
    try {
      g = read_model(f);
    } catch (const Error& e) {
      throw Error(where + "is not a valid hamsam graph model: " + e.what());
    } catch (const std::exception& e) {
      throw Error(where + "is corrupt (header unreadable: " + e.what() + ")");
    }
  }
  try {
    return GraphHamiltonian(std::move(g));  // checks every size and type against the others
  } catch (const Error& e) {
    throw Error(where + "is not a valid hamsam graph model: " + e.what());
  }
}

}  // namespace hamsam::particles
