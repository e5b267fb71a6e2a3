// Same seed, same bits. Datasets, initial weights and digit augmentation match
// tests/golden/determinism.json, which
// the Node tests check the WASM build against too (NNPLAY_UPDATE_GOLDEN=1 rewrites it). Trained
// weights are bit-identical within a build (native twice; WASM in Node and Chromium), not
// between native and WASM: their exp() and GEMM summation orders differ in the last bits. The
// learning rate a schedule gives each step is the same double in both (portable_math.h only).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "augment.h"
#include "datasets.h"
#include "network.h"
#include "test_util.h"

namespace nnplay {
namespace {

using testing::fingerprint;

const std::string kGoldenPath = std::string(NNPLAY_GOLDEN_DIR) + "/determinism.json";

// Input for the augmentation cases, the same in tests/node/fingerprint.mjs: value k of the
// whole input, counted across batches, is max(0, (k * 37) % 101 - 50) / 50.
Matrix<float> augmentInput(Index pixels, Index images, Index first) {
  Matrix<float> x(pixels, images);
  for (Index i = 0; i < x.size(); ++i)
    x.data()[i] = static_cast<float>(std::max<Index>(0, (first + i) * 37 % 101 - 50) / 50.0);
  return x;
}

// The cases are read from the golden file; only the fingerprints are computed here.
Json computeFingerprints(Json golden) {
  for (Json& c : golden["datasets"]) {
    const Dataset d = makeDataset(c["name"], c["n"], c["noise"], c["seed"]);
    c["x"] = fingerprint(d.x.data(), d.x.size());
    c["y"] = fingerprint(d.y.data(), d.y.size());
  }
  for (Json& c : golden["networks"]) {
    Network<float> net(parseConfig(c["config"]));
    c["initial"] = fingerprint(net.parameters().data(), net.parameters().size());
  }
  // One augmenter's stream over successive batches, as nn.datasets.digitAugmenter draws it.
  for (Json& c : golden["augmentations"]) {
    const int height = c["height"], width = c["width"];
    Rng rng(c["seed"].get<uint64_t>(), kAugmentStream);
    std::vector<float> images;
    for (const Json& batch : c["batches"]) {
      const Matrix<float> x = augmentInput(height * width, batch, Index(images.size()));
      Matrix<float> out;
      augmentImages(x, out, height, width, AugmentOptions{}, rng);
      images.insert(images.end(), out.data(), out.data() + out.size());
    }
    c["images"] = fingerprint(images.data(), images.size());
  }
  // The rate of steps t = 0, 1, ... under each schedule: a 1 -> 1 network stepped on a zero
  // sample, whose loss is 0, so only the step count moves.
  for (Json& c : golden["schedules"]) {
    Json config = testing::denseJson(1, {{1, "linear"}}, "mse", c["lr"]);
    config["schedule"] = c["schedule"];
    Network<float> net(parseConfig(config));
    const Matrix<float> zero = Matrix<float>::Zero(1, 1);
    Json rates = Json::array();
    for (int t = 0; t < c["steps"].get<int>(); ++t) {
      rates.push_back(net.learningRate());
      net.trainBatch(zero, zero);
    }
    c["rates"] = rates;
  }
  return golden;
}

TEST(Determinism, same_seed_gives_bit_identical_training) {
  const Config config = parseConfig(testing::denseJson(2, {{8, "tanh"}, {1, "sigmoid"}}, "bce", 0.1,
                                                       "xavier", 10, 99));
  const Dataset d = makeDataset("spiral", 200, 0.1, 4);
  const Eigen::Map<const Matrix<float>> x(d.x.data(), 2, d.n), y(d.y.data(), 1, d.n);
  Network<float> a(config), b(config);
  a.fit(x, y, 5, true);
  b.fit(x, y, 5, true);
  EXPECT_EQ(a.parameters(), b.parameters());
  Config other = config;
  other.seed = 100;
  Network<float> c(other);
  c.fit(x, y, 5, true);
  EXPECT_NE(a.parameters(), c.parameters());
}

TEST(Determinism, datasets_weights_and_augmentation_match_golden_file) {
  std::ifstream in(kGoldenPath);
  ASSERT_TRUE(in) << kGoldenPath;
  const Json golden = Json::parse(in);
  const Json computed = computeFingerprints(golden);
  if (std::getenv("NNPLAY_UPDATE_GOLDEN")) {
    std::ofstream(kGoldenPath) << computed.dump(2) << "\n";
    GTEST_SKIP() << "rewrote " << kGoldenPath;
  }
  EXPECT_EQ(computed, golden);
}

// Training by rows splits the first layer's units between the threads (which never changes the
// bits: each unit's sums are its own) and moves a panel of 8 from the part whose thread took
// longest to the one that took least, where that promises a longest part 3 % shorter.
TEST(TrainingByRows, a_panel_moves_to_the_quickest_part_where_it_shortens_the_longest) {
  using Units = std::vector<Index>;
  // 1.2 s on 64 units: 56 would take 1.05, the other part 72 units 1.125, under 0.97 x 1.2.
  EXPECT_EQ(balanceRowUnits({64, 64}, {1.0, 1.2}, 8), (Units{72, 56}));
  // 1.14 s: the longest would be 1.125, not under 0.97 x 1.14 = 1.106.
  EXPECT_EQ(balanceRowUnits({64, 64}, {1.0, 1.14}, 8), (Units{64, 64}));
  // And back, the part of 72 units now the slower: 1.156 and 1.143 against 1.3.
  EXPECT_EQ(balanceRowUnits({72, 56}, {1.3, 1.0}, 8), (Units{64, 64}));
  // Three parts: from the slowest (2 s) to the quickest (1 s); the third's 1.5 s stays.
  EXPECT_EQ(balanceRowUnits({40, 40, 48}, {1.0, 2.0, 1.5}, 8), (Units{48, 32, 48}));
  // A part of one panel keeps it; a part without a time, or one part, leaves the split as it is.
  EXPECT_EQ(balanceRowUnits({8, 120}, {2.0, 1.0}, 8), (Units{8, 120}));
  EXPECT_EQ(balanceRowUnits({64, 64}, {0.0, 1.0}, 8), (Units{64, 64}));
  EXPECT_EQ(balanceRowUnits({128}, {1.0}, 8), (Units{128}));
}

TEST(Datasets, every_dataset_is_balanced_and_on_the_plane) {
  for (const std::string& name : datasetNames()) {
    const Dataset d = makeDataset(name, 400, 0.2, 3);
    ASSERT_EQ(d.x.size(), 800u) << name;
    ASSERT_EQ(d.y.size(), 400u) << name;
    for (float v : d.x) EXPECT_LE(std::abs(v), 12.0f) << name;
    if (name.rfind("reg-", 0) == 0) {
      for (float v : d.y) EXPECT_LE(std::abs(v), 1.0f) << name;
      continue;
    }
    double ones = 0;
    for (float v : d.y) {
      EXPECT_TRUE(v == 0 || v == 1) << name;
      ones += v;
    }
    EXPECT_NEAR(ones / 400, 0.5, 0.1) << name;
  }
}

TEST(Datasets, unknown_name_and_bad_numbers_are_refused) {
  EXPECT_THROW(makeDataset("spirals", 10, 0, 1), ConfigError);
  EXPECT_THROW(makeDataset("spiral", 0, 0, 1), ConfigError);
  EXPECT_THROW(makeDataset("spiral", 10, -0.5, 1), ConfigError);
  try {
    makeDataset("spirals", 10, 0, 1);
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "dataset: expected one of circle|xor|gauss|spiral|moons|reg-plane|reg-gauss, got "
              "\"spirals\"");
  }
}

TEST(PortableMath, matches_libm_closely) {
  for (double x = -20; x <= 20; x += 0.37) {
    EXPECT_NEAR(pmath::exp(x), std::exp(x), 1e-14 * std::exp(x)) << x;
    EXPECT_NEAR(pmath::sin(x), std::sin(x), 1e-14) << x;
    EXPECT_NEAR(pmath::cos(x), std::cos(x), 1e-14) << x;
  }
  for (double x = 1e-8; x < 1e8; x *= 1.7) EXPECT_NEAR(pmath::log(x), std::log(x), 1e-14 * 20) << x;
}

}  // namespace
}  // namespace nnplay
