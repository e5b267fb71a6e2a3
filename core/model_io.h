// Model files: { "format": "nnplay-model", "version": 1, "config": {...}, "weights": [...] }
// with each weight {name, shape, data} and data a base64 string of little-endian float32 or an
// array of numbers. Loading checks everything before building, so a bad file loads nothing.
#pragma once

#include <memory>

#include "config.h"
#include "network.h"

namespace nnplay {

template <typename T>
Json modelToJson(const Network<T>& network, bool base64 = true);

template <typename T>
std::unique_ptr<Network<T>> modelFromJson(const Json& model);

std::vector<NamedTensor<float>> weightsFromJson(const Json& weights, const std::string& field);

// A tensor's shape: a list of integers in [1, Limits::kMaxParameters]. `at` is the shape's path
// for the error, e.g. "weights[0].shape: expected positive integers".
Shape shapeFromJson(const Json& shape, const std::string& at);

}  // namespace nnplay
