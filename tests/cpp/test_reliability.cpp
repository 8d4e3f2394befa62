// Loaders that validate before they allocate, the safe writer and the memory guards, in C++ (so that the
// sanitizer build runs them too; docs/guarantees.md).
#include <sys/stat.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>

#include "test_support.hpp"

namespace hamsam {
namespace {

using test::expect_error;
using test::TempDir;

/// A model file with a valid checksum around `header` and `parameters` (the container of io/model_file.hpp).
std::string container(const std::string& header, const std::string& parameters = {}) {
  std::string b("HAMSAM\0M", 8);
  const std::uint32_t version = 1;
  const std::uint64_t length = header.size();
  b.append(reinterpret_cast<const char*>(&version), 4);
  b.append(reinterpret_cast<const char*>(&length), 8);
  b += header;
  b += parameters;
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : b) h = (h ^ c) * 1099511628211ULL;
  b.append(reinterpret_cast<const char*>(&h), 8);
  return b;
}

TEST(Reliability, LoadersRefuseDirectoriesDevicesAndPipes) {
  TempDir dir;
  expect_error([&] { load_model(dir.path.string()); }, "is a directory, not a model file");
  expect_error([&] { particles::load_graph_model(dir.path.string()); }, "is a directory, not a model file");
  expect_error([] { load_model("/dev/zero"); }, "is not a regular file");
  const std::string fifo = dir.file("pipe");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  expect_error([&] { model_kind(fifo); }, "is not a regular file");  // without waiting for a writer
}

TEST(Reliability, HostileHeadersAreClearErrors) {
  TempDir dir;
  const std::string path = dir.file("m.hsm");
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const std::pair<std::string, std::string> cases[] = {
      {R"({"format":"hamsam-model","kind":"graph","deep":)" + deep + "}", "not valid JSON"},
      {R"({"format":5,"kind":"dense"})", "does not describe a hamsam model"},
      {R"({"format":"hamsam-model","kind":"dense","parameters":0,"dim":1e300,"width":2})", "lacks dim/width"},
      {R"({"format":"hamsam-model","kind":"dense","parameters":0,"dim":-2,"width":2})", "implausible dim/width"},
      {R"({"format":"hamsam-model","kind":"graph","parameters":0,"dim":"3","options":{},"kinetic":[],"pair":[]})",
       "implausible dim \"3\""},
      {R"({"format":"hamsam-model","kind":"graph","parameters":0,"dim":3,"options":{},)"
       R"("kinetic":[{"type":2147483647,"width":1}],"pair":[]})",
       "implausible particle type 2147483647"},
  };
  for (const auto& [header, message] : cases) {
    test::write_file(path, container(header));
    expect_error([&] {
      if (model_kind(path) == ModelKind::Graph) particles::load_graph_model(path);
      else load_model(path);
    }, message);
  }
  // Earlier JSON graph files: wrong JSON types are messages, not library exceptions.
  test::write_file(path, R"({"format":"hamsam-graph","version":"1"})");
  expect_error([&] { particles::load_graph_model(path); }, "invalid graph model version \"1\"");
  test::write_file(path, R"({"format":1})");
  expect_error([&] { particles::load_graph_model(path); }, "format 'hamsam-graph' expected");
}

TEST(Reliability, NetworkIndexBoundsTheTypes) {
  for (int t : {1024, 46341, std::numeric_limits<int>::max(), -1})
    expect_error([&] { particles::NetworkIndex({0, t}, {{0, 0}}); }, "is outside 0..1023");
  EXPECT_EQ(particles::NetworkIndex({0, 1023}, {{0, 1023}}).types(), 1024);
}

TEST(Reliability, OutputPathsAreCheckedBeforeAnyWork) {
  TempDir dir;
  expect_error([] { check_output_path("", false); }, "the output path is empty");
  expect_error([&] { check_output_path(dir.path.string(), true); }, "is a directory");
  expect_error([&] { check_output_path(dir.file("no/such/m.hsm"), false); }, "does not exist");
  const std::string path = dir.file("m.txt");
  write_file(path, "one", false);
  EXPECT_THROW(check_output_path(path, false), PathExistsError);
  EXPECT_THROW(write_file(path, "two", false), PathExistsError);
  write_file(path, "three", true);
  EXPECT_EQ(test::read_file(path), "three");
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path)) ++entries;
  EXPECT_EQ(entries, 1u);  // no temporary file left behind
}

TEST(Reliability, MemoryGuardsNameWhatToReduce) {
  expect_error([] { check_trajectory_memory(std::int64_t(1) << 50, 1, 1000, 1000); }, "reduce steps");
  expect_error([] { check_memory(std::numeric_limits<double>::infinity(), "this", "reduce it"); },
               "this needs an impossible amount of memory");
  expect_error([] { particles::lattice({100000, 100000, 100000}); }, "reduce the lattice shape");
  check_trajectory_memory(1000, 10, 4, 6);  // small: no error
}

}  // namespace
}  // namespace hamsam
