// Builds the layer a LayerConfig describes, given the shape of its input.
#pragma once

#include <memory>

#include "dense_layer.h"
#include "dropout_layer.h"
#include "flatten_layer.h"

namespace nnplay {

template <typename T>
std::unique_ptr<Layer<T>> makeLayer(const LayerConfig& c, const Shape& in) {
  switch (c.type) {
    case LayerType::Dense:
      return std::make_unique<DenseLayer<T>>(in, c.units, c.activation);
    case LayerType::Dropout:
      return std::make_unique<DropoutLayer<T>>(in, c.rate);
    case LayerType::Flatten:
      return std::make_unique<FlattenLayer<T>>(in);
    default:
      throw ConfigError(std::string("layers: ") + toString(c.type) + " is not supported yet");
  }
}

}  // namespace nnplay
