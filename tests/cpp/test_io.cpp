#include <filesystem>
#include <fstream>

#include "test_support.hpp"

using namespace hamsam;
using hamsam::test::expect_error;
namespace fs = std::filesystem;

namespace {
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("hamsam-io-" + std::to_string(Rng(reinterpret_cast<std::uintptr_t>(this)).next()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

DenseHamiltonian fitted_model() {
  systems::Pendulum p;
  const auto d = systems::sample_box(p, p.default_box(), 500, 1);
  FitOptions o;
  o.width = 40;
  o.sampler = Sampler::ASWIM;
  o.activation = Activation::Softplus;
  o.seed = 1234;
  DenseHamiltonian m(o);
  m.fit(d.x, d.xdot);
  m.set_metadata(R"({"system": {"name": "pendulum"}, "note": "test"})");
  return m;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
void write_all(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}
}  // namespace

TEST(ModelFile, RoundTripIsExact) {
  TempDir dir;
  const DenseHamiltonian m = fitted_model();
  save_model(m, dir.file("m.hsm"));
  const DenseHamiltonian r = load_model(dir.file("m.hsm"));
  EXPECT_EQ(r.layer().W, m.layer().W);
  EXPECT_EQ(r.layer().b, m.layer().b);
  EXPECT_EQ(r.coefficients(), m.coefficients());
  EXPECT_EQ(r.constant(), m.constant());
  EXPECT_EQ(r.options().seed, 1234u);
  EXPECT_EQ(r.options().activation, Activation::Softplus);
  EXPECT_EQ(r.summary().rank, m.summary().rank);
  EXPECT_EQ(r.summary().anchor, m.summary().anchor);
  EXPECT_EQ(r.metadata(), m.metadata());
  EXPECT_NE(r.metadata().find("pendulum"), std::string::npos);
  const Matrix x = Matrix::Random(20, 2);
  EXPECT_EQ(r.energy(x), m.energy(x));
}

TEST(ModelFile, NeverOverwritesWithoutBeingAsked) {
  TempDir dir;
  const DenseHamiltonian m = fitted_model();
  const std::string path = dir.file("keep.hsm");
  write_all(path, "precious user data");
  expect_error([&] { save_model(m, path); }, "exists");
  EXPECT_EQ(read_all(path), "precious user data");
  save_model(m, path, /*overwrite=*/true);
  EXPECT_EQ(load_model(path).coefficients(), m.coefficients());
  expect_error([&] { save_model(m, dir.path.string(), true); }, "is a directory");
}

TEST(ModelFile, UnwritablePathIsAClearError) {
  TempDir dir;
  const DenseHamiltonian m = fitted_model();
  expect_error([&] { save_model(m, dir.file("no/such/folder/m.hsm")); }, "cannot write");
  expect_error([&] { save_model(DenseHamiltonian(), dir.file("x.hsm")); }, "not fitted");
}

TEST(ModelFile, CorruptTruncatedAndNewerFilesAreClearErrors) {
  TempDir dir;
  const DenseHamiltonian m = fitted_model();
  const std::string good = dir.file("good.hsm");
  save_model(m, good);
  const std::string bytes = read_all(good);

  std::string flipped = bytes;
  flipped[flipped.size() - 100] ^= 0x10;  // inside the parameters
  write_all(dir.file("flipped.hsm"), flipped);
  expect_error([&] { load_model(dir.file("flipped.hsm")); }, "checksum mismatch");

  write_all(dir.file("short.hsm"), bytes.substr(0, bytes.size() / 2));
  expect_error([&] { load_model(dir.file("short.hsm")); }, "truncated");

  write_all(dir.file("tiny.hsm"), bytes.substr(0, 10));
  expect_error([&] { load_model(dir.file("tiny.hsm")); }, "too short");

  std::string newer = bytes;
  newer[8] = 2;  // format version field
  write_all(dir.file("newer.hsm"), newer);
  expect_error([&] { load_model(dir.file("newer.hsm")); }, "newer hamsam");

  write_all(dir.file("text.hsm"), std::string(100, 'x'));
  expect_error([&] { load_model(dir.file("text.hsm")); }, "not a hamsam model file");

  std::string header = bytes;
  header[21] = '#';  // break the JSON header
  write_all(dir.file("header.hsm"), header);
  expect_error([&] { load_model(dir.file("header.hsm")); }, "corrupt");

  expect_error([&] { load_model(dir.file("missing.hsm")); }, "cannot open");
}

TEST(ModelFile, MetadataMustBeAJsonObject) {
  DenseHamiltonian m;
  EXPECT_EQ(m.metadata(), "{}");
  expect_error([&] { m.set_metadata("[1, 2]"); }, "must be a JSON object");
  expect_error([&] { m.set_metadata("{oops"); }, "not JSON");
}

TEST(OptionsJson, RoundTripAndValidation) {
  FitOptions o;
  o.width = 77;
  o.sampler = Sampler::USWIM;
  o.solver = Solver::COD;
  o.elm_bias_low = -1;
  o.elm_bias_high = 2;
  const FitOptions r = options_from_json(to_json(o));
  EXPECT_EQ(r.width, 77);
  EXPECT_EQ(r.sampler, Sampler::USWIM);
  EXPECT_EQ(r.solver, Solver::COD);
  EXPECT_EQ(r.elm_bias_high, 2.0);
  EXPECT_TRUE(std::isnan(options_from_json("{}").elm_bias_low));
  expect_error([] { options_from_json("{\"width\": 0}"); }, "width must be at least 1");
  expect_error([] { options_from_json("{\"sampler\": \"bogus\"}"); }, "unknown sampler");
  expect_error([] { options_from_json("[1,2"); }, "not valid JSON");
}
