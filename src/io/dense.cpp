// Dense model files (the container of io/model_file.hpp, kind "dense").
#include "container.hpp"
#include "hamsam/groups.hpp"
#include "hamsam/io/model_file.hpp"

namespace hamsam {
namespace io {

json dense_header(const DenseHamiltonian& model) {
  const HiddenLayer& L = model.layer();
  json header;
  header["dim"] = L.dim();
  header["width"] = L.width();
  header["options"] = fields_to_json(model.options());
  header["summary"] = fields_to_json(model.summary());
  header["metadata"] = json::parse(model.metadata());
  if (!model.units().empty()) header["units"] = model.units();
  const Matrix& A = model.kinetic_matrix();
  if (A.size() > 0) header["kinetic"] = A.rows();  // the kinetic term's matrix follows the constant
  // "quadratic-q": the neurons of A(q) follow A (W, b, their coefficients; kinetic.hpp)
  if (!model.mass_field().empty()) header["kinetic_q"] = model.mass_field().width();
  return header;
}

void append_dense_parameters(const DenseHamiltonian& model, std::vector<double>& p) {
  const HiddenLayer& L = model.layer();
  const Matrix& A = model.kinetic_matrix();
  p.reserve(p.size() + static_cast<std::size_t>(L.W.size() + 2 * L.width() + 1 + A.size()));
  p.insert(p.end(), L.W.data(), L.W.data() + L.W.size());
  p.insert(p.end(), L.b.data(), L.b.data() + L.b.size());
  p.insert(p.end(), model.coefficients().data(), model.coefficients().data() + model.coefficients().size());
  p.push_back(model.constant());
  p.insert(p.end(), A.data(), A.data() + A.size());
  const MassField& f = model.mass_field();
  for (const Matrix* m : {&f.layer.W, &f.coef}) {
    p.insert(p.end(), m->data(), m->data() + m->size());
    if (m == &f.layer.W) p.insert(p.end(), f.layer.b.data(), f.layer.b.data() + f.layer.b.size());
  }
}

namespace {
// The side of the kinetic matrix a dense header announces (0: none), checked against dim.
Index kinetic_side(const json& header, Index dim, const std::string& where) {
  const auto k = header.find("kinetic");
  if (k == header.end()) return 0;
  require(k->is_number_unsigned() && k->get<std::uint64_t>() == static_cast<std::uint64_t>(dim / 2),
          where + "is corrupt (its kinetic matrix does not match dim)");
  return dim / 2;
}

// The neurons of A(q) a dense header announces (0: none), and the parameters they take for dim.
Index mass_width_of(const json& header, const std::string& where) {
  const auto k = header.find("kinetic_q");
  if (k == header.end()) return 0;
  require(k->is_number_unsigned() && k->get<std::uint64_t>() >= 1 && k->get<std::uint64_t>() < (std::uint64_t(1) << 24),
          where + "is corrupt (implausible kinetic_q)");
  return k->get<Index>();
}
Index mass_parameters(Index dim, Index m) { return (dim / 2) * m + m + mass_columns(dim, m); }
}  // namespace

std::uint64_t dense_parameter_count(const json& header, const std::string& where) {
  const auto d = header.find("dim"), w = header.find("width");
  require(d != header.end() && w != header.end() && d->is_number_integer() && w->is_number_integer(),
          where + "is corrupt (header lacks dim/width)");
  const bool plausible = d->is_number_unsigned() && w->is_number_unsigned() &&
                         d->get<std::uint64_t>() < (std::uint64_t(1) << 20) &&
                         w->get<std::uint64_t>() < (std::uint64_t(1) << 32);
  require(plausible, where + "is corrupt (implausible dim/width)");
  const Index dim = d->get<Index>(), width = w->get<Index>();
  require(dim >= 2 && width >= 1, where + "is corrupt (implausible dim/width)");
  const Index kinetic = kinetic_side(header, dim, where);
  return static_cast<std::uint64_t>(dim * width + 2 * width + 1 + kinetic * kinetic +
                                    mass_parameters(dim, mass_width_of(header, where)));
}

DenseHamiltonian read_dense(const json& header, ParameterReader& r, const std::string& where) {
  (void)dense_parameter_count(header, where);  // dim and width checked
  const Index dim = header["dim"].get<Index>(), width = header["width"].get<Index>();
  HiddenLayer L;
  L.W = Eigen::Map<const Matrix>(r.take(static_cast<std::uint64_t>(dim * width)).data(), dim, width);
  const std::vector<double> b = r.take(static_cast<std::uint64_t>(width)), c = r.take(static_cast<std::uint64_t>(width));
  L.b = Eigen::Map<const Vector>(b.data(), width);
  const double c0 = r.next();
  const Index kinetic = kinetic_side(header, dim, where);
  Matrix A;
  if (kinetic > 0) A = Eigen::Map<const Matrix>(r.take(static_cast<std::uint64_t>(kinetic * kinetic)).data(), kinetic, kinetic);
  MassField mass;
  if (const Index m = mass_width_of(header, where); m > 0) {
    const Index n = dim / 2, T = n * (n + 1) / 2;
    mass.layer.W = Eigen::Map<const Matrix>(r.take(static_cast<std::uint64_t>(n * m)).data(), n, m);
    mass.layer.b = Eigen::Map<const Vector>(r.take(static_cast<std::uint64_t>(m)).data(), m);
    mass.coef = Eigen::Map<const Matrix>(r.take(static_cast<std::uint64_t>(T * m)).data(), T, m);
  }
  FitOptions o;
  FitSummary s;
  try {
    fields_from_json(o, header.at("options"));
    const auto summary = header.find("summary");
    if (summary != header.end()) fields_from_json(s, *summary);
    o.validate();
  } catch (const Error& e) {
    throw Error(where + "has invalid options: " + e.what());
  } catch (const std::exception& e) {
    throw Error(where + "is corrupt (options/summary unreadable: " + e.what() + ")");
  }
  require(o.width == width, where + "is corrupt (its options say width " + std::to_string(o.width) +
                                " but it stores " + std::to_string(width) + " neurons)");
  require(has_kinetic(o.kinetic) == (kinetic > 0), where + "is corrupt (its options and its kinetic matrix disagree)");
  require(kinetic == 0 || (A.allFinite() && A == A.transpose()), where + "is corrupt (its kinetic matrix is not "
                                                                       "finite and symmetric)");
  require(has_position_kinetic(o.kinetic) == !mass.empty() && (mass.empty() || mass.width() == o.mass_width),
          where + "is corrupt (its options and its position-dependent kinetic term disagree)");
  DenseHamiltonian model(o, std::move(L), Eigen::Map<const Vector>(c.data(), width), c0, std::move(s), std::move(A),
                         std::move(mass));
  const auto meta = header.find("metadata");
  if (meta != header.end() && meta->is_object()) model.set_metadata(meta->dump());
  model.set_units(units_of(header, where));
  return model;
}

}  // namespace io

void save_model(const DenseHamiltonian& model, const std::string& path, bool overwrite) {
  require(model.fitted(), "save: the model is not fitted yet: call fit() first");
  std::vector<double> p;
  io::append_dense_parameters(model, p);
  io::write_model_file(path, "dense", io::dense_header(model), p, overwrite);
}

DenseHamiltonian load_model(const std::string& path) {
  const std::string where = "load: '" + path + "' ";
  auto count = [&](const io::json& header) { return io::dense_parameter_count(header, where); };
  const io::ModelFile f = io::read_model_file(path, "dense", count);
  require(count(f.header) == f.parameters.size(), where + "is corrupt (parameter count does not match dim/width)");
  io::ParameterReader r(f.parameters);  // sizes checked against dim/width above
  DenseHamiltonian model = io::read_dense(f.header, r, where);
  r.finish();
  return model;
}

}  // namespace hamsam
