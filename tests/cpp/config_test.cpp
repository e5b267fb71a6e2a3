// Config validation: every bad field gives an error naming the field and the value.
#include <gtest/gtest.h>

#include "config.h"
#include "test_util.h"

namespace nnplay {
namespace {

using testing::errorFor;

Json validConfig() {
  return Json::parse(R"({ "input": [2],
    "layers": [ {"type": "dense", "units": 4, "activation": "tanh"},
                {"type": "dense", "units": 1, "activation": "sigmoid"} ],
    "loss": "bce", "optimizer": {"type": "sgd", "lr": 0.03, "momentum": 0},
    "regularization": {"type": "none", "rate": 0}, "init": "xavier", "seed": 1, "batchSize": 10 })");
}

TEST(Config, contract_example_parses_and_round_trips) {
  const Config config = parseConfig(validConfig());
  EXPECT_EQ(config.layers.size(), 2u);
  EXPECT_EQ(config.layers[0].units, 4);
  EXPECT_EQ(config.loss, LossType::Bce);
  EXPECT_EQ(toJson(parseConfig(toJson(config))), toJson(config));
  EXPECT_EQ(toJson(config), validConfig());
}

TEST(Config, optional_fields_get_defaults) {
  const Config config = parseConfig(Json::parse(
      R"({"input": [3], "layers": [{"type": "dense", "units": 2}], "loss": "mse"})"));
  EXPECT_EQ(config.layers[0].activation, Activation::Linear);
  EXPECT_EQ(config.optimizer.type, OptimizerType::Sgd);
  EXPECT_EQ(config.init, InitType::Xavier);
  EXPECT_EQ(config.batchSize, 10);
}

struct BadField {
  const char* pointer;  // JSON pointer of the field to replace
  const char* value;    // JSON text of the bad value, or "DELETE"
  const char* message;  // expected start of the error message
};

class ConfigErrors : public ::testing::TestWithParam<BadField> {};

TEST_P(ConfigErrors, error_names_field_and_value) {
  const BadField& bad = GetParam();
  Json config = validConfig();
  const Json::json_pointer pointer(bad.pointer);
  if (std::string(bad.value) == "DELETE") {
    config[pointer.parent_pointer()].erase(pointer.back());
  } else {
    config[pointer] = Json::parse(bad.value);
  }
  EXPECT_EQ(errorFor(config).rfind(bad.message, 0), 0u)
      << "got: " << errorFor(config) << "\nexpected start: " << bad.message;
}

INSTANTIATE_TEST_SUITE_P(
    EveryField, ConfigErrors,
    ::testing::Values(
        BadField{"/layers/0/units", "-3", "layers[0].units: expected an integer in [1, 4096], got -3"},
        BadField{"/layers/0/units", "0", "layers[0].units: expected an integer in [1, 4096], got 0"},
        BadField{"/layers/0/units", "1000000000", "layers[0].units: expected an integer in [1, 4096], got 1000000000"},
        BadField{"/layers/0/units", "2.5", "layers[0].units: expected an integer in [1, 4096], got 2.5"},
        BadField{"/layers/0/units", "\"4\"", "layers[0].units: expected an integer in [1, 4096], got \"4\""},
        BadField{"/layers/0/units", "null", "layers[0].units: expected an integer in [1, 4096], got null"},
        BadField{"/layers/0/units", "DELETE", "layers[0].units: missing"},
        BadField{"/layers/0/activation", "\"mish\"", "layers[0].activation: expected one of linear|sigmoid|tanh|relu|softmax|leaky_relu|elu|gelu|softplus|swish, got \"mish\""},
        BadField{"/layers/0/alpha", "0.1", "layers[0].alpha: only leaky_relu has a slope, the activation is tanh"},
        BadField{"/layers/0/activation", "\"softmax\"", "layers[0].activation: softmax is only allowed on the last layer"},
        BadField{"/layers/0/type", "\"lstm\"", "layers[0].type: expected one of dense|conv2d|maxpool2d|flatten|dropout|batchnorm|avgpool2d, got \"lstm\""},
        BadField{"/layers/0/extra", "1", "layers[0].extra: unknown field (value 1)"},
        BadField{"/layers", "[]", "layers: expected a list of 1 to 64 layers, got []"},
        BadField{"/layers", "DELETE", "layers: missing"},
        BadField{"/input", "[0]", "input[0]: expected an integer in [1, 262144], got 0"},
        BadField{"/input", "\"2\"", "input: expected a shape like [2] or [28, 28, 1], got \"2\""},
        BadField{"/input", "[1000, 1000, 3]", "input: expected at most 262144 values per sample, got [1000,1000,3]"},
        BadField{"/loss", "\"hinge\"", "loss: expected one of mse|quadratic|bce|cross_entropy, got \"hinge\""},
        BadField{"/loss", "\"cross_entropy\"", "loss: cross_entropy needs a softmax output layer, got sigmoid"},
        BadField{"/optimizer/type", "\"lamb\"", "optimizer.type: expected one of sgd|adam|rmsprop|adagrad|adamw, got \"lamb\""},
        BadField{"/optimizer/nesterov", "1", "optimizer.nesterov: expected true or false, got 1"},
        BadField{"/optimizer/rho", "0.9", "optimizer.rho: unknown field (value 0.9)"},
        BadField{"/schedule", "\"cosine\"", "schedule: expected an object, got \"cosine\""},
        BadField{"/schedule", "{}", "schedule.type: missing"},
        BadField{"/schedule", "{\"type\": \"linear\"}", "schedule.type: expected one of constant|step|exponential|cosine, got \"linear\""},
        BadField{"/schedule", "{\"type\": \"step\", \"every\": 0}", "schedule.every: expected an integer in [1, 1000000000], got 0"},
        BadField{"/schedule", "{\"type\": \"cosine\", \"decayRate\": 0.5}", "schedule.decayRate: unknown field (value 0.5)"},
        BadField{"/optimizer/lr", "-1", "optimizer.lr: expected a number in [0, 100], got -1"},
        BadField{"/optimizer/momentum", "1.5", "optimizer.momentum: expected a number in [0, 0.9999], got 1.5"},
        BadField{"/optimizer/beta1", "0.9", "optimizer.beta1: unknown field (value 0.9)"},
        BadField{"/regularization/type", "\"l3\"", "regularization.type: expected one of none|l1|l2, got \"l3\""},
        BadField{"/regularization/rate", "-0.1", "regularization.rate: expected a number in [0, 10], got -0.1"},
        BadField{"/init", "\"zeros\"", "init: expected one of xavier|he|uniform, got \"zeros\""},
        BadField{"/seed", "-1", "seed: expected an integer in [0, 4294967295], got -1"},
        BadField{"/seed", "1.5", "seed: expected an integer in [0, 4294967295], got 1.5"},
        BadField{"/batchSize", "0", "batchSize: expected an integer in [1, 65536], got 0"},
        BadField{"/colour", "\"red\"", "colour: unknown field (value \"red\")"}));

TEST(Config, new_activations_optimizers_and_schedules_round_trip) {
  Json config = validConfig();
  config["layers"][0] = {
      {"type", "dense"}, {"units", 4}, {"activation", "leaky_relu"}, {"alpha", 0.1}};
  config["optimizer"] = {{"type", "rmsprop"}, {"lr", 0.01}, {"rho", 0.8}, {"epsilon", 1e-6}};
  config["schedule"] = {{"type", "exponential"}, {"decaySteps", 50}, {"decayRate", 0.5},
                        {"staircase", true}};
  EXPECT_EQ(toJson(parseConfig(config)), config);
  // Missing fields get Keras's defaults; the leaky slope 0.2 as in Keras 3.
  config["layers"][0].erase("alpha");
  config["optimizer"] = {{"type", "adamw"}};
  config["schedule"] = {{"type", "cosine"}};
  const Json parsed = toJson(parseConfig(config));
  EXPECT_EQ(parsed["layers"][0]["alpha"], 0.2);
  EXPECT_EQ(parsed["optimizer"], Json::parse(R"({"type": "adamw", "lr": 0.001,
    "weightDecay": 0.004, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-7})"));
  EXPECT_EQ(parsed["schedule"],
            Json::parse(R"({"type": "cosine", "decaySteps": 1000, "alpha": 0})"));
  config["optimizer"] = {{"type", "sgd"}, {"momentum", 0.9}, {"nesterov", true}};
  config["schedule"] = {{"type", "constant"}};
  const Json sgd = toJson(parseConfig(config));
  EXPECT_EQ(sgd["optimizer"]["nesterov"], true);
  EXPECT_FALSE(sgd.contains("schedule")) << "a constant schedule is the default, left out";
  config["optimizer"] = {{"type", "rmsprop"}, {"rho", 1}};
  EXPECT_EQ(errorFor(config), "optimizer.rho: expected a number in [0, 0.9999999], got 1");
  config["optimizer"] = {{"type", "adamw"}, {"weightDecay", -0.1}};
  EXPECT_EQ(errorFor(config), "optimizer.weightDecay: expected a number in [0, 1], got -0.1");
  config["optimizer"] = {{"type", "adagrad"}, {"epsilon", 0.1}};
  EXPECT_EQ(errorFor(config), "optimizer.epsilon: unknown field (value 0.1)");
  config["layers"][0]["alpha"] = 2;
  EXPECT_EQ(errorFor(config), "layers[0].alpha: expected a number in [0, 1], got 2");
}

TEST(Config, impossible_shapes_are_refused) {
  Json conv = Json::parse(R"({"input": [5, 5, 1], "loss": "mse",
    "layers": [{"type": "conv2d", "filters": 2, "kernel": 7}, {"type": "flatten"}]})");
  EXPECT_EQ(errorFor(conv), "layers[0].kernel: 7 is larger than the input [5, 5, 1]");
  Json dense = Json::parse(R"({"input": [5, 5, 1], "loss": "mse",
    "layers": [{"type": "dense", "units": 2}]})");
  EXPECT_EQ(errorFor(dense),
            "layers[0]: dense needs a flat input, got shape [5, 5, 1] (add a flatten layer before it)");
  Json pool = Json::parse(R"({"input": [4], "loss": "mse",
    "layers": [{"type": "maxpool2d", "size": 2}]})");
  EXPECT_EQ(errorFor(pool),
            "layers[0]: maxpool2d needs an image input [height, width, channels], got shape [4]");
}

TEST(Config, batchnorm_and_avgpool2d_take_keras_defaults_and_name_bad_fields) {
  Json cnn = Json::parse(R"({"input": [6, 6, 2], "loss": "mse", "layers": [
    {"type": "conv2d", "filters": 3, "kernel": 3}, {"type": "batchnorm", "activation": "relu"},
    {"type": "avgpool2d", "size": 2}, {"type": "flatten"}, {"type": "dense", "units": 1}]})");
  const Config config = parseConfig(cnn);
  EXPECT_EQ(config.layers[1].momentum, 0.99);
  EXPECT_EQ(config.layers[1].epsilon, 1e-3);
  EXPECT_EQ(config.layers[1].activation, Activation::Relu);
  EXPECT_EQ(layerOutputShapes(config)[2], (Shape{2, 2, 3}));
  EXPECT_EQ(toJson(parseConfig(toJson(config))), toJson(config));
  EXPECT_EQ(toJson(config)["layers"][1],
            Json::parse(R"({"type": "batchnorm", "momentum": 0.99, "epsilon": 0.001,
                            "activation": "relu"})"));
  Index parameters = 0;
  layerOutputShapes(config, &parameters);
  EXPECT_EQ(parameters, (3 * 3 * 2 + 1) * 3 + 4 * 3 + (2 * 2 * 3 + 1));  // gamma, beta, moving mean, variance

  Json bad = cnn;
  bad["layers"][1]["momentum"] = 1.5;
  EXPECT_EQ(errorFor(bad), "layers[1].momentum: expected a number in [0, 1], got 1.5");
  bad = cnn;
  bad["layers"][1]["epsilon"] = 0;
  EXPECT_EQ(errorFor(bad), "layers[1].epsilon: expected a number in [1e-12, 1], got 0");
  bad = cnn;
  bad["layers"][1]["activation"] = "softmax";
  EXPECT_EQ(errorFor(bad), "layers[1].activation: softmax is only allowed on the last layer");
  bad = cnn;
  bad["layers"][2]["size"] = 5;
  EXPECT_EQ(errorFor(bad), "layers[2].size: 5 is larger than the input [4, 4, 3]");
  bad = cnn;
  bad["layers"][2].erase("size");
  EXPECT_EQ(errorFor(bad), "layers[2].size: missing");
  bad = cnn;
  bad["layers"][3] = {{"type", "avgpool2d"}, {"size", 1}};
  bad["layers"].erase(4);
  bad["layers"][0] = {{"type", "flatten"}};
  bad["layers"].erase(2);
  EXPECT_EQ(errorFor(bad),
            "layers[2]: avgpool2d needs an image input [height, width, channels], got shape [72]");
  // A batch-normalized sigmoid output serves bce.
  Json dense = Json::parse(R"({"input": [2], "loss": "bce", "layers": [
    {"type": "dense", "units": 1}, {"type": "batchnorm", "activation": "sigmoid"}]})");
  EXPECT_EQ(errorFor(dense), "no error");
}

TEST(Config, parameter_budget_refuses_huge_networks) {
  // (2048 + 1) * 4096 + (4096 + 1) * 4096 weights and biases
  const Json huge = testing::denseJson(2048, {{4096, "relu"}, {4096, "relu"}}, "mse");
  EXPECT_EQ(errorFor(huge),
            "layers[1]: the network would have 25174016 parameters, more than the limit of "
            "16777216");
}

TEST(Config, not_json_gives_clear_error) {
  try {
    parseConfig(std::string("{\"input\": [2],"));
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("config: not valid JSON", 0), 0u) << e.what();
  }
}

}  // namespace
}  // namespace nnplay
