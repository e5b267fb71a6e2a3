#include "network.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <limits>
#include <stdexcept>

#include "layer_factory.h"
#include "loss.h"
#include "parallel.h"
#include "simd.h"

namespace nnplay {

template <typename T>
Network<T>::Network(const Config& config) : config_(config), rng_(config.seed) {
  const std::vector<Shape> shapes = layerOutputShapes(config_);
  Shape in = config_.input;
  for (size_t i = 0; i < config_.layers.size(); ++i) {
    layers_.push_back(makeLayer<T>(config_.layers[i], in));
    firstTensor_.push_back(tensors_.size());
    for (const ParamInfo& p : layers_.back()->parameters()) {
      const std::string name = std::string(toString(config_.layers[i].type)) + "_" +
                               std::to_string(i) + "/" + p.name;
      tensors_.push_back({name, static_cast<int>(i), p.shape, 0, shapeSize(p.shape),
                          p.regularized, p.trainable});
      if (p.trainable) trainableSize_ += tensors_.back().size;
    }
    in = shapes[i];
    valuesPerSample_ += shapeSize(in);
  }
  valuesPerSample_ += inputSize();
  // Trainable tensors first, then the state: the optimizer's part is one contiguous head.
  Index trainable = 0, state = trainableSize_;
  for (ParamTensor& t : tensors_) {
    Index& next = t.trainable ? trainable : state;
    t.offset = next;
    next += t.size;
  }
  const Index total = state;
  values_.setZero(total);
  gradients_.setZero(total);
  // A layer's trainable tensors are contiguous from its first one, and so are its state tensors;
  // layers without any bind to the start.
  for (size_t i = 0; i < layers_.size(); ++i) {
    Index values = 0, states = 0;
    bool seenValue = false, seenState = false;
    for (size_t t = firstTensor_[i]; t < tensors_.size() && tensors_[t].layer == int(i); ++t) {
      if (tensors_[t].trainable && !seenValue) values = tensors_[t].offset, seenValue = true;
      if (!tensors_[t].trainable && !seenState) states = tensors_[t].offset, seenState = true;
    }
    layers_[i]->bind(values_.data() + values, gradients_.data() + values);
    layers_[i]->bindState(values_.data() + states);
  }
  for (auto& layer : layers_) layer->initialize(config_.init, rng_);
  optimizer_ = std::make_unique<Optimizer<T>>(config_.optimizer, config_.schedule, trainableSize_);
  deltas_.resize(layers_.size());
}

template <typename T>
void Network<T>::setLearningRate(double lr) {
  if (!(lr >= 0 && lr <= 100)) throw ConfigError("lr: expected a number in [0, 100]");
  config_.optimizer.lr = lr;
  optimizer_->setLearningRate(lr);  // momentum and Adam moments carry on
}

template <typename T>
double Network<T>::learningRate() const {
  return optimizer_->learningRate(steps_ + 1);
}

template <typename T>
void Network<T>::checkData(const ConstRef& x, const ConstRef* y, const char* what) const {
  if (x.rows() != inputSize())
    throw ConfigError(std::string(what) + ": x has " + std::to_string(x.rows()) +
                      " values per sample, the network expects " + std::to_string(inputSize()));
  if (x.cols() < 1) throw ConfigError(std::string(what) + ": n must be at least 1");
  if (y && (y->rows() != outputSize() || y->cols() != x.cols()))
    throw ConfigError(std::string(what) + ": y must have " + std::to_string(outputSize()) +
                      " values per sample for " + std::to_string(x.cols()) + " samples");
}

template <typename T>
void Network<T>::checkBatchMemory(Index samples, const char* what) const {
  if (samples * valuesPerSample_ > Limits::kMaxBatchValues)
    throw ConfigError(std::string(what) + ": " + std::to_string(samples) +
                      " samples at once need too much memory for this network; use batches of " +
                      "at most " + std::to_string(Limits::kMaxBatchValues / valuesPerSample_));
}

template <typename T>
Index Network<T>::chunkSize() const {
  return std::max<Index>(1, std::min<Index>(1024, Limits::kMaxBatchValues / valuesPerSample_));
}

template <typename T>
void Network<T>::forward(const ConstRef& x, bool training) {
  layers_[0]->forward(x, training, rng_);
  for (size_t i = 1; i < layers_.size(); ++i)
    layers_[i]->forward(layers_[i - 1]->output(), training, rng_);
}

template <typename T>
double Network<T>::backward(const ConstRef& x, const ConstRef& y, Mat* inputGradient,
                            bool training) {
  const size_t last = layers_.size() - 1;
  const auto* activated = dynamic_cast<const ActivatedLayer<T>*>(layers_[last].get());
  const Mat& a = layers_[last]->output();
  const Mat& z = activated ? activated->z() : a;
  const double loss = static_cast<double>(
      lossValue<T>(config_.loss, z, a, y, activated ? activated->softmaxSums() : nullptr));
  lossGradient(config_.loss, a, y, outputGradient_);
  bool zGradientGiven = false;  // layer i's dL/dz was written by layer i + 1
  for (size_t i = last + 1; i-- > 0;) {
    const ConstRef in = i == 0 ? x : ConstRef(layers_[i - 1]->output());
    Mat* dIn = i == 0 ? inputGradient : &deltas_[i - 1];
    const Mat& dOut = i == last ? outputGradient_ : deltas_[i];
    if (zGradientGiven) {
      static_cast<ActivatedLayer<T>&>(*layers_[i]).backwardFromOwnZ(in, dIn);
      zGradientGiven = false;
    } else if (i == last && lossIsFused(config_.loss)) {
      // parseConfig guarantees the output layer is an ActivatedLayer for fused losses.
      dynamic_cast<ActivatedLayer<T>&>(*layers_[i]).backwardFromZ(in, outputGradient_, dIn);
    } else if (auto* before = training && i > 0 ? reluBeforePool(i) : nullptr) {
      // Max-pooling after a ReLU: one pass gives the ReLU layer's dL/dz, skipping dL/da
      // (deltas_[i - 1], which only inspect() reads) and a pass over it.
      static_cast<MaxPool2dLayer<T>&>(*layers_[i]).backwardThroughRelu(dOut, before->zGradient());
      zGradientGiven = true;
    } else {
      layers_[i]->backward(in, dOut, dIn);
    }
  }
  return loss;
}

// Layer i - 1 as an ActivatedLayer when layer i is a max-pooling layer and layer i - 1 ends in a
// ReLU; else nullptr.
template <typename T>
ActivatedLayer<T>* Network<T>::reluBeforePool(size_t i) const {
  if (layers_[i]->type() != LayerType::MaxPool2d) return nullptr;
  auto* before = dynamic_cast<ActivatedLayer<T>*>(layers_[i - 1].get());
  return before && before->activation() == Activation::Relu ? before : nullptr;
}

// Training in parts. On more than one thread, a dense layer's products on a batch (the MLP's
// 784-128-10 on 64 digits: 6M multiply-adds in the big ones, 82k in the small) were split over
// the threads one after another, eleven jobs a step, each ending in a wait, with serial steps
// between them (the output layer's softmax, the loss). In parts, each thread takes some of the
// batch's samples through every layer's forward and backward in one job, then the kernel and
// bias gradients are computed over the whole batch, split over the threads as before: seven
// jobs. Every value is the same sum in the same order as on the whole batch (the products give
// each column the same bits whichever columns they are computed with), so the bits do not
// depend on the parts: one part per thread. (2-thread MLP training in Node, alternating paired
// rounds: 1.06x faster, the median of 3 runs of 9 to 11 rounds, at times when two threads
// gained only 1.1x over one; 1.00x in 9 rounds when they gained 1.6x. One thread unchanged.)
// Only in WebAssembly, whose products are this project's GEMM (natively Eigen's, whose blocking
// may depend on the number of columns), and only for networks of dense layers (convolutions
// split well inside; batch norm and dropout draw on the whole batch).
namespace {
constexpr Index kPartSamples = 16;  // at least this many samples a part
// Below this many multiply-adds a step (parameters times samples), threads cost more than they
// save: the playground's small networks train in one piece.
constexpr Index kPartWork = Index(1) << 18;
}  // namespace

template <typename T>
Index Network<T>::partsOf(Index n) const {
#ifdef __wasm_simd128__
  if constexpr (std::is_same_v<T, float>) {
    for (const LayerConfig& layer : config_.layers)
      if (layer.type != LayerType::Dense) return 1;
    if (trainableSize_ * n < kPartWork) return 1;
    return std::clamp<Index>(n / kPartSamples, 1, threadCount());
  }
#endif
  (void)n;
  return 1;
}

template <typename T>
double Network<T>::trainInParts(const ConstRef& x, const ConstRef& y, Index parts,
                                 size_t lowest, const Mat* prefix, Index prefixUnits) {
  const Index n = x.cols();
  const size_t last = layers_.size() - 1;
  auto dense = [&](size_t i) -> DenseLayer<T>& { return static_cast<DenseLayer<T>&>(*layers_[i]); };
  for (size_t i = lowest; i <= last; ++i) {
    dense(i).prepareParts(n, parts);
    if (i < last) deltas_[i].resize(layers_[i]->outputSize(), n);
  }
  outputGradient_.resize(outputSize(), n);
  const bool fused = lossIsFused(config_.loss);
  // Part p: samples [n p / parts, n (p + 1) / parts).
  parallelFor(parts, 1, [&](int64_t first, int64_t end) {
    for (Index p = first; p < end; ++p) {
      const Index begin = n * p / parts, count = n * (p + 1) / parts - begin;
      if (lowest > 0) gatherRows(begin, count, prefixUnits);
      for (size_t i = lowest; i <= last; ++i) {
        if constexpr (std::is_same_v<T, float>) {
          if (i == lowest && prefix) {
            const Index others = x.rows() - prefixUnits;  // the other parts' units
            dense(i).forwardPartChained(prefix->data() + begin * prefix->rows(), prefixUnits,
                                        x.middleCols(begin, count).bottomRows(others), begin);
            continue;
          }
        }
        dense(i).forwardPart(
            i == lowest ? x.middleCols(begin, count)
                        : ConstRef(layers_[i - 1]->output().middleCols(begin, count)),
            begin, p);
      }
      lossGradient(config_.loss, layers_[last]->output().middleCols(begin, count),
                   y.middleCols(begin, count), outputGradient_.middleCols(begin, count), n);
      for (size_t i = last + 1; i-- > lowest;)
        dense(i).backwardPart(i == last ? outputGradient_ : deltas_[i], i == last && fused, begin,
                              count, i == lowest ? nullptr : &deltas_[i - 1], p);
    }
  }, static_cast<int>(parts));
  const DenseLayer<T>& output = dense(last);
  const double loss = static_cast<double>(
      lossValue<T>(config_.loss, output.z(), output.output(), y, output.softmaxSums()));
  // By rows (lowest 1), trainByRows computes layer 1's kernel gradient by the rows' units.
  for (size_t i = lowest; i <= last; ++i)
    if (i == 1 && lowest == 1)
      dense(i).biasGradient();
    else
      dense(i).parameterGradients(i == lowest ? x : ConstRef(layers_[i - 1]->output()));
  return loss;
}

// Training by rows. Split by samples (in parts, above), every thread reads the whole first
// kernel, which the other threads updated, and the samples another thread gathered. With two
// threads, a core that writes data the other core has read, or data next to what the other core
// writes, waits for the other's cache: in a native two-thread test on this project's machine,
// each thread reading all of 400 KB and then updating its half took 134 us a pass, one thread
// doing all of it 43 us; two threads each updating its own interleaved 256-byte pieces of it,
// 104 us, its own half 16 us. So by rows, each thread owns some of the first layer's units for
// a whole epoch, in a copy of their kernel rows and bias (with their gradient and optimizer
// state) in memory of its own: it computes their z and a, and after the rest of the network's
// forward and backward, their dz, gradients and update, reading each sample where it is (the
// GEMM by offsets) instead of a gathered batch. Between the cores go only the first layer's
// output (32 KB for the MLP on 64 samples; the first units' part sends the next layer's sums
// over them instead, 2.5 KB), the next layer's dz and the few weights of the rest. Every
// value is the same sum in the same order as in a step on the whole batch (a row's sums do not
// depend on the rows computed with it), so the bits are those of one thread.
// For networks of dense layers whose first layer holds nearly all the parameters (the MLP:
// 100,480 of 101,770). 2-thread MLP training in Node, in the machine's state where parts gained
// 1.13-1.19x over one thread: 1.36-1.51x (7 alternating rounds); with the rest of the network,
// the first layer's input gradient included, on the calling thread instead of in parts,
// 1.21-1.37x.
// A step is one job: the rest of the network's forward and backward on the calling thread, then
// each row part's gradient from the next layer (its rows of W^T dz), backward pass and update,
// the next layer's kernel gradient and update for its units' columns (from its own outputs),
// and its forward pass on the next batch. The threads meet once a step (an epoch's first step
// also runs its own forward pass as a job). (Median 2-thread gain over one thread, 7
// alternating rounds: 1.44x with two jobs, the rest of the network in parts of the samples
// first, 1.37x with three. Per-phase profile of the two jobs, a step of 202-211 us: the parts
// 26, then each thread's backward and update 81-86 and forward 84-90. With the rest on the
// calling thread, whose row-part gradients the parts then compute themselves, from their own
// columns of the next layer's kernel: 1.46x vs 1.40x, 9 alternating rounds.)
// The rest of the network runs inside that job, on the thread that gets there first (the
// calling thread, most of the time). Meanwhile the other threads pack the next batch for their
// forward products, which each thread packs for itself: in a per-phase profile (2 threads, 1024
// samples an epoch), the rest took 16 us a step and the packing ahead, then of the batch for
// both products, 24. Before, the other thread waited for the rest and then packed. 2-thread MLP
// training in Node, 1024 samples an epoch: 1.05x faster (median of 21 alternating rounds, all
// of them ahead: 1.59x one thread, 1.52x before).
// The calling thread then packs the batch again for its own part. Reading it as the other
// thread packed it instead, in its forward product and its kernel gradient a step later (the
// same bits), made 2-thread MLP training 0.85x as fast (median of 21 alternating rounds, 1 of
// them ahead; with the builds' order swapped, 0.84x): the packed batch, 200 KB, then comes from
// the other core's cache.
// Not packing it at all was slower too: the calling thread's forward product listing each
// tile's steps from the samples where they lie and reading them there, and its kernel gradient
// reading each sample's four features in place, gave 0.955x and, order swapped, 0.992x (21
// alternating rounds each; V8 gives each of the four samples' loads an address computation of
// its own, see core/gemm.h). Every part's kernel gradient reading the samples in place, which
// let each part keep one packing instead of two (250 KB less that a core touches a step), gave
// 0.932x and 0.959x.
// A part's kernel gradient reads its batch as the part's forward product packed it a step
// before (GemmScratch::multiplyTransposed; forwardGemm by turns, so the next batch's packing
// does not overwrite it), instead of packing the batch a second time, transposed. In a
// per-phase profile (2 threads, busy minutes), packing ahead took 19-23 us a step instead of
// 34-38, the kernel gradient with its packing 54-64 instead of 64-76, the one packed ahead
// 56-63 instead of 50. 2-thread MLP training in Node, 1024 samples an epoch: 1.04x faster
// (median of 31 alternating rounds, 29 of them ahead: 1.71x one thread, 1.66x before; with
// the builds' order swapped, 1.05x, 27 of 31).
// Keeping the rows in the GEMM's packed layout instead, to read them without packing A, made
// training slower (0.82x, 9 alternating rounds: the forward pass took as long, the backward
// pass, whose product then wrote the gradient in that layout, longer).
// Loading one value of each cache line that the other core wrote, all at once before reading
// it in order (the output layer's dz on the thread that did not compute it, the next layer's
// kernel on the thread of the rest), gained nothing: 0.999x, 21 alternating rounds, 10 ahead.
// The rows stay in the parts from one epoch to the next; every other use of the parameters
// moves them back first (releaseRows). Copied in and out at every 1024-sample epoch, they cost
// the 2-thread MLP 2.8 us a step going in and about 3 going back (phase timers). Kept,
// 2-thread MLP training in Node went 1.01x faster (1024 samples an epoch, median of 21
// alternating rounds, 13 of them ahead; with the builds' order swapped, 1.03x, 16 of 21); with
// countCorrect's plain loop (loss.h) as well, 1.02x (20 of 21; swapped, 1.03x, 18 of 21).
// The split follows the threads' speed: each part's thread times its share of every step, and
// after 128 steps or more a panel of units moves from the part that took longest to the one
// that took least where that promises a shorter step (balanceRowUnits), at the next holdRows:
// the first epoch to begin after those steps releases the rows for it.
// The parts were seldom even: in a per-phase profile (2 threads, means over 4000 steps) the
// worker's part took 175 us a step and the caller's 147, as the worker reads the output layer's
// gradient that the caller wrote and writes the outputs that the caller gathers; and the
// machine may hold either core back for seconds. 2-thread MLP training in Node, 1024 samples an
// epoch: 1.04x faster than even parts (median of 21 alternating rounds, 20 of them ahead;
// 1.56x one thread, 1.49x before). Balancing every 32 steps instead, several panels at once
// where each move promised a step 3 % shorter, and releasing the rows only for a new split, was
// no faster: 0.993x (21 alternating rounds, 8 of them ahead) and, order swapped, 1.010x, in
// hours when this machine's two cores trained the MLP on one thread at speeds 1.26x to 1.48x
// apart, and the threads changed cores every second or so (per-core speeds from 1-thread runs
// pinned with taskset, the threads' cores from /proc).
// One thread trains such a network by rows too, in one part: its step reads each sample where
// it is instead of copying the shuffled batch first (200 KB for the MLP, which came from beyond
// the core's 1 MB L2: a 1024-sample epoch's 3.2 MB does not stay there), and its kernel
// gradient reads the batch as the forward product packed it. 1-thread MLP training in Node,
// 1024 samples an epoch: 1.026x faster (node bench/rounds.mjs --threads 1, median of 21
// alternating rounds, 18 of them ahead; with the builds' order swapped, 1.024x, 19 of 21), the
// same bits.
template <typename T>
Index Network<T>::rowPartsOf(Index n) const {
#ifdef __wasm_simd128__
  if constexpr (std::is_same_v<T, float>) {
    if (layers_.size() < 2 || trainableSize_ * n < kPartWork) return 0;
    for (const LayerConfig& layer : config_.layers)
      if (layer.type != LayerType::Dense) return 0;
    if (config_.layers[0].activation == Activation::Softmax) return 0;
    const Index units = layers_[0]->outputSize();
    if (8 * units * (inputSize() + 1) < 7 * trainableSize_) return 0;
    return std::min<Index>(threadCount(), units / GemmScratch::kMr);
  }
#endif
  (void)n;
  return 0;
}

// Copies rows [begin, begin + rows) of the `cols` columns at `from` (leading dimension fromLd)
// to `to` (leading dimension toLd).
template <typename T>
static void copyRows(T* to, Index toLd, const T* from, Index fromLd, Index rows, Index cols) {
  for (Index c = 0; c < cols; ++c) simd::copy(to + c * toLd, from + c * fromLd, rows);
}

std::vector<Index> balanceRowUnits(const std::vector<Index>& units,
                                   const std::vector<double>& busy, Index panel) {
  const size_t parts = units.size();
  if (busy.size() != parts || parts < 2) return units;
  size_t slow = 0, fast = 0;
  for (size_t p = 0; p < parts; ++p) {
    if (!(busy[p] > 0)) return units;
    if (busy[p] > busy[slow]) slow = p;
    if (busy[p] < busy[fast]) fast = p;
  }
  if (slow == fast || units[slow] <= panel) return units;
  auto after = [&](size_t p, Index change) {
    return busy[p] * double(units[p] + change) / double(units[p]);
  };
  double longest = 0;
  for (size_t p = 0; p < parts; ++p)
    longest = std::max(longest, p == slow ? after(p, -panel) : p == fast ? after(p, panel) : busy[p]);
  if (longest > 0.97 * busy[slow]) return units;
  std::vector<Index> balanced = units;
  balanced[slow] -= panel;
  balanced[fast] += panel;
  return balanced;
}

template <typename T>
void Network<T>::holdRows(Index parts) {
  if (rowsHeld_ && Index(rowParts_.size()) == parts) return;
  releaseRows();
  const Index units = layers_[0]->outputSize(), columns = inputSize() + 1;  // kernel, bias
  const T* const moments = optimizer_->moments();
  const T* const velocities = optimizer_->velocities();
  rowParts_.resize(parts);
  // The parts' units: as releaseRows last balanced them, or equal parts of whole panels, the
  // last taking what is left. Part 0, which the calling thread takes first (parallel.h), holds
  // the last units, and the last part, which a worker takes first, the first ones: layer 1's
  // sums over those start on that worker (trainByRows).
  if (Index(rowUnits_.size()) != parts) {
    auto unit = [&](Index q) {
      return q == parts ? units : units * q / parts / GemmScratch::kMr * GemmScratch::kMr;
    };
    rowUnits_.resize(parts);
    for (Index p = 0; p < parts; ++p) rowUnits_[p] = unit(p + 1) - unit(p);
    rowBusy_.assign(parts, 0);
    rowSteps_ = 0;
  }
  for (Index p = 0, end = units; p < parts; end -= rowUnits_[p], ++p) {
    const Index begin = end - rowUnits_[p];
    rowParts_[p].begin = begin;
    rowParts_[p].units = rowUnits_[p];
    rowParts_[p].busy = 0;
    for (GemmScratch& gemm : rowParts_[p].forwardGemm) gemm.listGroupsOfB();
  }
  // Each part's copy is made on the thread that takes its part of the steps (most of the time).
  parallelFor(parts, 1, [&](int64_t first, int64_t end) {
    for (Index p = first; p < end; ++p) {
      RowPart& part = rowParts_[p];
      const Index size = part.units * columns;
      auto copy = [&](std::vector<T>& into, const T* from) {
        into.resize(from ? size : 0);
        if (from) copyRows(into.data(), part.units, from + part.begin, units, part.units, columns);
      };
      copy(part.w, values_.data());
      part.g.resize(size);  // every step writes it before reading it
      copy(part.m, moments);
      copy(part.v, velocities);
    }
  }, static_cast<int>(parts));
  rowsHeld_ = true;
}

template <typename T>
void Network<T>::releaseRows() {
  rowsForwarded_ = false;
  if (!rowsHeld_) return;
  rowsHeld_ = false;
  const Index units = layers_[0]->outputSize(), columns = inputSize() + 1;
  T* const moments = optimizer_->moments();
  T* const velocities = optimizer_->velocities();
  // Each part on a thread of its own, the one that held it most of the time. (On the calling
  // thread alone, copying both parts back took 130-170 us of a 2-thread 1024-sample MLP epoch.)
  const int parts = static_cast<int>(rowParts_.size());
  parallelFor(parts, 1, [&](int64_t first, int64_t end) {
    for (Index p = first; p < end; ++p) {
      const RowPart& part = rowParts_[p];
      auto copy = [&](T* to, const std::vector<T>& from) {
        if (to) copyRows(to + part.begin, units, from.data(), part.units, part.units, columns);
      };
      copy(values_.data(), part.w);
      copy(moments, part.m);
      copy(velocities, part.v);
    }
  }, parts);
  // The split the next holdRows makes, from the time each part took, summed over at least 128
  // steps of this split (a 1024-sample MLP epoch is 16, whose parts' times differed by up to
  // 20 % from one epoch to the next in the same seconds).
  for (int p = 0; p < parts; ++p) rowBusy_[p] += rowParts_[p].busy;
  if (rowSteps_ >= kBalanceSteps) {
    rowUnits_ = balanceRowUnits(rowUnits_, rowBusy_, GemmScratch::kMr);
    rowBusy_.assign(parts, 0);
    rowSteps_ = 0;
  }
}

template <typename T>
void Network<T>::gatherRows(Index begin, Index count, Index from) {
  const Index units = rowInput_.rows();
  for (const RowPart& part : rowParts_)
    if (part.begin >= from)
      copyRows(rowInput_.data() + begin * units + part.begin, units,
               part.a.data() + begin * part.units, part.units, part.units, count);
}

namespace {

// Times the phases of one part of a step by rows for the job profile, where it is on: each
// mark adds the time since the one before (or since the clock began) to the named phase.
class PhaseClock {
 public:
  PhaseClock(bool on, JobSite site, Index part)
      : on_(on), site_(site), part_(part),
        last_(on ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point()) {}
  void mark(const char* phase) {
    if (!on_) return;
    const auto now = std::chrono::steady_clock::now();
    addJobPhase(site_, "part " + std::to_string(part_) + ": " + phase,
                std::chrono::duration<double>(now - last_).count());
    last_ = now;
  }
  // Leaves the time since the last mark out.
  void skip() {
    if (on_) last_ = std::chrono::steady_clock::now();
  }

 private:
  bool on_;
  JobSite site_;
  Index part_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace

template <typename T>
double Network<T>::trainByRows(const T* x, const int* columns, const ConstRef& y,
                               const int* nextColumns, Index nextCount) {
  if constexpr (std::is_same_v<T, float>) {
    const Index n = y.cols(), inputs = inputSize(), units = layers_[0]->outputSize();
    const auto& first = static_cast<const ActivatedLayer<T>&>(*layers_[0]);
    const Activation f = first.activation();
    const T alpha = first.alpha();
    if (Index(featureOffsets_.size()) != inputs) {
      featureOffsets_.resize(inputs);
      for (Index i = 0; i < inputs; ++i) featureOffsets_[i] = static_cast<int>(i);
    }
    const IndexedMatrix inT{x, columns, featureOffsets_.data(), n, inputs};
    const int parts = static_cast<int>(rowParts_.size());
    using ConstMap = Eigen::Map<const Mat>;
    // The first layer's input for the `count` samples at x + at[j].
    auto input = [&](const int* at, Index count) {
      IndexedMatrix in{x, featureOffsets_.data(), at, inputs, count};
      in.adjacentRows = true;
      return in;
    };
    // z and a of a part's units for the `count` samples at x + at[j], by gemm, which keeps the
    // input where it packs it (with packedAhead, as it packed it ahead).
    auto forward = [&](RowPart& part, GemmScratch& gemm, const int* at, Index count,
                       bool packedAhead) {
      const Index m = part.units;
      part.z.resize(m * count);
      part.a.resize(m * count);
      const bool relu = f == Activation::Relu;
      const StridedMatrix w{part.w.data(), m, inputs, 1, m};
      const IndexedMatrix in = input(at, count);
      const GemmEpilogue epilogue{part.w.data() + m * inputs, relu ? part.a.data() : nullptr};
      if (packedAhead)
        gemm.multiplyPacked(w, in, part.z.data(), m, false, epilogue);
      else
        gemm.multiply(w, in, part.z.data(), m, false, epilogue);
      if (!relu)
        activationForward(f, ConstMap(part.z.data(), m, count),
                          Eigen::Map<Mat>(part.a.data(), m, count), alpha);
    };
    // Layer 1's sums over the first units' outputs, where layer 1 sums its inputs in one block
    // (GemmScratch::multiplyChained): the part of those units computes them after its forward
    // pass, on its own thread, so that the rest of the network, on the calling thread most of
    // the time, goes on from them and gathers only the other parts' outputs. (Gathered whole,
    // the rest read all of the other core's outputs, 16 KB a step for the MLP, where it now
    // reads the 2.5 KB of sums, and the other core's next forward pass wrote lines that the
    // calling thread had read. 2-thread MLP training in Node, 1024 samples an epoch: 1.02x
    // faster, median of 21 alternating rounds, 19 of them ahead; with the builds' order
    // swapped, 1.02x, 17 of 21. Again after the loss came to read the softmax's sums, which
    // made the rest 4 us shorter, the rest summing over every unit itself: 0.995x, 7 of 21.)
    auto& next = static_cast<DenseLayer<T>&>(*layers_[1]);
    const Index nextUnits = next.outputSize();
    RowPart& firstUnits = rowParts_[parts - 1];  // (holdRows lays the parts out from the end)
    const bool chained = parts > 1 && units <= GemmScratch::kKc;
    auto prefix = [&](RowPart& part, Index count, Mat& into) {
      if (chained && &part == &firstUnits)
        next.prefixPart(ConstMap(part.a.data(), part.units, count), into.data());
    };
    const int turn = rowTurn_, nextTurn = 1 - rowTurn_;
    if (!rowsForwarded_) {  // (else the step before ran it)
      rowPrefix_[turn].resize(nextUnits, n);
      parallelFor(parts, 1, [&](int64_t firstPart, int64_t end) {
        for (Index p = firstPart; p < end; ++p) {
          forward(rowParts_[p], rowParts_[p].forwardGemm[turn], columns, n, false);
          prefix(rowParts_[p], n, rowPrefix_[turn]);
        }
      }, parts);
    }
    rowsForwarded_ = false;
    rowInput_.resize(units, n);
    // The first layer's kernel and bias lead the parameters, then layer 1's kernel, whose
    // columns for the row parts' units each part computes and updates below (from its own
    // outputs), then the rest, on the thread that runs the rest of the network.
    const ParamTensor& kernel = tensors_[firstTensor_[1]];
    const Index rest = kernel.offset + kernel.size;
    T* const moments = optimizer_->moments();
    T* const velocities = optimizer_->velocities();
    auto update = [&](Index offset, Index count, double rate) {  // values_[offset, offset + count)
      optimizer_->updateValues(values_.data() + offset, gradients_.data() + offset,
                               moments ? moments + offset : nullptr,
                               velocities ? velocities + offset : nullptr, count, steps_, rate);
    };
    // The rest of the network, its input gathered from the row parts, on the thread that takes
    // it first (a few products of 10-100 k multiply-adds: cheaper there than in a job of their
    // own), then its update. The other threads meanwhile pack the first layer's input for
    // their parts' two products (the batch for the kernel gradient, the next batch for the
    // forward pass), which the thread of the rest then packs in its own part.
    enum : int { kNotBegun, kRunning, kDone };
    std::atomic<int> restState{kNotBegun};
    double loss = 0, rate = 0;
    std::exception_ptr failure;
    auto runRest = [&] {
      try {
        OnThisThread alone;  // (as in any piece)
        loss = chained ? trainInParts(rowInput_, y, 1, 1, &rowPrefix_[turn], firstUnits.units)
                       : trainInParts(rowInput_, y, 1, 1);
        if (std::isfinite(loss)) {
          ++steps_;
          rate = optimizer_->learningRate(steps_);
          addRegularizationGradient(rest, trainableSize_);
          update(rest, trainableSize_ - rest, rate);
        }
      } catch (...) {
        failure = std::current_exception();
        loss = std::numeric_limits<double>::quiet_NaN();
      }
      restState.store(kDone, std::memory_order_release);
    };
    const bool regularized = tensors_[0].regularized;  // the first layer's kernel
    if (nextColumns) rowPrefix_[nextTurn].resize(nextUnits, nextCount);
    // (The job profile's phases of each part: node bench/profile.mjs prints them.)
    const JobSite stepSite{__FILE__, __LINE__};
    const bool timed = jobProfiling();
    parallelFor(parts, 1, [&](int64_t firstPart, int64_t end) {
      for (Index p = firstPart; p < end; ++p) {
        const auto start = std::chrono::steady_clock::now();
        PhaseClock clock(timed, stepSite, p);
        RowPart& part = rowParts_[p];
        int state = kNotBegun;
        const bool packsAhead = !restState.compare_exchange_strong(state, kRunning) &&
                                state == kRunning;
        if (state == kNotBegun) {  // (the exchange succeeded)
          runRest();
          clock.mark("rest of the network");
        }
        // Fewer units than kPackB read the batch in place in both products.
        const bool packs = part.units >= GemmScratch::kPackB;
        if (packsAhead) {
          if (packs && nextColumns) {
            part.forwardGemm[nextTurn].packAhead(input(nextColumns, nextCount));
            clock.mark("packing the next batch ahead");
          }
          while (restState.load(std::memory_order_acquire) != kDone) {
          }
          clock.mark("waiting for the rest");
        }
        clock.skip();
        if (!std::isfinite(loss)) continue;
        const Index m = part.units;
        const Index at = kernel.offset + part.begin * nextUnits;
        part.da.resize(m * n);
        next.inputGradientRows(part.begin, m, part.da.data(), part.gemm);
        next.kernelGradientColumns(part.begin, ConstMap(part.a.data(), m, n), part.gemm);
        if (kernel.regularized)
          regularize(gradients_.data() + at, values_.data() + at, nextUnits * m);
        update(at, nextUnits * m, rate);
        clock.mark("next layer's columns: gradient, update");
        part.dz.resize(m * n);
        activationBackward(f, ConstMap(part.z.data(), m, n), ConstMap(part.a.data(), m, n),
                           ConstMap(part.da.data(), m, n), Eigen::Map<Mat>(part.dz.data(), m, n),
                           alpha);
        clock.mark("activation's gradient");
        const StridedMatrix dz{part.dz.data(), m, n, 1, m};
        // (Updating the rows 16 or 64 columns at a time as soon as the kernel gradient had them,
        // into a ring of those columns instead of the whole gradient, was no faster: medians of
        // 0.987x to 1.042x in eight runs of 21 or 31 alternating rounds, four of them behind.)
        if (packs)  // from the batch as this part's forward product packed it
          GemmScratch::multiplyTransposed(dz, part.forwardGemm[turn].packedB(), inputs,
                                          part.g.data(), m);
        else
          part.kernelGemm.multiply(dz, inT, part.g.data(), m, false);
        clock.mark("kernel gradient");
        T* const db = part.g.data() + m * inputs;  // summed as DenseLayer sums it
        simd::copy(db, part.dz.data(), m);
        simd::addColumns(part.dz.data() + m, 0, m, n - 1, m, db);
        if (regularized) regularize(part.g.data(), part.w.data(), m * inputs);
        optimizer_->updateValues(part.w.data(), part.g.data(),
                                 part.m.empty() ? nullptr : part.m.data(),
                                 part.v.empty() ? nullptr : part.v.data(), m * (inputs + 1),
                                 steps_, rate);
        clock.mark("bias gradient and update");
        // The next batch's forward pass on these units, with their values just updated: its
        // own job saved (in a job of their own, the threads met once more per step).
        if (nextColumns) {
          forward(part, part.forwardGemm[nextTurn], nextColumns, nextCount, packsAhead && packs);
          prefix(part, nextCount, rowPrefix_[nextTurn]);
          clock.mark("forward pass on the next batch");
        }
        part.busy += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      }
    }, parts, stepSite);
    if (failure) std::rethrow_exception(failure);
    if (!std::isfinite(loss)) return loss;
    rowsForwarded_ = nextColumns != nullptr;
    if (rowsForwarded_) rowTurn_ = nextTurn;
    ++rowSteps_;
    return loss;
  }
  (void)x, (void)columns, (void)y, (void)nextColumns, (void)nextCount;
  throw std::logic_error("trainByRows: float only");
}

template <typename T>
void Network<T>::addRegularizationGradient(Index begin, Index end) {
  for (const ParamTensor& t : tensors_) {
    const Index from = std::max(begin, t.offset), to = std::min(end, t.offset + t.size);
    if (t.regularized && from < to)
      regularize(gradients_.data() + from, values_.data() + from, to - from);
  }
}

template <typename T>
void Network<T>::regularize(T* gradient, const T* values, Index n) const {
  if (config_.regularization == RegularizationType::None || config_.regularizationRate == 0)
    return;
  const T rate = static_cast<T>(config_.regularizationRate);
  Eigen::Map<Vector<T>> g(gradient, n);
  const Eigen::Map<const Vector<T>> w(values, n);
  if (config_.regularization == RegularizationType::L2) {
    g.array() += rate * w.array();  // d/dw of 0.5 rate w^2
  } else {
    g.array() += rate * w.array().sign();  // d/dw of rate |w|
  }
}

template <typename T>
void Network<T>::predict(const ConstRef& x, Mat& out) {
  checkData(x, nullptr, "predict");
  releaseRows();
  // In chunks, so a 10000-image test set never holds every layer's activations at once.
  const Index chunk = chunkSize();
  out.resize(outputSize(), x.cols());
  for (Index start = 0; start < x.cols(); start += chunk) {
    const Index count = std::min(chunk, x.cols() - start);
    forward(x.middleCols(start, count), false);
    out.middleCols(start, count) = layers_.back()->output();
  }
}

template <typename T>
double Network<T>::trainBatch(const ConstRef& x, const ConstRef& y) {
  checkData(x, &y, "trainBatch");
  checkBatchMemory(x.cols(), "trainBatch");
  releaseRows();
  const Index parts = partsOf(x.cols());
  double loss;
  if (parts > 1) {
    loss = trainInParts(x, y, parts);
  } else {
    forward(x, true);
    loss = backward(x, y, nullptr, true);
  }
  if (!std::isfinite(loss)) return loss;
  addRegularizationGradient(0, trainableSize_);
  ++steps_;
  Eigen::Map<Vector<T>> w(values_.data(), trainableSize_);
  const Eigen::Map<Vector<T>> g(gradients_.data(), trainableSize_);
  optimizer_->update(w, g, steps_);
  return loss;
}

template <typename T>
Metrics Network<T>::evaluate(const ConstRef& x, const ConstRef& y, Mat* outputs) {
  checkData(x, &y, "evaluate");
  releaseRows();
  const Index chunk = chunkSize();
  if (outputs) outputs->resize(outputSize(), x.cols());
  double lossSum = 0, correct = 0;
  for (Index start = 0; start < x.cols(); start += chunk) {
    const Index count = std::min(chunk, x.cols() - start);
    forward(x.middleCols(start, count), false);
    const auto* activated = dynamic_cast<const ActivatedLayer<T>*>(layers_.back().get());
    const Mat& a = layers_.back()->output();
    const ConstRef yChunk = y.middleCols(start, count);
    lossSum += count * static_cast<double>(
                           lossValue<T>(config_.loss, activated ? activated->z() : a, a, yChunk,
                                        activated ? activated->softmaxSums() : nullptr));
    correct += countCorrect<T>(a, yChunk);
    if (outputs) outputs->middleCols(start, count) = a;
  }
  const double n = static_cast<double>(x.cols());
  return {lossSum / n, correct / n};
}

template <typename T>
EpochResult Network<T>::trainEpoch(const ConstRef& x, const ConstRef& y, bool shuffle,
                                   int batchSize, bool layerStats) {
  checkData(x, &y, "fit");
  // Training by rows keeps the first layer in the row parts from one epoch to the next (see
  // releaseRows); an epoch that does not train by rows, or reads values_ (epochStart_), moves it
  // back first, and after 128 steps or more the split is balanced anew (releaseRows, then the
  // next holdRows).
  if (!shuffle || layerStats || rowSteps_ >= kBalanceSteps) releaseRows();
  const Index n = x.cols();
  order_.resize(n);
  for (Index i = 0; i < n; ++i) order_[i] = static_cast<uint32_t>(i);
  if (shuffle)  // Fisher-Yates with the network's own generator
    for (Index i = n - 1; i > 0; --i) std::swap(order_[i], order_[rng_.below(uint32_t(i + 1))]);

  EpochResult result{++epochs_, 0, 0, false, 0, {}};
  if (batchSize < 0 || batchSize > Limits::kMaxBatchSize)
    throw ConfigError("batchSize: expected an integer in [1, " +
                      std::to_string(Limits::kMaxBatchSize) + "], got " + std::to_string(batchSize));
  const Index batch = batchSize > 0 ? batchSize : config_.batchSize;
  checkBatchMemory(std::min(batch, n), "batchSize");
  if (layerStats) {
    epochStart_ = values_;
    for (size_t i = 0; i < layers_.size(); ++i)
      if (firstTensor_[i] < tensors_.size() && tensors_[firstTensor_[i]].layer == int(i))
        result.layers.push_back({static_cast<int>(i), 0, 0});
  }
  // A layer's kernel is its first tensor.
  auto kernelOf = [&](const LayerStats& s) -> const ParamTensor& {
    return tensors_[firstTensor_[s.layer]];
  };
  // The forward pass a step by rows runs on the next batch serves only this epoch's next step.
  struct EndOfEpoch {
    Network& network;
    ~EndOfEpoch() { network.rowsForwarded_ = false; }
  } endOfEpoch{*this};
  Index seen = 0, batches = 0;
  for (Index start = 0; start < n; start += batch) {
    const Index count = std::min(batch, n - start);
    double loss;
    const Index rowParts = shuffle && !layerStats ? rowPartsOf(count) : 0;
    if (rowParts > 0) {
      holdRows(rowParts);
      // The first layer reads each sample where it is: only the targets are gathered, here on
      // the calling thread between the steps. (Gathering the next batch's targets and counting
      // this batch's correct answers on the thread that packs ahead, 3.5 us a step here, made
      // 2-thread MLP training slower: 0.97x, 21 alternating rounds, 4 of them ahead, as the rest
      // of the network then reads targets the other core wrote.)
      auto offsets = [&](std::vector<int>& into, Index first, Index samples) {
        into.resize(samples);
        for (Index j = 0; j < samples; ++j)
          into[j] = static_cast<int>(order_[first + j] * x.outerStride());
      };
      offsets(columnOffsets_, start, count);
      batchY_.resize(y.rows(), count);
      for (Index j = 0; j < count; ++j)
        simd::copy(batchY_.col(j).data(), y.col(order_[start + j]).data(), y.rows());
      // The next batch's first forward pass comes with this step, where it goes by rows too.
      const Index nextCount = std::min(batch, n - start - count);
      const bool pipelined = nextCount > 0 && rowPartsOf(nextCount) == rowParts;
      if (pipelined) offsets(nextColumnOffsets_, start + count, nextCount);
      loss = trainByRows(x.data(), columnOffsets_.data(), batchY_,
                         pipelined ? nextColumnOffsets_.data() : nullptr, nextCount);
      result.accuracy += countCorrect<T>(layers_.back()->output(), batchY_);
    } else if (shuffle) {  // (trainBatch moves the rows back first)
      batchX_.resize(x.rows(), count);
      batchY_.resize(y.rows(), count);
      // Copies, any split gives the same batch. One vector loop per column: Eigen's column
      // assignment copies one value at a time in WASM, and took a sixth of MLP training.
      parallelFor(count, std::max<Index>(1, kElementGrain / x.rows()), [&](int64_t first, int64_t last) {
        for (Index j = first; j < last; ++j) {
          const Index from = order_[start + j];
          simd::copy(batchX_.col(j).data(), x.col(from).data(), x.rows());
          simd::copy(batchY_.col(j).data(), y.col(from).data(), y.rows());
        }
      });
      loss = trainBatch(batchX_, batchY_);
      result.accuracy += countCorrect<T>(layers_.back()->output(), batchY_);
    } else {
      loss = trainBatch(x.middleCols(start, count), y.middleCols(start, count));
      result.accuracy += countCorrect<T>(layers_.back()->output(), y.middleCols(start, count));
    }
    if (!std::isfinite(loss)) {
      result.diverged = true;
      result.loss = loss;
      break;
    }
    result.loss += loss * count;
    seen += count;
    ++batches;
    for (LayerStats& stats : result.layers) {
      const ParamTensor& kernel = kernelOf(stats);
      stats.meanAbsGradient +=
          static_cast<double>(gradients_.segment(kernel.offset, kernel.size).cwiseAbs().mean());
    }
  }
  if (!result.diverged) result.loss /= static_cast<double>(seen);
  for (LayerStats& stats : result.layers) {
    const ParamTensor& kernel = kernelOf(stats);
    stats.meanAbsGradient /= static_cast<double>(std::max<Index>(batches, 1));
    stats.meanAbsUpdate = static_cast<double>((values_.segment(kernel.offset, kernel.size) -
                                               epochStart_.segment(kernel.offset, kernel.size))
                                                  .cwiseAbs()
                                                  .mean());
  }
  result.accuracy /= static_cast<double>(std::max<Index>(seen, 1));
  result.lr = optimizer_->learningRate(steps_);
  return result;
}

template <typename T>
std::vector<EpochResult> Network<T>::fit(const ConstRef& x, const ConstRef& y, int epochs,
                                         bool shuffle,
                                         const std::function<bool(const EpochResult&)>& onEpoch) {
  std::vector<EpochResult> history;
  for (int e = 0; e < epochs; ++e) {
    history.push_back(trainEpoch(x, y, shuffle));
    if (history.back().diverged) break;
    if (onEpoch && !onEpoch(history.back())) break;
  }
  return history;
}

template <typename T>
Inspection<T> Network<T>::inspect(const ConstRef& x, const ConstRef& y, bool inputGradient) {
  checkData(x, &y, "inspect");
  checkBatchMemory(x.cols(), "inspect");
  releaseRows();
  forward(x, false);
  Inspection<T> result;
  result.loss = backward(x, y, inputGradient ? &result.dX : nullptr);
  const size_t last = layers_.size() - 1;
  for (size_t i = 0; i < layers_.size(); ++i) {
    const auto* layer = dynamic_cast<const ActivatedLayer<T>*>(layers_[i].get());
    if (!layer) continue;
    LayerInspection<T> info{static_cast<int>(i), layer->z(), layer->output(), layer->dz(),
                            {}, {}, {}};
    const ParamTensor& kernel = tensors_[firstTensor_[i]];  // activated layers: kernel, bias
    const ParamTensor& bias = tensors_[firstTensor_[i] + 1];
    // Kernel gradient in Keras order [..., in, out], as getWeights() returns kernels.
    info.dW = Eigen::Map<const Mat>(gradients_.data() + kernel.offset, kernel.shape.back(),
                                    kernel.size / kernel.shape.back());
    info.db = gradients_.segment(bias.offset, bias.size);
    if (i == last) {
      lossGradientWrtOutput<T>(config_.loss, layer->output(), y, info.dA);
    } else {
      info.dA = deltas_[i];
    }
    result.layers.push_back(std::move(info));
  }
  return result;
}

template <typename T>
std::vector<LayerActivation<T>> Network<T>::activations(const ConstRef& x) {
  checkData(x, nullptr, "activations");
  checkBatchMemory(x.cols(), "activations");
  releaseRows();
  forward(x, false);
  std::vector<LayerActivation<T>> list;
  for (size_t i = 0; i < layers_.size(); ++i)
    list.push_back({static_cast<int>(i), config_.layers[i].type, layers_[i]->outputShape(),
                    layers_[i]->output()});
  return list;
}

template <typename T>
UpdatePreview<T> Network<T>::previewUpdate(const ConstRef& x, const ConstRef& y) {
  checkData(x, &y, "previewUpdate");
  checkBatchMemory(x.cols(), "previewUpdate");
  releaseRows();
  forward(x, false);
  UpdatePreview<T> result{backward(x, y), {}, {}};
  if (!std::isfinite(result.loss))
    throw ConfigError("previewUpdate: the loss is not finite, so there is no update to show");
  addRegularizationGradient(0, trainableSize_);
  // The step on copies of the parameters and of the optimizer's state.
  Optimizer<T> trial = *optimizer_;
  Vector<T> after = values_;
  Eigen::Map<Vector<T>> w(after.data(), trainableSize_);
  const Eigen::Map<Vector<T>> g(gradients_.data(), trainableSize_);
  trial.update(w, g, steps_ + 1);
  after -= values_;
  result.gradients = namedTensors(gradients_.data());
  result.updates = namedTensors(after.data());
  return result;
}

template <typename T>
std::vector<NamedTensor<T>> Network<T>::namedTensors(const T* values) const {
  std::vector<NamedTensor<T>> list;
  for (const ParamTensor& t : tensors_)
    list.push_back({t.name, t.shape, std::vector<T>(values + t.offset, values + t.offset + t.size)});
  return list;
}

template <typename T>
std::vector<NamedTensor<T>> Network<T>::weights() const {
  return namedTensors(parameters().data());  // (which moves the rows back first)
}

template <typename T>
void Network<T>::setWeights(const std::vector<NamedTensor<T>>& weights) {
  if (weights.size() != tensors_.size())
    throw ConfigError("weights: expected " + std::to_string(tensors_.size()) +
                      " tensors, got " + std::to_string(weights.size()));
  for (size_t i = 0; i < tensors_.size(); ++i) {
    const std::string at = "weights[" + std::to_string(i) + "]";
    if (weights[i].name != tensors_[i].name)
      throw ConfigError(at + ".name: expected \"" + tensors_[i].name + "\", got \"" +
                        weights[i].name.substr(0, 60) + "\"");
    if (weights[i].shape != tensors_[i].shape)
      throw ConfigError(at + ".shape: expected " + shapeToString(tensors_[i].shape) + " for " +
                        tensors_[i].name + ", got " + shapeToString(weights[i].shape));
    if (static_cast<Index>(weights[i].data.size()) != tensors_[i].size)
      throw ConfigError(at + ".data: expected " + std::to_string(tensors_[i].size) +
                        " values for " + tensors_[i].name + ", got " +
                        std::to_string(weights[i].data.size()));
    // A variance below zero would make batch norm's inference NaN.
    const bool variance = tensors_[i].name.size() > 16 &&
                          tensors_[i].name.compare(tensors_[i].name.size() - 16, 16, "/moving_variance") == 0;
    for (size_t k = 0; k < weights[i].data.size(); ++k) {
      if (!std::isfinite(weights[i].data[k]))
        throw ConfigError(at + ".data[" + std::to_string(k) + "]: " + tensors_[i].name +
                          " has a non-finite value");
      if (variance && weights[i].data[k] < 0) {
        char value[32];
        std::snprintf(value, sizeof value, "%g", static_cast<double>(weights[i].data[k]));
        throw ConfigError(at + ".data[" + std::to_string(k) + "]: " + tensors_[i].name +
                          " is a variance, got the negative " + value);
      }
    }
  }
  releaseRows();
  for (size_t i = 0; i < tensors_.size(); ++i)
    std::copy(weights[i].data.begin(), weights[i].data.end(), values_.data() + tensors_[i].offset);
}

template class Network<float>;
template class Network<double>;

}  // namespace nnplay
