#pragma once
// The model-file container of io/model_file.hpp, for the loaders and savers of each kind (private).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "hamsam/dense_model.hpp"
#include "json_fields.hpp"

namespace hamsam::io {

struct ModelFile {
  unsigned version = 0;
  json header;                     ///< "format", "kind", "hamsam_version", the kind's own keys
  std::vector<double> parameters;
};

/// Writes a model of `kind`: the header gets "format", "kind", "hamsam_version" and "parameters" added.
void write_model_file(const std::string& path, const std::string& kind, json header,
                      const std::vector<double>& parameters, bool overwrite);

/// The bytes of a file ("load: cannot open ..." if it cannot be read).
std::string read_bytes(const std::string& path);
/// Whether `bytes` start with the magic of a model file.
bool has_magic(const std::string& bytes);

/// Checks the bytes of a model file (magic, version, header, size, checksum) read from `path`; a file of another
/// kind is an error. `legacy_count` gives the parameter count from a header that lacks "parameters" (files written
/// before headers stated it); without it such a header is corrupt. Messages start with "load: '<path>' ".
ModelFile parse_model_file(const std::string& bytes, const std::string& path, const std::string& kind,
                           const std::function<std::uint64_t(const json&)>& legacy_count = {});
/// parse_model_file(read_bytes(path), ...).
ModelFile read_model_file(const std::string& path, const std::string& kind,
                          const std::function<std::uint64_t(const json&)>& legacy_count = {});

/// The "units" of a model header ("" when absent, as in files of earlier versions); `where` starts the message
/// of a units entry that is not a valid units string (check_units).
std::string units_of(const json& header, const std::string& where);

/// Reads parameters in order, checking each count against what is left (hamsam::Error when the header and the
/// parameters disagree; callers add the file's name).
class ParameterReader {
 public:
  explicit ParameterReader(const std::vector<double>& p) : p_(p) {}
  double next();
  /// The next n values (n checked before anything is allocated).
  std::vector<double> take(std::uint64_t n);
  /// Throws unless every parameter was read.
  void finish() const;

 private:
  const std::vector<double>& p_;
  std::size_t at_ = 0;
};

/// A dense model's part of a file, shared by the kinds that hold one (dense, dissipative): the header (dim, width,
/// options, summary, metadata, units) and the parameters W (dim x width, column-major), b, c, c0.
json dense_header(const DenseHamiltonian& model);
void append_dense_parameters(const DenseHamiltonian& model, std::vector<double>& parameters);
/// The parameter count a dense header describes (hamsam::Error "<where>is corrupt (...)" when implausible).
std::uint64_t dense_parameter_count(const json& header, const std::string& where);
/// Reads the dense model that `header` describes from the next parameters of `r`.
DenseHamiltonian read_dense(const json& header, ParameterReader& r, const std::string& where);

}  // namespace hamsam::io
