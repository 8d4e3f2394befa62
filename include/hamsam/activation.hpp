#pragma once
// Activations: value and first to third derivative, applied elementwise, and the SWIM constants of each.
//
// SWIM places a neuron on a pair of training points (x1, x2) so that its pre-activation is z1 = -s at x1 and
// z2 = +s at x2:  w = 2 s (x2 - x1) / |x2 - x1|^2,  b = -<w, x1> - s.  The constant s per activation
// (see docs/sampler.md for the reasoning):
//   tanh      s = artanh(1/2) = ln(3)/2   neuron goes from -1/2 to +1/2 across the pair (REFERENCE)
//   sigmoid   s = ln 3                    0.25 -> 0.75: the same neuron as tanh, sigmoid(z) = (1 + tanh(z/2))/2
//   softplus  s = ln 3                    its derivative (the sigmoid, which the gradient rows see) goes 0.25 -> 0.75
//   sin       s = pi/2                    -1 -> +1: half a period, monotone across the pair
//   gaussian  s = sqrt(ln 2)              exp(-z^2) = 1/2 at both points, peak at the midpoint
#include "hamsam/types.hpp"

namespace hamsam {

/// The SWIM constant s of an activation (pre-activation -s at the first point of a pair, +s at the second).
double swim_constant(Activation a);

/// Elementwise value and first to third derivative of an activation (in place into `out`).
void activate(Activation a, const Matrix& z, Matrix& out);
void activate_d1(Activation a, const Matrix& z, Matrix& out);
void activate_d2(Activation a, const Matrix& z, Matrix& out);
void activate_d3(Activation a, const Matrix& z, Matrix& out);
/// Value and first derivative together (for tanh from one exponential per element).
void activate_value_d1(Activation a, const Matrix& z, Matrix& value, Matrix& d1);

/// Scalar versions (used by tests and small evaluations).
double activation_value(Activation a, double z);
double activation_d1(Activation a, double z);
double activation_d2(Activation a, double z);
double activation_d3(Activation a, double z);

}  // namespace hamsam
