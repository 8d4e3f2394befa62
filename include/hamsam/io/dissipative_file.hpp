#pragma once
// Dissipative model files: the model-file container of io/model_file.hpp with kind "dissipative" (H as a dense
// model's header and parameters, R's and G's hidden layers and output weights, the dissipation options and summary).
#include <string>

#include "hamsam/dissipative.hpp"
#include "hamsam/io/files.hpp"

namespace hamsam {

/// Writes a fitted model. Throws hamsam::Error if unfitted or if it cannot be written, PathExistsError if the file
/// exists and overwrite is false.
void save_dissipative_model(const DissipativeHamiltonian& model, const std::string& path, bool overwrite = false);
/// Reads a model written by save_dissipative_model; throws hamsam::Error naming what is wrong with the file.
DissipativeHamiltonian load_dissipative_model(const std::string& path);

}  // namespace hamsam
