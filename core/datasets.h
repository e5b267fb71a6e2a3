// The playground's generated data sets (after the TensorFlow Playground's, plus moons), on the
// plane [-6, 6]^2. Generated with the portable Rng and math, so a seed gives the same points
// natively, in Node and in every browser. Points come shuffled: any prefix is a fair sample.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nnplay {

struct Dataset {
  std::vector<float> x;  // row-major n x inputs
  std::vector<float> y;  // row-major n x outputs: 0/1 labels, or real values for regression
  int n = 0;
  int inputs = 0;
  int outputs = 0;
};

// Names: circle xor gauss spiral moons (labels 0/1), reg-plane reg-gauss (values in [-1, 1]).
const std::vector<std::string>& datasetNames();

// noise in [0, 1] (0.5 is the TensorFlow Playground's maximum), n in [1, 1000000].
Dataset makeDataset(const std::string& name, int n, double noise, uint64_t seed);

}  // namespace nnplay
