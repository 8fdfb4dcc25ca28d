// Issue 13, finding 6: large pictures are analysed a bounded number at a time.
#include "vision/decode_gate.h"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace facepass::vision {
namespace {

using namespace std::chrono_literals;

// Polls `pred` for up to 10 s (a test must never hang).
template <class F>
bool Eventually(F pred) {
  for (int i = 0; i < 1000; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

TEST(DecodeGate, SmallPicturesNeverWait) {
  DecodeGate gate(1, 1000);
  DecodeGate::Pass big = gate.Enter(1001);
  EXPECT_TRUE(big.counted());
  DecodeGate::Pass small = gate.Enter(1000);  // would deadlock if it waited
  EXPECT_FALSE(small.counted());
  EXPECT_EQ(gate.in_use(), 1);
}

TEST(DecodeGate, ALargePictureWaitsForAFreeSlot) {
  DecodeGate gate(2, 100);
  auto a = std::make_unique<DecodeGate::Pass>(gate.Enter(101));
  auto b = std::make_unique<DecodeGate::Pass>(gate.Enter(101));
  std::atomic<bool> entered{false};
  std::thread third([&] {
    DecodeGate::Pass c = gate.Enter(1 << 30);
    entered = true;
  });
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(entered) << "a third large picture got in beside two";
  EXPECT_EQ(gate.in_use(), 2);
  a.reset();  // one slot frees
  EXPECT_TRUE(Eventually([&] { return entered.load(); }));
  third.join();
  b.reset();
  EXPECT_EQ(gate.in_use(), 0);
}

TEST(DecodeGate, ManyThreadsNeverExceedTheSlots) {
  DecodeGate gate(2, 0);
  std::atomic<int> inside{0}, worst{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        DecodeGate::Pass p = gate.Enter(1);
        int now = ++inside;
        int w = worst.load();
        while (now > w && !worst.compare_exchange_weak(w, now)) {
        }
        std::this_thread::sleep_for(100us);
        --inside;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(worst.load(), 2);
  EXPECT_GE(worst.load(), 1);
  EXPECT_EQ(gate.in_use(), 0);
}

TEST(DecodeGate, AtLeastOneSlot) {
  DecodeGate gate(0, 0);
  DecodeGate::Pass p = gate.Enter(1);  // 0 slots would block forever
  EXPECT_TRUE(p.counted());
}

}  // namespace
}  // namespace facepass::vision
