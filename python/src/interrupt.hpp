// Ctrl-C for the bindings: a long call runs with the GIL released under a cancel token (hamsam/cancel.hpp) that
// polls Python's pending signals; a signal whose handler raises (KeyboardInterrupt for SIGINT) cancels the call,
// and the core's hamsam::Cancelled becomes that Python exception again (translate_cancelled).
#pragma once
#include <pybind11/pybind11.h>

#include "hamsam/cancel.hpp"

namespace hamsam_py {

/// The exception a signal handler raised during a call on this thread, kept (with its traceback) until the
/// cancelled call has unwound.
struct PendingSignalError {
  PyObject* type = nullptr;
  PyObject* value = nullptr;
  PyObject* traceback = nullptr;
};
inline thread_local PendingSignalError t_pending_signal_error;

/// Runs Python's signal handlers (with the GIL); true when one raised: the exception is kept for
/// translate_cancelled and the call is cancelled. Python runs handlers on its main thread only, so a call made
/// from another thread never stops here.
inline bool poll_python_signals() {
  pybind11::gil_scoped_acquire gil;
  if (PyErr_CheckSignals() == 0) return false;
  PendingSignalError& e = t_pending_signal_error;
  Py_XDECREF(e.type);
  Py_XDECREF(e.value);
  Py_XDECREF(e.traceback);
  PyErr_Fetch(&e.type, &e.value, &e.traceback);
  return true;
}

/// For the exception translator (with the GIL): a Cancelled call raises the exception the signal handler raised,
/// or KeyboardInterrupt when it was cancelled otherwise.
inline void translate_cancelled() {
  PendingSignalError& e = t_pending_signal_error;
  if (e.type) {
    PyErr_Restore(e.type, e.value, e.traceback);
    e = PendingSignalError{};
  } else {
    PyErr_SetString(PyExc_KeyboardInterrupt, "cancelled");
  }
}

/// For the duration of a long call: the GIL released and a cancel scope that polls Python's signals (at most
/// every 20 ms, from the core's checks between blocks of work). Usable as pybind11::call_guard<Interruptible>.
class Interruptible {
 public:
  Interruptible() : token_(poll_python_signals), scope_(token_) {}

 private:
  pybind11::gil_scoped_release release_;
  hamsam::CancelToken token_;
  hamsam::CancelScope scope_;
};

}  // namespace hamsam_py
