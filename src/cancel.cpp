// Cancellation (hamsam/cancel.hpp) and the progress of a stage's work (detail/cancel.hpp): the state lives in
// thread-locals, so that a check costs no lock.
#include "hamsam/cancel.hpp"

#include <chrono>

#include "detail/cancel.hpp"

namespace hamsam {

namespace {
thread_local CancelToken* t_token = nullptr;
thread_local bool t_owner = false;  // this thread installed the scope (and may poll)
thread_local detail::WorkProgress* t_progress = nullptr;
}  // namespace

bool CancelToken::poll() {
  if (poll_ && !cancelled()) {
    const Clock::time_point now = Clock::now();
    if (now >= next_poll_) {
      next_poll_ = now + interval_;
      if (poll_()) cancel();
    }
  }
  return cancelled();
}

CancelScope::CancelScope(CancelToken* token, bool polls) noexcept : previous_(t_token), previous_owner_(t_owner) {
  t_token = token;
  t_owner = polls;
}

CancelScope::~CancelScope() {
  t_token = previous_;
  t_owner = previous_owner_;
}

CancelToken* current_cancel_token() noexcept { return t_token; }

void check_cancel() {
  CancelToken* t = t_token;
  if (t && (t_owner ? t->poll() : t->cancelled())) throw Cancelled();
}

namespace detail {

WorkProgress::WorkProgress(std::function<void(double)> sink) : previous_(t_progress), sink_(std::move(sink)) {
  t_progress = this;
}

WorkProgress::~WorkProgress() { t_progress = previous_; }

void WorkProgress::report(double fraction) {
  if (!sink_ || !(fraction > last_)) return;
  const long long now =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count();
  if (fraction >= 1.0 || now - last_ns_ >= 50'000'000) {
    last_ = fraction;
    last_ns_ = now;
    sink_(fraction);
  }
}

void report_work(double fraction) {
  if (WorkProgress* p = t_progress) p->report(fraction);
  check_cancel();
}

}  // namespace detail
}  // namespace hamsam
