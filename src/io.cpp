#include "hamsam/io.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "hamsam/error.hpp"

namespace hamsam {
namespace {

using json = nlohmann::json;
constexpr char kMagic[8] = {'H', 'A', 'M', 'S', 'A', 'M', '\0', 'M'};

std::uint64_t fnv1a(const char* data, std::size_t n, std::uint64_t h = 1469598103934665603ULL) {
  for (std::size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(data[i]);
    h *= 1099511628211ULL;
  }
  return h;
}

template <class T>
void put(std::string& buf, const T& v) {
  buf.append(reinterpret_cast<const char*>(&v), sizeof(T));
}
void put_doubles(std::string& buf, const double* p, Index n) {
  buf.append(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n) * sizeof(double));
}

json options_json(const FitOptions& o) {
  json j;
  j["width"] = o.width;
  j["sampler"] = to_string(o.sampler);
  j["activation"] = to_string(o.activation);
  j["solver"] = to_string(o.solver);
  j["rcond"] = o.rcond;
  j["ridge"] = o.ridge;
  j["regularization"] = to_string(o.regularization);
  j["validation_fraction"] = o.validation_fraction;
  j["seed"] = o.seed;
  j["elm_bias_low"] = std::isnan(o.elm_bias_low) ? json(nullptr) : json(o.elm_bias_low);
  j["elm_bias_high"] = std::isnan(o.elm_bias_high) ? json(nullptr) : json(o.elm_bias_high);
  j["anchor_weight"] = o.anchor_weight;
  j["energy_weight"] = o.energy_weight;
  j["blas_threads"] = o.blas_threads;
  j["threads"] = o.threads;
  return j;
}

FitOptions options_from(const json& j) {
  FitOptions o;
  auto num = [&](const char* k, double& v) {
    if (j.contains(k) && !j[k].is_null()) v = j[k].get<double>();
  };
  if (j.contains("width")) o.width = j["width"].get<Index>();
  if (j.contains("sampler")) o.sampler = from_string<Sampler>(j["sampler"].get<std::string>());
  if (j.contains("activation")) o.activation = from_string<Activation>(j["activation"].get<std::string>());
  if (j.contains("solver")) o.solver = from_string<Solver>(j["solver"].get<std::string>());
  num("rcond", o.rcond);
  num("ridge", o.ridge);
  if (j.contains("regularization"))  // absent in files before it existed: none
    o.regularization = from_string<Regularization>(j["regularization"].get<std::string>());
  num("validation_fraction", o.validation_fraction);
  if (j.contains("seed")) o.seed = j["seed"].get<std::uint64_t>();
  num("elm_bias_low", o.elm_bias_low);
  num("elm_bias_high", o.elm_bias_high);
  num("anchor_weight", o.anchor_weight);
  num("energy_weight", o.energy_weight);
  if (j.contains("blas_threads")) o.blas_threads = j["blas_threads"].get<int>();
  if (j.contains("threads")) o.threads = j["threads"].get<int>();
  return o;
}

json summary_json(const FitSummary& s) {
  json j;
  j["width"] = s.width;
  j["dim"] = s.dim;
  j["points"] = s.points;
  j["sampler"] = to_string(s.sampler);
  j["activation"] = to_string(s.activation);
  j["solver"] = to_string(s.solver);
  j["solver_used"] = to_string(s.solver_used);
  j["rows"] = s.rows;
  j["cols"] = s.cols;
  j["rank"] = s.rank;
  j["rcond"] = s.rcond;
  j["residual_norm"] = s.residual_norm;
  j["relative_residual"] = s.relative_residual;
  j["cond_estimate"] = std::isfinite(s.cond_estimate) ? json(s.cond_estimate) : json("inf");
  j["train_error"] = s.train_error;
  j["seed"] = s.seed;
  j["solves"] = s.solves;
  j["seconds"] = {{"sampling", s.seconds_sampling},
                  {"assembly", s.seconds_assembly},
                  {"solve", s.seconds_solve},
                  {"total", s.seconds_total}};
  j["solve_gflops"] = s.solve_gflops;
  j["blas_threads"] = s.blas_threads;
  j["threads"] = s.threads;
  j["anchor"] = s.anchor;
  j["regularization"] = to_string(s.regularization);
  j["ridge"] = s.ridge;
  j["notes"] = s.notes;
  return j;
}

FitSummary summary_from(const json& j) {
  FitSummary s;
  if (!j.is_object()) return s;
  auto get = [&](const char* k, auto& v) {
    if (j.contains(k) && !j[k].is_null() && !j[k].is_string()) v = j[k].get<std::decay_t<decltype(v)>>();
  };
  get("width", s.width);
  get("dim", s.dim);
  get("points", s.points);
  if (j.contains("sampler")) s.sampler = from_string<Sampler>(j["sampler"].get<std::string>());
  if (j.contains("activation")) s.activation = from_string<Activation>(j["activation"].get<std::string>());
  if (j.contains("solver")) s.solver = from_string<Solver>(j["solver"].get<std::string>());
  if (j.contains("solver_used")) s.solver_used = from_string<Solver>(j["solver_used"].get<std::string>());
  get("rows", s.rows);
  get("cols", s.cols);
  get("rank", s.rank);
  get("rcond", s.rcond);
  get("residual_norm", s.residual_norm);
  get("relative_residual", s.relative_residual);
  if (j.contains("cond_estimate"))
    s.cond_estimate = j["cond_estimate"].is_string() ? INFINITY : j["cond_estimate"].get<double>();
  get("train_error", s.train_error);
  get("seed", s.seed);
  get("solves", s.solves);
  if (j.contains("seconds")) {
    const auto& t = j["seconds"];
    s.seconds_sampling = t.value("sampling", 0.0);
    s.seconds_assembly = t.value("assembly", 0.0);
    s.seconds_solve = t.value("solve", 0.0);
    s.seconds_total = t.value("total", 0.0);
  }
  get("solve_gflops", s.solve_gflops);
  get("blas_threads", s.blas_threads);
  get("threads", s.threads);
  if (j.contains("anchor")) s.anchor = j["anchor"].get<std::string>();
  if (j.contains("regularization"))
    s.regularization = from_string<Regularization>(j["regularization"].get<std::string>());
  get("ridge", s.ridge);
  if (j.contains("notes")) s.notes = j["notes"].get<std::vector<std::string>>();
  return s;
}

}  // namespace

std::string to_json(const FitOptions& options) { return options_json(options).dump(); }
std::string to_json(const FitSummary& summary) { return summary_json(summary).dump(); }
FitOptions options_from_json(const std::string& text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const std::exception& e) {
    throw Error(std::string("options are not valid JSON: ") + e.what());
  }
  require(j.is_object(), "options JSON must be an object");
  FitOptions o = options_from(j);
  o.validate();
  return o;
}

void save_model(const DenseHamiltonian& model, const std::string& path, bool overwrite) {
  require(model.fitted(), "save: the model is not fitted yet: call fit() first");
  require(!path.empty(), "save: the output path is empty");
  namespace fs = std::filesystem;
  const fs::path target(path);
  std::error_code ec;
  if (fs::exists(target, ec)) {
    require(!fs::is_directory(target, ec), "save: '" + path + "' is a directory: give a file name");
    require(overwrite, "save: '" + path + "' exists: choose another path or allow overwriting "
                       "(overwrite=True, CLI --force)");
  }
  const HiddenLayer& L = model.layer();
  json header;
  header["format"] = "hamsam-model";
  header["kind"] = "dense";
  header["hamsam_version"] = HAMSAM_VERSION;
  header["dim"] = L.dim();
  header["width"] = L.width();
  header["options"] = options_json(model.options());
  header["summary"] = summary_json(model.summary());
  header["metadata"] = json::parse(model.metadata());
  const std::string h = header.dump();

  std::string buf;
  buf.append(kMagic, 8);
  put(buf, static_cast<std::uint32_t>(kModelFormatVersion));
  put(buf, static_cast<std::uint64_t>(h.size()));
  buf += h;
  put_doubles(buf, L.W.data(), L.W.size());
  put_doubles(buf, L.b.data(), L.b.size());
  put_doubles(buf, model.coefficients().data(), model.coefficients().size());
  const double c0 = model.constant();
  put(buf, c0);
  put(buf, fnv1a(buf.data(), buf.size()));

  const std::string tmp = path + ".tmp-hamsam";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    require(static_cast<bool>(out), "save: cannot write '" + path + "': " + std::strerror(errno) +
                                        " (check that the folder exists and is writable)");
    out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
    out.flush();
    if (!out) {
      fs::remove(tmp, ec);
      throw Error("save: writing '" + path + "' failed (disk full?)");
    }
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw Error("save: cannot write '" + path + "': " + ec.message());
  }
}

DenseHamiltonian load_model(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  require(static_cast<bool>(in), "load: cannot open '" + path + "': " + std::strerror(errno));
  std::string buf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string where = "load: '" + path + "' ";
  require(buf.size() >= 20, where + "is too short to be a hamsam model file (truncated or not a model)");
  require(std::memcmp(buf.data(), kMagic, 8) == 0, where + "is not a hamsam model file (wrong magic bytes)");
  std::uint32_t version;
  std::uint64_t hlen;
  std::memcpy(&version, buf.data() + 8, 4);
  std::memcpy(&hlen, buf.data() + 12, 8);
  require(version >= 1, where + "has an invalid format version 0 (corrupt file)");
  require(version <= kModelFormatVersion,
          where + "was written by a newer hamsam (model format " + std::to_string(version) +
              "; this build reads up to " + std::to_string(kModelFormatVersion) + "): upgrade hamsam to load it");
  require(hlen <= buf.size() - 20, where + "is truncated (header runs past the end of the file)");
  json header;
  try {
    header = json::parse(buf.substr(20, hlen));
  } catch (const std::exception&) {
    throw Error(where + "is corrupt (its header is not valid JSON)");
  }
  require(header.is_object() && header.value("format", "") == "hamsam-model",
          where + "is corrupt (header does not describe a hamsam model)");
  require(header.value("kind", "") == "dense",
          where + "holds a model of kind '" + header.value("kind", "?") + "', which this build cannot load");
  Index dim = 0, width = 0;
  try {
    dim = header.at("dim").get<Index>();
    width = header.at("width").get<Index>();
  } catch (const std::exception&) {
    throw Error(where + "is corrupt (header lacks dim/width)");
  }
  require(dim >= 2 && width >= 1 && width < (Index(1) << 32) && dim < (Index(1) << 20),
          where + "is corrupt (implausible dim/width)");
  const std::size_t n_doubles = static_cast<std::size_t>(dim * width + 2 * width + 1);
  const std::size_t expected = 20 + hlen + n_doubles * sizeof(double) + 8;
  require(buf.size() >= expected, where + "is truncated (" + std::to_string(buf.size()) + " bytes, expected " +
                                      std::to_string(expected) + ")");
  require(buf.size() == expected, where + "is corrupt (" + std::to_string(buf.size() - expected) +
                                      " unexpected trailing bytes)");
  std::uint64_t stored;
  std::memcpy(&stored, buf.data() + expected - 8, 8);
  require(stored == fnv1a(buf.data(), expected - 8), where + "is corrupt (checksum mismatch)");

  const char* p = buf.data() + 20 + hlen;
  HiddenLayer L;
  L.W.resize(dim, width);
  L.b.resize(width);
  Vector c(width);
  double c0;
  std::memcpy(L.W.data(), p, dim * width * sizeof(double));
  p += dim * width * sizeof(double);
  std::memcpy(L.b.data(), p, width * sizeof(double));
  p += width * sizeof(double);
  std::memcpy(c.data(), p, width * sizeof(double));
  p += width * sizeof(double);
  std::memcpy(&c0, p, sizeof(double));
  FitOptions o;
  FitSummary s;
  try {
    o = options_from(header.at("options"));
    s = summary_from(header.value("summary", json::object()));
  } catch (const Error& e) {
    throw Error(where + "has invalid options: " + e.what());
  } catch (const std::exception& e) {
    throw Error(where + "is corrupt (options/summary unreadable: " + e.what() + ")");
  }
  DenseHamiltonian model(o, std::move(L), std::move(c), c0, std::move(s));
  const json meta = header.value("metadata", json::object());
  if (meta.is_object()) model.set_metadata(meta.dump());
  return model;
}

}  // namespace hamsam
