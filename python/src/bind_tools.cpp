// hamsam._core: tools around fits: the memory estimate (resources.hpp), the backend comparison (doctor.hpp) and
// safe file writes (io/files.hpp) (bind.hpp).
#include <pybind11/eigen.h>
#include <pybind11/stl.h>

#include "bind.hpp"
#include "hamsam/hamsam.hpp"
#include "hamsam/io/files.hpp"

namespace py = pybind11;
using namespace hamsam;
using namespace pybind11::literals;

namespace hamsam_py {

namespace {

py::dict backend_dict(const BackendResult& r) {
  const py::object error = r.ran ? py::object(py::none()) : py::object(py::str(r.error));
  return py::dict("solver"_a = to_string(r.solver), "ran"_a = r.ran, "ok"_a = r.ok, "error"_a = error,
                  "seconds"_a = r.seconds, "test_error"_a = r.test_error, "train_error"_a = r.train_error,
                  "rank"_a = r.rank, "cols"_a = r.cols, "coef_diff"_a = r.coef_diff, "energy_diff"_a = r.energy_diff,
                  "notes"_a = r.notes);
}

py::dict blas_dict(const BlasInfo& b) {
  return py::dict("name"_a = b.name, "library"_a = b.library, "version"_a = b.version, "kernel"_a = b.kernel,
                  "config"_a = b.config, "threads"_a = b.threads, "generic_kernel"_a = b.generic_kernel(),
                  "warning"_a = b.warning());
}

py::dict comparison_dict(const BackendComparison& c) {
  const DoctorOptions& o = c.options;
  py::list backends;
  for (const auto& r : c.backends) backends.append(backend_dict(r));
  const py::object oracle = c.oracle ? py::object(py::str(to_string(*c.oracle))) : py::object(py::none());
  return py::dict("ok"_a = c.ok, "oracle"_a = oracle, "limit"_a = c.limit, "backends"_a = backends,
                  "disagreements"_a = c.disagreements,
                  "options"_a = py::dict("width"_a = o.width, "train"_a = o.train, "test"_a = o.test,
                                         "data_seed"_a = o.data_seed, "threads"_a = o.threads,
                                         "blas_threads"_a = o.blas_threads),
                  "threads"_a = c.threads, "blas_threads"_a = c.blas_threads,
                  "hardware_threads"_a = c.hardware_threads, "blas"_a = blas_dict(c.blas), "report"_a = c.report(),
                  "fit_options"_a = py::module_::import("json").attr("loads")(to_json(c.fit_options)));
}

}  // namespace

void bind_tools(py::module_& m) {
  m.def(
      "find_coupled_pairs",
      [](const Matrix& x, const Matrix& xdot, double threshold, std::uint64_t seed, Index max_points) {
        const CouplingScreen c = find_coupled_pairs(x, gradient_from_vector_field(xdot), threshold, seed, max_points);
        py::dict out;
        out["score"] = c.score;
        out["groups"] = c.groups;
        out["pairs"] = c.pairs;
        out["spec"] = groups_text(c.groups);
        return out;
      },
      py::arg("x"), py::arg("xdot"), py::arg("threshold"), py::arg("seed"), py::arg("max_points"));
  m.attr("FIT_MEMORY_SHARE") = kFitMemoryShare;
  m.attr("AGREEMENT_FACTOR") = kAgreementFactor;
  m.attr("AGREEMENT_FLOOR") = kAgreementFloor;
  m.def(
      "estimate_fit_bytes",
      [](Index points, Index dim, Index width, const std::string& solver) {
        return estimate_fit_bytes(points, dim, width, from_string<Solver>(solver));
      },
      py::arg("points"), py::arg("dim"), py::arg("width"), py::arg("solver"));
  m.def("available_memory_bytes", &available_memory_bytes);
  m.def("check_memory", &check_memory, py::arg("bytes"), py::arg("what"), py::arg("fix"));
  // The one safe writer (io/files.hpp) for the files Python writes: results, rollouts, reports.
  m.def(
      "write_file",
      [](const std::string& path, const py::bytes& data, bool overwrite, const std::string& what) {
        const std::string bytes = data;  // owned: the GIL is released while it is written
        py::gil_scoped_release release;
        write_file(path, bytes, overwrite, what);
      },
      py::arg("path"), py::arg("data"), py::arg("overwrite"), py::arg("what"),
      "Writes bytes to path atomically (hamsam/io/files.hpp): a temporary file beside it, synced, then renamed; "
      "an existing file only with overwrite.");
  m.def("check_output_path", &check_output_path, py::arg("path"), py::arg("overwrite"), py::arg("what"));
  m.def(
      "blas_info", [] { return blas_dict(blas_info()); },
      "The BLAS library hamsam runs on: name, library file, version, kernel (OpenBLAS core name), config, "
      "threads, generic_kernel and the warning for a generic fallback kernel (\"\" if none).");
  m.def(
      "check_fit_memory",
      [](Index points, Index dim, Index width, const std::string& solver, const std::string& width_name,
         const std::string& points_name) {
        check_fit_memory(points, dim, width, from_string<Solver>(solver), width_name, points_name);
      },
      py::arg("points"), py::arg("dim"), py::arg("width"), py::arg("solver"), py::arg("width_name"),
      py::arg("points_name"));
  m.def(
      "compare_backends",
      [](const systems::System& system, const Vector& low, const Vector& high, Index width, Index train, Index test,
         std::uint64_t data_seed, int threads, int blas_threads) {
        const DoctorOptions o{.width = width, .train = train, .test = test, .data_seed = data_seed,
                              .threads = threads, .blas_threads = blas_threads};
        BackendComparison c;
        {
          hamsam_py::Interruptible interruptible;
          c = compare_backends(system, systems::Box{low, high}, o);
        }
        return comparison_dict(c);
      },
      py::arg("system"), py::arg("low"), py::arg("high"), py::arg("width"), py::arg("train"), py::arg("test"),
      py::arg("data_seed"), py::arg("threads"), py::arg("blas_threads"));
}

}  // namespace hamsam_py
