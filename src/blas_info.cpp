#include "hamsam/blas_info.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <sstream>

#include "hamsam/lstsq.hpp"
#include "lstsq/lapack.hpp"

namespace hamsam {

namespace {

using CharFn = char* (*)();

// The object that our dgemm_ calls resolve to, opened (not loaded again) so that dlsym searches it and its
// dependencies first; the global scope when that cannot be told.
void* blas_handle() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&dgemm_), &info) && info.dli_fname && *info.dli_fname)
    if (void* h = dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD)) return h;
  return RTLD_DEFAULT;
}

std::string call(void* handle, const char* symbol) {
  void* f = dlsym(handle, symbol);
  if (!f) f = dlsym(RTLD_DEFAULT, symbol);
  if (!f) return "";
  const char* s = reinterpret_cast<CharFn>(f)();
  return s ? std::string(s) : std::string();
}

// The file that defines `symbol` (dladdr of dlsym's answer: the definition, not a PLT entry of ours).
std::string library_of(void* handle, const char* symbol) {
  void* f = dlsym(handle, symbol);
  Dl_info info{};
  if (f && dladdr(f, &info) && info.dli_fname) return info.dli_fname;
  return "";
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

BlasInfo read_static_info() {
  BlasInfo b;
  void* h = blas_handle();
  b.config = call(h, HAMSAM_BLAS_SYMBOL("openblas_get_config"));
  b.kernel = call(h, HAMSAM_BLAS_SYMBOL("openblas_get_corename"));
  b.library = library_of(h, HAMSAM_BLAS_SYMBOL("dgemm_"));
  b.name = b.config.empty() ? "unknown" : "OpenBLAS";
  std::istringstream words(b.config);
  std::string first, second;
  if (words >> first >> second && first == "OpenBLAS") b.version = second;
  return b;
}

}  // namespace

bool cpu_has_avx2() {
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
  return __builtin_cpu_supports("avx2");
#else
  return false;
#endif
}

bool is_generic_blas_kernel(const std::string& kernel) {
  // x86 kernels older than AVX: what OpenBLAS falls back to when it does not know the CPU.
  static const std::array<const char*, 16> generic = {
      "generic", "prescott", "katmai", "coppermine", "northwood", "banias", "core2", "penryn",
      "dunnington", "nehalem", "atom", "athlon", "opteron", "opteron_sse3", "barcelona", "nano"};
  const std::string k = lower(kernel);
  if (k.empty()) return false;
  if (k == "generic") return true;
  return cpu_has_avx2() && std::find(generic.begin(), generic.end(), k) != generic.end();
}

bool BlasInfo::generic_kernel() const { return is_generic_blas_kernel(kernel); }

std::string BlasInfo::warning() const {
  if (!generic_kernel()) return "";
  return "BLAS kernel '" + kernel + "' is a generic fallback on this AVX2 CPU: " + name + " " + version +
         " did not recognise the processor, so fits may run several times slower. Install hamsam with pip "
         "(its PyPI OpenBLAS knows current CPUs) or set OPENBLAS_CORETYPE (e.g. Haswell, SkylakeX, Zen)";
}

std::string BlasInfo::brief() const {
  std::string s = name;
  if (!version.empty()) s += " " + version;
  if (!kernel.empty()) s += ", kernel " + kernel;
  s += ", " + std::to_string(threads) + " thread" + (threads == 1 ? "" : "s");
  if (!library.empty()) s += " (" + library + ")";
  return s;
}

BlasInfo blas_info() {
  static const BlasInfo fixed = read_static_info();
  BlasInfo b = fixed;
  b.threads = blas_threads();
  return b;
}

}  // namespace hamsam
