// Graph model files: JSON (format "hamsam-graph") written by save_graph_model and read by load_graph_model.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "hamsam/error.hpp"
#include "hamsam/particles/graph/file.hpp"

namespace hamsam::particles {
namespace {
using json = nlohmann::json;
constexpr int kGraphFormatVersion = 1;

json vec_json(const Vector& v) { return std::vector<double>(v.data(), v.data() + v.size()); }
Vector json_vec(const json& j) {
  const auto v = j.get<std::vector<double>>();
  return Eigen::Map<const Vector>(v.data(), static_cast<Index>(v.size()));
}
json net_json(const ScalarNetwork& n) {
  return {{"a", vec_json(n.a)}, {"b", vec_json(n.b)}, {"c", vec_json(n.c)}, {"linear", n.linear},
          {"c0", n.c0}, {"lo", n.lo}, {"hi", n.hi}};
}
ScalarNetwork json_net(const json& j) {
  ScalarNetwork n;
  n.a = json_vec(j.at("a"));
  n.b = json_vec(j.at("b"));
  n.c = json_vec(j.at("c"));
  n.linear = j.at("linear").get<double>();
  n.c0 = j.at("c0").get<double>();
  n.lo = j.at("lo").get<double>();
  n.hi = j.at("hi").get<double>();
  return n;
}
}  // namespace

void save_graph_model(const GraphHamiltonian& m, const std::string& path, bool overwrite) {
  require(m.fitted(), "save: the graph model is not fitted yet: call fit() first");
  require(overwrite || !std::filesystem::exists(path),
          "'" + path + "' already exists: pass overwrite (--force) or choose another path");
  const GraphParameters& p = m.parameters();
  const GraphFitOptions& o = p.options;
  json j;
  j["format"] = "hamsam-graph";
  j["version"] = kGraphFormatVersion;
  j["options"] = {{"kinetic_width", o.kinetic_width}, {"pair_width", o.pair_width},
                  {"kinetic_linear", o.kinetic_linear}, {"pair_input", to_string(o.pair_input)},
                  {"message_width", o.message_width}, {"message_features", o.message_features},
                  {"sampler", to_string(o.sampler)}, {"activation", to_string(o.activation)},
                  {"solver", to_string(o.solver)}, {"rcond", o.rcond}, {"block_rows", o.block_rows},
                  {"anchor_weight", o.anchor_weight}, {"gauge_weight", o.gauge_weight},
                  {"sample_points", o.sample_points}, {"seed", o.seed}};
  j["dim"] = p.dim;
  j["train_cutoff"] = p.train_cutoff;
  j["summary"] = p.summary.brief();
  json kin = json::array(), pair = json::array();
  for (std::size_t k = 0; k < p.kinetic_networks.size(); ++k)
    kin.push_back({{"type", p.kinetic_types[k]}, {"network", net_json(p.kinetic_networks[k])}});
  for (std::size_t k = 0; k < p.pair_networks.size(); ++k)
    pair.push_back({{"types", {p.pair_types[k].first, p.pair_types[k].second}},
                    {"network", net_json(p.pair_networks[k])}});
  j["kinetic"] = kin;
  j["pair"] = pair;
  if (p.message) {
    const MessageLayer& L = *p.message;
    std::vector<double> W(L.node.W.data(), L.node.W.data() + L.node.W.size());
    j["message"] = {{"alpha", vec_json(L.alpha)}, {"beta", vec_json(L.beta)}, {"W", W},
                    {"b", vec_json(L.node.b)}, {"c", vec_json(L.c)}};
  }
  std::ofstream f(path);
  require(static_cast<bool>(f), "cannot write '" + path + "': check that the folder exists and is writable");
  f << j.dump() << "\n";
  require(static_cast<bool>(f), "writing '" + path + "' failed (disk full?)");
}

GraphHamiltonian load_graph_model(const std::string& path) {
  std::ifstream f(path);
  require(static_cast<bool>(f), "cannot read '" + path + "': check the path");
  json j;
  try {
    j = json::parse(f);
  } catch (const std::exception&) {
    throw Error("'" + path + "' is not a hamsam graph model (not JSON)");
  }
  require(j.is_object() && j.value("format", "") == "hamsam-graph",
          "'" + path + "' is not a hamsam graph model (format 'hamsam-graph' expected)");
  require(j.value("version", 0) >= 1 && j.value("version", 0) <= kGraphFormatVersion,
          "'" + path + "' has graph model version " + std::to_string(j.value("version", 0)) +
              "; this hamsam reads versions 1.." + std::to_string(kGraphFormatVersion));
  try {
    const json& jo = j.at("options");
    GraphParameters p;
    GraphFitOptions& o = p.options;
    o.kinetic_width = jo.at("kinetic_width");
    o.pair_width = jo.at("pair_width");
    o.kinetic_linear = jo.at("kinetic_linear");
    o.pair_input = pair_input_from_string(jo.at("pair_input"));
    o.message_width = jo.at("message_width");
    o.message_features = jo.at("message_features");
    o.sampler = from_string<Sampler>(jo.at("sampler").get<std::string>());
    o.activation = from_string<Activation>(jo.at("activation").get<std::string>());
    o.solver = from_string<Solver>(jo.at("solver").get<std::string>());
    o.rcond = jo.at("rcond");
    o.block_rows = jo.at("block_rows");
    o.anchor_weight = jo.at("anchor_weight");
    o.gauge_weight = jo.at("gauge_weight");
    o.sample_points = jo.at("sample_points");
    o.seed = jo.at("seed");
    p.dim = j.at("dim");
    p.train_cutoff = j.at("train_cutoff");
    for (const auto& k : j.at("kinetic")) {
      p.kinetic_types.push_back(k.at("type"));
      p.kinetic_networks.push_back(json_net(k.at("network")));
    }
    for (const auto& q : j.at("pair")) {
      p.pair_types.emplace_back(q.at("types").at(0).get<int>(), q.at("types").at(1).get<int>());
      p.pair_networks.push_back(json_net(q.at("network")));
    }
    if (j.contains("message")) {
      const json& jm = j.at("message");
      MessageLayer L;
      L.alpha = json_vec(jm.at("alpha"));
      L.beta = json_vec(jm.at("beta"));
      L.node.b = json_vec(jm.at("b"));
      L.c = json_vec(jm.at("c"));
      const Vector W = json_vec(jm.at("W"));
      require(W.size() == L.alpha.size() * L.c.size() && L.beta.size() == L.alpha.size() && L.node.b.size() == L.c.size(),
              "message layer sizes disagree");
      L.node.W = Eigen::Map<const Matrix>(W.data(), L.alpha.size(), L.c.size());
      p.message = L;
    }
    p.summary.notes.push_back("loaded from " + path + " (fitted: " + j.value("summary", std::string("?")) + ")");
    return GraphHamiltonian(std::move(p));  // validates the parameters
  } catch (const Error& e) {
    throw Error("'" + path + "' is not a valid hamsam graph model: " + e.what());
  } catch (const std::exception& e) {
    throw Error("'" + path + "' is not a valid hamsam graph model: " + std::string(e.what()));
  }
}

}  // namespace hamsam::particles
