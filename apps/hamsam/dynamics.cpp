// hamsam CLI: the dynamics component's subcommands (see commands.hpp).
//
//   hamsam rollout   integrate a saved model (and optionally the true system) from given states, write CSV/NPZ.
//                    Dense models (hamsam fit --out) and graph models (hamsam fit-graph --out): the library's
//                    kind detection decides; graph models take the particle system
//                    (--system lattice|chain|lj-fluid, --shape, ...) and roll out with velocity Verlet.
#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>

#include "commands.hpp"
#include "common.hpp"

namespace hamsam_cli {
namespace {

struct RolloutArgs {
  std::string model, x0, x0_file, integrator, out;  // integrator "": implicit-midpoint (dense), velocity-verlet (graph)
  double dt = 0.01;
  long long steps = 1000;
  int save_every = 1;
  double threshold = 0.1;
  bool truth = false, force = false, json = false;
  SystemArgs system;
  // graph models
  ParticleArgs particles;
  long long trajectories = 0, tabulate = 0;  // trajectories 0: one random state unless --x0 / --x0-file
  std::uint64_t seed = 0;
  double skin = 0.3;
};

/// States from "--x0 q1,..,pn;q1,..,pn" (one state per ';').
/// `expected` says what a state holds (for the error when the count differs).
Matrix parse_states(const std::string& text, Index dim, const std::string& expected) {
  std::vector<std::vector<double>> rows;
  std::stringstream all(text);
  std::string row;
  while (std::getline(all, row, ';')) {
    std::vector<double> v;
    std::stringstream r(row);
    std::string tok;
    while (std::getline(r, tok, ',')) v.push_back(parse_bound(tok, text));
    if (!v.empty()) rows.push_back(v);
  }
  if (rows.empty()) throw Error("--x0 is empty: give a state as \"q1,..,qn,p1,..,pn\" (several separated by ';')");
  Matrix X(static_cast<Index>(rows.size()), dim);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (static_cast<Index>(rows[i].size()) != dim)
      throw Error("--x0 state " + std::to_string(i + 1) + " has " + std::to_string(rows[i].size()) +
                  " numbers but " + expected);
    for (Index j = 0; j < dim; ++j) X(static_cast<Index>(i), j) = rows[i][static_cast<std::size_t>(j)];
  }
  return X;
}

/// States from a CSV file: one state per line, comma-separated, '#' comments and a non-numeric header skipped.
Matrix read_states_csv(const std::string& path, Index dim, const std::string& expected) {
  std::ifstream in(path);
  if (!in) throw Error("--x0-file '" + path + "' cannot be read: check the path");
  std::string line, text;
  bool first = true;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (first && line.find_first_of("abcdfghijklmnoqrstuvwxyzABCDFGHIJKLMNOQRSTUVWXYZ_") != std::string::npos) {
      first = false;
      continue;  // header
    }
    first = false;
    text += line + ";";
  }
  return parse_states(text, dim, expected);
}

/// States from a .npy file (numpy.save): little-endian float64 or float32 in C order, shape (2n,) or (B, 2n).
Matrix read_states_npy(const std::string& path, Index dim, const std::string& expected) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("--x0-file '" + path + "' cannot be read: check the path");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto bad = [&](const std::string& why) {
    return Error("--x0-file '" + path + "' is not a usable .npy file (" + why +
                 "): save a float64 array of shape (B, " + std::to_string(dim) + ") with numpy.save");
  };
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) throw bad("no NUMPY signature");
  const int major = static_cast<unsigned char>(bytes[6]);
  const std::size_t len_bytes = major == 1 ? 2 : 4, start = 8 + len_bytes;
  if (bytes.size() < start) throw bad("truncated header");
  std::size_t header_len = 0;
  for (std::size_t i = 0; i < len_bytes; ++i)
    header_len |= std::size_t(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
  if (bytes.size() < start + header_len) throw bad("truncated header");
  const std::string header = bytes.substr(start, header_len);
  const bool f8 = header.find("'<f8'") != std::string::npos, f4 = header.find("'<f4'") != std::string::npos;
  if (!f8 && !f4) throw bad("dtype must be float64 or float32, header " + header);
  if (header.find("'fortran_order': False") == std::string::npos) throw bad("Fortran order");
  const std::size_t open = header.find('(', header.find("'shape'")), close = header.find(')', open);
  if (open == std::string::npos || close == std::string::npos) throw bad("no shape");
  std::vector<Index> shape;
  std::stringstream dims(header.substr(open + 1, close - open - 1));
  for (std::string tok; std::getline(dims, tok, ',');)
    if (tok.find_first_not_of(' ') != std::string::npos) shape.push_back(std::stoll(tok));
  if (shape.size() == 1) shape.insert(shape.begin(), 1);
  if (shape.size() != 2 || shape[1] != dim || shape[0] < 1)
    throw bad("shape (" + header.substr(open + 1, close - open - 1) + ") where (B, " + std::to_string(dim) +
              ") is needed: " + expected);
  const std::size_t count = std::size_t(shape[0] * shape[1]), item = f8 ? 8 : 4;
  if (bytes.size() < start + header_len + count * item) throw bad("fewer values than the shape says");
  Matrix X(shape[0], dim);
  const char* data = bytes.data() + start + header_len;
  for (std::size_t i = 0; i < count; ++i) {
    double v;
    if (f8) {
      std::memcpy(&v, data + 8 * i, 8);
    } else {
      float f;
      std::memcpy(&f, data + 4 * i, 4);
      v = f;
    }
    X(Index(i) / dim, Index(i) % dim) = v;
  }
  return X;
}

// ---- output ---------------------------------------------------------------------------------------------------
// CSV: t, trajectory, q1..qn, p1..pn (one row per saved time and trajectory), plus H_model (and H_true, the
// truth's states with their own columns, when --system is given).
/// H at every saved time (T vectors of B values).
using Energies = std::vector<Vector>;
Energies energies_of(const hamsam::Trajectory& tr, const hamsam::Hamiltonian& h) {
  Energies e;
  for (Index k = 0; k < tr.times(); ++k) e.push_back(h.energy(tr.at(k)));
  return e;
}

void write_csv(const std::string& path, const hamsam::Trajectory& tr, const Energies& h_model,
               const hamsam::Trajectory* truth, const Energies* h_true) {
  std::ofstream out(path);
  if (!out) throw Error("--out '" + path + "' cannot be written");
  const Index n = tr.dim() / 2;
  out << "t,trajectory";
  for (Index i = 0; i < n; ++i) out << ",q" << i + 1;
  for (Index i = 0; i < n; ++i) out << ",p" << i + 1;
  out << ",H_model";
  if (truth) {
    for (Index i = 0; i < n; ++i) out << ",q" << i + 1 << "_true";
    for (Index i = 0; i < n; ++i) out << ",p" << i + 1 << "_true";
    out << ",H_true";
  }
  out << "\n";
  out.precision(17);
  for (Index k = 0; k < tr.times(); ++k) {
    const Vector& hm = h_model[static_cast<std::size_t>(k)];
    const Vector* ht = truth ? &(*h_true)[static_cast<std::size_t>(k)] : nullptr;
    for (Index b = 0; b < tr.batch(); ++b) {
      out << double(k) * tr.dt << "," << b;
      for (Index j = 0; j < tr.dim(); ++j) out << "," << tr.at(k)(b, j);
      out << "," << hm(b);
      if (truth) {
        for (Index j = 0; j < tr.dim(); ++j) out << "," << truth->at(k)(b, j);
        out << "," << (*ht)(b);
      }
      out << "\n";
    }
  }
  if (!out) throw Error("--out '" + path + "': writing failed (disk full?)");
}

// NPZ: an uncompressed zip of .npy files (numpy.load reads it): t (T), x (T, B, 2n), H_model (T, B), and with
// --system x_true and H_true.
std::uint32_t crc32(const std::string& data) {
  static std::uint32_t table[256];
  static bool init = false;
  if (!init) {
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      table[i] = c;
    }
    init = true;
  }
  std::uint32_t c = 0xFFFFFFFFu;
  for (unsigned char ch : data) c = table[(c ^ ch) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

std::string npy(const std::vector<double>& v, const std::vector<Index>& shape) {
  std::string dims;
  for (Index s : shape) dims += std::to_string(s) + ",";
  if (shape.size() > 1) dims.pop_back();
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + dims + "), }";
  const std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += "\n";
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  const auto hl = static_cast<std::uint16_t>(header.size());
  out += static_cast<char>(hl & 0xFF);
  out += static_cast<char>(hl >> 8);
  out += header;
  out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(double));
  return out;
}

void put16(std::string& s, std::uint16_t v) {
  s += static_cast<char>(v & 0xFF);
  s += static_cast<char>(v >> 8);
}
void put32(std::string& s, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) s += static_cast<char>((v >> (8 * i)) & 0xFF);
}

void write_npz(const std::string& path, const std::vector<std::pair<std::string, std::string>>& files) {
  std::string body, central;
  for (const auto& [name, data] : files) {
    const std::uint32_t crc = crc32(data), size = static_cast<std::uint32_t>(data.size()),
                        offset = static_cast<std::uint32_t>(body.size());
    std::string local;
    put32(local, 0x04034b50);
    put16(local, 20);
    put16(local, 0);
    put16(local, 0);  // stored
    put16(local, 0);
    put16(local, 0x21);
    put32(local, crc);
    put32(local, size);
    put32(local, size);
    put16(local, static_cast<std::uint16_t>(name.size()));
    put16(local, 0);
    body += local + name + data;
    put32(central, 0x02014b50);
    put16(central, 20);
    put16(central, 20);
    put16(central, 0);
    put16(central, 0);
    put16(central, 0);
    put16(central, 0x21);
    put32(central, crc);
    put32(central, size);
    put32(central, size);
    put16(central, static_cast<std::uint16_t>(name.size()));
    put16(central, 0);
    put16(central, 0);
    put16(central, 0);
    put16(central, 0);
    put32(central, 0);
    put32(central, offset);
    central += name;
  }
  std::string end;
  put32(end, 0x06054b50);
  put16(end, 0);
  put16(end, 0);
  put16(end, static_cast<std::uint16_t>(files.size()));
  put16(end, static_cast<std::uint16_t>(files.size()));
  put32(end, static_cast<std::uint32_t>(central.size()));
  put32(end, static_cast<std::uint32_t>(body.size()));
  put16(end, 0);
  std::ofstream out(path, std::ios::binary);
  if (!out) throw Error("--out '" + path + "' cannot be written");
  out << body << central << end;
  if (!out) throw Error("--out '" + path + "': writing failed (disk full?)");
}

std::string states_npy(const hamsam::Trajectory& tr) {
  std::vector<double> v;
  v.reserve(static_cast<std::size_t>(tr.times() * tr.batch() * tr.dim()));
  for (Index k = 0; k < tr.times(); ++k)
    for (Index b = 0; b < tr.batch(); ++b)
      for (Index j = 0; j < tr.dim(); ++j) v.push_back(tr.at(k)(b, j));
  return npy(v, {tr.times(), tr.batch(), tr.dim()});
}

std::string energies_npy(const hamsam::Trajectory& tr, const Energies& h) {
  std::vector<double> v;
  for (const Vector& e : h) v.insert(v.end(), e.data(), e.data() + e.size());
  return npy(v, {tr.times(), tr.batch()});
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// What any rollout produced: the model's trajectory and energies, and with a truth its trajectory, energies and
/// the comparison. Written and printed the same way for dense and graph models.
struct RolloutResult {
  std::string integrator, truth_name, truth_method;
  hamsam::Trajectory tr;
  Energies h_model;
  double seconds = 0.0;
  std::optional<hamsam::Trajectory> truth;
  Energies h_true;
  std::optional<hamsam::RolloutMetrics> metrics;
  double energy_error_true = 0.0;  // max over t, b of |H_true(x_model(t)) - H_true(x_0)| / |H_true(x_0)|
  json extra_json = json::object();
  std::string extra_text;
};

/// Largest |H(t) - H(0)| / |H(0)| over saved times and trajectories.
double max_energy_drift(const Energies& h) {
  double worst = 0.0;
  for (const Vector& e : h)
    for (Index b = 0; b < e.size(); ++b)
      worst = std::max(worst, std::abs(e(b) - h[0](b)) / std::max(std::abs(h[0](b)), 1e-300));
  return worst;
}

/// Truth energies, the metrics and the true energy error of the model's rollout.
void compare(RolloutResult& r, const hamsam::Hamiltonian& truth_h, double threshold) {
  r.h_true = energies_of(*r.truth, truth_h);
  r.metrics = hamsam::rollout_metrics(r.tr, *r.truth, truth_h, threshold);
  const Energies on_model = energies_of(r.tr, truth_h);
  for (const Vector& e : on_model)
    for (Index b = 0; b < e.size(); ++b)
      r.energy_error_true = std::max(r.energy_error_true, std::abs(e(b) - r.h_true[0](b)) /
                                                               std::max(std::abs(r.h_true[0](b)), 1e-300));
}

Matrix read_x0(const RolloutArgs& a, Index dim, const std::string& expected) {
  return !a.x0.empty()                   ? parse_states(a.x0, dim, expected)
         : ends_with(a.x0_file, ".npy") ? read_states_npy(a.x0_file, dim, expected)
                                         : read_states_csv(a.x0_file, dim, expected);
}

RolloutResult dense_rollout(const RolloutArgs& a) {
  if (a.x0.empty() == a.x0_file.empty())
    throw Error(a.x0.empty() ? "give the initial states with --x0 \"q1,..,p_n\" or --x0-file states.csv|states.npy"
                             : "give either --x0 or --x0-file, not both");
  if (a.trajectories != 0 || a.tabulate != 0)
    throw Error(std::string(a.trajectories ? "--trajectories" : "--tabulate") +
                " is for graph models (hamsam fit-graph); '" + a.model + "' is a dense model");
  hamsam::DenseHamiltonian model = hamsam::load_model(a.model);
  const Matrix x0 = read_x0(a, model.dim(), "the model's states have " + std::to_string(model.dim()) +
                                                " (q1..qn, p1..pn)");
  hamsam::IntegratorOptions opt;
  opt.method = hamsam::integrator_from_string(a.integrator.empty() ? "implicit-midpoint" : a.integrator);
  opt.save_every = a.save_every;
  RolloutResult r;
  r.integrator = hamsam::to_string(opt.method);
  const auto t0 = Clock::now();
  r.tr = hamsam::simulate(model, x0, a.dt, static_cast<Index>(a.steps), opt);
  r.seconds = seconds_since(t0);
  r.h_model = energies_of(r.tr, model);

  if (!a.system.name.empty() || a.truth) {
    std::unique_ptr<hamsam::systems::System> sys;
    if (!a.system.name.empty()) {
      sys = make_system(a.system);
    } else {
      auto stored = stored_system(model);
      if (!stored)
        throw Error("--truth: the model file '" + a.model + "' does not say which system it was trained on: "
                    "pass --system");
      sys = std::move(stored->first);
    }
    if (sys->dim() != model.dim())
      throw Error("--system " + sys->name() + " has states of " + std::to_string(sys->dim()) +
                  " numbers but the model's have " + std::to_string(model.dim()));
    hamsam::IntegratorOptions ref = hamsam::ground_truth_integrator();
    ref.save_every = a.save_every;
    r.truth = hamsam::simulate(*sys, x0, a.dt, static_cast<Index>(a.steps), ref);
    r.truth_name = sys->name();
    r.truth_method = "dopri5 (rtol 1e-12)";
    compare(r, *sys, a.threshold);
  }
  return r;
}

RolloutResult graph_rollout(const RolloutArgs& a) {
  namespace P = hamsam::particles;
  const std::string& name = a.system.name;
  if (name.empty())
    throw Error("--model '" + a.model + "' is a graph model, which stores no topology: give "
                "the particle system with --system lattice|chain|lj-fluid and --shape (lattice, chain) or --n, "
                "--density, --cutoff (lj-fluid)");
  if (!a.x0.empty() && !a.x0_file.empty()) throw Error("give either --x0 or --x0-file, not both");
  if (a.trajectories < 0) throw Error("--trajectories must be >= 1 (got " + std::to_string(a.trajectories) + ")");
  if (a.trajectories > 0 && !(a.x0.empty() && a.x0_file.empty()))
    throw Error("--trajectories draws random initial states: give it or --x0 / --x0-file, not both");
  if (a.tabulate < 0 || a.tabulate == 1)
    throw Error("--tabulate is the number of table knots: 0 (exact networks) or at least 2 (got " +
                std::to_string(a.tabulate) + ")");
  if (a.truth && name != "lj-fluid" && a.particles.potential.empty())
    throw Error("--truth with a graph model needs --potential: the pair potential of the true system (" +
                join(P::potential_names()) + ")");
  P::GraphHamiltonian model = P::load_graph_model(a.model);
  const ParticleSetup setup = make_particle_setup(name, a.particles);
  const P::Topology& top = setup.system->topology();
  const std::string described = "--system " + name + (name == "lj-fluid" ? " --n " + std::to_string(a.particles.n)
                                                                          : " --shape " + a.particles.shape);
  if (top.dim() != model.dim())
    throw Error(described + " is " + std::to_string(top.dim()) + "-dimensional but the model '" + a.model +
                "' was fitted in " + std::to_string(model.dim()) + " dimensions: give " +
                (name == "lj-fluid" ? "a model fitted on a 3-D fluid" : "--shape with " + std::to_string(model.dim()) + " sides"));
  const Index dim = 2 * top.dof();
  const Matrix x0 = a.x0.empty() && a.x0_file.empty()
                        ? setup.states(std::max<long long>(a.trajectories, 1), a.seed + 3)
                        : read_x0(a, dim, described + " has " + std::to_string(top.size()) + " particles in " +
                                              std::to_string(top.dim()) + "-D, so a state has " +
                                              std::to_string(dim) + " numbers (all q particle by particle, then "
                                              "all p): match --shape / --n to the states");
  RolloutResult r;
  if (a.tabulate > 0) {
    const P::TableReport& t = model.tabulate(a.tabulate);
    json entries = json::array();
    for (const auto& e : t.entries)
      entries.push_back({{"term", e.term}, {"knots", e.knots}, {"max_value_error", e.max_value_error},
                         {"max_derivative_error", e.max_derivative_error}});
    r.extra_json["table"] = entries;
    r.extra_text += "tables   " + std::to_string(a.tabulate) + " knots a term:\n" + t.report();
  }
  const auto bound = model.bind(top);  // after tabulate: bind copies the model
  P::VerletOptions vo;
  vo.save_every = a.save_every;
  vo.skin = a.skin;
  P::VerletStats stats;
  const std::string method = a.integrator.empty() ? "velocity-verlet" : a.integrator;
  const auto t0 = Clock::now();
  if (method == "velocity-verlet") {
    r.tr = P::velocity_verlet(*bound, x0, a.dt, static_cast<Index>(a.steps), vo, &stats);
    r.integrator = method;
  } else {
    hamsam::IntegratorOptions opt;
    opt.method = hamsam::integrator_from_string(method);
    opt.save_every = a.save_every;
    r.tr = hamsam::simulate(*bound, x0, a.dt, static_cast<Index>(a.steps), opt);
    r.integrator = hamsam::to_string(opt.method);
  }
  r.seconds = seconds_since(t0);
  r.h_model = energies_of(r.tr, *bound);
  const double particle_steps = double(top.size()) * double(a.steps) * double(x0.rows());
  r.extra_json["system"] = name;
  r.extra_json["particles"] = top.size();
  r.extra_json["dimension"] = top.dim();
  r.extra_json["tabulated"] = a.tabulate > 0;
  r.extra_json["particle_steps_per_second"] = r.seconds > 0 ? particle_steps / r.seconds : 0.0;
  if (r.integrator == "velocity-verlet") {
    r.extra_json["force_evaluations"] = stats.force_evaluations;
    r.extra_json["neighbour_list_rebuilds"] = stats.rebuilds;
  }
  r.extra_text += "system   " + described + ": " + std::to_string(top.size()) + " particles in " +
                  std::to_string(top.dim()) + "-D, " + sci(r.seconds > 0 ? particle_steps / r.seconds : 0.0) +
                  " particle-steps/s" + (a.tabulate > 0 ? " (tabulated)" : " (exact networks)") + "\n";
  if (a.truth) {
    r.truth = P::velocity_verlet(*setup.system, x0, a.dt, static_cast<Index>(a.steps), vo);
    r.truth_name = setup.system->name();
    r.truth_method = "velocity Verlet, same dt";
    compare(r, *setup.system, a.threshold);
  }
  return r;
}

/// The file's format, as the library detects it: a dense model (hamsam fit --out) or a graph model.
enum class ModelFormat { Dense, Graph };
ModelFormat model_format(const std::string& path) {
  if (!std::ifstream(path)) throw Error("--model '" + path + "' cannot be read: check the path");
  switch (hamsam::model_kind(path)) {
    case hamsam::ModelKind::Dense: return ModelFormat::Dense;
    case hamsam::ModelKind::Graph: return ModelFormat::Graph;
    default:
      throw Error("--model '" + path + "' has an unknown format: give a dense model (hamsam fit --out) or a graph "
                  "model (hamsam fit-graph --out)");
  }
}

int run_rollout(const RolloutArgs& a) {
  if (!a.out.empty()) {
    if (!ends_with(a.out, ".csv") && !ends_with(a.out, ".npz"))
      throw Error("--out '" + a.out + "' must end in .csv or .npz (the format follows the extension)");
    check_out_path(a.out, a.force, "nothing was run");
  }
  if (a.steps < 0) throw Error("--steps must be >= 0 (got " + std::to_string(a.steps) + ")");
  const ModelFormat format = model_format(a.model);
  const RolloutResult r = format == ModelFormat::Dense ? dense_rollout(a) : graph_rollout(a);
  const hamsam::Trajectory& tr = r.tr;
  const Index batch = tr.batch();

  if (!a.out.empty()) {
    if (ends_with(a.out, ".csv")) {
      write_csv(a.out, tr, r.h_model, r.truth ? &*r.truth : nullptr, &r.h_true);
    } else {
      std::vector<double> t(static_cast<std::size_t>(tr.times()));
      for (std::size_t k = 0; k < t.size(); ++k) t[k] = double(k) * tr.dt;
      std::vector<std::pair<std::string, std::string>> files = {
          {"t.npy", npy(t, {tr.times()})}, {"x.npy", states_npy(tr)}, {"H_model.npy", energies_npy(tr, r.h_model)}};
      if (r.truth) {
        files.emplace_back("x_true.npy", states_npy(*r.truth));
        files.emplace_back("H_true.npy", energies_npy(*r.truth, r.h_true));
      }
      write_npz(a.out, files);
    }
  }

  const double steps_per_second = r.seconds > 0 ? double(a.steps) * double(batch) / r.seconds : 0.0;
  const double drift = max_energy_drift(r.h_model);
  if (a.json) {
    json j;
    j["command"] = "rollout";
    j["model"] = a.model;
    j["model_format"] = format == ModelFormat::Dense ? "hamsam-model" : "hamsam-graph";
    j["integrator"] = r.integrator;
    j["dt"] = a.dt;
    j["steps"] = a.steps;
    j["trajectories"] = batch;
    j["seconds"] = r.seconds;
    j["trajectory_steps_per_second"] = steps_per_second;
    j["energy_drift_model"] = drift;
    for (const auto& [k, v] : r.extra_json.items()) j[k] = v;
    j["out"] = a.out.empty() ? json(nullptr) : json(a.out);
    if (r.metrics) {
      const auto& m = *r.metrics;
      j["truth"] = {{"system", r.truth_name}, {"integrator", r.truth_method}};
      j["final_rollout_error"] = m.rollout_error_gmean(m.time.size() - 1);
      j["final_energy_error"] = m.energy_error_gmean(m.time.size() - 1);
      j["max_energy_error_true"] = r.energy_error_true;
      j["max_energy_error_true_rollout"] = max_energy_drift(r.h_true);
      j["valid_time"] = std::vector<double>(m.valid_time.data(), m.valid_time.data() + m.valid_time.size());
      j["threshold"] = a.threshold;
      if (format == ModelFormat::Dense) j["system"] = r.truth_name;
    }
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << "rollout  " << batch << " trajectories x " << a.steps << " steps of dt " << num(a.dt) << " ("
            << r.integrator << ") in " << fixed(r.seconds, 3) << " s (" << sci(steps_per_second)
            << " trajectory-steps/s)\n"
            << r.extra_text << "energy   model H drifts by at most " << sci(drift)
            << " (relative, over saved states and trajectories)\n";
  if (r.metrics) {
    const auto& m = *r.metrics;
    const Index last = m.time.size() - 1;
    std::cout << "truth    " << r.truth_name << " with " << r.truth_method << "\n"
              << "at t = " << num(m.time(last)) << ": rollout error " << sci(m.rollout_error_gmean(last))
              << ", energy error " << sci(m.energy_error_gmean(last)) << " (geometric means over trajectories)\n"
              << "true H along the model's rollout: max relative error " << sci(r.energy_error_true)
              << " (along the true rollout: " << sci(max_energy_drift(r.h_true)) << ")\n"
              << "valid prediction time (rollout error <= " << num(a.threshold) << "): ";
    for (Index b = 0; b < m.valid_time.size(); ++b) std::cout << (b ? ", " : "") << num(m.valid_time(b));
    std::cout << "\n";
  }
  if (!a.out.empty()) std::cout << "wrote    " << a.out << "\n";
  return kExitOk;
}

}  // namespace

std::vector<Subcommand> add_dynamics_commands(CLI::App& app) {
  Command<RolloutArgs> cmd(app, "rollout", "integrate a saved model (dense or graph) from given states; optionally "
                                           "compare with the true system; write CSV or NPZ");
  RolloutArgs* a = &cmd.args;
  cmd->add_option("--model", a->model, "model file written by 'hamsam fit --out' or 'hamsam fit-graph --out' (the "
                                       "file's format decides)")->required();
  cmd->add_option("--x0", a->x0, "initial state(s): \"q1,..,qn,p1,..,pn\", several separated by ';' (pi allowed)");
  cmd->add_option("--x0-file", a->x0_file, "initial states from a file: CSV (one state per line) or .npy (shape (B, 2n), float64)");
  cmd->add_option("--dt", a->dt, "time step")->capture_default_str();
  cmd->add_option("--steps", a->steps, "number of steps")->capture_default_str();
  cmd->add_option("--integrator", a->integrator, "integrator: " + join(hamsam::integrator_names()) +
                                                     " (dense models are not separable: not stormer-verlet, yoshida4); "
                                                     "graph models also velocity-verlet; default implicit-midpoint "
                                                     "(dense), velocity-verlet (graph)");
  cmd->add_option("--save-every", a->save_every, "keep every k-th state")->capture_default_str();
  add_system_options(cmd.app, a->system, /*required=*/false, /*with_box=*/false);
  cmd->get_option("--system")->description("dense models: the true system (" + join(hamsam::systems::system_names()) +
                                           "); graph models: the particle system, lattice, chain or lj-fluid");
  a->particles.potential.clear();  // graph models: the true pair potential, needed only with --truth
  add_particle_options(cmd.app, a->particles, "graph models with --truth: the true pair potential");
  cmd->add_option("--trajectories", a->trajectories,
                  "graph models: random initial states (jittered lattice with Maxwell momenta, or the fluid's "
                  "lattice start) when no --x0 / --x0-file is given (default 1)");
  cmd->add_option("--seed", a->seed, "graph models: the random states use seed + 3 (fit-graph used seed + 1, + 2)")
      ->check(kSeed)->capture_default_str();
  cmd->add_option("--tabulate", a->tabulate, "graph models: Hermite tables of the learned terms with this many "
                                             "knots (fast; table errors printed), 0 = exact networks")
      ->capture_default_str();
  cmd->add_option("--skin", a->skin, "graph models on radius graphs: Verlet skin of the neighbour lists")
      ->capture_default_str();
  cmd->add_flag("--truth", a->truth, "compare with the true system: the one stored in a dense model file (or "
                                     "--system); for graph models the particle system with --potential");
  cmd->add_option("--threshold", a->threshold, "rollout error that ends the valid prediction time")
      ->capture_default_str();
  cmd->add_option("--out", a->out, "write the rollout here: .csv or .npz");
  cmd->add_flag("--force", a->force, "allow --out to overwrite an existing file");
  cmd->add_flag("--json", a->json, "print one JSON object instead of text");
  cmd->footer(examples({
      "hamsam rollout --model pendulum.hsm --x0 1,0 --dt 0.05 --steps 2000 --out traj.csv",
      "hamsam rollout --model hh.hsm --x0 \"0.1,0.2,0.1,-0.1;0,0.1,0.2,0\" --dt 0.01 --steps 100000 "
      "--save-every 100 --truth --out hh.npz",
      "hamsam rollout --model lv.hsm --x0-file starts.csv --integrator stormer-verlet-implicit --json",
      "hamsam rollout --model hh.hsm --x0-file starts.npy --system henon-heiles --steps 5000 --out hh.npz --force",
      "hamsam rollout --model springs.json --system lattice --shape 16,16,16 --tabulate 2048 --steps 1000 "
      "--save-every 100 --truth --potential harmonic --out big.npz",
      "hamsam rollout --model lj.json --system lj-fluid --n 1000 --x0-file start.npy --dt 0.005 --steps 200",
  }));
  return {cmd.entry(run_rollout)};
}

}  // namespace hamsam_cli
