#pragma once
// The BLAS/LAPACK library hamsam runs on, as it reports itself at run time: which shared library, its version,
// the kernel it picked for this CPU and its threads. Reported in every FitSummary and by `hamsam doctor`.
#include <string>

namespace hamsam {

struct BlasInfo {
  std::string name;     ///< "OpenBLAS" when the library answers openblas_get_config, else "unknown"
  std::string library;  ///< file of the shared library that holds dgemm ("" when it cannot be told)
  std::string version;  ///< e.g. "0.3.30" (OpenBLAS: from openblas_get_config), "" when unknown
  std::string kernel;   ///< OpenBLAS's core name for this CPU (openblas_get_corename), e.g. "Haswell"
  std::string config;   ///< openblas_get_config() as it is, "" when absent
  int threads = 0;      ///< BLAS threads now (blas_threads())

  /// True when the kernel is a generic fallback: a pre-AVX x86 core (Prescott, Core2, Katmai, ..., Generic)
  /// while this CPU has AVX2, the case of a CPU that the library's detection did not know.
  bool generic_kernel() const;
  /// "" or the warning that the summary and the doctor print for a generic kernel (how slow, what to do).
  std::string warning() const;
  /// One line: name, version, kernel, threads, library.
  std::string brief() const;
};

/// What the BLAS library reports now (library, version and kernel are read once; threads every call). The
/// OpenBLAS queries are looked up with dlsym, so a build against another BLAS still links and reports "unknown".
BlasInfo blas_info();

/// True when this CPU has AVX2 (x86 with GCC or Clang; false elsewhere).
bool cpu_has_avx2();

/// True for a kernel name that is a generic fallback on a CPU with AVX2 (see BlasInfo::generic_kernel).
bool is_generic_blas_kernel(const std::string& kernel);

}  // namespace hamsam
