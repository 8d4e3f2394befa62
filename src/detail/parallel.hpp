#pragma once
// Internal: a minimal fork-join loop over index ranges on hamsam's own threads.
#include <algorithm>
#include <exception>
#include <thread>
#include <vector>

#include "hamsam/cancel.hpp"
#include "hamsam/types.hpp"

namespace hamsam::detail {

/// Number of own threads for a request (0 = all hardware threads).
inline int resolve_threads(int requested) {
  if (requested > 0) return requested;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

/// Calls f(i) for i in [0, count): f(0) on the calling thread, the others on own threads that follow its cancel
/// token (hamsam/cancel.hpp); an exception of any is rethrown once all are done.
template <class F>
void on_threads(Index count, F&& f) {
  std::vector<std::thread> pool;
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(std::max<Index>(count, 1)));
  CancelToken* token = current_cancel_token();
  for (Index i = 1; i < count; ++i) {
    pool.emplace_back([&, i] {
      CancelScope follow(token, false);
      try {
        f(i);
      } catch (...) {
        errors[static_cast<std::size_t>(i)] = std::current_exception();
      }
    });
  }
  try {
    if (count > 0) f(Index{0});
  } catch (...) {
    errors[0] = std::current_exception();
  }
  for (auto& th : pool) th.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

/// Calls f(begin, end) on contiguous chunks of [0, n) using up to `threads` threads (on_threads).
template <class F>
void parallel_for(Index n, int threads, F&& f, Index min_chunk = 256) {
  const Index t = std::max<Index>(1, std::min<Index>(threads, (n + min_chunk - 1) / min_chunk));
  if (t <= 1) {
    if (n > 0) f(Index{0}, n);
    return;
  }
  const Index chunk = (n + t - 1) / t;
  on_threads(t, [&](Index i) { f(i * chunk, std::min(n, (i + 1) * chunk)); });
}

}  // namespace hamsam::detail
