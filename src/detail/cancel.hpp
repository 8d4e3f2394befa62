#pragma once
// Internal: what hamsam's own code adds to hamsam/cancel.hpp: checks in loops of short iterations, and a long
// stage reporting how far it is (WorkProgress / report_work) to the phase that runs it (a fit's solve turns the
// fractions of its factorization's blocks into progress reports).
#include <functional>

#include "hamsam/cancel.hpp"

namespace hamsam::detail {

/// check_cancel() on every (1 << Log2)-th iteration i of a loop of short iterations (a mask, no division).
template <int Log2, class I>
inline void check_cancel_every(I i) {
  if ((i & ((I{1} << Log2) - 1)) == 0) check_cancel();
}

/// Receives the fractions (0..1) of the stage run under it on this thread: report_work(f) forwards f to `sink`
/// at most every 50 ms (and f = 1 always), so that a sink may call into a slow callback.
class WorkProgress {
 public:
  explicit WorkProgress(std::function<void(double)> sink);
  ~WorkProgress();
  WorkProgress(const WorkProgress&) = delete;
  WorkProgress& operator=(const WorkProgress&) = delete;
  /// Forwards `fraction` to the sink when due (see above).
  void report(double fraction);

 private:
  WorkProgress* previous_;
  std::function<void(double)> sink_;
  double last_ = -1.0;
  long long last_ns_ = 0;
};

/// How far the current stage is (0..1), for this thread's WorkProgress (none: nothing happens); then
/// check_cancel().
void report_work(double fraction);

}  // namespace hamsam::detail
