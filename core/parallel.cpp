#include "parallel.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#ifdef __EMSCRIPTEN_PTHREADS__
#include <emscripten/threading.h>
#endif

namespace nnplay {
namespace {

// Whether this thread is running a piece of a job: a parallelFor from inside one (a part of a
// training batch runs its layers' loops on one thread, see Network::trainInParts) runs inline.
thread_local bool inPiece = false;
// Whether this thread is inside a call the job profile times (which times only the outermost).
thread_local bool inTimedCall = false;

using Clock = std::chrono::steady_clock;

double secondsOf(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// The job profile's sums by site (parallel.h).
class JobProfile {
 public:
  void clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    sites_.clear();
  }
  void add(JobSite site, bool shared, double seconds, double caller, double work, double wait) {
    std::lock_guard<std::mutex> lock(mutex_);
    Site& s = find(site, nullptr);
    ++s.stats.calls;
    s.stats.sharedCalls += shared;
    s.stats.seconds += seconds;
    s.stats.callerSeconds += caller;
    s.stats.workSeconds += work;
    s.stats.waitSeconds += wait;
  }
  void addPhase(JobSite site, const std::string& phase, double seconds) {
    std::lock_guard<std::mutex> lock(mutex_);
    Site& s = find(site, &phase);
    ++s.stats.calls;
    s.stats.seconds += seconds;
    s.stats.workSeconds += seconds;
  }
  std::vector<JobStats> stats() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<JobStats> all;
    for (const Site& s : sites_) all.push_back(s.stats);
    return all;
  }

 private:
  struct Site {
    JobSite where;
    JobStats stats;
  };
  // The site's entry, or with `phase` that phase's.
  Site& find(JobSite site, const std::string* phase) {
    for (Site& s : sites_)
      if (s.where.line == site.line &&
          (s.where.file == site.file || std::strcmp(s.where.file, site.file) == 0) &&
          (phase ? s.stats.phase == *phase : s.stats.phase.empty()))
        return s;
    const char* name = std::strrchr(site.file, '/');
    JobStats stats;
    stats.site = std::string(name ? name + 1 : site.file) + ":" + std::to_string(site.line);
    if (phase) stats.phase = *phase;
    sites_.push_back({site, std::move(stats)});
    return sites_.back();
  }
  mutable std::mutex mutex_;
  std::vector<Site> sites_;
};

// The pool. A job is cut into pieces (consecutive ranges of whole grains, fixed by the job's
// size and the thread count alone), and every thread, the caller included, claims pieces one
// after another until none is left: a thread the operating system holds back (a busy machine,
// a background tab) only delays the piece it holds, as the others take over the rest. Which
// thread runs a piece never changes what the piece computes, so the bits stay the same.
//
// The caller claims pieces from the front, the workers from the back: on two threads, where
// neither is held back, the caller runs about the first half of every job and the worker the
// second, so a job split like the one before it (by samples, by columns) finds its inputs in
// the cache of the core that wrote them. Claimed alternately, half of them came from the other
// core's cache: the optimizer's pass over the MLP's gradients took 0.12 of the big products'
// time, 0.10 now (2-thread MLP training in Node, median of 6 alternating runs: 92k samples/s
// then, 99k now; the CNN in 5: 7.4k, 7.9k).
//
// A job is published in one atomic word, claim_: its generation and the range of pieces not
// yet claimed, [front, back). A thread claims with a compare-and-swap on that word, so one
// arriving late (after the caller finished the job alone and published the next) can never
// act on a job it did not see published in full; after a successful claim the job's fields
// stay put until every piece is done, which the caller waits for. (Giving claim_, done_ and
// the job's fields a cache line each, so that the caller's writes of the fields do not move the
// line a worker spins on, gained nothing: 2-thread MLP training 0.994x, 21 alternating rounds,
// 9 ahead; the CNN 0.998x, 11 rounds, 5 ahead, in minutes when its two threads gained
// nothing over one.)
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
    const uint32_t now = generationOf(claim_.load());
    for (int t = 1; t < threads; ++t) workers_.emplace_back([this, now] { work(now); });
    return threads;
  }

  void run(int64_t count, int64_t grain, int maxPieces, RangeJob job, void* body, JobSite site) {
    const int64_t chunks = (count + grain - 1) / grain;
    const int64_t limit = maxPieces > 0 ? maxPieces : int64_t(threads()) * kPiecesPerThread;
    const int pieces = static_cast<int>(std::min({chunks, limit, kMaxPieces}));
    const bool timed = profiling_.load(std::memory_order_relaxed) && !inPiece && !inTimedCall;
    const Clock::time_point start = timed ? Clock::now() : Clock::time_point();
    if (threads() == 1 || pieces <= 1 || inPiece) {
      if (timed) inTimedCall = true;
      job(body, 0, count);
      if (timed) {
        inTimedCall = false;
        const double seconds = secondsOf(Clock::now() - start);
        profile_.add(site, false, seconds, seconds, seconds, 0);
      }
      return;
    }
    timed_ = timed;
    pieceNanoseconds_.store(0, std::memory_order_relaxed);
    job_ = job;
    body_ = body;
    count_ = count;
    grain_ = grain;
    chunks_ = chunks;
    pieces_ = pieces;
    done_.store(0, std::memory_order_relaxed);
    const uint32_t generation = generationOf(claim_.load()) + 1;
    // Publishing is one atomic store: a spinning worker sees it within nanoseconds. Only
    // workers that gave up spinning and sleep need the mutex and the notification. (Both sides
    // use sequentially consistent operations: a worker that counts itself a sleeper before
    // checking the word is seen here, or sees the new word itself.)
    claim_.store(word(generation, 0, pieces));
    if (sleepers_.load() > 0) {
      std::lock_guard<std::mutex> lock(mutex_);
      wake_.notify_all();
    }
    runPieces(generation, false);
    if (!timed) {
      waitForPieces(pieces);
      return;
    }
    const Clock::time_point waitStart = Clock::now();
    waitForPieces(pieces);
    const Clock::time_point end = Clock::now();
    // (Every piece added its time before counting itself done.)
    profile_.add(site, true, secondsOf(end - start), secondsOf(waitStart - start),
                 pieceNanoseconds_.load() * 1e-9, secondsOf(end - waitStart));
  }

  void setProfiling(bool on) {
    if (on) profile_.clear();
    profiling_.store(on);
  }
  std::vector<JobStats> profile() const { return profile_.stats(); }
  bool profiling() const { return profiling_.load(std::memory_order_relaxed); }
  void addPhase(JobSite site, const std::string& phase, double seconds) {
    profile_.addPhase(site, phase, seconds);
  }

 private:
  // A job in at most this many pieces per thread: enough for the others to take over from a
  // thread held back, few enough that a piece is worth its claim.
  static constexpr int64_t kPiecesPerThread = 4;
  static constexpr int64_t kMaxPieces = 0xffff;

  static uint64_t word(uint32_t generation, int front, int back) {
    return uint64_t(generation) << 32 | uint64_t(front) << 16 | uint64_t(back);
  }
  static uint32_t generationOf(uint64_t w) { return uint32_t(w >> 32); }
  static int frontOf(uint64_t w) { return int(w >> 16 & 0xffff); }
  static int backOf(uint64_t w) { return int(w & 0xffff); }

  // Claims and runs pieces of job `generation` until none is left (or a later job replaced
  // it): the first piece left, or with fromBack the last.
  void runPieces(uint32_t generation, bool fromBack) {
    for (;;) {
      uint64_t w = claim_.load(std::memory_order_acquire), claimed;
      do {
        if (generationOf(w) != generation || frontOf(w) >= backOf(w)) return;
        claimed = fromBack ? w - 1 : w + (uint64_t(1) << 16);
      } while (!claim_.compare_exchange_weak(w, claimed, std::memory_order_acq_rel));
      const int64_t piece = fromBack ? backOf(w) - 1 : frontOf(w), pieces = pieces_;
      const int64_t begin = chunks_ * piece / pieces * grain_;
      const int64_t end = std::min(count_, chunks_ * (piece + 1) / pieces * grain_);
      if (begin < end) {
        inPiece = true;
        const Clock::time_point start = timed_ ? Clock::now() : Clock::time_point();
        job_(body_, begin, end);
        if (timed_)
          pieceNanoseconds_.fetch_add(
              std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count());
        inPiece = false;
      }
      [[maybe_unused]] const bool last = done_.fetch_add(1) + 1 == pieces;
#ifdef __EMSCRIPTEN_PTHREADS__
      // A sleeping caller has no piece left to claim: only the last piece done wakes it.
      if (last && callerSleeps_.load()) emscripten_futex_wake(&done_, 1);
#endif
    }
  }

  // The caller, once no piece is left to claim, until the pieces other threads hold are done.
  // It spins first: a piece held is about as long as one run here. If that takes longer, the
  // thread holding it may be waiting for this very processor (a busy machine runs both on one),
  // so it then sleeps between checks until the last piece's thread wakes it. (A call of
  // std::this_thread::yield would not give the processor away in WASM: it is a call out to
  // JavaScript that also drains Emscripten's queue of proxied calls, a tenth of the caller's
  // time in 2-thread MLP training when it was the wait.) Spinning for 1000 us instead of 50,
  // 2-thread MLP training in Node was 0.96x as fast (median of 21 alternating rounds, 2 of them
  // ahead); for 15 us, 0.98x (6 of 21).
  void waitForPieces(int pieces) {
    const auto start = std::chrono::steady_clock::now();
    for (;;) {
      for (int i = 0; i < 256; ++i)
        if (done_.load(std::memory_order_acquire) == pieces) return;
      if (std::chrono::steady_clock::now() - start > kCallerSpin) break;
    }
    callerSleeps_.store(true);
    for (int seen; (seen = done_.load()) != pieces;) {
#ifdef __EMSCRIPTEN_PTHREADS__
      // Returns when woken, or at once if done_ is no longer `seen`, or after 1 ms.
      emscripten_futex_wait(&done_, static_cast<uint32_t>(seen), 1.0);
#else
      std::this_thread::yield();
#endif
    }
    callerSleeps_.store(false);
  }

  // A worker: joins every job published after generation `seen`. Between jobs it spins for a
  // while first, since a training step publishes its next job within microseconds and a futex
  // wake costs tens of them; then it sleeps until woken.
  void work(uint32_t seen) {
    for (;;) {
      if (!spinFor(seen)) {
        std::unique_lock<std::mutex> lock(mutex_);
        sleepers_.fetch_add(1);
        wake_.wait(lock, [&] { return stopping_.load() || generationOf(claim_.load()) != seen; });
        sleepers_.fetch_sub(1);
      }
      if (stopping_.load()) return;
      seen = generationOf(claim_.load());
      runPieces(seen, true);
    }
  }

  // Spins until a job after generation `seen` is published (true) or about kSpin has passed.
  bool spinFor(uint32_t seen) const {
    const auto start = std::chrono::steady_clock::now();
    for (;;) {
      for (int i = 0; i < 256; ++i) {
        if (generationOf(claim_.load()) != seen || stopping_.load()) return true;
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
  // Long enough to bridge the serial steps of a training batch and the JavaScript between two
  // fit() calls (about 0.5 ms for 1024 MNIST samples, most of it copying them into shared
  // memory). With 200 us, the worker slept through a fifth of 2-thread MLP training and a futex
  // wake then cost the caller its share. Short enough not to hold a core long after a page's
  // last job.
  static constexpr std::chrono::microseconds kSpin{1000};
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> claim_{0};
  std::atomic<int> sleepers_{0};
  std::atomic<int> done_{0};  // pieces of the current job done (a futex word in WASM)
  std::atomic<bool> callerSleeps_{false};
  static constexpr std::chrono::microseconds kCallerSpin{50};
  RangeJob job_ = nullptr;
  void* body_ = nullptr;
  bool timed_ = false;  // whether this job's pieces add their time up
  std::atomic<int64_t> pieceNanoseconds_{0};
  std::atomic<bool> profiling_{false};
  JobProfile profile_;
  int64_t count_ = 0, grain_ = 1, chunks_ = 0;
  int pieces_ = 0;
};

Pool& pool() {
  static Pool instance;
  return instance;
}

}  // namespace

OnThisThread::OnThisThread() : wasInPiece_(inPiece) { inPiece = true; }
OnThisThread::~OnThisThread() { inPiece = wasInPiece_; }

int threadCount() { return inPiece ? 1 : pool().threads(); }

int setThreads(int threads) { return pool().resize(threads); }

void setJobProfiling(bool on) { pool().setProfiling(on); }

std::vector<JobStats> jobProfile() { return pool().profile(); }

bool jobProfiling() { return pool().profiling(); }

void addJobPhase(JobSite site, const std::string& phase, double seconds) {
  pool().addPhase(site, phase, seconds);
}

void parallelForJob(int64_t count, int64_t grain, int maxPieces, RangeJob job, void* body,
                    JobSite site) {
  if (count <= 0) return;
  pool().run(count, std::max<int64_t>(grain, 1), maxPieces, job, body, site);
}

}  // namespace nnplay
