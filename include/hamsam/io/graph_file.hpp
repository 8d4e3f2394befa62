#pragma once
// Graph model files: the model-file container of io/model_file.hpp with kind "graph" (options, full summary,
// networks and types; tables are not stored: call tabulate() after loading). The JSON files (format
// "hamsam-graph", version 1) that earlier builds wrote still load.
#include <string>

#include "hamsam/io/files.hpp"
#include "hamsam/particles/graph/model.hpp"

namespace hamsam::particles {

/// Writes a fitted model. Throws hamsam::Error if unfitted or if it cannot be written, PathExistsError if the file
/// exists and overwrite is false.
void save_graph_model(const GraphHamiltonian& model, const std::string& path, bool overwrite = false);
/// Reads a model written by save_graph_model (or an earlier JSON graph model); throws hamsam::Error naming what is
/// wrong with the file.
GraphHamiltonian load_graph_model(const std::string& path);

}  // namespace hamsam::particles
