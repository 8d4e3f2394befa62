#pragma once
// Model files: one container for every model kind, versioned, checksummed and written atomically (files.hpp).
//
// Layout (little-endian): 8-byte magic "HAMSAM\0M", uint32 format version, uint64 header length, a JSON header
// ("format": "hamsam-model", "kind": "dense" | "graph" | "dissipative", the hamsam version, the options and the fit
// summary, the shapes of the parameters and their count "parameters"), the float64 parameters, and a 64-bit FNV-1a
// checksum of everything before it. Readers accept every format version up to their own; a newer, truncated or
// corrupt file throws hamsam::Error saying which. Format 1 dense files written before the header stated "parameters" load too.
//
// The parameters of each kind, in order:
//   dense  W (dim x width, column-major), b (width), c (width), c0
//   dissipative  H's parameters as a dense model's, then R's layer W_R (dim x width_R, column-major) and b_R,
//          G's layer W_G (dof x width_G, column-major) and b_G, then R's and G's output weights
//          (io/dissipative_file.hpp)
//   graph  the kinetic networks, then the pair networks (each a, b, c (width each), linear, c0, lo, hi), the
//          training cutoff, then the message-passing layer if any (alpha (K), beta (K), W (K x M, column-major),
//          b (M), c (M))
// Graph models saved by earlier builds as JSON (format "hamsam-graph", version 1) still load.
#include <string>

#include "hamsam/dense_model.hpp"
#include "hamsam/io/files.hpp"

namespace hamsam {

/// The newest model-file format this build writes and reads.
constexpr unsigned kModelFormatVersion = 1;

/// What a model file holds.
enum class ModelKind { Dense, Graph, Dissipative, Unknown };
std::string to_string(ModelKind kind);

/// The kind of model in the file at `path`, from its first bytes and header (a JSON file is an earlier graph
/// model). Unknown when it is neither a model file nor JSON; the kind's loader then says what is wrong. Throws
/// hamsam::Error if the file cannot be opened, or if it is a model file whose header is truncated or corrupt.
ModelKind model_kind(const std::string& path);

/// Writes a fitted model. Refuses to replace an existing file unless overwrite is true (PathExistsError).
void save_model(const DenseHamiltonian& model, const std::string& path, bool overwrite = false);
/// Reads a dense model written by save_model (any format version up to kModelFormatVersion).
DenseHamiltonian load_model(const std::string& path);

}  // namespace hamsam
