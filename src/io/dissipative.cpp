// Dissipative model files (the container of io/model_file.hpp, kind "dissipative").
#include "container.hpp"
#include "hamsam/io/dissipative_file.hpp"

namespace hamsam {
namespace {

/// The shape of a hidden layer stored in a header: {"dim": rows of W, "width": columns}.
io::json layer_shape(const HiddenLayer& L) { return io::json{{"dim", L.dim()}, {"width", L.width()}}; }

void append_layer(const HiddenLayer& L, std::vector<double>& p) {
  p.insert(p.end(), L.W.data(), L.W.data() + L.W.size());
  p.insert(p.end(), L.b.data(), L.b.data() + L.b.size());
}

/// The (dim, width) of a stored layer, checked for plausibility.
std::pair<Index, Index> stored_shape(const io::json& header, const char* key, const std::string& where) {
  const auto s = header.find(key);
  require(s != header.end() && s->is_object(), where + "is corrupt (header lacks the shape of " + key + ")");
  const auto d = s->find("dim"), w = s->find("width");
  const bool plausible = d != s->end() && w != s->end() && d->is_number_unsigned() && w->is_number_unsigned() &&
                         d->get<std::uint64_t>() < (std::uint64_t(1) << 20) &&
                         w->get<std::uint64_t>() < (std::uint64_t(1) << 32);
  require(plausible, where + "is corrupt (implausible shape of " + key + ")");
  return {d->get<Index>(), w->get<Index>()};
}

HiddenLayer read_layer(io::ParameterReader& r, std::pair<Index, Index> shape) {
  const auto [dim, width] = shape;
  HiddenLayer L;
  L.W = Eigen::Map<const Matrix>(r.take(static_cast<std::uint64_t>(dim * width)).data(), dim, width);
  const std::vector<double> b = r.take(static_cast<std::uint64_t>(width));
  L.b = Eigen::Map<const Vector>(b.data(), width);
  return L;
}

}  // namespace

void save_dissipative_model(const DissipativeHamiltonian& model, const std::string& path, bool overwrite) {
  require(model.fitted(), "save: the model is not fitted yet: call fit() first");
  io::json header;
  header["hamiltonian"] = io::dense_header(model.hamiltonian());
  header["dissipation"] = io::fields_to_json(model.dissipation_options());
  header["dissipation_summary"] = io::fields_to_json(model.dissipation_summary());
  header["dissipation_layer"] = layer_shape(model.dissipation_layer());
  header["input_layer"] = layer_shape(model.input_layer());
  header["inputs"] = model.inputs();
  header["coefficients"] = model.coefficients().size();
  std::vector<double> p;
  io::append_dense_parameters(model.hamiltonian(), p);
  append_layer(model.dissipation_layer(), p);
  append_layer(model.input_layer(), p);
  p.insert(p.end(), model.coefficients().data(), model.coefficients().data() + model.coefficients().size());
  io::write_model_file(path, "dissipative", std::move(header), p, overwrite);
}

DissipativeHamiltonian load_dissipative_model(const std::string& path) {
  const std::string where = "load: '" + path + "' ";
  const io::ModelFile f = io::read_model_file(path, "dissipative");
  const io::json& h = f.header;
  require(h.contains("hamiltonian") && h["hamiltonian"].is_object(), where + "is corrupt (header lacks the hamiltonian)");
  const auto rs = stored_shape(h, "dissipation_layer", where), gs = stored_shape(h, "input_layer", where);
  const auto inputs = h.find("inputs"), ncoef = h.find("coefficients");
  require(inputs != h.end() && inputs->is_number_unsigned() && inputs->get<std::uint64_t>() < (std::uint64_t(1) << 20) &&
              ncoef != h.end() && ncoef->is_number_unsigned() && ncoef->get<std::uint64_t>() < (std::uint64_t(1) << 40),
          where + "is corrupt (implausible inputs/coefficients)");
  const std::uint64_t expected = io::dense_parameter_count(h["hamiltonian"], where) +
                                 static_cast<std::uint64_t>(rs.first * rs.second + rs.second) +
                                 static_cast<std::uint64_t>(gs.first * gs.second + gs.second) +
                                 ncoef->get<std::uint64_t>();
  require(expected == f.parameters.size(), where + "is corrupt (parameter count does not match the shapes)");
  io::ParameterReader r(f.parameters);
  DenseHamiltonian H = io::read_dense(h["hamiltonian"], r, where);
  HiddenLayer R = read_layer(r, rs), G = read_layer(r, gs);
  const std::vector<double> coef = r.take(ncoef->get<std::uint64_t>());
  r.finish();
  DissipationOptions o;
  DissipationSummary s;
  try {
    io::fields_from_json(o, h.at("dissipation"));
    const auto summary = h.find("dissipation_summary");
    if (summary != h.end()) io::fields_from_json(s, *summary);
    o.validate();
  } catch (const Error& e) {
    throw Error(where + "has invalid dissipation options: " + e.what());
  } catch (const std::exception& e) {
    throw Error(where + "is corrupt (dissipation options/summary unreadable: " + e.what() + ")");
  }
  FitOptions fo = H.options();
  try {
    return DissipativeHamiltonian(fo, o, std::move(H), std::move(R), std::move(G), inputs->get<Index>(),
                                  Eigen::Map<const Vector>(coef.data(), static_cast<Index>(coef.size())), s);
  } catch (const Error& e) {
    throw Error(where + "is corrupt (" + e.what() + ")");
  }
}

}  // namespace hamsam
