// Builds the layer a LayerConfig describes, given the shape of its input.
#pragma once

#include <memory>

#include "avgpool2d_layer.h"
#include "batchnorm_layer.h"
#include "conv2d_layer.h"
#include "dense_layer.h"
#include "dropout_layer.h"
#include "flatten_layer.h"
#include "maxpool2d_layer.h"

namespace nnplay {

template <typename T>
std::unique_ptr<Layer<T>> makeLayer(const LayerConfig& c, const Shape& in) {
  switch (c.type) {
    case LayerType::Dense:
      return std::make_unique<DenseLayer<T>>(in, c.units, c.activation, c.alpha);
    case LayerType::Conv2d:
      return std::make_unique<Conv2dLayer<T>>(in, c.filters, c.kernel, c.stride, c.padding,
                                              c.activation, c.alpha);
    case LayerType::MaxPool2d:
      return std::make_unique<MaxPool2dLayer<T>>(in, c.size);
    case LayerType::Dropout:
      return std::make_unique<DropoutLayer<T>>(in, c.rate);
    case LayerType::Flatten:
      return std::make_unique<FlattenLayer<T>>(in);
    case LayerType::BatchNorm:
      return std::make_unique<BatchNormLayer<T>>(in, c.momentum, c.epsilon, c.activation);
    case LayerType::AvgPool2d:
      return std::make_unique<AvgPool2dLayer<T>>(in, c.size);
  }
  throw ConfigError(std::string("layers: unknown layer type ") + toString(c.type));
}

}  // namespace nnplay
