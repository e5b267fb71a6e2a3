// configSchema() publishes what parseConfig enforces. These tests walk the schema generically,
// so a field added to the schema is checked against the parser without touching this file.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "config.h"
#include "test_util.h"

namespace nnplay {
namespace {

using testing::errorFor;

// A valid config whose layers[0] is a layer of this type with every field set, and room for
// each field to reach its bounds: 64x64 images so a 64-wide kernel or pool still fits, stride 8
// so 1024 filters stay within the activation limit.
Json configWithLayer(const std::string& type) {
  const Json output = {{"type", "dense"}, {"units", 1}, {"activation", "sigmoid"}};
  const Json flatten = {{"type", "flatten"}};
  Json config = {{"input", {2}}, {"loss", "bce"}};
  if (type == "dense") {
    config["layers"] = {{{"type", "dense"}, {"units", 3}, {"activation", "tanh"}}, output};
  } else if (type == "conv2d") {
    config["input"] = {64, 64, 1};
    config["layers"] = {{{"type", "conv2d"},
                         {"filters", 2},
                         {"kernel", 3},
                         {"stride", 8},
                         {"padding", "same"},
                         {"activation", "relu"}},
                        flatten,
                        output};
  } else if (type == "maxpool2d") {
    config["input"] = {64, 64, 1};
    config["layers"] = {{{"type", "maxpool2d"}, {"size", 2}}, flatten, output};
  } else if (type == "flatten") {
    config["input"] = {4, 4, 1};
    config["layers"] = {flatten, output};
  } else if (type == "dropout") {
    config["layers"] = {{{"type", "dropout"}, {"rate", 0.5}}, output};
  } else if (type == "batchnorm") {
    config["layers"] = {
        {{"type", "batchnorm"}, {"momentum", 0.9}, {"epsilon", 0.01}, {"activation", "tanh"}},
        output};
  } else if (type == "avgpool2d") {
    config["input"] = {64, 64, 1};
    config["layers"] = {{{"type", "avgpool2d"}, {"size", 2}}, flatten, output};
  } else {
    ADD_FAILURE() << "no test config for layer type " << type;
  }
  return config;
}

// One field of the schema and where it lives in a config: `pointer` is its JSON pointer (the
// same in parseConfig's input and in toJson's output), `path` how errors name it.
struct FieldCase {
  Json base;
  std::string pointer;
  std::string path;
  Json field;  // its schema entry
};

std::vector<FieldCase> everySchemaField() {
  const Json schema = configSchema();
  std::vector<FieldCase> cases;
  for (const auto& [type, fields] : schema["layers"].items())
    for (const auto& [key, field] : fields.items()) {
      Json base = configWithLayer(type);
      if (key == "alpha") base["layers"][0]["activation"] = "leaky_relu";  // its one user
      cases.push_back({base, "/layers/0/" + key, "layers[0]." + key, field});
    }
  for (const auto& [type, fields] : schema["optimizers"].items()) {
    Json base = configWithLayer("dense");
    base["optimizer"] = {{"type", type}};
    for (const auto& [key, field] : fields.items())
      cases.push_back({base, "/optimizer/" + key, "optimizer." + key, field});
  }
  for (const auto& [type, fields] : schema["schedules"].items()) {
    Json base = configWithLayer("dense");
    base["schedule"] = {{"type", type}};
    for (const auto& [key, field] : fields.items())
      cases.push_back({base, "/schedule/" + key, "schedule." + key, field});
  }
  for (const auto& [key, field] : schema.items()) {
    if (!field.is_object() || !field.contains("type")) continue;  // lists and tables
    Json base = configWithLayer("dense");
    if (key == "regularizationRate") {
      base["regularization"] = {{"type", "l2"}};
      cases.push_back({base, "/regularization/rate", "regularization.rate", field});
    } else {
      cases.push_back({base, "/" + key, key, field});
    }
  }
  return cases;
}

// The field as parseConfig reads it, via toJson's output.
// toJson leaves out a false nesterov (older configs come back unchanged): that reads as false.
Json parsedValue(const FieldCase& c, const Json& config) {
  const Json json = toJson(parseConfig(config));
  const Json::json_pointer pointer(c.pointer);
  if (c.field["type"] == "boolean" && !json.contains(pointer)) return false;
  return json.at(pointer);
}

Json withValue(const FieldCase& c, const Json& value) {
  Json config = c.base;
  config[Json::json_pointer(c.pointer)] = value;
  return config;
}

TEST(ConfigSchema, walks_every_field_of_every_layer_optimizer_and_the_top_level) {
  std::vector<std::string> paths;
  for (const FieldCase& c : everySchemaField()) paths.push_back(c.path);
  EXPECT_EQ(paths, (std::vector<std::string>{
                       "layers[0].size",  // avgpool2d
                       "layers[0].activation", "layers[0].epsilon", "layers[0].momentum",  // batchnorm
                       "layers[0].activation", "layers[0].alpha", "layers[0].filters",
                       "layers[0].kernel", "layers[0].padding", "layers[0].stride",
                       "layers[0].activation", "layers[0].alpha", "layers[0].units",
                       "layers[0].rate", "layers[0].size",
                       "optimizer.lr",  // adagrad
                       "optimizer.beta1", "optimizer.beta2", "optimizer.epsilon", "optimizer.lr",
                       "optimizer.beta1", "optimizer.beta2", "optimizer.epsilon", "optimizer.lr",
                       "optimizer.weightDecay",  // adamw
                       "optimizer.epsilon", "optimizer.lr", "optimizer.rho",  // rmsprop
                       "optimizer.lr", "optimizer.momentum", "optimizer.nesterov",  // sgd
                       "schedule.alpha", "schedule.decaySteps",  // cosine
                       "schedule.decayRate", "schedule.decaySteps", "schedule.staircase",
                       "schedule.every", "schedule.factor",  // step
                       "batchSize", "regularization.rate", "seed"}));
}

TEST(ConfigSchema, numeric_fields_accept_their_bounds_and_refuse_just_beyond) {
  for (const FieldCase& c : everySchemaField()) {
    const Json& field = c.field;
    if (field["type"] == "choice" || field["type"] == "boolean") continue;
    const bool integer = field["type"] == "integer";
    ASSERT_TRUE(integer || field["type"] == "number") << c.path;
    for (const char* bound : {"min", "max"}) {
      const Json value = field[bound];
      EXPECT_EQ(parsedValue(c, withValue(c, value)).get<double>(), value.get<double>())
          << c.path << " = " << value;
    }
    const Json below = integer ? Json(field["min"].get<int64_t>() - 1)
                               : Json(std::nextafter(field["min"].get<double>(), -INFINITY));
    const Json above = integer ? Json(field["max"].get<int64_t>() + 1)
                               : Json(std::nextafter(field["max"].get<double>(), INFINITY));
    for (const Json& bad : {below, above}) {
      const std::string error = errorFor(withValue(c, bad));
      if (integer) {
        EXPECT_EQ(error, c.path + ": expected an integer in [" + field["min"].dump() + ", " +
                             field["max"].dump() + "], got " + bad.dump());
      } else {
        EXPECT_EQ(error.rfind(c.path + ": expected a number in [", 0), 0u) << error;
        EXPECT_EQ(error.substr(error.find("], got ")), "], got " + bad.dump()) << error;
      }
    }
  }
}

TEST(ConfigSchema, choice_fields_accept_each_value_and_name_them_all_when_refusing) {
  const Json schema = configSchema();
  const Json& lastLayerOnly = schema["lastLayerOnly"];
  for (const FieldCase& c : everySchemaField()) {
    if (c.field["type"] != "choice") continue;
    std::string options;
    for (const Json& value : c.field["values"]) {
      options += (options.empty() ? "" : "|") + value.get<std::string>();
      if (std::find(lastLayerOnly.begin(), lastLayerOnly.end(), value) != lastLayerOnly.end())
        continue;  // layers[0] is never the last layer here
      EXPECT_EQ(parsedValue(c, withValue(c, value)), value) << c.path;
    }
    EXPECT_EQ(errorFor(withValue(c, "nope")),
              c.path + ": expected one of " + options + ", got \"nope\"");
  }
}

TEST(ConfigSchema, boolean_fields_accept_true_and_false_only) {
  int booleans = 0;
  for (const FieldCase& c : everySchemaField()) {
    if (c.field["type"] != "boolean") continue;
    ++booleans;
    for (const bool value : {true, false})
      EXPECT_EQ(parsedValue(c, withValue(c, value)), value) << c.path;
    EXPECT_EQ(errorFor(withValue(c, 1)), c.path + ": expected true or false, got 1");
    EXPECT_EQ(errorFor(withValue(c, "true")), c.path + ": expected true or false, got \"true\"");
  }
  EXPECT_EQ(booleans, 2);  // optimizer.nesterov, schedule.staircase
}

TEST(ConfigSchema, missing_fields_get_the_schema_default_or_are_required) {
  int defaults = 0;
  for (const FieldCase& c : everySchemaField()) {
    Json config = c.base;
    const Json::json_pointer pointer(c.pointer);
    config[pointer.parent_pointer()].erase(pointer.back());
    if (c.field.contains("default")) {
      EXPECT_EQ(parsedValue(c, config), c.field["default"]) << c.path;
      ++defaults;
    } else {
      EXPECT_EQ(errorFor(config), c.path + ": missing");
    }
  }
  // activation and alpha x2, stride, padding, batchnorm's activation, momentum and epsilon,
  // 16 optimizer fields, 7 schedule fields, 3 top-level
  EXPECT_EQ(defaults, 35);
}

TEST(ConfigSchema, last_layer_only_activations_and_loss_outputs_are_enforced) {
  const Json schema = configSchema();
  EXPECT_EQ(schema["lastLayerOnly"], Json::array({"softmax"}));
  for (const Json& activation : schema["lastLayerOnly"]) {
    Json config = configWithLayer("dense");
    config["layers"][0]["activation"] = activation;
    EXPECT_EQ(errorFor(config), "layers[0].activation: " + activation.get<std::string>() +
                                    " is only allowed on the last layer");
  }
  EXPECT_EQ(schema["lossOutput"], Json::object({{"bce", "sigmoid"}, {"cross_entropy", "softmax"}}));
  for (const auto& [loss, activation] : schema["lossOutput"].items()) {
    Json config = configWithLayer("dense");
    config["loss"] = loss;
    config["layers"][1] = {{"type", "dense"}, {"units", 2}, {"activation", activation}};
    EXPECT_EQ(errorFor(config), "no error") << loss;
    config["layers"][1]["activation"] = "linear";
    EXPECT_EQ(errorFor(config), "loss: " + loss + " needs a " + activation.get<std::string>() +
                                    " output layer, got linear");
  }
}

TEST(ConfigSchema, input_and_limits_match_what_parseConfig_refuses) {
  const Json schema = configSchema();
  const int maxRank = schema["input"]["maxRank"], maxValues = schema["input"]["maxValues"];
  EXPECT_EQ(maxRank, 3);
  EXPECT_EQ(maxValues, 262144);
  Json config = configWithLayer("dense");
  config["input"] = {maxValues};
  EXPECT_EQ(errorFor(config), "no error");
  config["input"] = Json(std::vector<int>(maxRank + 1, 1));
  EXPECT_EQ(errorFor(config), "input: expected a shape like [2] or [28, 28, 1], got [1,1,1,1]");
  config["input"] = {maxValues + 1};
  EXPECT_EQ(errorFor(config), "input[0]: expected an integer in [1, 262144], got 262145");

  EXPECT_EQ(schema["limits"], Json::object({{"units", 4096},
                                            {"layers", 64},
                                            {"inputValues", 262144},
                                            {"parameters", 16777216},
                                            {"activationsPerSample", 1048576},
                                            {"batchValues", 33554432},
                                            {"batchSize", 65536}}));
  config = configWithLayer("dense");
  const Json layer = {{"type", "dense"}, {"units", 1}, {"activation", "sigmoid"}};
  config["layers"] = Json(std::vector<Json>(schema["limits"]["layers"].get<int>(), layer));
  EXPECT_EQ(errorFor(config), "no error");
  config["layers"].push_back(layer);
  EXPECT_EQ(errorFor(config).rfind("layers: expected a list of 1 to 64 layers, got ", 0), 0u);
}

}  // namespace
}  // namespace nnplay
