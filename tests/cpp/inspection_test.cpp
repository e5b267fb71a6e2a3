// What the insight views read from the core: the input gradient (saliency), every layer's
// activations, the update an optimizer step would make, and per-layer gradient statistics.
// Each is checked against an independent computation: central differences, predict(), a real
// step of trainBatch, weights read before and after.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "network.h"
#include "test_util.h"

namespace nnplay {
namespace {

using Mat = Matrix<double>;
using testing::maxGradientError;
using testing::uniformMatrix;

Mat oneHot(Index classes, Index n) {
  Mat y = Mat::Zero(classes, n);
  for (Index j = 0; j < n; ++j) y(j % classes, j) = 1;
  return y;
}

// conv -> maxpool -> flatten -> dropout -> dense softmax, the shape of the digits CNN.
Json smallCnn(const std::string& optimizer) {
  return Json::parse(R"({
    "input": [6, 6, 1],
    "layers": [
      {"type": "conv2d", "filters": 2, "kernel": 3, "stride": 1, "padding": "same",
       "activation": "relu"},
      {"type": "maxpool2d", "size": 2},
      {"type": "flatten"},
      {"type": "dropout", "rate": 0.25},
      {"type": "dense", "units": 3, "activation": "softmax"}],
    "loss": "cross_entropy", "seed": 3, "batchSize": 4,
    "optimizer": )" + optimizer + "}");
}

TEST(Inspection, input_gradient_matches_central_differences) {
  Network<double> net(parseConfig(smallCnn(R"({"type": "sgd", "lr": 0.1})")));
  Rng rng(21);
  Mat x = uniformMatrix(36, 2, rng);
  const Mat y = oneHot(3, 2);
  const Inspection<double> info = net.inspect(x, y, true);
  ASSERT_EQ(info.dX.rows(), 36);
  ASSERT_EQ(info.dX.cols(), 2);
  // evaluate's loss is the batch mean, the gradient inspect reports is of that mean.
  EXPECT_LT(maxGradientError(x.data(), x.size(), info.dX.data(),
                             [&] { return net.evaluate(x, y).loss; }),
            1e-7);
  EXPECT_GT(info.dX.cwiseAbs().maxCoeff(), 1e-4);  // not trivially zero
  EXPECT_EQ(net.inspect(x, y).dX.size(), 0);       // only when asked
}

TEST(Inspection, activations_are_every_layer_in_order_and_end_in_predict) {
  Network<float> net(parseConfig(smallCnn(R"({"type": "sgd", "lr": 0.1})")));
  Rng rng(4);
  const Matrix<float> x = uniformMatrix(36, 3, rng).cast<float>();
  const std::vector<LayerActivation<float>> list = net.activations(x);
  ASSERT_EQ(list.size(), 5u);
  const std::vector<Shape> shapes = {{6, 6, 2}, {3, 3, 2}, {18}, {18}, {3}};
  const LayerType types[] = {LayerType::Conv2d, LayerType::MaxPool2d, LayerType::Flatten,
                             LayerType::Dropout, LayerType::Dense};
  for (size_t i = 0; i < list.size(); ++i) {
    EXPECT_EQ(list[i].layer, int(i));
    EXPECT_EQ(list[i].type, types[i]);
    EXPECT_EQ(list[i].shape, shapes[i]);
    EXPECT_EQ(list[i].values.rows(), shapeSize(shapes[i]));
    EXPECT_EQ(list[i].values.cols(), 3);
  }
  // Inference mode: flatten copies the pool, dropout passes through, the end is predict's.
  EXPECT_EQ(list[2].values, list[1].values);
  EXPECT_EQ(list[3].values, list[2].values);
  Matrix<float> predicted;
  net.predict(x, predicted);
  EXPECT_EQ(list[4].values, predicted);
  // Max pooling by hand from the conv maps (NHWC, channel fastest) for sample 1, channel 1.
  const auto conv = [&](int row, int col) { return list[0].values((row * 6 + col) * 2 + 1, 1); };
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c)
      EXPECT_EQ(list[1].values((r * 3 + c) * 2 + 1, 1),
                std::max({conv(2 * r, 2 * c), conv(2 * r, 2 * c + 1), conv(2 * r + 1, 2 * c),
                          conv(2 * r + 1, 2 * c + 1)}));
}

// Nets without dropout, so a preview in inference mode and the real step see the same forward.
Json mlp(const std::string& optimizer, const std::string& regularization) {
  return Json::parse(R"({"input": [3], "layers": [
      {"type": "dense", "units": 4, "activation": "tanh"},
      {"type": "dense", "units": 2, "activation": "softmax"}],
    "loss": "cross_entropy", "seed": 9, "batchSize": 5, "optimizer": )" +
                     optimizer + regularization + "}");
}

TEST(Inspection, preview_update_is_the_step_train_batch_then_takes) {
  for (const std::string& optimizer :
       {std::string(R"({"type": "sgd", "lr": 0.3, "momentum": 0.9})"),
        std::string(R"({"type": "adam", "lr": 0.05})"), std::string(R"({"type": "sgd", "lr": 0.2})")}) {
    Network<float> net(parseConfig(mlp(optimizer, R"(, "regularization": {"type": "l2", "rate": 0.01})")));
    Network<float> twin(parseConfig(mlp(optimizer, R"(, "regularization": {"type": "l2", "rate": 0.01})")));
    Rng rng(8);
    const Matrix<float> x = uniformMatrix(3, 5, rng).cast<float>();
    const Matrix<float> y = oneHot(2, 5).cast<float>();
    for (int step = 0; step < 3; ++step) {  // momentum and Adam's moments build up
      const Vector<float> before = net.parameters();
      const UpdatePreview<float> preview = net.previewUpdate(x, y);
      EXPECT_EQ(net.parameters(), before) << optimizer;  // nothing changed
      EXPECT_EQ(net.steps(), step);
      const double loss = net.trainBatch(x, y);
      EXPECT_EQ(loss, preview.loss);
      twin.trainBatch(x, y);  // never previewed: the same bits
      EXPECT_EQ(net.parameters(), twin.parameters()) << optimizer << " step " << step;
      const std::vector<NamedTensor<float>> after = net.weights();
      ASSERT_EQ(preview.updates.size(), after.size());
      Index offset = 0;
      for (size_t t = 0; t < after.size(); ++t) {
        EXPECT_EQ(preview.updates[t].name, after[t].name);
        for (size_t k = 0; k < after[t].data.size(); ++k)
          EXPECT_FLOAT_EQ(preview.updates[t].data[k] + before[offset + Index(k)],
                          after[t].data[k])
              << optimizer << " " << after[t].name << "[" << k << "]";
        offset += Index(after[t].data.size());
      }
    }
  }
}

TEST(Inspection, preview_gradients_add_regularization_to_inspect) {
  const double rate = 0.01;
  Network<double> net(parseConfig(mlp(R"({"type": "sgd", "lr": 0.2})",
                                      R"(, "regularization": {"type": "l2", "rate": 0.01})")));
  Rng rng(2);
  const Mat x = uniformMatrix(3, 5, rng);
  const Mat y = oneHot(2, 5);
  const Inspection<double> info = net.inspect(x, y);
  const UpdatePreview<double> preview = net.previewUpdate(x, y);
  const std::vector<NamedTensor<double>> w = net.weights();
  for (int l = 0; l < 2; ++l) {
    const std::vector<double>& dW = preview.gradients[2 * l].data;
    const std::vector<double>& db = preview.gradients[2 * l + 1].data;
    for (size_t k = 0; k < dW.size(); ++k)
      EXPECT_NEAR(dW[k], info.layers[l].dW.data()[k] + rate * w[2 * l].data[k], 1e-15);
    for (size_t k = 0; k < db.size(); ++k)  // biases are not regularized
      EXPECT_EQ(db[k], info.layers[l].db.data()[k]);
    for (size_t k = 0; k < dW.size(); ++k)  // plain SGD: update = -lr * gradient
      EXPECT_NEAR(preview.updates[2 * l].data[k], -0.2 * dW[k], 1e-15);
  }
}

TEST(Inspection, layer_stats_are_mean_gradient_and_mean_weight_change) {
  // One batch per epoch, no shuffle, no dropout: the epoch's gradient is inspect's.
  Json config = mlp(R"({"type": "adam", "lr": 0.05})", "");
  config["batchSize"] = 5;
  Network<double> net(parseConfig(config));
  Rng rng(5);
  const Mat x = uniformMatrix(3, 5, rng);
  const Mat y = oneHot(2, 5);
  for (int epoch = 1; epoch <= 2; ++epoch) {
    const Inspection<double> info = net.inspect(x, y);
    const std::vector<NamedTensor<double>> before = net.weights();
    const EpochResult result = net.trainEpoch(x, y, false, 0, true);
    const std::vector<NamedTensor<double>> after = net.weights();
    ASSERT_EQ(result.layers.size(), 2u);
    for (int l = 0; l < 2; ++l) {
      EXPECT_EQ(result.layers[l].layer, l);
      EXPECT_NEAR(result.layers[l].meanAbsGradient, info.layers[l].dW.cwiseAbs().mean(), 1e-15);
      double change = 0;
      const std::vector<double>& w0 = before[2 * l].data;
      for (size_t k = 0; k < w0.size(); ++k) change += std::abs(after[2 * l].data[k] - w0[k]);
      EXPECT_NEAR(result.layers[l].meanAbsUpdate, change / double(w0.size()), 1e-15);
      EXPECT_GT(result.layers[l].meanAbsUpdate, 0);
    }
  }
  EXPECT_TRUE(net.trainEpoch(x, y, false).layers.empty());  // only when asked
}

TEST(Inspection, layer_stats_skip_layers_without_a_kernel_and_average_over_batches) {
  Json config = smallCnn(R"({"type": "sgd", "lr": 0.05})");
  config["layers"].erase(3);  // no dropout, so inspect's gradient is the trained one
  Network<double> net(parseConfig(config));
  Network<double> probe(parseConfig(config));
  Rng rng(6);
  const Mat x = uniformMatrix(36, 8, rng);
  const Mat y = oneHot(3, 8);
  // Two batches of 4: the mean of the two batches' mean |dW|, each taken before its step.
  std::vector<double> expected(2, 0);
  for (Index start : {0, 4}) {
    const Inspection<double> info = probe.inspect(x.middleCols(start, 4), y.middleCols(start, 4));
    for (int l = 0; l < 2; ++l) expected[l] += info.layers[l].dW.cwiseAbs().mean() / 2;
    probe.trainBatch(x.middleCols(start, 4), y.middleCols(start, 4));
  }
  const EpochResult result = net.trainEpoch(x, y, false, 0, true);
  ASSERT_EQ(result.layers.size(), 2u);
  EXPECT_EQ(result.layers[0].layer, 0);  // conv2d
  EXPECT_EQ(result.layers[1].layer, 3);  // dense, after maxpool and flatten
  for (int l = 0; l < 2; ++l) EXPECT_NEAR(result.layers[l].meanAbsGradient, expected[l], 1e-14);
}

}  // namespace
}  // namespace nnplay
