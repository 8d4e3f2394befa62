#pragma once
// Model files and JSON views of options and summaries (the parts live in hamsam/io/).
#include "hamsam/io/dissipative_file.hpp"
#include "hamsam/io/files.hpp"
#include "hamsam/io/graph_file.hpp"
#include "hamsam/io/json.hpp"
#include "hamsam/io/model_file.hpp"
