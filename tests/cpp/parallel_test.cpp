// The thread pool (parallel.h): how jobs are cut and claimed, and the job profile.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "parallel.h"

namespace nnplay {
namespace {

TEST(Parallel, ranges_cover_every_index_once_in_whole_grains) {
  // 1003 indices in grains of 10 on 3 threads: 101 grains in 12 pieces (4 per thread), or in as
  // many as a job asks for at most.
  for (const auto& [maxPieces, expected] : {std::pair<int, int>{0, 12}, {3, 3}, {200, 101}}) {
    std::vector<int> hits(1003, 0);
    std::vector<std::pair<int64_t, int64_t>> ranges(101, {-1, -1});
    std::atomic<int> calls{0};
    setThreads(3);
    parallelFor(1003, 10, [&](int64_t begin, int64_t end) {
      ranges[calls++] = {begin, end};
      for (int64_t i = begin; i < end; ++i) ++hits[i];
    }, maxPieces);
    setThreads(1);
    EXPECT_EQ(calls.load(), expected);
    for (int h : hits) ASSERT_EQ(h, 1);
    for (int c = 0; c < expected; ++c)
      if (ranges[c].second != 1003) EXPECT_EQ((ranges[c].second - ranges[c].first) % 10, 0);
  }
}

// While an OnThisThread lives, the thread's jobs run inline, in one call on it, and
// threadCount() says 1; afterwards they split again (nested scopes restore what they found).
TEST(Parallel, on_this_thread_runs_jobs_inline_until_the_scope_ends) {
  setThreads(2);
  const std::thread::id caller = std::this_thread::get_id();
  auto pieces = [&] {
    std::atomic<int> calls{0}, elsewhere{0};
    parallelFor(64, 1, [&](int64_t, int64_t) {
      ++calls;
      if (std::this_thread::get_id() != caller) ++elsewhere;
    });
    return std::pair<int, int>{calls.load(), elsewhere.load()};
  };
  {
    OnThisThread alone;
    EXPECT_EQ(threadCount(), 1);
    EXPECT_EQ(pieces(), (std::pair<int, int>{1, 0}));
    {
      OnThisThread nested;
      EXPECT_EQ(threadCount(), 1);
    }
    EXPECT_EQ(threadCount(), 1);
  }
  EXPECT_EQ(threadCount(), 2);
  EXPECT_EQ(pieces().first, 8);  // 4 pieces a thread
  setThreads(1);
}

// A worker held back (here: its piece waits until the caller has run every other piece) does not
// hold the job up: the caller claims the remaining pieces itself. (With one fixed range per
// thread the caller would wait for the worker's half, and the worker for the caller: a hang.)
TEST(Parallel, the_caller_runs_the_pieces_a_held_back_worker_does_not_claim) {
  setThreads(2);
  std::atomic<int> done{0}, byCaller{0}, byWorker{0};
  std::atomic<bool> workerIn{false};
  const std::thread::id caller = std::this_thread::get_id();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  parallelFor(8, 1, [&](int64_t begin, int64_t end) {
    ASSERT_EQ(end, begin + 1);
    if (std::this_thread::get_id() == caller) {
      // The caller's first piece waits for the worker to hold one.
      while (!workerIn && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
      ++byCaller;
    } else {
      workerIn = true;
      while (done.load() < 7 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::yield();
      ++byWorker;
    }
    ++done;
  });
  setThreads(1);
  EXPECT_EQ(done.load(), 8);
  EXPECT_EQ(byWorker.load(), 1);
  EXPECT_EQ(byCaller.load(), 7);
}

// The caller claims pieces from the front and the workers from the back, so on two threads
// each runs one end of every job (the same part of consecutive jobs, whose data its cache then
// holds): whatever the timing, the caller's pieces are a prefix of the job and the worker's the
// rest.
TEST(Parallel, the_caller_claims_from_the_front_and_the_worker_from_the_back) {
  setThreads(2);
  const std::thread::id caller = std::this_thread::get_id();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (int job = 0; job < 20; ++job) {
    std::vector<int> byCaller(8, -1);  // 8 pieces: 4 a thread
    std::atomic<bool> workerIn{false};
    std::atomic<int> callerDone{0};
    parallelFor(8, 1, [&](int64_t begin, int64_t end) {
      ASSERT_EQ(end, begin + 1);
      const bool mine = std::this_thread::get_id() == caller;
      // Both take part: the caller's first piece waits until the worker holds one, which waits
      // until the caller has run two more (claimed alternately, the worker's piece would then
      // sit between the caller's).
      if (mine) {
        while (!workerIn && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
      } else {
        workerIn = true;
        while (callerDone < 3 && std::chrono::steady_clock::now() < deadline)
          std::this_thread::yield();
      }
      byCaller[begin] = mine;
      if (mine) ++callerDone;
    });
    ASSERT_TRUE(workerIn.load()) << job;
    int firstOfWorker = 8;
    while (firstOfWorker > 0 && byCaller[firstOfWorker - 1] == 0) --firstOfWorker;
    EXPECT_LT(firstOfWorker, 8) << job;  // the worker ran the last piece
    for (int piece = 0; piece < firstOfWorker; ++piece)
      EXPECT_EQ(byCaller[piece], 1) << "job " << job << ", piece " << piece;
  }
  setThreads(1);
}

// Holds the thread for about `us` microseconds.
void busyFor(int us) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::microseconds(us);
  while (std::chrono::steady_clock::now() < end) {
  }
}

const JobStats* find(const std::vector<JobStats>& profile, const std::string& site) {
  for (const JobStats& s : profile)
    if (s.site == site) return &s;
  return nullptr;
}

// The job profile: each outermost parallelFor call timed under its own file and line, its
// pieces' work and the caller's wait added up, nothing while it is off.
TEST(Parallel, job_profile_times_the_outermost_calls_by_their_file_and_line) {
  for (const int threads : {1, 2}) {
    ASSERT_EQ(setThreads(threads), threads);
    setJobProfiling(true);
    std::atomic<int> inner{0};
    const auto start = std::chrono::steady_clock::now();
    const int line = __LINE__ + 1;  // the call below
    for (int call = 0; call < 3; ++call) parallelFor(8, 1, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        busyFor(200);
        parallelFor(4, 1, [&](int64_t b, int64_t e) { inner += int(e - b); });  // inside: not timed
      }
    }, 8);
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    setJobProfiling(false);
    parallelFor(8, 1, [&](int64_t, int64_t) {}, 8);  // off: not timed
    const std::vector<JobStats> profile = jobProfile();
    const std::string what = std::to_string(threads) + " threads";
    ASSERT_EQ(profile.size(), 1u) << what;
    const JobStats* s = find(profile, "parallel_test.cpp:" + std::to_string(line));
    ASSERT_NE(s, nullptr) << what << ": " << profile[0].site;
    EXPECT_EQ(inner.load(), 3 * 8 * 4);
    EXPECT_EQ(s->calls, 3) << what;
    // Three calls of 8 pieces of 200 us each: 4.8 ms of work, whichever threads ran it.
    EXPECT_GE(s->workSeconds, 3 * 8 * 200e-6) << what;
    EXPECT_LE(s->seconds, elapsed) << what;
    EXPECT_LE(s->callerSeconds, s->seconds) << what;
    EXPECT_LE(s->waitSeconds, s->seconds - s->callerSeconds + 1e-9) << what;
    if (threads == 1) {  // every call whole on this thread
      EXPECT_EQ(s->sharedCalls, 0) << what;
      EXPECT_EQ(s->callerSeconds, s->seconds) << what;
      EXPECT_EQ(s->workSeconds, s->seconds) << what;
      EXPECT_EQ(s->waitSeconds, 0) << what;
    } else {  // in pieces; the work is every thread's, at most the calls' time on both
      EXPECT_EQ(s->sharedCalls, 3) << what;
      EXPECT_LE(s->workSeconds, threads * s->seconds) << what;
    }
  }
  setJobProfiling(true);  // starts from zero
  EXPECT_TRUE(jobProfile().empty());
  setJobProfiling(false);
  ASSERT_EQ(setThreads(1), 1);
}

// Phases a job times itself (addJobPhase): an entry per site and phase, apart from the job's
// own, whichever thread adds to it; jobProfiling says whether to time them.
TEST(Parallel, job_profile_adds_up_the_phases_a_job_times_by_name) {
  ASSERT_EQ(setThreads(2), 2);
  EXPECT_FALSE(jobProfiling());
  setJobProfiling(true);
  EXPECT_TRUE(jobProfiling());
  const JobSite site{__FILE__, __LINE__};
  for (int call = 0; call < 3; ++call) {
    parallelFor(4, 1, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        addJobPhase(site, "part " + std::to_string(i % 2) + ": busy", 0.25);
        addJobPhase(site, "part 0: idle", 0.5);
      }
    }, 4, site);
  }
  setJobProfiling(false);
  EXPECT_FALSE(jobProfiling());
  const std::vector<JobStats> profile = jobProfile();
  // Its three phases, in the order first timed, then the job, timed as its first call returned.
  ASSERT_EQ(profile.size(), 4u);
  const std::string where = "parallel_test.cpp:" + std::to_string(site.line);
  int phases = 0;
  for (const JobStats& s : profile) {
    EXPECT_EQ(s.site, where);
    if (s.phase.empty()) {
      EXPECT_EQ(s.calls, 3);
      continue;
    }
    ++phases;
    const bool idle = s.phase == "part 0: idle";
    EXPECT_TRUE(idle || s.phase == "part 0: busy" || s.phase == "part 1: busy") << s.phase;
    EXPECT_EQ(s.calls, idle ? 12 : 6) << s.phase;
    EXPECT_DOUBLE_EQ(s.seconds, idle ? 6.0 : 1.5) << s.phase;
    EXPECT_EQ(s.workSeconds, s.seconds) << s.phase;
    EXPECT_EQ(s.sharedCalls + s.callerSeconds + s.waitSeconds, 0) << s.phase;
  }
  EXPECT_EQ(phases, 3);
  EXPECT_TRUE(profile[3].phase.empty());
  ASSERT_EQ(setThreads(1), 1);
}

}  // namespace
}  // namespace nnplay
