// Tensors are Eigen matrices with one sample per column: a row-major JS array of n samples of
// f features is exactly a column-major f x n matrix, so data maps in and out without copies.
// Images are stored NHWC per sample (channel fastest), so a column holds one H x W x C image.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

namespace nnplay {

using Index = Eigen::Index;

template <typename T>
using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
template <typename T>
using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;
template <typename T>
using ConstMatrixRef = Eigen::Ref<const Matrix<T>>;

// The shape of one sample, e.g. {2} for points or {28, 28, 1} for an image (H, W, C).
using Shape = std::vector<int>;

inline Index shapeSize(const Shape& shape) {
  Index size = 1;
  for (int d : shape) size *= d;
  return size;
}

inline std::string shapeToString(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

}  // namespace nnplay
