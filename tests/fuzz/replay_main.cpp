// A driver for fuzz_model_file.cpp where libFuzzer is not available (gcc): runs every file of the corpus given on
// the command line (files or folders), then `--mutations N` seeded mutations of them (truncations, bit flips,
// random bytes, inserted and deleted bytes). Prints the count; a finding aborts (with the sanitizers' report).
//
//   fuzz_model_file [--mutations N] [--seed S] corpus-folder-or-file...
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

Bytes mutate(Bytes b, std::mt19937_64& rng) {
  auto below = [&](std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(rng() % n); };
  const int rounds = 1 + static_cast<int>(rng() % 3);
  for (int r = 0; r < rounds && !b.empty(); ++r) {
    switch (rng() % 5) {
      case 0: b.resize(below(b.size())); break;
      case 1: b[below(b.size())] ^= static_cast<std::uint8_t>(1u << (rng() % 8)); break;
      case 2: b[below(b.size())] = static_cast<std::uint8_t>(rng()); break;
      case 3: b.insert(b.begin() + static_cast<std::ptrdiff_t>(below(b.size() + 1)), static_cast<std::uint8_t>(rng())); break;
      default: b.erase(b.begin() + static_cast<std::ptrdiff_t>(below(b.size()))); break;
    }
  }
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  long mutations = 0;
  std::uint64_t seed = 1;
  std::vector<Bytes> corpus;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--mutations" && i + 1 < argc) {
      mutations = std::atol(argv[++i]);
    } else if (a == "--seed" && i + 1 < argc) {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (std::filesystem::is_directory(a)) {
      for (const auto& e : std::filesystem::directory_iterator(a))
        if (e.is_regular_file()) corpus.push_back(read(e.path()));
    } else {
      corpus.push_back(read(a));
    }
  }
  if (corpus.empty()) {
    std::fprintf(stderr, "usage: fuzz_model_file [--mutations N] [--seed S] corpus-folder-or-file...\n");
    return 2;
  }
  for (const Bytes& b : corpus) LLVMFuzzerTestOneInput(b.data(), b.size());
  std::mt19937_64 rng(seed);
  for (long k = 0; k < mutations; ++k) {
    const Bytes b = mutate(corpus[static_cast<std::size_t>(rng() % corpus.size())], rng);
    LLVMFuzzerTestOneInput(b.data(), b.size());
  }
  std::printf("fuzz_model_file: %zu corpus files and %ld mutations, no finding\n", corpus.size(), mutations);
  return 0;
}
