#pragma once
// Cancellation of long calls (Ctrl-C): the caller installs a CancelToken for the calls it makes on its thread
// (CancelScope); hamsam's long loops (the phases of a fit, the blocks of every least-squares backend, sampling,
// rollouts, neighbour searches) call check_cancel() between pieces of work that each take well under a second,
// and a cancelled token makes it throw hamsam::Cancelled. A cancelled call leaves its model unchanged and writes
// no file. Without a scope, check_cancel() does nothing.
//
//   hamsam::CancelToken token;                       // token.cancel(): from a signal handler or another thread
//   hamsam::CancelScope scope(token);
//   try { model.fit(x, xdot); } catch (const hamsam::Cancelled&) { /* stopped; model as before */ }
//
// A token may also poll: `poll` is called from check_cancel() on the thread that installed the scope, at most
// once per `interval` (the Python bindings check Python's pending signals there); returning true cancels.
#include <atomic>
#include <chrono>
#include <exception>
#include <functional>

namespace hamsam {

/// What a cancelled call throws. Not a hamsam::Error (invalid input): nothing was wrong with the call.
class Cancelled : public std::exception {
 public:
  const char* what() const noexcept override { return "cancelled (interrupted)"; }
};

class CancelToken {
 public:
  using Clock = std::chrono::steady_clock;
  CancelToken() = default;
  explicit CancelToken(std::function<bool()> poll, Clock::duration interval = std::chrono::milliseconds(20))
      : poll_(std::move(poll)), interval_(interval) {}
  CancelToken(const CancelToken&) = delete;
  CancelToken& operator=(const CancelToken&) = delete;

  /// Requests cancellation: the calls under this token throw Cancelled at their next check. Async-signal-safe
  /// (one lock-free atomic store) and callable from any thread.
  void cancel() noexcept { cancelled_.store(true, std::memory_order_relaxed); }
  bool cancelled() const noexcept { return cancelled_.load(std::memory_order_relaxed); }
  /// Clears a request (to reuse the token for the next call).
  void reset() noexcept { cancelled_.store(false, std::memory_order_relaxed); }
  /// Calls `poll` when one is set and `interval` has passed since the last call (cancelling when it returns
  /// true); then returns cancelled(). Only the thread that installed the scope polls (check_cancel sees to it).
  bool poll();

 private:
  std::atomic<bool> cancelled_{false};
  std::function<bool()> poll_;
  Clock::duration interval_{};
  Clock::time_point next_poll_{};
};

static_assert(std::atomic<bool>::is_always_lock_free, "CancelToken::cancel must be async-signal-safe");

/// Installs `token` for the long calls made on this thread (and the threads they start) until the scope ends;
/// scopes nest (the innermost wins).
class CancelScope {
 public:
  explicit CancelScope(CancelToken& token) : CancelScope(&token, true) {}
  /// `polls` false: checks `token` (null: none) without polling it, on a thread that a long call starts (given
  /// the starting thread's current_cancel_token()).
  CancelScope(CancelToken* token, bool polls) noexcept;
  ~CancelScope();
  CancelScope(const CancelScope&) = delete;
  CancelScope& operator=(const CancelScope&) = delete;

 private:
  CancelToken* previous_;
  bool previous_owner_;
};

/// The token of this thread's innermost scope (null: none).
CancelToken* current_cancel_token() noexcept;

/// Throws Cancelled when this thread's token is cancelled (polling it first on the scope's own thread). Costs
/// a thread-local read and an atomic load (plus a clock read where it polls): call it between blocks of work.
void check_cancel();

}  // namespace hamsam
