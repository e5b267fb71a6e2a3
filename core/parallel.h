// Threads for loops whose results do not depend on how the work is split: each index of a
// parallelFor writes its own outputs and reads nothing another index writes, so one thread or
// eight give the same bits. The GEMM splits the rows or columns of its result this way; every
// element is still one thread's sum in one fixed order.
//
// One process-wide pool: setThreads(n) starts n - 1 workers (the caller is the n-th). In
// WebAssembly they are Emscripten pthreads (Web Workers over shared memory; the threaded build
// only), natively std::threads. A job's pieces are claimed by whichever thread is free, the
// caller included: the caller from the first piece on, the workers from the last, so the same
// thread tends to run the same part of consecutive jobs (and finds its data in its cache). The
// caller spins briefly while the last pieces finish, then sleeps until they do; the workers
// spin briefly between jobs (a training step's next one follows within microseconds), then
// sleep.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

namespace nnplay {

// Threads in use, 1 unless setThreads asked for more; 1 inside a piece of a job, whose own
// parallelFor calls run inline on its thread.
int threadCount();
// Sets the threads in use (1 to kMaxThreads); returns the number now in use.
int setThreads(int threads);
constexpr int kMaxThreads = 16;
// Values per share for elementwise work (a multiple of every SIMD width): below that a second
// thread costs more than it saves. With workers that spin between jobs a wake costs about a
// microsecond, so shares of 4096 values pay (the MLP's ReLU and bias, 128 x 64 values, split too:
// MLP training on 2 threads went from 1.6x to 1.7x one thread's speed).
constexpr int64_t kElementGrain = 1 << 12;

// Pieces a thread for jobs whose every grain is worth a claim of its own (a product's shares of
// 64k multiply-adds, a pooling layer's samples): the last piece, which one thread runs while
// the others wait for it, is then short. In 2-thread CNN training (Node, per-job profile),
// with 4 pieces a thread, the caller waited 0.4-0.7 ms a batch for the other thread's last
// pieces; with 16 in the convolutions' products, 0.2-0.3, and max pooling's share of that
// went from about 50 to 25 us.
constexpr int kManyPiecesPerThread = 16;
inline int manyPieces() { return threadCount() * kManyPiecesPerThread; }

// While one lives, this thread runs its parallelFor calls inline, as in a piece of a job
// (threadCount() is 1 here): for work too small to share whose data this thread holds.
class OnThisThread {
 public:
  OnThisThread();
  ~OnThisThread();
  OnThisThread(const OnThisThread&) = delete;
  OnThisThread& operator=(const OnThisThread&) = delete;

 private:
  bool wasInPiece_;
};

// Where a parallelFor call is: its file and line, which parallelFor's default argument takes
// from the call (for the job profile).
struct JobSite {
  const char* file;
  int line;
};

// The job profile: while it is on, every parallelFor call that is not inside another job's
// piece is timed, and the times are added up by the call's site. It tells which loops take a
// step's time, and what a job on more threads loses: the caller's wait for the other threads'
// last pieces, and work that takes longer split than whole (data that went to another core).
struct JobStats {
  std::string site;          // the call's file name and line, as "gemm.h:913"
  // Empty for a job. For a phase of a job that the job's own code timed (addJobPhase), its
  // name, as "part 0: kernel gradient": then calls counts the times it ran, seconds and
  // workSeconds hold its time, on whichever thread ran it, and the other times are 0.
  std::string phase;
  int64_t calls = 0;         // the calls timed
  int64_t sharedCalls = 0;   // those of them cut into pieces for more than one thread
  double seconds = 0;        // from the call to its return, on the calling thread
  double callerSeconds = 0;  // the calling thread's time claiming and running pieces
  double workSeconds = 0;    // every thread's time running pieces (one thread's: seconds)
  double waitSeconds = 0;    // the calling thread's wait for the others' pieces after its last
};
// Turns the job profile on (from zero) or off. Call it between jobs: from the thread that
// calls parallelFor, not from inside a piece.
void setJobProfiling(bool on);
// The job profile so far, in the order the sites (and phases) were first timed.
std::vector<JobStats> jobProfile();
// Whether the job profile is on: code that times phases of its own checks it first.
bool jobProfiling();
// Adds the time of a phase of job `site` (JobStats::phase), from inside the job, on any thread.
void addJobPhase(JobSite site, const std::string& phase, double seconds);

// A range job without std::function, whose captures could allocate: training allocates nothing.
using RangeJob = void (*)(void* body, int64_t begin, int64_t end);
void parallelForJob(int64_t count, int64_t grain, int maxPieces, RangeJob job, void* body,
                    JobSite site);

// Calls body(begin, end) on consecutive ranges (pieces) that together cover [0, count), each a
// multiple of `grain` long except the last; returns when all are done. The pieces depend only
// on count, grain and the thread count: at most 4 per thread, or maxPieces where a piece has a
// fixed cost of its own (a GEMM piece that packs all of A) or where every grain is worth a
// claim (manyPieces()). The pool's threads claim them one after another (the caller from the
// front, the others from the back), so a thread held back by the system delays only the piece
// it holds. With one thread, from inside a piece of another job, or with less work than two
// grains, it is one call body(0, count) on this thread.
template <typename Body>
void parallelFor(int64_t count, int64_t grain, Body&& body, int maxPieces = 0,
                 JobSite site = {__builtin_FILE(), __builtin_LINE()}) {
  using Callable = std::remove_reference_t<Body>;
  parallelForJob(count, grain, maxPieces, [](void* b, int64_t begin, int64_t end) {
    (*static_cast<Callable*>(b))(begin, end);
  }, const_cast<void*>(static_cast<const void*>(&body)), site);
}

}  // namespace nnplay
