// The model config (docs/API.md): what the share URL carries and what builds a network.
// parseConfig validates every field before anything is allocated; each error names the field
// and the offending value, e.g. `layers[1].units: expected an integer in [1, 4096], got -3`.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "tensor.h"

namespace nnplay {

using Json = nlohmann::json;

// Thrown for every invalid input; the message is meant for the user.
class ConfigError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

enum class Activation {
  Linear,
  Sigmoid,
  Tanh,
  Relu,
  Softmax,
  LeakyRelu,
  Elu,
  Gelu,
  Softplus,
  Swish
};
enum class LayerType { Dense, Conv2d, MaxPool2d, Flatten, Dropout, BatchNorm, AvgPool2d };
enum class Padding { Valid, Same };
enum class LossType { Mse, Quadratic, Bce, CrossEntropy };
enum class OptimizerType { Sgd, Adam, Rmsprop, Adagrad, AdamW };
enum class ScheduleType { Constant, Step, Exponential, Cosine };
enum class RegularizationType { None, L1, L2 };
enum class InitType { Xavier, He, Uniform };

const char* toString(Activation a);
const char* toString(LayerType t);
const char* toString(Padding p);
const char* toString(LossType l);
const char* toString(OptimizerType o);
const char* toString(ScheduleType s);
const char* toString(RegularizationType r);
const char* toString(InitType i);

struct LayerConfig {
  LayerType type = LayerType::Dense;
  int units = 0;                            // dense
  Activation activation = Activation::Linear;  // dense, conv2d, batchnorm
  double alpha = 0.2;                       // dense, conv2d with leaky_relu: slope for z < 0
  int filters = 0, kernel = 0, stride = 1;  // conv2d
  Padding padding = Padding::Valid;         // conv2d
  int size = 0;                             // maxpool2d, avgpool2d
  double rate = 0;                          // dropout
  double momentum = 0.99, epsilon = 1e-3;   // batchnorm (Keras' defaults)
};

struct OptimizerConfig {
  OptimizerType type = OptimizerType::Sgd;
  double lr = 0.03;
  double momentum = 0;                                // sgd
  bool nesterov = false;                              // sgd
  double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7;  // adam, adamw; epsilon also rmsprop, adagrad
  double rho = 0.9;                                   // rmsprop
  double weightDecay = 0.004;                         // adamw
};

// The learning rate as a function of the optimizer step t = 0, 1, 2, ... (the number of
// updates before this one, Keras's `iterations`), with lr the optimizer's rate:
//   constant     lr
//   step         lr factor^floor(t / every)
//   exponential  lr decayRate^(t / decaySteps), the exponent floored when staircase
//   cosine       lr ((1 - alpha) (1 + cos(pi min(t, decaySteps) / decaySteps)) / 2 + alpha)
struct ScheduleConfig {
  ScheduleType type = ScheduleType::Constant;
  int64_t every = 100;        // step
  double factor = 0.5;        // step
  int64_t decaySteps = 1000;  // exponential, cosine
  double decayRate = 0.96;    // exponential
  bool staircase = false;     // exponential
  double alpha = 0;           // cosine: the final rate as a fraction of lr
};

struct Config {
  Shape input;
  std::vector<LayerConfig> layers;
  LossType loss = LossType::Mse;
  OptimizerConfig optimizer;
  ScheduleConfig schedule;
  RegularizationType regularization = RegularizationType::None;
  double regularizationRate = 0;
  InitType init = InitType::Xavier;
  uint64_t seed = 1;
  int batchSize = 10;
};

// Limits that keep a hostile config or batch from exhausting memory before anything is
// allocated (a page has a few hundred MB at most). Documented in the README.
struct Limits {
  static constexpr int kMaxUnits = 4096;
  static constexpr int kMaxLayers = 64;
  static constexpr int kMaxInputRank = 3;            // [features] or [height, width, channels]
  static constexpr int kMaxInputSize = 1 << 18;      // values per sample: 512 x 512 x 1
  static constexpr Index kMaxParameters = 16 << 20;  // 16 Mi weights = 64 MB of float32
  static constexpr Index kMaxActivations = 1 << 20;  // values per sample summed over layers
  // Values held at once for one batch (activations x samples): 32 Mi floats = 128 MB. Larger
  // batches are refused in training and split in predict/evaluate.
  static constexpr Index kMaxBatchValues = 32 << 20;
  static constexpr int kMaxBatchSize = 65536;
};

Config parseConfig(const Json& json);
Config parseConfig(const std::string& text);
Json toJson(const Config& config);

// What parseConfig accepts, as data for the pages (web/lib/nnplay.js publishes it as
// nn.schema), built from the same field descriptors parseConfig validates with:
//   { layers: { dense: { units: {type: "integer", min, max}, activation: {type: "choice",
//     values, default} }, ... }, layerTypes, activations, lastLayerOnly, losses,
//     lossOutput: { bce: "sigmoid", ... }, optimizers: { sgd: { lr: {type: "number", min, max,
//     default}, ... }, adam: {...} }, scheduleTypes, schedules: { step: { every: {...}, ... },
//     ... } (booleans as {type: "boolean", default}), regularizations, regularizationRate, inits,
//     seed, batchSize, input: { maxRank, maxValues }, limits: { units, layers, inputValues,
//     parameters, activationsPerSample, batchValues, batchSize } }
// A field without "default" is required.
Json configSchema();

// Output size along one axis of a convolution or pooling window, TensorFlow's rule:
// same -> ceil(input / stride), valid -> floor((input - window) / stride) + 1 (0 if it won't fit).
int windowOutputSize(int input, int window, int stride, Padding padding);

// Shape of one sample after each layer; throws ConfigError for impossible shapes. Also gives
// the number of parameters (batch norm's moving statistics included) when `parameters` is set.
std::vector<Shape> layerOutputShapes(const Config& config, Index* parameters = nullptr);

}  // namespace nnplay
