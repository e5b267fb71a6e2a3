// A feed-forward network built from a Config: a list of layers over one flat parameter buffer,
// a loss, an optimizer and the one seeded Rng that initialisation, shuffling and dropout share.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config.h"
#include "gemm.h"
#include "layer.h"
#include "optimizer.h"
#include "rng.h"
#include "tensor.h"

namespace nnplay {

// Training by rows (network.cpp): the units of each part from now on, from the split so far
// (`units`, each part but the last a multiple of `panel`) and the seconds each part's thread
// spent on its steps under it (`busy`). One panel moves from the part that took longest to the one
// that took least where, each part's time taken in proportion to its units, the longest would
// be at least 3 % shorter; otherwise (or without a time for every part) the split stays.
std::vector<Index> balanceRowUnits(const std::vector<Index>& units,
                                   const std::vector<double>& busy, Index panel);

// A parameter tensor's place in the flat buffer, e.g. {"dense_0/kernel", {2, 4}, 0, 8}.
struct ParamTensor {
  std::string name;
  int layer;  // index into config.layers
  Shape shape;
  Index offset;
  Index size;
  bool regularized;
  bool trainable;  // false: state a layer updates itself (batch norm's moving statistics)
};

template <typename T>
struct NamedTensor {
  std::string name;
  Shape shape;
  std::vector<T> data;
};

struct Metrics {
  double loss;
  double accuracy;  // NaN when the targets are not class labels (regression)
};

// How one layer's kernel fared over an epoch: the gradient flow a learner can watch.
struct LayerStats {
  int layer;               // index into config.layers (layers with a kernel only)
  double meanAbsGradient;  // mean |dL/dW| over the kernel, averaged over the epoch's batches
  double meanAbsUpdate;    // mean |W after - W before| over the kernel for the whole epoch
};

struct EpochResult {
  int epoch;
  double loss;      // mean over the epoch's batches, weighted by batch size
  double accuracy;  // of the batches as they were trained on
  bool diverged;    // a batch had a non-finite loss: training stopped before updating with it
  double lr;        // the learning rate of the epoch's last update (the schedule's at that step)
  std::vector<LayerStats> layers;  // filled when trainEpoch is asked for layer statistics
};

// One layer's output for a batch: values is (size of shape, n), a sample per column.
template <typename T>
struct LayerActivation {
  int layer;
  LayerType type;
  Shape shape;  // of one sample, {units} or {height, width, channels}
  Matrix<T> values;
};

// What one optimizer step on a batch would do, computed without doing it.
template <typename T>
struct UpdatePreview {
  double loss;
  std::vector<NamedTensor<T>> gradients;  // dL/dparameter, regularization included
  std::vector<NamedTensor<T>> updates;    // parameter after the step minus before
};

template <typename T>
struct LayerInspection {
  int layer;  // index into config.layers
  Matrix<T> z, a, dz, dW, db, dA;
};

template <typename T>
struct Inspection {
  double loss;
  std::vector<LayerInspection<T>> layers;  // the layers that have parameters, in order
  Matrix<T> dX;  // dL/d(input), (inputs, n); filled when inspect is asked for it
};

template <typename T>
class Network {
 public:
  using Mat = Matrix<T>;
  using ConstRef = ConstMatrixRef<T>;

  explicit Network(const Config& config);

  const Config& config() const { return config_; }
  Index inputSize() const { return shapeSize(config_.input); }
  Index outputSize() const { return layers_.back()->outputSize(); }
  const std::vector<ParamTensor>& parameterTensors() const { return tensors_; }
  // All parameters in one buffer: the trainable tensors in the order of parameterTensors(),
  // then the non-trainable ones (which the optimizer never sees); each tensor's offset says where.
  // (Training by rows keeps the first layer's parameters in copies of its own from one epoch to
  // the next: these, and every other method that reads or writes parameters, move them back
  // first, the const ones too, as values_ is what they stand for. A reference stays good until
  // the next training call.)
  Vector<T>& parameters() {
    releaseRows();
    return values_;
  }
  const Vector<T>& parameters() const {
    const_cast<Network*>(this)->releaseRows();
    return values_;
  }
  long long steps() const { return steps_; }
  // The optimizer's rate, which a schedule starts from.
  void setLearningRate(double lr);
  // The rate the next optimizer step will use: the schedule at step steps().
  double learningRate() const;

  // x is (inputs, n); out becomes (outputs, n). Inference mode: dropout is off.
  void predict(const ConstRef& x, Mat& out);
  // One optimizer step on the batch; returns its loss. A non-finite loss skips the update.
  double trainBatch(const ConstRef& x, const ConstRef& y);
  // Loss and accuracy over the samples; with `outputs`, also fills it like predict, from the
  // same forward pass.
  Metrics evaluate(const ConstRef& x, const ConstRef& y, Mat* outputs = nullptr);
  // One pass over the data in batches of batchSize (0: config().batchSize), shuffled with the
  // network's Rng.
  // With layerStats, the result's `layers` says how each kernel's gradient and weights moved.
  EpochResult trainEpoch(const ConstRef& x, const ConstRef& y, bool shuffle, int batchSize = 0,
                         bool layerStats = false);
  // Trains up to `epochs` epochs, stopping early on divergence or when onEpoch returns false.
  std::vector<EpochResult> fit(const ConstRef& x, const ConstRef& y, int epochs, bool shuffle,
                               const std::function<bool(const EpochResult&)>& onEpoch = {});
  // Forward and backward in inference mode, without an update; with inputGradient also dL/dx.
  Inspection<T> inspect(const ConstRef& x, const ConstRef& y, bool inputGradient = false);
  // Every layer's output for x in inference mode, in order; changes nothing.
  std::vector<LayerActivation<T>> activations(const ConstRef& x);
  // The gradient and the change one optimizer step on (x, y) would make, in inference mode
  // (dropout off), with the optimizer's current state (momentum, Adam's moments and step
  // count). Parameters, optimizer and Rng are left as they were.
  UpdatePreview<T> previewUpdate(const ConstRef& x, const ConstRef& y);

  std::vector<NamedTensor<T>> weights() const;
  // Checks every name, shape and value first, so a bad list changes nothing.
  void setWeights(const std::vector<NamedTensor<T>>& weights);

 private:
  void forward(const ConstRef& x, bool training);
  // Loss of the last forward; fills deltas_, the gradient buffer and, if given, dL/dx. While
  // training, deltas_ of a ReLU layer followed by max-pooling is left out (see reluBeforePool).
  double backward(const ConstRef& x, const ConstRef& y, Mat* inputGradient = nullptr,
                  bool training = false);
  ActivatedLayer<T>* reluBeforePool(size_t i) const;
  // How many parts a training step on n samples goes in (see network.cpp); 1: the whole batch.
  Index partsOf(Index n) const;
  // forward and backward of a training step in that many parts from layer `lowest` on, x being
  // its input (for lowest 1, trainByRows's rowInput_, each part gathering its samples' columns
  // first), then the kernel and bias gradients over the whole batch; returns the loss. For
  // lowest 1 it leaves layer 1's input gradient and kernel gradient to the row parts, and with
  // a prefix (layer 1's sums over its first prefixUnits inputs, DenseLayer::prefixPart) goes on
  // from there: rowInput_'s first prefixUnits rows are then neither gathered nor read.
  double trainInParts(const ConstRef& x, const ConstRef& y, Index parts, size_t lowest = 0,
                      const Mat* prefix = nullptr, Index prefixUnits = 0);
  // How many parts of the first layer's units a training step on n samples goes in (see
  // network.cpp), one per thread; 0: not by rows.
  Index rowPartsOf(Index n) const;
  // Moves the first layer's parameters and optimizer state into `parts` row parts (rowParts_),
  // and back into values_ and the optimizer: they stay in the parts from one epoch to the next,
  // until a call that reads or writes the parameters (or trains otherwise) releases them.
  // (Their gradient stays there: every step writes it before reading it, and nothing else reads
  // a step's gradient afterwards: inspect and previewUpdate compute their own. Copying it back
  // took 45 of a 2-thread MLP epoch's ~3000 us.)
  void holdRows(Index parts);
  void releaseRows();
  // Columns [begin, begin + count) of rowInput_ from the row parts' outputs, from unit `from` on.
  void gatherRows(Index begin, Index count, Index from);
  // A training step by rows on the samples at x + columns[j] (targets y), with its update;
  // returns the loss. The rows must be held. With nextColumns, the step also runs the first
  // layer's forward pass on the next batch's nextCount samples at x + nextColumns[j], which the
  // next call then trains on.
  double trainByRows(const T* x, const int* columns, const ConstRef& y,
                     const int* nextColumns = nullptr, Index nextCount = 0);
  // The tensors of the flat buffer `values`, named and shaped like weights().
  std::vector<NamedTensor<T>> namedTensors(const T* values) const;
  // Adds the regularization's gradient to that of the trainable values [begin, end).
  void addRegularizationGradient(Index begin, Index end);
  // gradient += the regularization's gradient at values, n of each.
  void regularize(T* gradient, const T* values, Index n) const;
  void checkData(const ConstRef& x, const ConstRef* y, const char* what) const;
  void checkBatchMemory(Index samples, const char* what) const;
  // Samples per forward pass in predict/evaluate, within Limits::kMaxBatchValues.
  Index chunkSize() const;

  Config config_;
  Rng rng_;
  std::vector<std::unique_ptr<Layer<T>>> layers_;
  std::vector<ParamTensor> tensors_;
  std::vector<size_t> firstTensor_;  // per layer: index of its first tensor in tensors_
  Vector<T> values_, gradients_;  // the non-trainable part of gradients_ stays zero
  Index trainableSize_ = 0;        // values_.head(trainableSize_) is what the optimizer updates
  std::unique_ptr<Optimizer<T>> optimizer_;
  std::vector<Mat> deltas_;  // deltas_[i] = dL/d(output of layer i)
  Mat outputGradient_, batchX_, batchY_, chunkOut_;
  Vector<T> epochStart_;  // parameters when an epoch with layer statistics began
  std::vector<uint32_t> order_;
  // Training by rows: each part's units of the first layer, [begin, begin + units), with copies
  // of their kernel rows (units x inputs, column-major) and bias, whose gradient, moments and
  // velocities are laid out alike; z, a, dL/da and dz for a batch (units x samples); a scratch
  // for the products with the next layer, and one for each product with the batch, which
  // trainByRows may pack ahead.
  struct RowPart {
    Index begin = 0, units = 0;
    std::vector<T> w, g, m, v, z, a, da, dz;
    GemmScratch gemm, kernelGemm;
    // The forward products of consecutive batches, by turns (rowTurn_: this batch's), each
    // keeping its batch packed for the kernel gradient in the step after.
    GemmScratch forwardGemm[2];
    double busy = 0;  // seconds its thread spent on its steps since it was made
  };
  std::vector<RowPart> rowParts_;
  std::vector<Index> rowUnits_;  // the units of each part the next holdRows makes (see there)
  // The seconds each part of that split took (added up by releaseRows) over rowSteps_ steps.
  std::vector<double> rowBusy_;
  long long rowSteps_ = 0;
  // Steps of a split after which the next release balances it (releaseRows).
  static constexpr long long kBalanceSteps = 128;
  bool rowsHeld_ = false;  // whether rowParts_ hold the first layer (values_ then does not)
  bool rowsForwarded_ = false;  // whether they hold its forward pass on the next batch
  int rowTurn_ = 0;  // which forwardGemm of each part holds the next step's batch
  Mat rowInput_;                // layer 1's input
  // Layer 1's sums over the first units' outputs, for the batch of each turn (see trainByRows).
  Mat rowPrefix_[2];
  // trainByRows's offsets into the samples: this batch's, the next one's, the features'
  std::vector<int> columnOffsets_, nextColumnOffsets_, featureOffsets_;
  Index valuesPerSample_ = 0;  // input plus every layer's output
  long long steps_ = 0;
  int epochs_ = 0;
};

extern template class Network<float>;
extern template class Network<double>;

}  // namespace nnplay
