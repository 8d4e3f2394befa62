#include "container.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "hamsam/io/model_file.hpp"
#include "hamsam/resources.hpp"

namespace hamsam::io {
namespace {

constexpr char kMagic[8] = {'H', 'A', 'M', 'S', 'A', 'M', '\0', 'M'};
constexpr std::size_t kPrefix = 20;  // magic, version, header length

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

struct Prefix {
  unsigned version = 0;
  std::uint64_t header_length = 0;
  json header;
};

/// Magic, version and header of a model file's bytes (the checks every reader starts with).
Prefix read_prefix(const std::string& buf, const std::string& where) {
  require(buf.size() >= kPrefix, where + "is too short to be a hamsam model file (truncated or not a model)");
  require(std::memcmp(buf.data(), kMagic, 8) == 0, where + "is not a hamsam model file (wrong magic bytes)");
  Prefix p;
  std::uint32_t version;
  std::memcpy(&version, buf.data() + 8, 4);
  std::memcpy(&p.header_length, buf.data() + 12, 8);
  p.version = version;
  require(version >= 1, where + "has an invalid format version 0 (corrupt file)");
  require(version <= kModelFormatVersion,
          where + "was written by a newer hamsam (model format " + std::to_string(version) +
              "; this build reads up to " + std::to_string(kModelFormatVersion) + "): upgrade hamsam to load it");
  require(p.header_length <= buf.size() - kPrefix, where + "is truncated (header runs past the end of the file)");
  try {
    p.header = parse_file_json(buf.substr(kPrefix, p.header_length));
  } catch (const std::exception&) {
    throw Error(where + "is corrupt (its header is not valid JSON)");
  }
  require(p.header.is_object() && p.header.contains("format") && p.header["format"] == "hamsam-model",
          where + "is corrupt (header does not describe a hamsam model)");
  require(p.header.contains("kind") && p.header["kind"].is_string(), where + "is corrupt (header names no kind)");
  return p;
}

}  // namespace

std::string read_bytes(const std::string& path) {
  const std::string where = "load: '" + path + "' ";
  auto cannot = [&](int err) {
    return Error("load: cannot open '" + path + "': " + std::strerror(err) + " (cannot read the file: check the path)");
  };
  // O_NONBLOCK: opening a named pipe must not wait for a writer; regular files ignore it.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw cannot(errno);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw cannot(errno);
  require(!S_ISDIR(st.st_mode), where + "is a directory, not a model file: give the model file's path");
  require(S_ISREG(st.st_mode), where + "is not a regular file (a device, pipe or socket): give a model file");
  const auto size = static_cast<std::uint64_t>(st.st_size);
  // The file and the parameters read from it are both held in memory.
  check_memory(bytes_of(static_cast<double>(size), 2.0), "loading '" + path + "'",
               "this file of " + std::to_string(size) + " bytes is too large to be a model this machine can load");
  std::string buf(static_cast<std::size_t>(size), '\0');
  std::size_t got = 0;
  while (got < buf.size()) {
    const ssize_t n = ::read(fd, buf.data() + got, buf.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error(where + "cannot be read: " + std::strerror(errno));
    if (n == 0) break;  // the file shrank meanwhile: the checks below see a truncated file
    got += static_cast<std::size_t>(n);
  }
  buf.resize(got);
  return buf;
}

bool has_magic(const std::string& bytes) { return bytes.size() >= 8 && std::memcmp(bytes.data(), kMagic, 8) == 0; }

void write_model_file(const std::string& path, const std::string& kind, json header,
                      const std::vector<double>& parameters, bool overwrite) {
  header["format"] = "hamsam-model";
  header["kind"] = kind;
  header["hamsam_version"] = HAMSAM_VERSION;
  header["parameters"] = parameters.size();
  const std::string h = header.dump();
  std::string buf;
  buf.reserve(kPrefix + h.size() + parameters.size() * sizeof(double) + 8);
  buf.append(kMagic, 8);
  put(buf, static_cast<std::uint32_t>(kModelFormatVersion));
  put(buf, static_cast<std::uint64_t>(h.size()));
  buf += h;
  buf.append(reinterpret_cast<const char*>(parameters.data()), parameters.size() * sizeof(double));
  put(buf, fnv1a(buf.data(), buf.size()));
  write_file(path, buf, overwrite, "save");
}

ModelFile read_model_file(const std::string& path, const std::string& kind,
                          const std::function<std::uint64_t(const json&)>& legacy_count) {
  return parse_model_file(read_bytes(path), path, kind, legacy_count);
}

ModelFile parse_model_file(const std::string& buf, const std::string& path, const std::string& kind,
                           const std::function<std::uint64_t(const json&)>& legacy_count) {
  const std::string where = "load: '" + path + "' ";
  Prefix p = read_prefix(buf, where);
  const std::string found = p.header["kind"].get<std::string>();
  if (found != kind) {
    require(found != "dense" && found != "graph" && found != "dissipative",
            where + "holds a " + found + " model, not a " + kind + " one: load it as a " + found + " model");
    throw Error(where + "holds a model of kind '" + found + "', which this build cannot load");
  }
  std::uint64_t count = 0;
  if (p.header.contains("parameters")) {
    require(p.header["parameters"].is_number_unsigned(), where + "is corrupt (invalid parameter count)");
    count = p.header["parameters"].get<std::uint64_t>();
  } else {
    require(static_cast<bool>(legacy_count), where + "is corrupt (header lacks the parameter count)");
    count = legacy_count(p.header);
  }
  const std::uint64_t body = buf.size() - kPrefix - p.header_length;  // parameters and checksum
  require(count <= (std::uint64_t(1) << 60), where + "is corrupt (implausible parameter count)");
  const std::uint64_t expected = kPrefix + p.header_length + count * sizeof(double) + 8;
  require(body >= count * sizeof(double) + 8, where + "is truncated (" + std::to_string(buf.size()) +
                                                   " bytes, expected " + std::to_string(expected) + ")");
  require(buf.size() == expected, where + "is corrupt (" + std::to_string(buf.size() - expected) +
                                      " unexpected trailing bytes)");
  std::uint64_t stored;
  std::memcpy(&stored, buf.data() + expected - 8, 8);
  require(stored == fnv1a(buf.data(), expected - 8), where + "is corrupt (checksum mismatch)");
  ModelFile f;
  f.version = p.version;
  f.header = std::move(p.header);
  f.parameters.resize(count);
  if (count > 0)  // memcpy from or to a null pointer is undefined even for 0 bytes
    std::memcpy(f.parameters.data(), buf.data() + kPrefix + p.header_length, count * sizeof(double));
  return f;
}

double ParameterReader::next() { return take(1)[0]; }

std::vector<double> ParameterReader::take(std::uint64_t n) {
  require(n <= p_.size() - at_, "the header describes more parameters than the file holds");
  std::vector<double> out(p_.begin() + at_, p_.begin() + at_ + n);
  at_ += n;
  return out;
}

void ParameterReader::finish() const {
  require(at_ == p_.size(), "the header describes fewer parameters than the file holds");
}

std::string units_of(const json& header, const std::string& where) {
  const auto u = header.find("units");
  if (u == header.end()) return "";
  require(u->is_string(), where + "is corrupt (units must be a string)");
  try {
    check_units(u->get<std::string>());
  } catch (const Error& e) {
    throw Error(where + "is corrupt (" + e.what() + ")");
  }
  return u->get<std::string>();
}

}  // namespace hamsam::io

namespace hamsam {

std::string to_string(ModelKind kind) {
  switch (kind) {
    case ModelKind::Dense: return "dense";
    case ModelKind::Graph: return "graph";
    case ModelKind::Dissipative: return "dissipative";
    default: return "unknown";
  }
}

ModelKind model_kind(const std::string& path) {
  const std::string buf = io::read_bytes(path);
  if (io::has_magic(buf)) {
    const std::string kind = io::read_prefix(buf, "load: '" + path + "' ").header["kind"].get<std::string>();
    if (kind == "dense") return ModelKind::Dense;
    if (kind == "graph") return ModelKind::Graph;
    if (kind == "dissipative") return ModelKind::Dissipative;
    return ModelKind::Unknown;
  }
  const auto first = buf.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && buf[first] == '{') return ModelKind::Graph;  // JSON: an earlier graph model
  return ModelKind::Unknown;
}

}  // namespace hamsam
