// The shared pieces of the hamsam command-line tool declared in common.hpp.
#include "common.hpp"

namespace hamsam_cli {

// ---- text -----------------------------------------------------------------------------------------------------
const char* version_string() { return HAMSAM_VERSION; }

std::string sci(double v, int digits) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*e", digits, v);
  return buf;
}

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

json parse_json(const std::string& text) { return json::parse(text); }

std::string examples(std::initializer_list<const char*> lines) {
  std::string s = "\nExamples:\n";
  for (const char* l : lines) s += std::string("  ") + l + "\n";
  return s;
}

const CLI::Validator kSeed(
    [](std::string& v) {
      return v.find('-') != std::string::npos ? std::string("seeds are integers >= 0 (got ") + v + ")"
                                              : std::string();
    },
    "", "seed");

// ---- progress -------------------------------------------------------------------------------------------------
ProgressBar::ProgressBar(bool enabled, std::string label)
    : enabled_(enabled), label_(std::move(label)), t0_(Clock::now()) {
  if (!enabled_) return;
  ticker_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(m_);
    while (!stop_) {
      draw_locked();
      cv_.wait_for(lock, std::chrono::milliseconds(250));
    }
  });
}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(const hamsam::Progress& p) {
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(m_);
  phase_ = p.phase;
  fraction_ = std::clamp(p.fraction, 0.0, 1.0);
  draw_locked();
}

void ProgressBar::finish() {
  if (!enabled_) return;
  {
    std::lock_guard<std::mutex> lock(m_);
    if (stop_) return;
    stop_ = true;
  }
  cv_.notify_all();
  if (ticker_.joinable()) ticker_.join();
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
}

hamsam::ProgressCallback ProgressBar::callback() {
  if (!enabled_) return {};
  return [this](const hamsam::Progress& p) { update(p); };
}

void ProgressBar::draw_locked() {
  constexpr int kWidth = 24;
  const int filled = static_cast<int>(std::lround(fraction_ * kWidth));
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.append(static_cast<std::size_t>(kWidth - filled), '.');
  std::fprintf(stderr, "\r\033[K%s [%s] %3d%%  %-9s %6.1f s", label_.c_str(), bar.c_str(),
               static_cast<int>(std::lround(fraction_ * 100)), phase_.c_str(), seconds_since(t0_));
  std::fflush(stderr);
}

bool stderr_is_tty() { return ::isatty(STDERR_FILENO) == 1; }

// ---- systems --------------------------------------------------------------------------------------------------
void add_system_options(CLI::App* cmd, SystemArgs& a, bool required, bool with_box) {
  auto* opt = cmd->add_option("--system", a.name,
                              "system: " + join(hamsam::systems::system_names()));
  if (required) opt->required();
  cmd->add_option("--frequency", a.frequency, "pendulum: frequency f in H = p^2/2 + 1 - cos(f q) (default 1)");
  cmd->add_option("--alpha", a.alpha, "henon-heiles: alpha (default 1); lotka-volterra: alpha (default -2)");
  cmd->add_option("--beta", a.beta, "lotka-volterra: beta (default -1)");
  cmd->add_option("--gamma", a.gamma, "lotka-volterra: gamma (default -1)");
  cmd->add_option("--delta", a.delta, "lotka-volterra: delta (default -1)");
  cmd->add_option("--mass", a.mass, "harmonic: mass (default 1)");
  cmd->add_option("--stiffness", a.stiffness, "harmonic: stiffness (default 1)");
  cmd->add_option("--preset", a.preset, "lotka-volterra parameter set: standard, shifted");
  if (with_box)
    cmd->add_option("--box", a.box,
                    "state box: \"lo,hi\" for every coordinate, or \"l1,h1,l2,h2,...\" one pair per coordinate in "
                    "the order q1..qn,p1..pn; numbers may be written with pi (\"-2pi,2pi,-1,1\"); default: the "
                    "system's box");
}

std::unique_ptr<hamsam::systems::System> make_system(const SystemArgs& a) {
  if (a.name.empty())
    throw Error("--system is missing: use one of " + join(hamsam::systems::system_names()));
  std::map<std::string, double> params;
  auto put = [&](const char* key, const std::optional<double>& v) {
    if (v) params[key] = *v;
  };
  put("frequency", a.frequency);
  put("alpha", a.alpha);
  put("beta", a.beta);
  put("gamma", a.gamma);
  put("delta", a.delta);
  put("mass", a.mass);
  put("stiffness", a.stiffness);
  return hamsam::systems::make_system(a.name, params, a.preset);
}

double parse_bound(std::string token, const std::string& whole) {
  auto trim = [](std::string s) {
    const auto b = s.find_first_not_of(" \t");
    const auto e = s.find_last_not_of(" \t");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
  };
  token = trim(token);
  const auto bad = [&] {
    return Error("--box '" + whole + "': '" + token + "' is not a number (write e.g. --box=-5,5 or "
                 "--box=-2pi,2pi,-1,1)");
  };
  if (token.empty()) throw bad();
  double factor = 1.0;
  if (token.size() >= 2 && token.compare(token.size() - 2, 2, "pi") == 0) {
    factor = M_PI;
    token = trim(token.substr(0, token.size() - 2));
    if (!token.empty() && token.back() == '*') token = trim(token.substr(0, token.size() - 1));
    if (token.empty() || token == "+") return factor;
    if (token == "-") return -factor;
  }
  const char* begin = token.c_str();
  char* end = nullptr;
  const double v = std::strtod(begin, &end);
  if (end == begin || *end != '\0' || !std::isfinite(v)) throw bad();
  return v * factor;
}

hamsam::systems::Box parse_box(const std::string& text, Index dim) {
  std::vector<double> v;
  std::string token;
  std::istringstream in(text);
  while (std::getline(in, token, ',')) v.push_back(parse_bound(token, text));
  if (!text.empty() && text.back() == ',') throw Error("--box '" + text + "' ends with a comma");
  hamsam::systems::Box box;
  if (v.size() == 2) {
    box.low = Vector::Constant(dim, v[0]);
    box.high = Vector::Constant(dim, v[1]);
  } else if (v.size() == static_cast<std::size_t>(2 * dim)) {
    box.low.resize(dim);
    box.high.resize(dim);
    for (Index i = 0; i < dim; ++i) {
      box.low(i) = v[static_cast<std::size_t>(2 * i)];
      box.high(i) = v[static_cast<std::size_t>(2 * i + 1)];
    }
  } else {
    throw Error("--box '" + text + "' has " + std::to_string(v.size()) + " numbers: give 2 (\"lo,hi\" for every "
                "coordinate) or " + std::to_string(2 * dim) + " (one \"lo,hi\" pair per coordinate of this " +
                std::to_string(dim) + "-dimensional state)");
  }
  for (Index i = 0; i < dim; ++i)
    if (!(box.low(i) < box.high(i)))
      throw Error("--box '" + text + "': coordinate " + std::to_string(i + 1) + " has lo " + num(box.low(i)) +
                  " >= hi " + num(box.high(i)) + ": give lo < hi");
  return box;
}

hamsam::systems::Box resolve_box(const SystemArgs& a, const hamsam::systems::System& sys) {
  return a.box.empty() ? sys.default_box() : parse_box(a.box, sys.dim());
}

namespace {
/// A bound for display: multiples of pi/2 as "2pi", "-pi", "0.5pi", everything else as a number.
std::string bound(double v) {
  const double halves = std::round(2.0 * v / M_PI);
  if (v != 0.0 && std::abs(v - halves * M_PI / 2.0) <= 1e-12 * std::abs(v)) {
    const double k = halves / 2.0;
    if (k == 1.0) return "pi";
    if (k == -1.0) return "-pi";
    return num(k) + "pi";
  }
  return num(v);
}
}  // namespace

std::string describe_box(const hamsam::systems::Box& box) {
  const Index d = box.low.size();
  bool same = true;
  for (Index i = 1; i < d; ++i) same = same && box.low(i) == box.low(0) && box.high(i) == box.high(0);
  if (same && d > 1) return "[" + bound(box.low(0)) + ", " + bound(box.high(0)) + "]^" + std::to_string(d);
  std::string out;
  for (Index i = 0; i < d; ++i) out += (i ? " x [" : "[") + bound(box.low(i)) + ", " + bound(box.high(i)) + "]";
  return out;
}

std::string describe_system(const hamsam::systems::System& sys) {
  std::string params;
  for (const auto& [k, v] : sys.parameters()) params += (params.empty() ? "" : ", ") + k + "=" + num(v);
  return sys.name() + (params.empty() ? "" : " (" + params + ")");
}

json system_json(const hamsam::systems::System& sys, const SystemArgs& a, const hamsam::systems::Box& box) {
  json params = json::object();
  for (const auto& [k, v] : sys.parameters()) params[k] = v;
  json j;
  j["name"] = sys.name();
  j["parameters"] = params;
  j["preset"] = a.preset.empty() ? json(nullptr) : json(a.preset);
  j["box"] = {{"low", std::vector<double>(box.low.data(), box.low.data() + box.low.size())},
              {"high", std::vector<double>(box.high.data(), box.high.data() + box.high.size())}};
  return j;
}

std::optional<std::pair<std::unique_ptr<hamsam::systems::System>, hamsam::systems::Box>> stored_system(
    const hamsam::DenseHamiltonian& model) {
  const json meta = parse_json(model.metadata());
  if (!meta.contains("system") || !meta["system"].is_object()) return std::nullopt;
  const json& s = meta["system"];
  try {
    std::map<std::string, double> params;
    for (const auto& [k, v] : s.at("parameters").items()) params[k] = v.get<double>();
    auto sys = hamsam::systems::make_system(s.at("name").get<std::string>(), params);
    hamsam::systems::Box box;
    const auto low = s.at("box").at("low").get<std::vector<double>>();
    const auto high = s.at("box").at("high").get<std::vector<double>>();
    box.low = Eigen::Map<const hamsam::Vector>(low.data(), static_cast<Index>(low.size()));
    box.high = Eigen::Map<const hamsam::Vector>(high.data(), static_cast<Index>(high.size()));
    return std::make_pair(std::move(sys), box);
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

// ---- particle systems -----------------------------------------------------------------------------------------
std::vector<Index> parse_shape(const std::string& text) {
  const std::string fix = "--shape '" + text + "': give 1 to 3 positive integers separated by commas, e.g. 2,2,2";
  std::vector<Index> shape;
  std::stringstream ss(text);
  std::string tok;
  while (std::getline(ss, tok, ',')) {
    try {
      std::size_t pos = 0;
      const long long v = std::stoll(tok, &pos);
      if (pos != tok.size() || v < 1) throw std::invalid_argument(tok);
      shape.push_back(static_cast<Index>(v));
    } catch (const std::exception&) {
      throw Error(fix);
    }
  }
  if (shape.empty() || shape.size() > 3) throw Error(fix);
  return shape;
}

void add_particle_options(CLI::App* cmd, ParticleArgs& a, const std::string& potential_help) {
  cmd->add_option("--shape", a.shape, "lattice sides, e.g. 2,2,2 (3-D), 3,3 (2-D); chain: its length")
      ->capture_default_str();
  cmd->add_option("--potential", a.potential,
                  potential_help + ": " + join(hamsam::particles::potential_names()))
      ->capture_default_str();
  cmd->add_option("--n", a.n, "lj-fluid: particles")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--density", a.density, "lj-fluid: number density")->capture_default_str();
  cmd->add_option("--cutoff", a.cutoff, "lj-fluid: cutoff of the potential and the radius graph")
      ->capture_default_str();
  cmd->add_option("--temperature", a.temperature, "Maxwell temperature of the random momenta")->capture_default_str();
  cmd->add_option("--jitter", a.jitter, "lattices: U(-jitter, jitter) on the rest positions")->capture_default_str();
}

ParticleSetup make_particle_setup(const std::string& name, const ParticleArgs& a, const std::string& flag) {
  namespace P = hamsam::particles;
  ParticleSetup s;
  if (name == "lj-fluid") {
    const P::Fluid f = P::lennard_jones_fluid(a.n, 3, a.density, a.temperature, a.cutoff, 1, 0);
    s.system = std::make_shared<P::ParticleSystem>(f.topology,
                                                   P::make_potential("lennard-jones", {{"cutoff", a.cutoff}}));
    s.states = [a](Index count, std::uint64_t seed) {
      return P::lennard_jones_fluid(a.n, 3, a.density, a.temperature, a.cutoff, count, seed).x0;
    };
    return s;
  }
  if (name != "lattice" && name != "chain")
    throw Error(flag + " '" + name + "' is unknown for particle systems: use lattice, chain or lj-fluid");
  const std::vector<Index> shape =
      name == "chain" ? std::vector<Index>{parse_shape(a.shape).front()} : parse_shape(a.shape);
  const P::Topology top = P::lattice(shape);
  s.system = std::make_shared<P::ParticleSystem>(top, P::make_potential(a.potential.empty() ? "harmonic" : a.potential));
  s.states = [top, shape, a](Index count, std::uint64_t seed) {
    P::InitialConditions ic;
    ic.jitter = a.jitter;
    ic.velocities = "maxwell";
    ic.temperature = a.temperature;
    return P::initial_states(top, P::lattice_positions(shape), ic, count, seed);
  };
  return s;
}

void add_thread_options(CLI::App* cmd, std::optional<int>& threads, std::optional<int>& blas_threads) {
  cmd->add_option("--threads", threads, "hamsam's own threads (default: all cores)");
  cmd->add_option("--blas-threads", blas_threads, "OpenBLAS threads (default: as OpenBLAS is set)");
}

// ---- checks ---------------------------------------------------------------------------------------------------
void apply_blas_threads(const std::optional<int>& n) {
  if (!n) return;
  if (*n < 0) throw Error("--blas-threads must be >= 0 (got " + std::to_string(*n) + "; 0 leaves OpenBLAS as it is)");
  if (*n > 0) hamsam::set_blas_threads(*n);
}

void require_points(long long n, const char* flag) {
  if (n < 1) throw Error(std::string(flag) + " must be at least 1 (got " + std::to_string(n) + ")");
}

void check_memory(long long points, Index dim, long long width, hamsam::Solver solver) {
  hamsam::check_fit_memory(points, dim, width, solver, "--width", "--train");
}

void check_out_path(const std::string& out, bool force, const std::string& nothing) {
  if (out.empty()) throw Error("--out is empty: give a file path, e.g. --out model.hsm");
  const fs::path p(out);
  std::error_code ec;
  const auto st = fs::status(p, ec);
  if (fs::exists(st)) {
    if (fs::is_directory(st))
      throw Error("--out '" + out + "' is a directory: give a file path, e.g. --out " +
                  (p / "model.hsm").string());
    if (!force)
      throw Error("--out '" + out + "' already exists: pass --force to overwrite it, or choose another path "
                  "(" + nothing + ")");
  }
  fs::path dir = p.parent_path();
  if (dir.empty()) dir = ".";
  if (!fs::is_directory(dir, ec))
    throw Error("--out '" + out + "': the folder '" + dir.string() + "' does not exist: create it first "
                "(mkdir -p " + dir.string() + ") or choose another path (" + nothing + ")");
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    throw Error("--out '" + out + "': the folder '" + dir.string() + "' is not writable: choose another path "
                "(" + nothing + ")");
}

// ---- test errors ----------------------------------------------------------------------------------------------
TestErrors test_errors(const hamsam::Hamiltonian& model, const hamsam::systems::Dataset& test) {
  TestErrors e;
  e.energy = hamsam::relative_l2(Matrix(model.energy(test.x)), Matrix(test.energy));
  e.vector_field = hamsam::relative_l2(model.vector_field(test.x), test.xdot);
  return e;
}

json errors_json(const TestErrors& e) { return {{"energy", e.energy}, {"vector_field", e.vector_field}}; }

}  // namespace hamsam_cli
