#include "config.h"

#include <cmath>
#include <cstdio>
#include <optional>
#include <set>
#include <utility>

namespace nnplay {
namespace {

template <typename E>
using NameTable = std::vector<std::pair<E, const char*>>;

const NameTable<Activation> kActivations = {{Activation::Linear, "linear"},
                                            {Activation::Sigmoid, "sigmoid"},
                                            {Activation::Tanh, "tanh"},
                                            {Activation::Relu, "relu"},
                                            {Activation::Softmax, "softmax"}};
const NameTable<LayerType> kLayerTypes = {{LayerType::Dense, "dense"},
                                          {LayerType::Conv2d, "conv2d"},
                                          {LayerType::MaxPool2d, "maxpool2d"},
                                          {LayerType::Flatten, "flatten"},
                                          {LayerType::Dropout, "dropout"}};
const NameTable<Padding> kPaddings = {{Padding::Valid, "valid"}, {Padding::Same, "same"}};
const NameTable<LossType> kLosses = {{LossType::Mse, "mse"},
                                     {LossType::Quadratic, "quadratic"},
                                     {LossType::Bce, "bce"},
                                     {LossType::CrossEntropy, "cross_entropy"}};
const NameTable<OptimizerType> kOptimizers = {{OptimizerType::Sgd, "sgd"},
                                              {OptimizerType::Adam, "adam"}};
const NameTable<RegularizationType> kRegularizations = {{RegularizationType::None, "none"},
                                                        {RegularizationType::L1, "l1"},
                                                        {RegularizationType::L2, "l2"}};
const NameTable<InitType> kInits = {
    {InitType::Xavier, "xavier"}, {InitType::He, "he"}, {InitType::Uniform, "uniform"}};

template <typename E>
const char* nameOf(const NameTable<E>& table, E value) {
  for (const auto& [v, name] : table)
    if (v == value) return name;
  return "?";
}

// A JSON value as it appears in an error message, cut short so a hostile value stays readable.
std::string describe(const Json& value) {
  std::string s = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return s;
}

// 0.9999 -> "0.9999", 100 -> "100" (not "100.0").
std::string formatNumber(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.10g", value);
  return text;
}

[[noreturn]] void fail(const std::string& path, const std::string& expected, const Json& got) {
  throw ConfigError(path + ": expected " + expected + ", got " + describe(got));
}

// Reads the fields of one JSON object; every key must be read, so typos and extra fields fail.
class ObjectReader {
 public:
  ObjectReader(const Json& object, std::string path) : object_(object), path_(std::move(path)) {
    if (!object_.is_object()) fail(path_.empty() ? "config" : path_, "an object", object_);
  }

  std::string fieldPath(const char* key) const { return path_.empty() ? key : path_ + "." + key; }

  bool has(const char* key) const { return object_.contains(key); }

  const Json* get(const char* key) {
    read_.insert(key);
    auto it = object_.find(key);
    return it == object_.end() ? nullptr : &*it;
  }

  const Json& require(const char* key) {
    const Json* value = get(key);
    if (!value) throw ConfigError(fieldPath(key) + ": missing");
    return *value;
  }

  int integer(const char* key, int low, int high, std::optional<int> fallback = std::nullopt) {
    const Json* value = fallback ? get(key) : &require(key);
    if (!value) return *fallback;
    return readInteger(*value, fieldPath(key), low, high);
  }

  double number(const char* key, double low, double high,
                std::optional<double> fallback = std::nullopt) {
    const Json* value = fallback ? get(key) : &require(key);
    if (!value) return *fallback;
    const std::string range = "a number in [" + formatNumber(low) + ", " + formatNumber(high) + "]";
    if (!value->is_number()) fail(fieldPath(key), range, *value);
    const double v = value->get<double>();
    if (!std::isfinite(v) || v < low || v > high) fail(fieldPath(key), range, *value);
    return v;
  }

  template <typename E>
  E choice(const char* key, const NameTable<E>& table, std::optional<E> fallback = std::nullopt) {
    const Json* value = fallback ? get(key) : &require(key);
    if (!value) return *fallback;
    std::string options;
    for (const auto& [v, name] : table) {
      options += options.empty() ? "" : "|";
      options += name;
      if (value->is_string() && value->get<std::string>() == name) return v;
    }
    fail(fieldPath(key), "one of " + options, *value);
  }

  void rejectUnknownFields() const {
    for (const auto& [key, value] : object_.items())
      if (!read_.count(key))
        throw ConfigError(fieldPath(key.c_str()) + ": unknown field (value " + describe(value) +
                          ")");
  }

  static int readInteger(const Json& value, const std::string& path, int low, int high) {
    const std::string range =
        "an integer in [" + std::to_string(low) + ", " + std::to_string(high) + "]";
    if (!value.is_number()) fail(path, range, value);
    const double v = value.get<double>();
    if (!std::isfinite(v) || v != std::floor(v) || v < low || v > high) fail(path, range, value);
    return static_cast<int>(v);
  }

 private:
  const Json& object_;
  std::string path_;
  std::set<std::string> read_;
};

LayerConfig parseLayer(const Json& json, const std::string& path, bool isLast) {
  ObjectReader r(json, path);
  LayerConfig layer;
  layer.type = r.choice("type", kLayerTypes);
  switch (layer.type) {
    case LayerType::Dense:
      layer.units = r.integer("units", 1, Limits::kMaxUnits);
      layer.activation = r.choice("activation", kActivations, std::optional(Activation::Linear));
      break;
    case LayerType::Conv2d:
      layer.filters = r.integer("filters", 1, 1024);
      layer.kernel = r.integer("kernel", 1, 64);
      layer.stride = r.integer("stride", 1, 64, 1);
      layer.padding = r.choice("padding", kPaddings, std::optional(Padding::Valid));
      layer.activation = r.choice("activation", kActivations, std::optional(Activation::Linear));
      break;
    case LayerType::MaxPool2d:
      layer.size = r.integer("size", 1, 64);
      break;
    case LayerType::Flatten:
      break;
    case LayerType::Dropout:
      layer.rate = r.number("rate", 0.0, 0.95);
      break;
  }
  r.rejectUnknownFields();
  if (layer.activation == Activation::Softmax && !isLast)
    throw ConfigError(path + ".activation: softmax is only allowed on the last layer");
  return layer;
}

Shape parseInput(const Json& json) {
  const std::string path = "input";
  const std::string expected = "a shape like [2] or [28, 28, 1]";
  if (!json.is_array() || json.empty() || json.size() > 3) fail(path, expected, json);
  Shape shape;
  Index size = 1;
  for (size_t i = 0; i < json.size(); ++i) {
    shape.push_back(ObjectReader::readInteger(json[i], path + "[" + std::to_string(i) + "]", 1,
                                              Limits::kMaxInputSize));
    size *= shape.back();
  }
  if (size > Limits::kMaxInputSize)
    fail(path, "at most " + std::to_string(Limits::kMaxInputSize) + " values per sample", json);
  return shape;
}

Index parameterCount(const LayerConfig& layer, const Shape& in) {
  switch (layer.type) {
    case LayerType::Dense:
      return (shapeSize(in) + 1) * layer.units;
    case LayerType::Conv2d:
      return (Index(layer.kernel) * layer.kernel * in[2] + 1) * layer.filters;
    default:
      return 0;
  }
}

}  // namespace

int windowOutputSize(int input, int window, int stride, Padding padding) {
  if (padding == Padding::Same) return (input + stride - 1) / stride;
  return input < window ? 0 : (input - window) / stride + 1;
}

const char* toString(Activation a) { return nameOf(kActivations, a); }
const char* toString(LayerType t) { return nameOf(kLayerTypes, t); }
const char* toString(Padding p) { return nameOf(kPaddings, p); }
const char* toString(LossType l) { return nameOf(kLosses, l); }
const char* toString(OptimizerType o) { return nameOf(kOptimizers, o); }
const char* toString(RegularizationType r) { return nameOf(kRegularizations, r); }
const char* toString(InitType i) { return nameOf(kInits, i); }

std::vector<Shape> layerOutputShapes(const Config& config, Index* parameterTotal) {
  std::vector<Shape> shapes;
  Shape shape = config.input;
  Index parameters = 0, activations = shapeSize(shape);
  for (size_t i = 0; i < config.layers.size(); ++i) {
    const LayerConfig& layer = config.layers[i];
    const std::string path = "layers[" + std::to_string(i) + "]";
    const std::string in = shapeToString(shape);
    const bool image = shape.size() == 3;
    switch (layer.type) {
      case LayerType::Dense:
        if (shape.size() != 1)
          throw ConfigError(path + ": dense needs a flat input, got shape " + in +
                            " (add a flatten layer before it)");
        parameters += parameterCount(layer, shape);
        shape = {layer.units};
        break;
      case LayerType::Conv2d:
      case LayerType::MaxPool2d: {
        if (!image)
          throw ConfigError(path + ": " + toString(layer.type) +
                            " needs an image input [height, width, channels], got shape " + in);
        const bool conv = layer.type == LayerType::Conv2d;
        const int window = conv ? layer.kernel : layer.size;
        const int stride = conv ? layer.stride : layer.size;
        const Padding padding = conv ? layer.padding : Padding::Valid;
        const int h = windowOutputSize(shape[0], window, stride, padding);
        const int w = windowOutputSize(shape[1], window, stride, padding);
        if (h < 1 || w < 1)
          throw ConfigError(path + (conv ? ".kernel: " : ".size: ") + std::to_string(window) +
                            " is larger than the input " + in);
        parameters += parameterCount(layer, shape);
        shape = {h, w, conv ? layer.filters : shape[2]};
        break;
      }
      case LayerType::Flatten:
        shape = {static_cast<int>(shapeSize(shape))};
        break;
      case LayerType::Dropout:
        break;
    }
    activations += shapeSize(shape);
    if (parameters > Limits::kMaxParameters)
      throw ConfigError(path + ": the network would have " + std::to_string(parameters) +
                        " parameters, more than the limit of " +
                        std::to_string(Limits::kMaxParameters));
    if (activations > Limits::kMaxActivations)
      throw ConfigError(path + ": the layers would produce " + std::to_string(activations) +
                        " values per sample, more than the limit of " +
                        std::to_string(Limits::kMaxActivations));
    shapes.push_back(shape);
  }
  if (parameterTotal) *parameterTotal = parameters;
  return shapes;
}

Config parseConfig(const Json& json) {
  ObjectReader r(json, "");
  Config config;
  config.input = parseInput(r.require("input"));

  const Json& layers = r.require("layers");
  if (!layers.is_array() || layers.empty() || layers.size() > Limits::kMaxLayers)
    fail("layers", "a list of 1 to " + std::to_string(Limits::kMaxLayers) + " layers", layers);
  for (size_t i = 0; i < layers.size(); ++i)
    config.layers.push_back(
        parseLayer(layers[i], "layers[" + std::to_string(i) + "]", i + 1 == layers.size()));

  config.loss = r.choice("loss", kLosses);
  if (const Json* optimizer = r.get("optimizer")) {
    ObjectReader o(*optimizer, "optimizer");
    config.optimizer.type = o.choice("type", kOptimizers);
    const bool adam = config.optimizer.type == OptimizerType::Adam;
    config.optimizer.lr = o.number("lr", 0.0, 100.0, adam ? 0.001 : 0.03);
    if (adam) {
      config.optimizer.beta1 = o.number("beta1", 0.0, 0.9999999, 0.9);
      config.optimizer.beta2 = o.number("beta2", 0.0, 0.9999999, 0.999);
      config.optimizer.epsilon = o.number("epsilon", 1e-12, 1.0, 1e-7);
    } else {
      config.optimizer.momentum = o.number("momentum", 0.0, 0.9999, 0.0);
    }
    o.rejectUnknownFields();
  }
  if (const Json* reg = r.get("regularization")) {
    ObjectReader o(*reg, "regularization");
    config.regularization = o.choice("type", kRegularizations);
    config.regularizationRate = o.number("rate", 0.0, 10.0, 0.0);
    o.rejectUnknownFields();
  }
  config.init = r.choice("init", kInits, std::optional(InitType::Xavier));
  if (const Json* seed = r.get("seed")) {
    const double s = seed->is_number() ? seed->get<double>() : -1;
    if (!(s >= 0 && s <= 4294967295.0 && s == std::floor(s)))
      fail("seed", "an integer in [0, 4294967295]", *seed);
    config.seed = static_cast<uint64_t>(s);
  }
  config.batchSize = r.integer("batchSize", 1, Limits::kMaxBatchSize, 10);
  r.rejectUnknownFields();

  const std::vector<Shape> shapes = layerOutputShapes(config);
  const Activation out = config.layers.back().activation;
  const bool outputIsDense =
      config.layers.back().type == LayerType::Dense || config.layers.back().type == LayerType::Conv2d;
  if (config.loss == LossType::CrossEntropy && !(outputIsDense && out == Activation::Softmax))
    throw ConfigError(std::string("loss: cross_entropy needs a softmax output layer, got ") +
                      toString(out));
  if (config.loss == LossType::Bce && !(outputIsDense && out == Activation::Sigmoid))
    throw ConfigError(std::string("loss: bce needs a sigmoid output layer, got ") + toString(out));
  if (out == Activation::Softmax && shapes.back().size() != 1)
    throw ConfigError("layers[" + std::to_string(config.layers.size() - 1) +
                      "].activation: softmax needs a flat output, got shape " +
                      shapeToString(shapes.back()));
  return config;
}

Config parseConfig(const std::string& text) {
  Json json;
  try {
    json = Json::parse(text);
  } catch (const Json::parse_error& e) {
    throw ConfigError(std::string("config: not valid JSON (") + e.what() + ")");
  }
  return parseConfig(json);
}

Json toJson(const Config& config) {
  Json layers = Json::array();
  for (const LayerConfig& layer : config.layers) {
    Json j = {{"type", toString(layer.type)}};
    switch (layer.type) {
      case LayerType::Dense:
        j["units"] = layer.units;
        j["activation"] = toString(layer.activation);
        break;
      case LayerType::Conv2d:
        j["filters"] = layer.filters;
        j["kernel"] = layer.kernel;
        j["stride"] = layer.stride;
        j["padding"] = toString(layer.padding);
        j["activation"] = toString(layer.activation);
        break;
      case LayerType::MaxPool2d:
        j["size"] = layer.size;
        break;
      case LayerType::Flatten:
        break;
      case LayerType::Dropout:
        j["rate"] = layer.rate;
        break;
    }
    layers.push_back(j);
  }
  Json optimizer = {{"type", toString(config.optimizer.type)}, {"lr", config.optimizer.lr}};
  if (config.optimizer.type == OptimizerType::Adam) {
    optimizer["beta1"] = config.optimizer.beta1;
    optimizer["beta2"] = config.optimizer.beta2;
    optimizer["epsilon"] = config.optimizer.epsilon;
  } else {
    optimizer["momentum"] = config.optimizer.momentum;
  }
  return {{"input", config.input},
          {"layers", layers},
          {"loss", toString(config.loss)},
          {"optimizer", optimizer},
          {"regularization",
           {{"type", toString(config.regularization)}, {"rate", config.regularizationRate}}},
          {"init", toString(config.init)},
          {"seed", config.seed},
          {"batchSize", config.batchSize}};
}

}  // namespace nnplay
