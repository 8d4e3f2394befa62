#pragma once
// Graph model files: JSON (format "hamsam-graph", version 1) with the options, networks, types and the summary
// line of a fitted model. Tables are not stored (call tabulate() after loading).
#include <string>

#include "hamsam/particles/graph/model.hpp"

namespace hamsam::particles {

/// Writes a fitted model. Throws hamsam::Error if unfitted, if the file exists and overwrite is false, or if it
/// cannot be written.
void save_graph_model(const GraphHamiltonian& model, const std::string& path, bool overwrite = false);
/// Reads a model written by save_graph_model; throws hamsam::Error naming what is wrong with the file.
GraphHamiltonian load_graph_model(const std::string& path);

}  // namespace hamsam::particles
