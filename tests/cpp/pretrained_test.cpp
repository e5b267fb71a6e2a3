// The committed pretrained digits models still load and keep their MNIST test accuracy: guards
// the weights files against changes to the conv/pool layout (NHWC, Keras kernel order, padding).
#include <gtest/gtest.h>

#include "../../cli/mnist.h"
#include "../../cli/read_file.h"
#include "model_io.h"

namespace nnplay {
namespace {

// The MNIST test accuracy of a committed model file.
double testAccuracy(const char* file) {
  const auto net = modelFromJson<float>(Json::parse(readFile(file)));
  const LabelledImages test = readMnist(kMnistDir, false);
  return net->evaluate(test.x, test.y).accuracy;
}

// The numbers npm run models prints and web/models/README.md quotes, exactly: a changed file
// or a changed core that reads it differently fails here.
TEST(Pretrained, digits_cnn_scores_99_39_percent_on_mnist_test) {
  EXPECT_EQ(testAccuracy(NNPLAY_SOURCE_DIR "/web/models/digits-cnn.json"), 0.9939);
}

TEST(Pretrained, digits_mlp_scores_98_17_percent_on_mnist_test) {
  EXPECT_EQ(testAccuracy(NNPLAY_SOURCE_DIR "/web/models/digits-mlp.json"), 0.9817);
}

}  // namespace
}  // namespace nnplay
