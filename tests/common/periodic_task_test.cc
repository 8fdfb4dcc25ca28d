// PeriodicTask, the loop under both retention purges: a pass at Start, then
// one per interval; Stop ends the wait at once; passes never overlap, whether
// the thread or callers run them.
#include "common/periodic_task.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace facepass {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Waits up to 10 s for `done`; false when it never came.
template <typename F>
bool Eventually(F done) {
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (!done()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(1));
  }
  return true;
}

TEST(PeriodicTask, PassAtStartThenStopDoesNotWaitForTheInterval) {
  std::atomic<int> passes{0};
  PeriodicTask task([&] { ++passes; });
  task.Start(std::chrono::hours(1));
  ASSERT_TRUE(Eventually([&] { return passes.load() == 1; }));
  const auto before = Clock::now();
  task.Stop();  // the thread waits for an hour: Stop must wake it
  EXPECT_LT(Clock::now() - before, std::chrono::seconds(5));
  EXPECT_EQ(passes.load(), 1);
  task.Stop();  // idempotent
}

TEST(PeriodicTask, PassesRepeatEveryIntervalAndRestartAfterStop) {
  std::atomic<int> passes{0};
  PeriodicTask task([&] { ++passes; });
  task.Start(milliseconds(1));
  EXPECT_TRUE(Eventually([&] { return passes.load() >= 3; }));
  task.Stop();
  const int after_stop = passes.load();
  std::this_thread::sleep_for(milliseconds(20));
  EXPECT_EQ(passes.load(), after_stop) << "a pass ran after Stop returned";
  task.Start(std::chrono::hours(1));
  EXPECT_TRUE(Eventually([&] { return passes.load() == after_stop + 1; }));
}

TEST(PeriodicTask, WakeRunsTheNextPassNowNotAfterTheInterval) {
  std::atomic<int> passes{0};
  PeriodicTask task([&] { ++passes; });
  task.Start(std::chrono::hours(1));
  ASSERT_TRUE(Eventually([&] { return passes.load() == 1; }));
  task.Wake();  // an hour early
  EXPECT_TRUE(Eventually([&] { return passes.load() == 2; }));
  task.Wake();
  task.Wake();  // wakes before the pass ran fold into one
  EXPECT_TRUE(Eventually([&] { return passes.load() >= 3; }));
  task.Stop();
  EXPECT_LE(passes.load(), 4);
}

TEST(PeriodicTask, StopWithoutStartIsHarmless) {
  std::atomic<int> passes{0};
  PeriodicTask never_started([&] { ++passes; });
  never_started.Stop();  // no thread: nothing to join
  EXPECT_EQ(passes.load(), 0);
}

TEST(PeriodicTask, PassesNeverOverlap) {
  std::atomic<int> inside{0};
  std::atomic<int> most_inside{0};
  std::atomic<int> passes{0};
  // Each pass stays a while, so two that were let in together would see each other.
  auto body = [&] {
    const int now_inside = ++inside;
    for (int seen = most_inside.load(); now_inside > seen && !most_inside.compare_exchange_weak(seen, now_inside);) {
    }
    std::this_thread::sleep_for(milliseconds(1));
    --inside;
    return ++passes;
  };
  PeriodicTask task([&] { body(); });
  task.Start(milliseconds(0));  // the thread passes back to back
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t) {
    callers.emplace_back([&] {
      for (int i = 0; i < 20; ++i) EXPECT_GT(task.RunPass(body), 0);
    });
  }
  for (std::thread& t : callers) t.join();
  task.Stop();
  EXPECT_GE(passes.load(), 80);
  EXPECT_EQ(most_inside.load(), 1);
}

}  // namespace
}  // namespace facepass
