#include "parallel.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace nnplay {
namespace {

// The pool. A job is published by bumping `generation_`; worker t runs range t of it and counts
// down `pending_`; the caller runs range 0 and spins until pending_ is 0.
class Pool {
 public:
  ~Pool() { stop(); }

  int threads() const { return static_cast<int>(workers_.size()) + 1; }

  int resize(int threads) {
    threads = std::clamp(threads, 1, kMaxThreads);
#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
    threads = 1;  // the single-thread module
#endif
    if (threads == this->threads()) return threads;
    stop();
    stopping_.store(false);
    for (int t = 1; t < threads; ++t) workers_.emplace_back([this, t, now = generation_.load()] { work(t, now); });
    return threads;
  }

  void run(int64_t count, int64_t grain, RangeJob job, void* body) {
    const int64_t chunks = (count + grain - 1) / grain;
    const int parts = static_cast<int>(std::min<int64_t>(threads(), chunks));
    if (parts <= 1) {
      job(body, 0, count);
      return;
    }
    job_ = job;
    body_ = body;
    count_ = count;
    grain_ = grain;
    parts_ = parts;
    pending_.store(threads() - 1, std::memory_order_relaxed);
    // Publishing is one atomic increment: a spinning worker sees it within nanoseconds. Only
    // workers that gave up spinning and sleep need the mutex and the notification. (Both sides
    // use sequentially consistent operations: a worker that counts itself a sleeper before
    // checking the generation is seen here, or sees the new generation itself.)
    generation_.fetch_add(1);
    if (sleepers_.load() > 0) {
      std::lock_guard<std::mutex> lock(mutex_);
      wake_.notify_all();
    }
    runPart(0);
    // A plain spin: the workers' parts take about as long as this one, so the wait is short.
    // (std::this_thread::yield here was a call out to JavaScript in WASM, which on the main
    // thread also locks and drains Emscripten's queue of proxied calls: a tenth of the caller's
    // time in 2-thread MLP training.)
    while (pending_.load(std::memory_order_acquire) != 0) {
    }
  }

 private:
  // Part t of the current job: chunks split as evenly as whole chunks allow.
  void runPart(int t) {
    if (t >= parts_) return;
    const int64_t chunks = (count_ + grain_ - 1) / grain_;
    const int64_t begin = chunks * t / parts_ * grain_;
    const int64_t end = std::min(count_, chunks * (t + 1) / parts_ * grain_);
    if (begin < end) job_(body_, begin, end);
  }

  // Worker t: runs its part of every job published after generation `seen`. Between jobs it
  // spins for a while first, since a training step publishes its next job within microseconds
  // and a futex wake costs tens of them; then it sleeps until woken.
  void work(int t, uint64_t seen) {
    for (;;) {
      if (!spinFor(seen)) {
        std::unique_lock<std::mutex> lock(mutex_);
        sleepers_.fetch_add(1);
        wake_.wait(lock, [&] { return stopping_.load() || generation_.load() != seen; });
        sleepers_.fetch_sub(1);
      }
      if (stopping_.load()) return;
      seen = generation_.load();
      runPart(t);
      pending_.fetch_sub(1, std::memory_order_release);
    }
  }

  // Spins until a job after generation `seen` is published (true) or about kSpin has passed.
  bool spinFor(uint64_t seen) const {
    const auto start = std::chrono::steady_clock::now();
    for (;;) {
      for (int i = 0; i < 256; ++i) {
        if (generation_.load() != seen || stopping_.load()) return true;
      }
      if (std::chrono::steady_clock::now() - start > kSpin) return false;
    }
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_.store(true);
    }
    wake_.notify_all();
    for (std::thread& w : workers_) w.join();
    workers_.clear();
  }

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  static constexpr std::chrono::microseconds kSpin{200};
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> sleepers_{0};
  RangeJob job_ = nullptr;
  void* body_ = nullptr;
  int64_t count_ = 0, grain_ = 1;
  int parts_ = 1;
  std::atomic<int> pending_{0};
};

Pool& pool() {
  static Pool instance;
  return instance;
}

}  // namespace

int threadCount() { return pool().threads(); }

int setThreads(int threads) { return pool().resize(threads); }

void parallelForJob(int64_t count, int64_t grain, RangeJob job, void* body) {
  if (count <= 0) return;
  pool().run(count, std::max<int64_t>(grain, 1), job, body);
}

}  // namespace nnplay
