#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <nlohmann/json.hpp>

#include "test_support.hpp"

using namespace hamsam;
using hamsam::test::expect_error;
namespace fs = std::filesystem;
using json = nlohmann::json;

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

using hamsam::test::read_all;
using hamsam::test::write_all;
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

TEST(ModelFile, UnitsRoundTripAndEarlierFilesHaveNone) {
  TempDir dir;
  DenseHamiltonian m = fitted_model();
  save_model(m, dir.file("none.hsm"));
  EXPECT_EQ(load_model(dir.file("none.hsm")).units(), "");  // not stated: no "units" entry, as earlier files
  EXPECT_EQ(read_all(dir.file("none.hsm")).find("\"units\""), std::string::npos);
  m.set_units("ase");
  save_model(m, dir.file("ase.hsm"));
  EXPECT_EQ(load_model(dir.file("ase.hsm")).units(), "ase");
  expect_error([&] { m.set_units(std::string(65, 'a')); }, "units must be at most 64 printable ASCII");
  expect_error([&] { m.set_units("e\nV"); }, "units must be at most 64 printable ASCII");
  EXPECT_EQ(m.units(), "ase");
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

namespace {
/// Keys whose value differs between two JSON objects of the same fields.
std::vector<std::string> changed_keys(const json& a, const json& b) {
  std::vector<std::string> out;
  for (const auto& [key, value] : a.items())
    if (!b.contains(key) || b[key] != value) out.push_back(key);
  return out;
}
}  // namespace

TEST(ModelFile, EveryOptionAndSummaryFieldRoundTrips) {
  // Two option sets that together change every field from its default (ridge and regularization exclude each
  // other); a field added to FitOptions without a value here fails the coverage check below.
  FitOptions a;
  a.width = 12;
  a.sampler = Sampler::ELM;
  a.activation = Activation::Sin;
  a.solver = Solver::COD;
  a.rcond = 1e-12;
  a.ridge = 1e-9;
  a.seed = 0xFFFFFFFFFFFFFFF1ULL;
  a.elm_bias_low = -2.5;
  a.elm_bias_high = 3.25;
  a.anchor_weight = 2.0;
  a.energy_weight = 0.5;
  a.blas_threads = 1;
  a.threads = 1;
  a.groups = "separable";
  a.group_threshold = 0.01;
  FitOptions b = a;
  b.ridge = 0;
  b.regularization = Regularization::Holdout;
  b.validation_fraction = 0.3;
  b.kinetic = "quadratic";
  b.mass_width = 8;
  const json defaults = json::parse(to_json(FitOptions{}));
  std::set<std::string> covered;
  for (const FitOptions& o : {a, b})
    for (const auto& k : changed_keys(json::parse(to_json(o)), defaults)) covered.insert(k);
  for (const auto& [key, value] : defaults.items()) EXPECT_TRUE(covered.count(key)) << key << " is never changed";

  TempDir dir;
  systems::Pendulum p;
  const auto d = systems::sample_box(p, p.default_box(), 300, 1);
  for (const FitOptions& o : {a, b}) {
    DenseHamiltonian m(o);
    m.fit(d.x, d.xdot, d.energy);
    save_model(m, dir.file("m.hsm"), true);
    const DenseHamiltonian r = load_model(dir.file("m.hsm"));
    EXPECT_EQ(to_json(r.options()), to_json(o));
    EXPECT_EQ(to_json(r.summary()), to_json(m.summary()));
    EXPECT_EQ(to_json(summary_from_json(to_json(m.summary()))), to_json(m.summary()));
    EXPECT_EQ(to_json(options_from_json(to_json(o))), to_json(o));
    EXPECT_EQ(r.energy(d.x), m.energy(d.x));
  }
}

TEST(ModelFile, SummaryJsonHasOneShapeAndReadsTheEarlierOne) {
  FitSummary s;
  s.cond_estimate = INFINITY;
  s.seconds_sampling = 0.25;
  s.seconds_total = 1.5;
  s.ridge_candidates = {0.0, 1e-6};
  s.ridge_scores = {2.0, 1.0};
  s.notes = {"a note"};
  const json j = json::parse(to_json(s));
  EXPECT_EQ(j["seconds_total"], 1.5);
  EXPECT_EQ(j["seconds"]["sampling"], 0.25);  // the nested view
  EXPECT_EQ(j["ridge_candidates"].size(), 2u);
  EXPECT_EQ(to_json(summary_from_json(to_json(s))), to_json(s));
  // Files before the flat keys had only the nested "seconds".
  const FitSummary old = summary_from_json(R"({"seconds": {"sampling": 1, "assembly": 2, "solve": 3, "total": 6},
                                               "cond_estimate": "inf", "rank": 4})");
  EXPECT_EQ(old.seconds_assembly, 2.0);
  EXPECT_EQ(old.seconds_total, 6.0);
  EXPECT_TRUE(std::isinf(old.cond_estimate));
  EXPECT_EQ(old.rank, 4);
  expect_error([] { summary_from_json(R"({"rank": "four"})"); }, "'rank' must be an integer");
  expect_error([] { options_from_json(R"({"threads": 1e40})"); }, "'threads' must be an integer");
  expect_error([] { options_from_json(R"({"threads": 4294967296})"); }, "'threads' must be an integer in the range");
}

TEST(ModelFile, EarlierDenseFilesStillLoad) {
  // Written by hamsam before the model-file module: format 1 without a parameter count in the header.
  const std::string data = HAMSAM_TEST_DATA;
  const json ref = json::parse(read_all(data + "/old_models.json"))["dense"];
  EXPECT_EQ(model_kind(data + "/dense_format1.hsm"), ModelKind::Dense);
  const DenseHamiltonian m = load_model(data + "/dense_format1.hsm");
  Matrix x(ref["x"].size(), 2);
  for (Index i = 0; i < x.rows(); ++i)
    for (Index j = 0; j < 2; ++j) x(i, j) = ref["x"][i][j].get<double>();
  const Vector e = m.energy(x);
  for (Index i = 0; i < x.rows(); ++i) EXPECT_EQ(e(i), ref["energy"][i].get<double>());
  EXPECT_EQ(m.options().width, 6);
  EXPECT_EQ(m.options().regularization, Regularization::GCV);
  EXPECT_EQ(m.options().elm_bias_high, 2.5);
  EXPECT_EQ(m.options().threads, 1);
  EXPECT_NE(m.metadata().find("pendulum"), std::string::npos);
  EXPECT_GT(m.summary().seconds_total, 0.0);  // from the nested "seconds"
}

TEST(ModelFile, WritesGoThroughAFreshTemporaryAndNeverThroughLinks) {
  TempDir dir;
  const DenseHamiltonian m = fitted_model();
  const std::string path = dir.file("m.hsm");
  save_model(m, path);
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir.path)) names.push_back(e.path().filename().string());
  EXPECT_EQ(names, std::vector<std::string>{"m.hsm"});  // no temporary left beside it

  // A link at the target is an existing file; overwriting replaces the link, not what it points to.
  write_all(dir.file("victim"), "do not touch");
  fs::create_symlink(dir.file("victim"), dir.file("link.hsm"));
  try {
    save_model(m, dir.file("link.hsm"));
    ADD_FAILURE() << "saved over an existing link";
  } catch (const PathExistsError& e) {
    EXPECT_NE(std::string(e.what()).find("already exists: choose another path or allow overwriting"),
              std::string::npos);
  }
  save_model(m, dir.file("link.hsm"), true);
  EXPECT_FALSE(fs::is_symlink(dir.file("link.hsm")));
  EXPECT_EQ(read_all(dir.file("victim")), "do not touch");
  EXPECT_EQ(load_model(dir.file("link.hsm")).coefficients(), m.coefficients());

  write_file(dir.file("plain.txt"), "hello", false);
  EXPECT_EQ(read_all(dir.file("plain.txt")), "hello");
  expect_error([&] { write_file(dir.file("plain.txt"), "again", false, "export"); }, "export: '");
  expect_error([&] { write_file("", "x", true); }, "path is empty");
}

TEST(ModelFile, KindDetection) {
  TempDir dir;
  save_model(fitted_model(), dir.file("d.hsm"));
  EXPECT_EQ(model_kind(dir.file("d.hsm")), ModelKind::Dense);
  write_all(dir.file("g.json"), "  {\"format\": \"hamsam-graph\"}");
  EXPECT_EQ(model_kind(dir.file("g.json")), ModelKind::Graph);
  write_all(dir.file("junk"), "junk");
  EXPECT_EQ(model_kind(dir.file("junk")), ModelKind::Unknown);
  EXPECT_EQ(to_string(ModelKind::Unknown), "unknown");
  expect_error([&] { model_kind(dir.file("missing")); }, "cannot open");
  std::string cut = read_all(dir.file("d.hsm")).substr(0, 30);  // inside the header
  write_all(dir.file("cut.hsm"), cut);
  expect_error([&] { model_kind(dir.file("cut.hsm")); }, "truncated");
}

// ---- graph models: the same container, the same guarantees -------------------------------------------------------

namespace {
namespace P = hamsam::particles;

P::ParticleDataset small_lattice(std::uint64_t seed) {
  P::ParticleSystem sys(P::lattice({2, 2, 2}), P::make_potential("anharmonic"));
  P::InitialConditions ic;
  ic.jitter = 0.1;
  ic.velocities = "maxwell";
  ic.temperature = 0.01;
  const Matrix x0 = P::initial_states(sys.topology(), P::lattice_positions({2, 2, 2}), ic, 2, seed);
  P::VerletOptions vo;
  vo.save_every = 10;
  return P::trajectory_dataset(sys, x0, 0.01, 60, vo);
}

/// Every option changed from its default (a field added to GraphFitOptions without a value here fails below).
P::GraphFitOptions every_graph_option() {
  P::GraphFitOptions o;
  o.kinetic_width = 3;
  o.pair_width = 5;
  o.kinetic_linear = false;
  o.pair_input = P::PairInput::Inverse;
  o.message_width = 2;
  o.message_features = 3;
  o.sampler = Sampler::ASWIM;
  o.activation = Activation::Sigmoid;
  o.solver = Solver::COD;
  o.rcond = 1e-12;
  o.block_rows = 0;
  o.anchor_weight = 2.0;
  o.gauge_weight = 0.5;
  o.sample_points = 500;
  o.seed = 7;
  o.blas_threads = 1;
  o.threads = 1;
  // The potential options (fit_potential's; the Hamiltonian fit takes the pair term alone and ignores the rest).
  o.terms = {"pair"};
  o.cutoff = 4.0;
  o.cutoff_on = 0.5;
  o.pair_cutoff = 3.5;
  o.density_cutoff = 3.0;
  o.angular_cutoff = 2.5;
  o.density_width = 7;
  o.density_features = 4;
  o.density_pooled = true;
  o.angular_features = 5;
  o.angular_order = 3;
  o.pair_sampler = "elm";
  o.angular_sampler = "swim";
  o.energy_weight = 0.25;
  o.force_weight = 2.0;
  o.virial_weight = 0.125;
  o.species_energies = {-1.5, std::nan("")};
  o.reference = "zbl";
  o.zbl_inner = 0.5;
  o.zbl_outer = 1.5;
  o.zbl_numbers = {29.0, 79.0};
  return o;
}
}  // namespace

TEST(GraphModelFile, EveryOptionAndSummaryFieldRoundTrips) {
  const P::GraphFitOptions o = every_graph_option();
  const json defaults = json::parse(to_json(P::GraphFitOptions{}));
  const auto changed = changed_keys(json::parse(to_json(o)), defaults);
  EXPECT_EQ(changed.size(), defaults.size()) << "an option of GraphFitOptions is never changed here";
  TempDir dir;
  const P::ParticleDataset d = small_lattice(1);
  P::GraphHamiltonian m(o);
  m.fit(d);
  P::save_graph_model(m, dir.file("g.hsm"));
  EXPECT_EQ(model_kind(dir.file("g.hsm")), ModelKind::Graph);
  const P::GraphHamiltonian r = P::load_graph_model(dir.file("g.hsm"));
  EXPECT_EQ(to_json(r.options()), to_json(o));
  EXPECT_EQ(to_json(r.summary()), to_json(m.summary()));
  EXPECT_EQ(json::parse(to_json(r.summary()))["mse"], m.summary().mse);
  EXPECT_EQ(r.vector_field(d.topology, d.x), m.vector_field(d.topology, d.x));
  EXPECT_EQ(r.energy(d.topology, d.x), m.energy(d.topology, d.x));
  EXPECT_EQ(r.units(), "");
  m.set_units("metal");
  P::save_graph_model(m, dir.file("g-metal.hsm"));
  EXPECT_EQ(P::load_graph_model(dir.file("g-metal.hsm")).units(), "metal");
  expect_error([&] { m.set_units(std::string("e\tV")); }, "printable ASCII");
  // A dense loader refuses it, naming its kind.
  expect_error([&] { load_model(dir.file("g.hsm")); }, "holds a graph model, not a dense one");
  expect_error([&] { P::load_graph_model(dir.file("missing")); }, "cannot read");
}

TEST(GraphModelFile, CorruptTruncatedForeignAndNewerFilesAreTheSameClearErrors) {
  TempDir dir;
  P::GraphFitOptions o;
  o.kinetic_width = 3;
  o.pair_width = 4;
  P::GraphHamiltonian m(o);
  m.fit(small_lattice(2));
  const std::string good = dir.file("good.hsm");
  P::save_graph_model(m, good);
  expect_error([&] { P::save_graph_model(m, good); }, "already exists: choose another path or allow overwriting");
  const std::string bytes = read_all(good);
  auto expect = [&](const std::string& name, const std::string& content, const std::string& message) {
    write_all(dir.file(name), content);
    expect_error([&] { P::load_graph_model(dir.file(name)); }, message);
  };
  std::string flipped = bytes;
  flipped[flipped.size() - 20] ^= 0x10;  // inside the parameters
  expect("flipped.hsm", flipped, "checksum mismatch");
  expect("short.hsm", bytes.substr(0, bytes.size() / 2), "truncated");
  expect("tiny.hsm", bytes.substr(0, 10), "too short");
  std::string newer = bytes;
  newer[8] = 2;
  expect("newer.hsm", newer, "newer hamsam");
  std::string magic = bytes;
  magic[1] = 'X';
  expect("magic.hsm", magic, "not a hamsam model file (wrong magic bytes)");
  expect("trailing.hsm", bytes + "xx", "unexpected trailing bytes");
  // The dense kind's file to the graph loader.
  save_model(fitted_model(), dir.file("dense.hsm"));
  expect_error([&] { P::load_graph_model(dir.file("dense.hsm")); }, "holds a dense model, not a graph one");
}

TEST(GraphModelFile, EarlierJsonFilesStillLoad) {
  const std::string data = HAMSAM_TEST_DATA;
  const json ref = json::parse(read_all(data + "/old_models.json"))["graph"];
  EXPECT_EQ(model_kind(data + "/graph_json_v1.json"), ModelKind::Graph);
  const P::GraphHamiltonian m = P::load_graph_model(data + "/graph_json_v1.json");
  const Index n = static_cast<Index>(ref["x"].size()), D = static_cast<Index>(ref["x"][0].size());
  Matrix x(n, D);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < D; ++j) x(i, j) = ref["x"][i][j].get<double>();
  const Vector e = m.energy(P::lattice({2, 2, 2}), x);
  for (Index i = 0; i < n; ++i) EXPECT_EQ(e(i), ref["energy"][i].get<double>());
  EXPECT_EQ(m.options().message_width, 2);
  EXPECT_EQ(m.options().seed, 4u);
  ASSERT_TRUE(m.message_layer().has_value());
  // Saved again, it is a model file of the current format with the same networks.
  TempDir dir;
  P::save_graph_model(m, dir.file("again.hsm"));
  EXPECT_EQ(P::load_graph_model(dir.file("again.hsm")).energy(P::lattice({2, 2, 2}), x), e);
  write_all(dir.file("v7.json"), R"({"format": "hamsam-graph", "version": 7})");
  expect_error([&] { P::load_graph_model(dir.file("v7.json")); }, "version 7");
  write_all(dir.file("other.json"), R"({"format": "other"})");
  expect_error([&] { P::load_graph_model(dir.file("other.json")); }, "not a hamsam graph model");
}
