#pragma once
// Model files (versioned) and JSON views of options and summaries.
//
// File layout (little-endian): 8-byte magic "HAMSAM\0M", uint32 format version, uint64 header length, a JSON
// header (kind, shapes, options incl. seed, fit summary, hamsam version), the float64 parameters
// (W column-major, b, c, c0), and a 64-bit FNV-1a checksum of everything before it. Readers accept every
// format version up to their own; a newer, truncated or corrupt file throws hamsam::Error saying which.
#include <string>

#include "hamsam/dense_model.hpp"

namespace hamsam {

/// The newest model-file format this build writes and reads.
constexpr unsigned kModelFormatVersion = 1;

/// Writes a fitted model. Refuses to replace an existing file unless overwrite is true; writes to a
/// temporary file first, so a failed write never leaves a half-written model at `path`.
void save_model(const DenseHamiltonian& model, const std::string& path, bool overwrite = false);
/// Reads a model written by save_model (any format version up to kModelFormatVersion).
DenseHamiltonian load_model(const std::string& path);

/// JSON views (used by the CLI's --json, model headers and Python).
std::string to_json(const FitOptions& options);
FitOptions options_from_json(const std::string& json);
std::string to_json(const FitSummary& summary);

}  // namespace hamsam
