// Dense model files (the container of io/model_file.hpp, kind "dense").
#include "container.hpp"
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
  return header;
}

void append_dense_parameters(const DenseHamiltonian& model, std::vector<double>& p) {
  const HiddenLayer& L = model.layer();
  p.reserve(p.size() + static_cast<std::size_t>(L.W.size() + 2 * L.width() + 1));
  p.insert(p.end(), L.W.data(), L.W.data() + L.W.size());
  p.insert(p.end(), L.b.data(), L.b.data() + L.b.size());
  p.insert(p.end(), model.coefficients().data(), model.coefficients().data() + model.coefficients().size());
  p.push_back(model.constant());
}

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
  return static_cast<std::uint64_t>(dim * width + 2 * width + 1);
}

DenseHamiltonian read_dense(const json& header, ParameterReader& r, const std::string& where) {
  (void)dense_parameter_count(header, where);  // dim and width checked
  const Index dim = header["dim"].get<Index>(), width = header["width"].get<Index>();
  HiddenLayer L;
  L.W = Eigen::Map<const Matrix>(r.take(static_cast<std::uint64_t>(dim * width)).data(), dim, width);
  const std::vector<double> b = r.take(static_cast<std::uint64_t>(width)), c = r.take(static_cast<std::uint64_t>(width));
  L.b = Eigen::Map<const Vector>(b.data(), width);
  const double c0 = r.next();
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
  DenseHamiltonian model(o, std::move(L), Eigen::Map<const Vector>(c.data(), width), c0, std::move(s));
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
