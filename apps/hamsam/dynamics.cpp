// hamsam CLI: the dynamics component's subcommands (see commands.hpp).
//
//   hamsam rollout   integrate a saved model (and optionally the true system) from given states, write CSV/NPZ
#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>

#include "commands.hpp"
#include "common.hpp"

namespace hamsam_cli {
namespace {

struct RolloutArgs {
  std::string model, x0, x0_file, integrator = "implicit-midpoint", out;
  double dt = 0.01;
  long long steps = 1000;
  int save_every = 1;
  double threshold = 0.1;
  bool truth = false, force = false, json = false;
  SystemArgs system;
};

/// States from "--x0 q1,..,pn;q1,..,pn" (one state per ';').
Matrix parse_states(const std::string& text, Index dim) {
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
                  " numbers but the model's states have " + std::to_string(dim) + " (q1..qn, p1..pn)");
    for (Index j = 0; j < dim; ++j) X(static_cast<Index>(i), j) = rows[i][static_cast<std::size_t>(j)];
  }
  return X;
}

/// States from a CSV file: one state per line, comma-separated, '#' comments and a non-numeric header skipped.
Matrix read_states_csv(const std::string& path, Index dim) {
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
  return parse_states(text, dim);
}

/// States from a .npy file (numpy.save): little-endian float64 or float32 in C order, shape (2n,) or (B, 2n).
Matrix read_states_npy(const std::string& path, Index dim) {
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
              ") is needed: the model's states have " + std::to_string(dim) + " numbers");
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
void write_csv(const std::string& path, const hamsam::Trajectory& tr, const hamsam::Hamiltonian& model,
               const hamsam::Trajectory* truth, const hamsam::Hamiltonian* sys) {
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
    const Vector hm = model.energy(tr.at(k));
    Vector ht;
    if (truth) ht = sys->energy(truth->at(k));
    for (Index b = 0; b < tr.batch(); ++b) {
      out << double(k) * tr.dt << "," << b;
      for (Index j = 0; j < tr.dim(); ++j) out << "," << tr.at(k)(b, j);
      out << "," << hm(b);
      if (truth) {
        for (Index j = 0; j < tr.dim(); ++j) out << "," << truth->at(k)(b, j);
        out << "," << ht(b);
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

std::string energies_npy(const hamsam::Trajectory& tr, const hamsam::Hamiltonian& h) {
  std::vector<double> v;
  for (Index k = 0; k < tr.times(); ++k) {
    const Vector e = h.energy(tr.at(k));
    v.insert(v.end(), e.data(), e.data() + e.size());
  }
  return npy(v, {tr.times(), tr.batch()});
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

int run_rollout(const RolloutArgs& a) {
  if (!a.out.empty()) {
    if (!ends_with(a.out, ".csv") && !ends_with(a.out, ".npz"))
      throw Error("--out '" + a.out + "' must end in .csv or .npz (the format follows the extension)");
    check_out_path(a.out, a.force, "nothing was run");
  }
  if (a.x0.empty() == a.x0_file.empty())
    throw Error(a.x0.empty() ? "give the initial states with --x0 \"q1,..,p_n\" or --x0-file states.csv|states.npy"
                             : "give either --x0 or --x0-file, not both");
  if (a.steps < 0) throw Error("--steps must be >= 0 (got " + std::to_string(a.steps) + ")");
  hamsam::DenseHamiltonian model = hamsam::load_model(a.model);
  const Matrix x0 = !a.x0.empty()                ? parse_states(a.x0, model.dim())
                    : ends_with(a.x0_file, ".npy") ? read_states_npy(a.x0_file, model.dim())
                                                   : read_states_csv(a.x0_file, model.dim());
  hamsam::IntegratorOptions opt;
  opt.method = hamsam::integrator_from_string(a.integrator);
  opt.save_every = a.save_every;
  const auto t0 = Clock::now();
  const hamsam::Trajectory tr = hamsam::simulate(model, x0, a.dt, static_cast<Index>(a.steps), opt);
  const double seconds = seconds_since(t0);

  std::unique_ptr<hamsam::systems::System> sys;
  std::optional<hamsam::Trajectory> truth;
  std::optional<hamsam::RolloutMetrics> metrics;
  if (!a.system.name.empty() || a.truth) {
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
    truth = hamsam::simulate(*sys, x0, a.dt, static_cast<Index>(a.steps), ref);
    metrics = hamsam::rollout_metrics(tr, *truth, *sys, a.threshold);
  }

  if (!a.out.empty()) {
    if (ends_with(a.out, ".csv")) {
      write_csv(a.out, tr, model, truth ? &*truth : nullptr, sys.get());
    } else {
      std::vector<double> t(static_cast<std::size_t>(tr.times()));
      for (std::size_t k = 0; k < t.size(); ++k) t[k] = double(k) * tr.dt;
      std::vector<std::pair<std::string, std::string>> files = {
          {"t.npy", npy(t, {tr.times()})}, {"x.npy", states_npy(tr)}, {"H_model.npy", energies_npy(tr, model)}};
      if (truth) {
        files.emplace_back("x_true.npy", states_npy(*truth));
        files.emplace_back("H_true.npy", energies_npy(*truth, *sys));
      }
      write_npz(a.out, files);
    }
  }

  const double steps_per_second = seconds > 0 ? double(a.steps) * double(x0.rows()) / seconds : 0.0;
  if (a.json) {
    json j;
    j["command"] = "rollout";
    j["model"] = a.model;
    j["integrator"] = hamsam::to_string(opt.method);
    j["dt"] = a.dt;
    j["steps"] = a.steps;
    j["trajectories"] = x0.rows();
    j["seconds"] = seconds;
    j["trajectory_steps_per_second"] = steps_per_second;
    j["out"] = a.out.empty() ? json(nullptr) : json(a.out);
    if (metrics) {
      j["system"] = sys->name();
      j["final_rollout_error"] = metrics->rollout_error_gmean(metrics->time.size() - 1);
      j["final_energy_error"] = metrics->energy_error_gmean(metrics->time.size() - 1);
      j["valid_time"] = std::vector<double>(metrics->valid_time.data(),
                                            metrics->valid_time.data() + metrics->valid_time.size());
      j["threshold"] = a.threshold;
    }
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << "rollout  " << x0.rows() << " trajectories x " << a.steps << " steps of dt " << num(a.dt) << " ("
            << hamsam::to_string(opt.method) << ") in " << fixed(seconds, 3) << " s (" << sci(steps_per_second)
            << " trajectory-steps/s)\n";
  if (metrics) {
    const Index last = metrics->time.size() - 1;
    std::cout << "truth    " << sys->name() << " with dopri5 (rtol 1e-12)\n"
              << "at t = " << num(metrics->time(last)) << ": rollout error " << sci(metrics->rollout_error_gmean(last))
              << ", energy error " << sci(metrics->energy_error_gmean(last))
              << " (geometric means over trajectories)\n"
              << "valid prediction time (rollout error <= " << num(a.threshold) << "): ";
    for (Index b = 0; b < metrics->valid_time.size(); ++b) std::cout << (b ? ", " : "") << num(metrics->valid_time(b));
    std::cout << "\n";
  }
  if (!a.out.empty()) std::cout << "wrote    " << a.out << "\n";
  return kExitOk;
}

}  // namespace

std::vector<Subcommand> add_dynamics_commands(CLI::App& app) {
  auto a = std::make_shared<RolloutArgs>();
  auto* cmd = app.add_subcommand("rollout", "integrate a saved model from given states; optionally compare with "
                                            "the true system; write CSV or NPZ");
  cmd->add_option("--model", a->model, "model file written by 'hamsam fit --out'")->required();
  cmd->add_option("--x0", a->x0, "initial state(s): \"q1,..,qn,p1,..,pn\", several separated by ';' (pi allowed)");
  cmd->add_option("--x0-file", a->x0_file, "initial states from a file: CSV (one state per line) or .npy (shape (B, 2n), float64)");
  cmd->add_option("--dt", a->dt, "time step")->capture_default_str();
  cmd->add_option("--steps", a->steps, "number of steps")->capture_default_str();
  cmd->add_option("--integrator", a->integrator, "integrator: " + join(hamsam::integrator_names()) +
                                                     " (dense models are not separable: not stormer-verlet, yoshida4)")
      ->capture_default_str();
  cmd->add_option("--save-every", a->save_every, "keep every k-th state")->capture_default_str();
  add_system_options(cmd, a->system, /*required=*/false, /*with_box=*/false);
  cmd->add_flag("--truth", a->truth, "compare with the system stored in the model file (or --system)");
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
  }));
  return {{cmd, [a] { return run_rollout(*a); }}};
}

}  // namespace hamsam_cli
