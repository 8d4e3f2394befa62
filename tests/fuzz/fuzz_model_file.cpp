// Fuzz target for the model-file loaders: the bytes are written to a file and loaded as whatever kind they claim
// to be (model_kind, then load_model or load_graph_model), and by the graph loader. Bytes that start with the
// model-file magic are loaded a second time re-signed (their last 8 bytes replaced by the checksum of the rest),
// so that mutations reach the header and parameter checks behind the checksum. A hamsam::Error is the expected
// answer to a bad file; any other exception, a crash or a sanitizer report is a finding.
//
//   clang:  cmake -B build/fuzz -DCMAKE_CXX_COMPILER=clang++ -DHAMSAM_BUILD_FUZZ=ON -DHAMSAM_SANITIZE=ON
//           build/fuzz/tests/fuzz/fuzz_model_file -max_total_time=600 tests/fuzz/corpus
//   gcc:    build/sanitize/tests/fuzz/fuzz_model_file --mutations 100000 --seed 1 tests/fuzz/corpus
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "hamsam/io.hpp"
#include "hamsam/io/graph_file.hpp"
#include "hamsam/io/model_file.hpp"

namespace {

const std::string& scratch_path() {
  static const std::string path = [] {
    const char* dir = std::getenv("TMPDIR");
    return std::string(dir && *dir ? dir : "/tmp") + "/hamsam-fuzz-" + std::to_string(::getpid()) + ".bin";
  }();
  return path;
}

void write_scratch(const std::uint8_t* data, std::size_t size) {
  std::FILE* f = std::fopen(scratch_path().c_str(), "wb");
  if (!f) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
}

/// The model-file checksum (64-bit FNV-1a, io/model_file.hpp).
std::uint64_t fnv1a(const std::uint8_t* p, std::size_t n) {
  std::uint64_t h = 1469598103934665603ULL;
  for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ULL;
  return h;
}

void load_every_way(const std::uint8_t* data, std::size_t size) {
  write_scratch(data, size);
  const std::string& path = scratch_path();
  try {
    switch (hamsam::model_kind(path)) {
      case hamsam::ModelKind::Dense: (void)hamsam::load_model(path); break;
      case hamsam::ModelKind::Graph: (void)hamsam::particles::load_graph_model(path); break;
      default:
        (void)hamsam::load_model(path);  // both loaders must refuse what is neither
    }
  } catch (const hamsam::Error&) {
    // a clear error: what a bad file should give
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz_model_file: unexpected exception (not hamsam::Error): %s\n", e.what());
    std::abort();
  }
  try {
    (void)hamsam::particles::load_graph_model(path);
  } catch (const hamsam::Error&) {
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz_model_file: unexpected exception from the graph loader: %s\n", e.what());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  load_every_way(data, size);
  static const char kMagic[8] = {'H', 'A', 'M', 'S', 'A', 'M', '\0', 'M'};
  if (size >= 28 && std::memcmp(data, kMagic, 8) == 0) {
    std::vector<std::uint8_t> signed_copy(data, data + size);
    const std::uint64_t h = fnv1a(data, size - 8);
    std::memcpy(signed_copy.data() + size - 8, &h, 8);
    load_every_way(signed_copy.data(), size);
  }
  return 0;
}
