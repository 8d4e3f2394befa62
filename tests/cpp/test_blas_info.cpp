// The BLAS report (blas_info.hpp): library, version, kernel and threads, in every fit summary and the doctor.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

#include "hamsam/hamsam.hpp"
#include "test_support.hpp"

namespace hamsam {
namespace {

using test::contains;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

TEST(BlasInfo, NamesTheOpenBlasLibraryItsVersionAndKernel) {
  const BlasInfo b = blas_info();
  EXPECT_EQ(b.name, "OpenBLAS") << b.config;
  EXPECT_TRUE(contains(lower(b.library), "openblas")) << b.library;
  EXPECT_FALSE(b.version.empty()) << b.config;
  EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(b.version[0]))) << b.version;
  EXPECT_FALSE(b.kernel.empty());
  EXPECT_TRUE(contains(b.config, b.version)) << b.config;
  EXPECT_TRUE(contains(b.brief(), b.kernel)) << b.brief();
  EXPECT_TRUE(contains(b.brief(), b.library)) << b.brief();
}

TEST(BlasInfo, ThreadsAreTheOnesTheLibraryUses) {
  const int before = blas_threads();
  set_blas_threads(1);
  EXPECT_EQ(blas_info().threads, 1);
  set_blas_threads(2);
  EXPECT_EQ(blas_info().threads, 2);
  set_blas_threads(std::max(1, before));
  EXPECT_EQ(blas_info().threads, blas_threads());
}

TEST(BlasInfo, GenericFallbackKernelsAreFlagged) {
  EXPECT_TRUE(is_generic_blas_kernel("Generic"));
  EXPECT_TRUE(is_generic_blas_kernel("GENERIC"));
  for (const char* k : {"Prescott", "Core2", "Katmai", "Nehalem", "Atom", "Barcelona"})
    EXPECT_EQ(is_generic_blas_kernel(k), cpu_has_avx2()) << k;
  for (const char* k : {"Haswell", "SkylakeX", "Zen", "Cooperlake", "SapphireRapids", "NeoverseN1", ""})
    EXPECT_FALSE(is_generic_blas_kernel(k)) << k;
  BlasInfo b;
  b.name = "OpenBLAS";
  b.version = "0.3.21";
  b.kernel = "Haswell";
  EXPECT_EQ(b.warning(), "");
  b.kernel = "Generic";
  EXPECT_TRUE(contains(b.warning(), "'Generic' is a generic fallback")) << b.warning();
  EXPECT_TRUE(contains(b.warning(), "OPENBLAS_CORETYPE")) << b.warning();
}

TEST(BlasInfo, EveryFitSummaryReportsIt) {
  const systems::Pendulum p;
  const auto d = systems::sample_box(p, p.default_box(), 300, 1);
  FitOptions o;
  o.width = 50;
  o.sampler = Sampler::ELM;
  o.blas_threads = 1;
  DenseHamiltonian m(o);
  m.fit(d.x, d.xdot);
  const FitSummary& s = m.summary();
  const BlasInfo b = blas_info();
  EXPECT_EQ(s.blas_library, b.library);
  EXPECT_EQ(s.blas_version, b.version);
  EXPECT_EQ(s.blas_kernel, b.kernel);
  EXPECT_EQ(s.blas_threads, 1);
  EXPECT_TRUE(contains(s.report(), "kernel " + b.kernel)) << s.report();
  const std::string json = to_json(s);
  for (const char* key : {"\"blas_library\"", "\"blas_version\"", "\"blas_kernel\""})
    EXPECT_TRUE(contains(json, key)) << json;
  EXPECT_EQ(summary_from_json(json).blas_kernel, b.kernel);
  // The generic-kernel warning is in the summary's warnings exactly when the kernel is a fallback.
  const bool warned = std::any_of(s.warnings.begin(), s.warnings.end(),
                                  [](const std::string& n) { return contains(n, "generic fallback"); });
  EXPECT_EQ(warned, b.generic_kernel());
}

TEST(BlasInfo, TheDoctorReportsIt) {
  const systems::Pendulum p;
  DoctorOptions o;
  o.width = 30;
  o.train = 200;
  o.test = 200;
  const BackendComparison c = compare_backends(p, o);
  EXPECT_EQ(c.blas.kernel, blas_info().kernel);
  EXPECT_TRUE(contains(c.report(), "BLAS: " + blas_info().brief().substr(0, 8))) << c.report();
  EXPECT_TRUE(contains(c.report(), "kernel " + c.blas.kernel)) << c.report();
}

}  // namespace
}  // namespace hamsam
