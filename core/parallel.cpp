#include "parallel.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace nnplay {
namespace {

// The pool. A job is published by bumping `generation_` under the mutex; worker t runs range t
// of it and counts down `pending_`; the caller runs range 0 and spins until pending_ is 0.
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
    stopping_ = false;
    for (int t = 1; t < threads; ++t) workers_.emplace_back([this, t, now = generation_] { work(t, now); });
    return threads;
  }

  void run(int64_t count, int64_t grain, RangeJob job, void* body) {
    const int64_t chunks = (count + grain - 1) / grain;
    const int parts = static_cast<int>(std::min<int64_t>(threads(), chunks));
    if (parts <= 1) {
      job(body, 0, count);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = job;
      body_ = body;
      count_ = count;
      grain_ = grain;
      parts_ = parts;
      pending_.store(threads() - 1, std::memory_order_relaxed);
      ++generation_;
    }
    wake_.notify_all();
    runPart(0);
    while (pending_.load(std::memory_order_acquire) != 0) std::this_thread::yield();
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

  // Worker t: runs its part of every job published after generation `seen`.
  void work(int t, uint64_t seen) {
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
        if (stopping_) return;
        seen = generation_;
      }
      runPart(t);
      pending_.fetch_sub(1, std::memory_order_release);
    }
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (std::thread& w : workers_) w.join();
    workers_.clear();
  }

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  uint64_t generation_ = 0;
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
