#pragma once
// The error check_states / check_state throw for non-finite states: an hamsam::Error with the same message, told
// apart by the integrators, which report a rollout whose intermediate states left the finite numbers as diverged
// rather than as bad input.
#include "hamsam/error.hpp"

namespace hamsam::detail {

class NonFiniteStates : public Error {
 public:
  using Error::Error;
};

}  // namespace hamsam::detail
