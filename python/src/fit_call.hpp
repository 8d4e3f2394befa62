// What the fit bindings of every model share: the anchors from Python's optional (x0, H0) arrays, and a progress
// callback that calls Python with the GIL (Ctrl-C: the fit runs Interruptible, interrupt.hpp).
#pragma once
#include <pybind11/eigen.h>
#include <pybind11/pybind11.h>

#include <optional>

#include "hamsam/dense_model.hpp"
#include "hamsam/fit.hpp"

namespace hamsam_py {

inline std::optional<hamsam::Anchors> fit_anchors(const std::optional<hamsam::Matrix>& x,
                                                  const std::optional<hamsam::Vector>& h) {
  if (!x && !h) return std::nullopt;
  hamsam::require(x.has_value() && h.has_value(), "anchor needs both states x0 and values H0");
  return hamsam::Anchors{*x, *h};
}

/// Empty for None. Called on the fitting thread with the GIL released: it takes the GIL back for the Python call.
/// `progress` is captured by reference (it outlives the fit) so that no reference counts change without the GIL.
inline hamsam::ProgressCallback fit_progress(const pybind11::object& progress) {
  if (progress.is_none()) return {};
  return [&progress](const hamsam::Progress& p) {
    pybind11::gil_scoped_acquire gil;
    progress(p.phase, p.fraction);
  };
}

}  // namespace hamsam_py
