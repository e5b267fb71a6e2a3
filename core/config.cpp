#include "config.h"

#include <algorithm>
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
                                            {Activation::Softmax, "softmax"},
                                            {Activation::LeakyRelu, "leaky_relu"},
                                            {Activation::Elu, "elu"},
                                            {Activation::Gelu, "gelu"},
                                            {Activation::Softplus, "softplus"},
                                            {Activation::Swish, "swish"}};
const NameTable<LayerType> kLayerTypes = {{LayerType::Dense, "dense"},
                                          {LayerType::Conv2d, "conv2d"},
                                          {LayerType::MaxPool2d, "maxpool2d"},
                                          {LayerType::Flatten, "flatten"},
                                          {LayerType::Dropout, "dropout"},
                                          {LayerType::BatchNorm, "batchnorm"},
                                          {LayerType::AvgPool2d, "avgpool2d"}};
const NameTable<Padding> kPaddings = {{Padding::Valid, "valid"}, {Padding::Same, "same"}};
const NameTable<LossType> kLosses = {{LossType::Mse, "mse"},
                                     {LossType::Quadratic, "quadratic"},
                                     {LossType::Bce, "bce"},
                                     {LossType::CrossEntropy, "cross_entropy"}};
const NameTable<OptimizerType> kOptimizers = {{OptimizerType::Sgd, "sgd"},
                                              {OptimizerType::Adam, "adam"},
                                              {OptimizerType::Rmsprop, "rmsprop"},
                                              {OptimizerType::Adagrad, "adagrad"},
                                              {OptimizerType::AdamW, "adamw"}};
const NameTable<ScheduleType> kSchedules = {{ScheduleType::Constant, "constant"},
                                            {ScheduleType::Step, "step"},
                                            {ScheduleType::Exponential, "exponential"},
                                            {ScheduleType::Cosine, "cosine"}};
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

// Each validated field is described once, here: parseConfig reads through these descriptors
// and configSchema() publishes them, so the ranges a page shows are the ranges the core checks.
struct IntegerField {
  const char* key;
  int64_t min, max;
  std::optional<int64_t> fallback;  // the value when the field is missing; none: required
};

struct NumberField {
  const char* key;
  double min, max;
  std::optional<double> fallback;
};

struct BoolField {
  const char* key;
  bool fallback;
};

template <typename E>
struct ChoiceField {
  const char* key;
  const NameTable<E>& values;
  std::optional<E> fallback;
};

// Layers.
const ChoiceField<LayerType> kLayerType{"type", kLayerTypes, std::nullopt};
const IntegerField kUnits{"units", 1, Limits::kMaxUnits, std::nullopt};
const ChoiceField<Activation> kActivation{"activation", kActivations, Activation::Linear};
const IntegerField kFilters{"filters", 1, 1024, std::nullopt};
const IntegerField kKernel{"kernel", 1, 64, std::nullopt};
const IntegerField kStride{"stride", 1, 64, 1};
const ChoiceField<Padding> kPadding{"padding", kPaddings, Padding::Valid};
const IntegerField kPoolSize{"size", 1, 64, std::nullopt};
const NumberField kDropoutRate{"rate", 0, 0.95, std::nullopt};
const NumberField kBatchNormMomentum{"momentum", 0, 1, 0.99};
const NumberField kBatchNormEpsilon{"epsilon", 1e-12, 1, 1e-3};
const NumberField kLeakyAlpha{"alpha", 0, 1, 0.2};  // leaky_relu's slope for z < 0

// Softmax normalises across its units, which means something only for the output's classes.
const std::vector<Activation> kLastLayerOnly = {Activation::Softmax};

// Optimizers; the learning rate's default depends on the optimizer.
const ChoiceField<OptimizerType> kOptimizerType{"type", kOptimizers, std::nullopt};
const NumberField kSgdLr{"lr", 0, 100, 0.03};
const NumberField kMomentum{"momentum", 0, 0.9999, 0.0};
const NumberField kAdamLr{"lr", 0, 100, 0.001};
const NumberField kBeta1{"beta1", 0, 0.9999999, 0.9};
const NumberField kBeta2{"beta2", 0, 0.9999999, 0.999};
const NumberField kEpsilon{"epsilon", 1e-12, 1, 1e-7};
const BoolField kNesterov{"nesterov", false};
const NumberField kRho{"rho", 0, 0.9999999, 0.9};
const NumberField kWeightDecay{"weightDecay", 0, 1, 0.004};

// Learning-rate schedules (ScheduleConfig in config.h has the formulas).
const ChoiceField<ScheduleType> kScheduleType{"type", kSchedules, std::nullopt};
const IntegerField kEvery{"every", 1, 1000000000, 100};
const NumberField kFactor{"factor", 0, 1, 0.5};
const IntegerField kDecaySteps{"decaySteps", 1, 1000000000, 1000};
const NumberField kDecayRate{"decayRate", 1e-6, 1, 0.96};
const BoolField kStaircase{"staircase", false};
const NumberField kCosineAlpha{"alpha", 0, 1, 0.0};

// The rest of the config.
const ChoiceField<LossType> kLoss{"loss", kLosses, std::nullopt};
const ChoiceField<RegularizationType> kRegularizationType{"type", kRegularizations, std::nullopt};
const NumberField kRegularizationRate{"rate", 0, 10, 0.0};
const ChoiceField<InitType> kInit{"init", kInits, InitType::Xavier};
const IntegerField kSeed{"seed", 0, 4294967295, 1};
const IntegerField kBatchSize{"batchSize", 1, Limits::kMaxBatchSize, 10};

// The output activation a loss needs: bce reads one probability per output, cross_entropy a
// distribution over the classes.
const std::vector<std::pair<LossType, Activation>> kLossOutputs = {
    {LossType::Bce, Activation::Sigmoid}, {LossType::CrossEntropy, Activation::Softmax}};

// The fields of each layer type in the order they are read, each with the member it fills.
// parseLayer and configSchema() both walk this list.
template <typename Visit>
void forEachLayerField(LayerConfig& layer, Visit&& visit) {
  switch (layer.type) {
    case LayerType::Dense:
      visit(kUnits, layer.units);
      visit(kActivation, layer.activation);
      if (layer.activation == Activation::LeakyRelu) visit(kLeakyAlpha, layer.alpha);
      break;
    case LayerType::Conv2d:
      visit(kFilters, layer.filters);
      visit(kKernel, layer.kernel);
      visit(kStride, layer.stride);
      visit(kPadding, layer.padding);
      visit(kActivation, layer.activation);
      if (layer.activation == Activation::LeakyRelu) visit(kLeakyAlpha, layer.alpha);
      break;
    case LayerType::MaxPool2d:
      visit(kPoolSize, layer.size);
      break;
    case LayerType::Flatten:
      break;
    case LayerType::Dropout:
      visit(kDropoutRate, layer.rate);
      break;
    case LayerType::BatchNorm:
      visit(kBatchNormMomentum, layer.momentum);
      visit(kBatchNormEpsilon, layer.epsilon);
      visit(kActivation, layer.activation);
      break;
    case LayerType::AvgPool2d:
      visit(kPoolSize, layer.size);
      break;
  }
}

// The same for each optimizer: the learning rate (its default depends on the optimizer), then
// the optimizer's own fields. The defaults are Keras's; adagrad's epsilon (1e-7) and initial
// accumulator (0.1) are Keras's defaults too, fixed (core/optimizer.h).
template <typename Visit>
void forEachOptimizerField(OptimizerConfig& optimizer, Visit&& visit) {
  switch (optimizer.type) {
    case OptimizerType::Sgd:
      visit(kSgdLr, optimizer.lr);
      visit(kMomentum, optimizer.momentum);
      visit(kNesterov, optimizer.nesterov);
      break;
    case OptimizerType::Adam:
    case OptimizerType::AdamW:
      visit(kAdamLr, optimizer.lr);
      if (optimizer.type == OptimizerType::AdamW) visit(kWeightDecay, optimizer.weightDecay);
      visit(kBeta1, optimizer.beta1);
      visit(kBeta2, optimizer.beta2);
      visit(kEpsilon, optimizer.epsilon);
      break;
    case OptimizerType::Rmsprop:
      visit(kAdamLr, optimizer.lr);
      visit(kRho, optimizer.rho);
      visit(kEpsilon, optimizer.epsilon);
      break;
    case OptimizerType::Adagrad:
      visit(kAdamLr, optimizer.lr);
      break;
  }
}

// The same for each learning-rate schedule.
template <typename Visit>
void forEachScheduleField(ScheduleConfig& schedule, Visit&& visit) {
  switch (schedule.type) {
    case ScheduleType::Constant:
      break;
    case ScheduleType::Step:
      visit(kEvery, schedule.every);
      visit(kFactor, schedule.factor);
      break;
    case ScheduleType::Exponential:
      visit(kDecaySteps, schedule.decaySteps);
      visit(kDecayRate, schedule.decayRate);
      visit(kStaircase, schedule.staircase);
      break;
    case ScheduleType::Cosine:
      visit(kDecaySteps, schedule.decaySteps);
      visit(kCosineAlpha, schedule.alpha);
      break;
  }
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

  // A present field is checked against the descriptor; a missing one gets its fallback, or
  // fails when it has none.
  int64_t read(const IntegerField& field) {
    const Json* value = field.fallback ? get(field.key) : &require(field.key);
    if (!value) return *field.fallback;
    return readInteger(*value, fieldPath(field.key), field.min, field.max);
  }

  double read(const NumberField& field) {
    const Json* value = field.fallback ? get(field.key) : &require(field.key);
    if (!value) return *field.fallback;
    const std::string range =
        "a number in [" + formatNumber(field.min) + ", " + formatNumber(field.max) + "]";
    const double v = value->is_number() ? value->get<double>() : NAN;
    if (!std::isfinite(v) || v < field.min || v > field.max)
      fail(fieldPath(field.key), range, *value);
    return v;
  }

  bool read(const BoolField& field) {
    const Json* value = get(field.key);
    if (!value) return field.fallback;
    if (!value->is_boolean()) fail(fieldPath(field.key), "true or false", *value);
    return value->get<bool>();
  }

  template <typename E>
  E read(const ChoiceField<E>& field) {
    const Json* value = field.fallback ? get(field.key) : &require(field.key);
    if (!value) return *field.fallback;
    std::string options;
    for (const auto& [v, name] : field.values) {
      options += options.empty() ? "" : "|";
      options += name;
      if (value->is_string() && value->get<std::string>() == name) return v;
    }
    fail(fieldPath(field.key), "one of " + options, *value);
  }

  void rejectUnknownFields() const {
    for (const auto& [key, value] : object_.items())
      if (!read_.count(key))
        throw ConfigError(fieldPath(key.c_str()) + ": unknown field (value " + describe(value) +
                          ")");
  }

  static int64_t readInteger(const Json& value, const std::string& path, int64_t low,
                             int64_t high) {
    const std::string range =
        "an integer in [" + std::to_string(low) + ", " + std::to_string(high) + "]";
    if (!value.is_number()) fail(path, range, value);
    const double v = value.get<double>();
    if (!std::isfinite(v) || v != std::floor(v) || v < low || v > high) fail(path, range, value);
    return static_cast<int64_t>(v);
  }

 private:
  const Json& object_;
  std::string path_;
  std::set<std::string> read_;
};

// member = value, narrowed to the member's type (the descriptor's range makes that exact).
template <typename Member, typename Value>
void assign(Member& member, Value value) {
  member = static_cast<Member>(value);
}

LayerConfig parseLayer(const Json& json, const std::string& path, bool isLast) {
  ObjectReader r(json, path);
  LayerConfig layer;
  layer.type = r.read(kLayerType);
  forEachLayerField(layer, [&](const auto& field, auto& member) { assign(member, r.read(field)); });
  if (r.has("alpha") && layer.activation != Activation::LeakyRelu)
    throw ConfigError(r.fieldPath("alpha") + ": only leaky_relu has a slope, the activation is " +
                      toString(layer.activation));
  r.rejectUnknownFields();
  const bool lastLayerOnly = std::find(kLastLayerOnly.begin(), kLastLayerOnly.end(),
                                       layer.activation) != kLastLayerOnly.end();
  if (lastLayerOnly && !isLast)
    throw ConfigError(path + ".activation: " + toString(layer.activation) +
                      " is only allowed on the last layer");
  return layer;
}

OptimizerConfig parseOptimizer(const Json& json) {
  ObjectReader r(json, "optimizer");
  OptimizerConfig optimizer;
  optimizer.type = r.read(kOptimizerType);
  forEachOptimizerField(optimizer,
                        [&](const auto& field, auto& member) { assign(member, r.read(field)); });
  r.rejectUnknownFields();
  return optimizer;
}

ScheduleConfig parseSchedule(const Json& json) {
  ObjectReader r(json, "schedule");
  ScheduleConfig schedule;
  schedule.type = r.read(kScheduleType);
  forEachScheduleField(schedule,
                       [&](const auto& field, auto& member) { assign(member, r.read(field)); });
  r.rejectUnknownFields();
  return schedule;
}

Shape parseInput(const Json& json) {
  const std::string path = "input";
  const std::string expected = "a shape like [2] or [28, 28, 1]";
  if (!json.is_array() || json.empty() || json.size() > Limits::kMaxInputRank)
    fail(path, expected, json);
  Shape shape;
  Index size = 1;
  for (size_t i = 0; i < json.size(); ++i) {
    shape.push_back(static_cast<int>(ObjectReader::readInteger(
        json[i], path + "[" + std::to_string(i) + "]", 1, Limits::kMaxInputSize)));
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
    case LayerType::BatchNorm:  // gamma, beta and the two moving statistics
      return 4 * Index(in.back());
    default:
      return 0;
  }
}

template <typename E>
Json names(const NameTable<E>& table) {
  Json list = Json::array();
  for (const auto& entry : table) list.push_back(entry.second);
  return list;
}

Json fieldSchema(const IntegerField& field) {
  Json schema = {{"type", "integer"}, {"min", field.min}, {"max", field.max}};
  if (field.fallback) schema["default"] = *field.fallback;
  return schema;
}

Json fieldSchema(const BoolField& field) {
  return {{"type", "boolean"}, {"default", field.fallback}};
}

Json fieldSchema(const NumberField& field) {
  Json schema = {{"type", "number"}, {"min", field.min}, {"max", field.max}};
  if (field.fallback) schema["default"] = *field.fallback;
  return schema;
}

template <typename E>
Json fieldSchema(const ChoiceField<E>& field) {
  Json schema = {{"type", "choice"}, {"values", names(field.values)}};
  if (field.fallback) schema["default"] = nameOf(field.values, *field.fallback);
  return schema;
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
const char* toString(ScheduleType s) { return nameOf(kSchedules, s); }
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
      case LayerType::MaxPool2d:
      case LayerType::AvgPool2d: {
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
      case LayerType::BatchNorm:
        parameters += parameterCount(layer, shape);
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

  config.loss = r.read(kLoss);
  // No optimizer is plain SGD with its defaults; no regularization is none.
  const Json* optimizer = r.get("optimizer");
  config.optimizer = parseOptimizer(optimizer ? *optimizer : Json{{"type", "sgd"}});
  if (const Json* schedule = r.get("schedule")) config.schedule = parseSchedule(*schedule);
  if (const Json* reg = r.get("regularization")) {
    ObjectReader o(*reg, "regularization");
    config.regularization = o.read(kRegularizationType);
    config.regularizationRate = o.read(kRegularizationRate);
    o.rejectUnknownFields();
  }
  config.init = r.read(kInit);
  config.seed = static_cast<uint64_t>(r.read(kSeed));
  config.batchSize = static_cast<int>(r.read(kBatchSize));
  r.rejectUnknownFields();

  const std::vector<Shape> shapes = layerOutputShapes(config);
  const Activation out = config.layers.back().activation;
  const LayerType outType = config.layers.back().type;
  const bool outputIsDense = outType == LayerType::Dense || outType == LayerType::Conv2d ||
                             outType == LayerType::BatchNorm;
  for (const auto& [loss, needed] : kLossOutputs)
    if (config.loss == loss && !(outputIsDense && out == needed))
      throw ConfigError(std::string("loss: ") + toString(loss) + " needs a " + toString(needed) +
                        " output layer, got " + toString(out));
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

Json configSchema() {
  Json layers = Json::object();
  for (const auto& [type, name] : kLayerTypes) {
    LayerConfig layer;
    layer.type = type;
    layer.activation = Activation::LeakyRelu;  // so the schema lists alpha, its one extra field
    Json& fields = layers[name] = Json::object();
    forEachLayerField(layer,
                      [&](const auto& field, auto&) { fields[field.key] = fieldSchema(field); });
  }
  Json optimizers = Json::object();
  for (const auto& [type, name] : kOptimizers) {
    OptimizerConfig optimizer;
    optimizer.type = type;
    Json& fields = optimizers[name] = Json::object();
    forEachOptimizerField(
        optimizer, [&](const auto& field, auto&) { fields[field.key] = fieldSchema(field); });
  }
  Json schedules = Json::object();
  for (const auto& [type, name] : kSchedules) {
    ScheduleConfig schedule;
    schedule.type = type;
    Json& fields = schedules[name] = Json::object();
    forEachScheduleField(
        schedule, [&](const auto& field, auto&) { fields[field.key] = fieldSchema(field); });
  }
  Json lastLayerOnly = Json::array();
  for (Activation a : kLastLayerOnly) lastLayerOnly.push_back(toString(a));
  Json lossOutput = Json::object();
  for (const auto& [loss, activation] : kLossOutputs)
    lossOutput[toString(loss)] = toString(activation);
  return {{"layers", layers},
          {"layerTypes", names(kLayerTypes)},
          {"activations", names(kActivations)},
          {"lastLayerOnly", lastLayerOnly},
          {"losses", names(kLosses)},
          {"lossOutput", lossOutput},
          {"optimizerTypes", names(kOptimizers)},
          {"optimizers", optimizers},
          {"scheduleTypes", names(kSchedules)},
          {"schedules", schedules},
          {"regularizations", names(kRegularizations)},
          {"regularizationRate", fieldSchema(kRegularizationRate)},
          {"inits", names(kInits)},
          {"seed", fieldSchema(kSeed)},
          {"batchSize", fieldSchema(kBatchSize)},
          {"input", {{"maxRank", Limits::kMaxInputRank}, {"maxValues", Limits::kMaxInputSize}}},
          {"limits",
           {{"units", Limits::kMaxUnits},
            {"layers", Limits::kMaxLayers},
            {"inputValues", Limits::kMaxInputSize},
            {"parameters", Limits::kMaxParameters},
            {"activationsPerSample", Limits::kMaxActivations},
            {"batchValues", Limits::kMaxBatchValues},
            {"batchSize", Limits::kMaxBatchSize}}}};
}

Json toJson(const Config& config) {
  Json layers = Json::array();
  for (const LayerConfig& layer : config.layers) {
    Json j = {{"type", toString(layer.type)}};
    switch (layer.type) {
      case LayerType::Dense:
        j["units"] = layer.units;
        j["activation"] = toString(layer.activation);
        if (layer.activation == Activation::LeakyRelu) j["alpha"] = layer.alpha;
        break;
      case LayerType::Conv2d:
        j["filters"] = layer.filters;
        j["kernel"] = layer.kernel;
        j["stride"] = layer.stride;
        j["padding"] = toString(layer.padding);
        j["activation"] = toString(layer.activation);
        if (layer.activation == Activation::LeakyRelu) j["alpha"] = layer.alpha;
        break;
      case LayerType::MaxPool2d:
        j["size"] = layer.size;
        break;
      case LayerType::Flatten:
        break;
      case LayerType::Dropout:
        j["rate"] = layer.rate;
        break;
      case LayerType::BatchNorm:
        j["momentum"] = layer.momentum;
        j["epsilon"] = layer.epsilon;
        j["activation"] = toString(layer.activation);
        break;
      case LayerType::AvgPool2d:
        j["size"] = layer.size;
        break;
    }
    layers.push_back(j);
  }
  // Every field the optimizer (and the schedule) reads, from the same descriptors; nesterov only
  // when set and the schedule only when not constant, so older configs come back unchanged.
  OptimizerConfig o = config.optimizer;
  Json optimizer = {{"type", toString(o.type)}};
  forEachOptimizerField(o, [&](const auto& field, auto& member) { optimizer[field.key] = member; });
  if (!o.nesterov) optimizer.erase("nesterov");
  Json json = {{"input", config.input},
               {"layers", layers},
               {"loss", toString(config.loss)},
               {"optimizer", optimizer},
               {"regularization",
                {{"type", toString(config.regularization)}, {"rate", config.regularizationRate}}},
               {"init", toString(config.init)},
               {"seed", config.seed},
               {"batchSize", config.batchSize}};
  if (config.schedule.type != ScheduleType::Constant) {
    ScheduleConfig s = config.schedule;
    Json& schedule = json["schedule"] = {{"type", toString(s.type)}};
    forEachScheduleField(s, [&](const auto& field, auto& member) { schedule[field.key] = member; });
  }
  return json;
}

}  // namespace nnplay
