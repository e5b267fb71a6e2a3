#include "model_io.h"

#include "base64.h"

namespace nnplay {

template <typename T>
Json modelToJson(const Network<T>& network, bool base64) {
  Json weights = Json::array();
  for (const NamedTensor<T>& w : network.weights()) {
    const std::vector<float> values(w.data.begin(), w.data.end());
    Json data = base64 ? Json(encodeFloatsBase64(values.data(), values.size())) : Json(values);
    weights.push_back({{"name", w.name}, {"shape", w.shape}, {"data", data}});
  }
  return {{"format", "nnplay-model"},
          {"version", 1},
          {"config", toJson(network.config())},
          {"weights", weights}};
}

Shape shapeFromJson(const Json& shape, const std::string& at) {
  if (!shape.is_array()) throw ConfigError(at + ": expected positive integers");
  Shape result;
  for (const Json& d : shape) {
    // A dimension above the parameter limit matches no layer, and every one fits an int.
    if (!d.is_number_integer() || d.get<long long>() < 1 ||
        d.get<long long>() > Limits::kMaxParameters)
      throw ConfigError(at + ": expected positive integers");
    result.push_back(d.get<int>());
  }
  return result;
}

std::vector<NamedTensor<float>> weightsFromJson(const Json& weights, const std::string& field) {
  if (!weights.is_array()) throw ConfigError(field + ": expected a list of tensors");
  std::vector<NamedTensor<float>> list;
  for (size_t i = 0; i < weights.size(); ++i) {
    const std::string at = field + "[" + std::to_string(i) + "]";
    const Json& w = weights[i];
    if (!w.is_object() || !w.contains("name") || !w["name"].is_string() || !w.contains("shape") ||
        !w["shape"].is_array() || !w.contains("data"))
      throw ConfigError(at + ": expected {name, shape, data}");
    NamedTensor<float> tensor;
    tensor.name = w["name"].get<std::string>();
    tensor.shape = shapeFromJson(w["shape"], at + ".shape");
    const Json& data = w["data"];
    if (data.is_string()) {
      tensor.data = decodeFloatsBase64(data.get<std::string>(), at + ".data");
    } else if (data.is_array()) {
      tensor.data.reserve(data.size());
      for (size_t k = 0; k < data.size(); ++k) {
        if (!data[k].is_number())
          throw ConfigError(at + ".data[" + std::to_string(k) + "]: expected a number");
        tensor.data.push_back(data[k].get<float>());
      }
    } else {
      throw ConfigError(at + ".data: expected a base64 string or a list of numbers");
    }
    list.push_back(std::move(tensor));
  }
  return list;
}

template <typename T>
std::unique_ptr<Network<T>> modelFromJson(const Json& model) {
  if (!model.is_object()) throw ConfigError("model: expected a JSON object");
  if (model.value("format", Json()) != "nnplay-model")
    throw ConfigError("format: expected \"nnplay-model\", got " +
                      (model.contains("format") ? model["format"].dump().substr(0, 40) : "nothing"));
  if (model.value("version", Json()) != 1)
    throw ConfigError("version: expected 1, got " +
                      (model.contains("version") ? model["version"].dump().substr(0, 40)
                                                 : "nothing"));
  if (!model.contains("config")) throw ConfigError("config: missing");
  if (!model.contains("weights")) throw ConfigError("weights: missing");
  Config config;
  try {
    config = parseConfig(model["config"]);
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    throw ConfigError(message.rfind("config", 0) == 0 ? message : "config." + message);
  }
  const std::vector<NamedTensor<float>> floats = weightsFromJson(model["weights"], "weights");
  std::vector<NamedTensor<T>> weights;
  for (const auto& w : floats)
    weights.push_back({w.name, w.shape, std::vector<T>(w.data.begin(), w.data.end())});
  auto network = std::make_unique<Network<T>>(config);
  network->setWeights(weights);
  return network;
}

template Json modelToJson(const Network<float>&, bool);
template Json modelToJson(const Network<double>&, bool);
template std::unique_ptr<Network<float>> modelFromJson(const Json&);
template std::unique_ptr<Network<double>> modelFromJson(const Json&);

}  // namespace nnplay
