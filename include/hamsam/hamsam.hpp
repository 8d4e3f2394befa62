#pragma once
// hamsam: sampled Hamiltonian neural networks. Include this for everything.
#include "hamsam/activation.hpp"
#include "hamsam/dense_model.hpp"
#include "hamsam/error.hpp"
#include "hamsam/fit.hpp"
#include "hamsam/hamiltonian.hpp"
#include "hamsam/io.hpp"
#include "hamsam/lstsq.hpp"
#include "hamsam/metrics.hpp"
#include "hamsam/random.hpp"
#include "hamsam/sampling.hpp"
#include "hamsam/systems/systems.hpp"
#include "hamsam/types.hpp"
