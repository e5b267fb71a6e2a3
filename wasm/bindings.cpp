// embind bindings: a thin layer over the core for web/lib/nnplay.js, which presents the public
// API. Data crosses as pointers into WASM memory that JS filled (mapped with Eigen::Map, no
// copy) and results leave as typed_memory_views that JS copies before the next call.
//
// Errors: a binding never lets a C++ exception or a JS throw unwind through WASM frames (that
// would skip destructors and leave the WASM stack pointer behind). It catches, returns a JS
// Error object, and the JS wrapper throws it.
#include <emscripten/bind.h>
#include <emscripten/heap.h>
#include <emscripten/val.h>
#include <malloc.h>

#include <memory>
#include <new>
#include <string>
#include <utility>

#include "augment.h"
#include "config.h"
#include "csv.h"
#include "datasets.h"
#include "model_io.h"
#include "network.h"
#include "parallel.h"

namespace nnplay {
namespace {

using emscripten::val;
using Net = Network<float>;

val jsError(const std::string& message) { return val::global("Error").new_(message); }

template <typename F>
val guarded(F&& body) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return jsError("out of memory: the network or the data is too large for this page");
  } catch (const std::exception& e) {
    return jsError(e.what());
  }
}

val floatArray(const float* data, size_t count) {
  // A copy: results must outlive the next call, which may grow memory and detach views.
  return val::global("Float32Array").new_(emscripten::typed_memory_view(count, data));
}

val stringArray(const std::vector<std::string>& strings) {
  val array = val::array();
  for (const std::string& s : strings) array.call<void>("push", s);
  return array;
}

// A JS array of one object per item, each filled by fill(object, item).
template <typename Items, typename Fill>
val objectArray(const Items& items, Fill fill) {
  val array = val::array();
  for (const auto& item : items) {
    val object = val::object();
    fill(object, item);
    array.call<void>("push", object);
  }
  return array;
}

val shapeArray(const Shape& shape) {
  val array = val::array();
  for (int d : shape) array.call<void>("push", d);
  return array;
}

Eigen::Map<const Matrix<float>> mapFloats(uintptr_t pointer, Index rows, Index cols) {
  if (cols < 1) throw ConfigError("n: expected at least 1 sample, got " + std::to_string(cols));
  return Eigen::Map<const Matrix<float>>(reinterpret_cast<const float*>(pointer), rows, cols);
}

class NetworkHandle {
 public:
  explicit NetworkHandle(std::unique_ptr<Net> net) : net_(std::move(net)) {}

  int inputSize() const { return static_cast<int>(net_->inputSize()); }
  int outputSize() const { return static_cast<int>(net_->outputSize()); }
  double steps() const { return static_cast<double>(net_->steps()); }
  double learningRate() const { return net_->learningRate(); }
  val config() const {
    return guarded([&] { return val(toJson(net_->config()).dump()); });
  }

  // A view of the predictions, valid until the next call into the module.
  val predict(uintptr_t x, int n) {
    return guarded([&] {
      net_->predict(mapFloats(x, net_->inputSize(), n), out_);
      return val(emscripten::typed_memory_view(out_.size(), out_.data()));
    });
  }

  val trainBatch(uintptr_t x, uintptr_t y, int n) {
    return guarded([&] {
      return val(net_->trainBatch(mapFloats(x, net_->inputSize(), n),
                                  mapFloats(y, net_->outputSize(), n)));
    });
  }

  // With withOutputs, result.outputs is a view like predict's, from the same forward pass.
  val evaluate(uintptr_t x, uintptr_t y, int n, bool withOutputs) {
    return guarded([&] {
      const Metrics m = net_->evaluate(mapFloats(x, net_->inputSize(), n),
                                       mapFloats(y, net_->outputSize(), n),
                                       withOutputs ? &out_ : nullptr);
      val result = val::object();
      result.set("loss", m.loss);
      result.set("accuracy", m.accuracy);
      if (withOutputs) result.set("outputs", val(emscripten::typed_memory_view(out_.size(), out_.data())));
      return result;
    });
  }

  val trainEpoch(uintptr_t x, uintptr_t y, int n, bool shuffle, int batchSize, bool layerStats) {
    return guarded([&] {
      const EpochResult r = net_->trainEpoch(mapFloats(x, net_->inputSize(), n),
                                             mapFloats(y, net_->outputSize(), n), shuffle,
                                             batchSize, layerStats);
      val result = val::object();
      result.set("epoch", r.epoch);
      result.set("loss", r.loss);
      result.set("accuracy", r.accuracy);
      result.set("lr", r.lr);
      if (r.diverged) result.set("diverged", true);
      if (layerStats) {
        result.set("layers", objectArray(r.layers, [](val& layer, const LayerStats& l) {
          layer.set("layer", l.layer);
          layer.set("meanAbsGradient", l.meanAbsGradient);
          layer.set("meanAbsUpdate", l.meanAbsUpdate);
        }));
      }
      return result;
    });
  }

  val inspect(uintptr_t x, uintptr_t y, int n, bool inputGradient) {
    return guarded([&] {
      const Inspection<float> info = net_->inspect(
          mapFloats(x, net_->inputSize(), n), mapFloats(y, net_->outputSize(), n), inputGradient);
      val layers = val::array();
      for (const LayerInspection<float>& l : info.layers) {
        val layer = val::object();
        layer.set("layer", l.layer);
        const std::pair<const char*, const Matrix<float>*> parts[] = {
            {"z", &l.z}, {"a", &l.a}, {"dz", &l.dz}, {"dW", &l.dW}, {"db", &l.db}, {"dA", &l.dA}};
        for (const auto& [name, m] : parts) layer.set(name, floatArray(m->data(), m->size()));
        layers.call<void>("push", layer);
      }
      val result = val::object();
      result.set("loss", info.loss);
      result.set("layers", layers);
      if (inputGradient) result.set("dX", floatArray(info.dX.data(), info.dX.size()));
      return result;
    });
  }

  val activations(uintptr_t x, int n) {
    return guarded([&] {
      return objectArray(net_->activations(mapFloats(x, net_->inputSize(), n)),
                         [](val& layer, const LayerActivation<float>& l) {
                           layer.set("layer", l.layer);
                           layer.set("type", std::string(toString(l.type)));
                           layer.set("shape", shapeArray(l.shape));
                           layer.set("data", floatArray(l.values.data(), l.values.size()));
                         });
    });
  }

  // { loss, layers: [{ layer, dW, db, updateW, updateB }] } for the layers with parameters.
  val previewUpdate(uintptr_t x, uintptr_t y, int n) {
    return guarded([&] {
      const UpdatePreview<float> preview = net_->previewUpdate(
          mapFloats(x, net_->inputSize(), n), mapFloats(y, net_->outputSize(), n));
      // Grouped by layer; a tensor "dense_0/kernel" (or batch norm's gamma) gives dW and
      // updateW, ".../bias" (or beta) db and updateB, any other ".../name" dname and
      // update_name. Non-trainable tensors (moving statistics) have neither.
      val layers = val::array();
      val layer = val::null();
      int current = -1;
      const std::vector<ParamTensor>& tensors = net_->parameterTensors();
      for (size_t t = 0; t < tensors.size(); ++t) {
        if (!tensors[t].trainable) continue;
        if (tensors[t].layer != current) {
          current = tensors[t].layer;
          layer = val::object();
          layer.set("layer", current);
          layers.call<void>("push", layer);
        }
        const std::string part = tensors[t].name.substr(tensors[t].name.find('/') + 1);
        const bool kernel = part == "kernel" || part == "gamma";
        const bool bias = part == "bias" || part == "beta";
        const std::string gradientKey = kernel ? "dW" : bias ? "db" : "d" + part;
        const std::string updateKey = kernel ? "updateW" : bias ? "updateB" : "update_" + part;
        const std::vector<float>& gradient = preview.gradients[t].data;
        const std::vector<float>& update = preview.updates[t].data;
        layer.set(gradientKey, floatArray(gradient.data(), gradient.size()));
        layer.set(updateKey, floatArray(update.data(), update.size()));
      }
      val result = val::object();
      result.set("loss", preview.loss);
      result.set("layers", layers);
      return result;
    });
  }

  val getWeights() const {
    return guarded([&] {
      val list = val::array();
      for (const ParamTensor& t : net_->parameterTensors()) {
        val w = val::object();
        w.set("name", t.name);
        w.set("shape", shapeArray(t.shape));
        w.set("data", floatArray(net_->parameters().data() + t.offset, t.size));
        list.call<void>("push", w);
      }
      return list;
    });
  }

  // names and shapes arrive as JSON [{name, shape, count}], the values concatenated in WASM
  // memory at `data` (total floats): no per-value JSON for large models.
  val setWeights(const std::string& metaJson, uintptr_t data, double total) {
    return guarded([&] {
      const Json meta = Json::parse(metaJson);
      std::vector<NamedTensor<float>> tensors;
      const float* values = reinterpret_cast<const float*>(data);
      double used = 0;
      for (size_t i = 0; i < meta.size(); ++i) {
        const Json& m = meta[i];
        const std::string at = "weights[" + std::to_string(i) + "]";
        const double count = m.value("count", -1.0);
        if (!m.contains("name") || !m["name"].is_string() || count < 0 || used + count > total)
          throw ConfigError(at + ": expected { name, shape, data }");
        NamedTensor<float> tensor{m["name"].get<std::string>(),
                                  shapeFromJson(m.value("shape", Json::array()), at + ".shape"),
                                  {}};
        tensor.data.assign(values + static_cast<size_t>(used), values + static_cast<size_t>(used + count));
        used += count;
        tensors.push_back(std::move(tensor));
      }
      net_->setWeights(tensors);
      return val::undefined();
    });
  }

  val setLearningRate(double lr) {
    return guarded([&] {
      net_->setLearningRate(lr);
      return val::undefined();
    });
  }

  val toJSON(bool base64) const {
    return guarded([&] { return val(modelToJson(*net_, base64).dump()); });
  }

 private:
  std::unique_ptr<Net> net_;
  Matrix<float> out_;
};

// Hands JS an owning handle; JS frees it with delete().
val wrap(std::unique_ptr<Net> net) { return val(NetworkHandle(std::move(net))); }

val createNetwork(const std::string& configJson) {
  return guarded([&] { return wrap(std::make_unique<Net>(parseConfig(configJson))); });
}

val networkFromJSON(const std::string& modelJson) {
  return guarded([&] {
    Json model;
    try {
      model = Json::parse(modelJson);
    } catch (const Json::parse_error&) {
      throw ConfigError("model: not valid JSON");
    }
    return wrap(modelFromJson<float>(model));
  });
}

// { x, y, n, inputs, outputs } of a Dataset or CsvData, the arrays copied out of the heap.
template <typename Samples>
val samplesObject(const Samples& d) {
  val result = val::object();
  result.set("x", floatArray(d.x.data(), d.x.size()));
  result.set("y", floatArray(d.y.data(), d.y.size()));
  result.set("n", d.n);
  result.set("inputs", d.inputs);
  result.set("outputs", d.outputs);
  return result;
}

// A seed from JS, where every number is a double: an integer in [0, 2^32 - 1] like a config's.
uint64_t seedFromJs(double seed) {
  if (!(seed >= 0 && seed <= 4294967295.0 && seed == static_cast<double>(uint64_t(seed))))
    throw ConfigError("seed: expected an integer in [0, 4294967295], got " + std::to_string(seed));
  return static_cast<uint64_t>(seed);
}

val makeDatasetBinding(const std::string& name, int n, double noise, double seed) {
  return guarded([&] { return samplesObject(makeDataset(name, n, noise, seedFromJs(seed))); });
}

// Digit augmentation (augment.h) on its own random stream: each apply() distorts every image
// afresh and continues the stream, so a training run is deterministic from the seed.
class AugmenterHandle {
 public:
  AugmenterHandle(uint64_t seed, int height, int width)
      : rng_(seed, kAugmentStream), height_(height), width_(width) {}

  // x is n images of height x width, one per column; returns a view of the distorted images,
  // valid until the next call into the module.
  val apply(uintptr_t x, int n) {
    return guarded([&] {
      augmentImages(mapFloats(x, Index(height_) * width_, n), out_, height_, width_,
                    AugmentOptions{}, rng_);
      return val(emscripten::typed_memory_view(out_.size(), out_.data()));
    });
  }

 private:
  Rng rng_;
  int height_, width_;
  Matrix<float> out_;
};

val makeDigitAugmenter(double seed, int height, int width) {
  return guarded([&] {
    const uint64_t checkedSeed = seedFromJs(seed);
    if (height < 1 || width < 1 || Index(height) * width > Limits::kMaxInputSize)
      throw ConfigError("height, width: expected images of 1 to " +
                        std::to_string(Limits::kMaxInputSize) + " pixels, got " +
                        std::to_string(height) + "x" + std::to_string(width));
    return val(AugmenterHandle(checkedSeed, height, width));
  });
}

val parseCsvBinding(const std::string& text, const std::string& label, int labelIndex,
                    bool standardize) {
  return guarded([&] {
    const CsvData d = parseCsv(text, {label, labelIndex, standardize});
    val result = samplesObject(d);
    result.set("label", d.label);
    result.set("header", stringArray(d.header));
    result.set("classes", stringArray(d.classes));
    result.set("columns", objectArray(d.columns, [](val& column, const CsvColumn& c) {
      column.set("name", c.name);
      column.set("mean", c.mean);
      column.set("scale", c.scale);
    }));
    return result;
  });
}

// The config schema as JSON text; nnplay.js parses and freezes it once.
val configSchemaBinding() {
  return guarded([] { return val(configSchema().dump()); });
}

val datasetNamesBinding() { return stringArray(datasetNames()); }

// Scratch memory that JS fills with inputs; 0 when the allocation fails.
uintptr_t allocFloats(double count) {
  if (!(count >= 0 && count <= 256.0 * 1024 * 1024)) return 0;
  return reinterpret_cast<uintptr_t>(new (std::nothrow) float[static_cast<size_t>(count)]);
}

void freeFloats(uintptr_t pointer) { delete[] reinterpret_cast<float*>(pointer); }

val floatView(uintptr_t pointer, double count) {
  return val(emscripten::typed_memory_view(static_cast<size_t>(count),
                                           reinterpret_cast<float*>(pointer)));
}

// { heapBytes: size of WASM memory, inUseBytes: allocated by malloc } for leak checks.
val memoryBinding() {
  const struct mallinfo info = mallinfo();
  val result = val::object();
  result.set("heapBytes", static_cast<double>(emscripten_get_heap_size()));
  result.set("inUseBytes", static_cast<double>(info.uordblks));
  return result;
}

// [{ site, phase, calls, sharedCalls, seconds, callerSeconds, workSeconds, waitSeconds }]
val jobProfileBinding() {
  val sites = val::array();
  for (const JobStats& s : jobProfile()) {
    val site = val::object();
    site.set("site", s.site);
    site.set("phase", s.phase);
    site.set("calls", static_cast<double>(s.calls));
    site.set("sharedCalls", static_cast<double>(s.sharedCalls));
    site.set("seconds", s.seconds);
    site.set("callerSeconds", s.callerSeconds);
    site.set("workSeconds", s.workSeconds);
    site.set("waitSeconds", s.waitSeconds);
    sites.call<void>("push", site);
  }
  return sites;
}

}  // namespace
}  // namespace nnplay

EMSCRIPTEN_BINDINGS(nnplay) {
  using namespace emscripten;
  using H = nnplay::NetworkHandle;
  class_<H>("NetworkHandle")
      .function("inputSize", &H::inputSize).function("outputSize", &H::outputSize)
      .function("steps", &H::steps).function("learningRate", &H::learningRate).function("config", &H::config)
      .function("predict", &H::predict)
      .function("trainBatch", &H::trainBatch)
      .function("evaluate", &H::evaluate)
      .function("trainEpoch", &H::trainEpoch)
      .function("inspect", &H::inspect)
      .function("activations", &H::activations)
      .function("previewUpdate", &H::previewUpdate)
      .function("getWeights", &H::getWeights)
      .function("setWeights", &H::setWeights)
      .function("setLearningRate", &H::setLearningRate)
      .function("toJSON", &H::toJSON);
  class_<nnplay::AugmenterHandle>("AugmenterHandle")
      .function("apply", &nnplay::AugmenterHandle::apply);
  function("createNetwork", &nnplay::createNetwork);
  function("networkFromJSON", &nnplay::networkFromJSON);
  function("makeDataset", &nnplay::makeDatasetBinding);
  function("makeDigitAugmenter", &nnplay::makeDigitAugmenter);
  function("datasetNames", &nnplay::datasetNamesBinding);
  function("configSchema", &nnplay::configSchemaBinding);
  function("parseCsv", &nnplay::parseCsvBinding);
  function("memory", &nnplay::memoryBinding);
  function("setThreads", &nnplay::setThreads);
  function("threadCount", &nnplay::threadCount);
  function("setJobProfiling", &nnplay::setJobProfiling);
  function("jobProfile", &nnplay::jobProfileBinding);
  function("allocFloats", &nnplay::allocFloats);
  function("freeFloats", &nnplay::freeFloats);
  function("floatView", &nnplay::floatView);
}
