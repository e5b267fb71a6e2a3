// The committed pretrained digits CNN still loads and keeps its MNIST test accuracy: guards the
// weights file against changes to the conv/pool layout (NHWC, Keras kernel order, padding).
#include <gtest/gtest.h>

#include "../../cli/mnist.h"
#include "../../cli/read_file.h"
#include "model_io.h"

namespace nnplay {
namespace {

TEST(Pretrained, digits_cnn_reaches_99_percent_on_mnist_test) {
  const std::string file = readFile(NNPLAY_SOURCE_DIR "/web/models/digits-cnn.json");
  const auto net = modelFromJson<float>(Json::parse(file));
  const LabelledImages test = readMnist(kMnistDir, false);
  const Metrics m = net->evaluate(test.x, test.y);
  EXPECT_GE(m.accuracy, 0.99);  // 0.9937 when trained, see web/models/README.md
}

}  // namespace
}  // namespace nnplay
