// The webhook queue and sender against a receiver on loopback: delivery to
// every URL as application/json, a retry that reaches a receiver started
// late, giving up after the attempts, drops counted when the queue is full,
// and the URL check done at start-up.
#include <gtest/gtest.h>

#include <thread>

#include "events/webhook_queue.h"
#include "events/webhook_sender.h"
#include "metrics/registry.h"
#include "support/http_receiver.h"
#include "support/server_process.h"

namespace facepass::events {
namespace {

using std::chrono::milliseconds;
using testing::HttpReceiver;

class WebhookTest : public ::testing::Test {
 protected:
  // Adding an existing name hands back the registered family.
  uint64_t Counter(const std::string& name) { return registry_.AddCounter(name, "").With({}).Value(); }
  // Polls until the counter reaches `want` (or 20 s).
  bool CounterReaches(const std::string& name, uint64_t want) {
    for (int i = 0; i < 400 && Counter(name) < want; ++i) std::this_thread::sleep_for(milliseconds(50));
    return Counter(name) >= want;
  }
  WebhookOptions Fast(std::vector<std::string> urls) {
    WebhookOptions o;
    o.urls = std::move(urls);
    o.first_backoff = milliseconds(100);
    o.max_backoff = milliseconds(400);
    o.timeout_ms = 2000;
    return o;
  }

  metrics::Registry registry_;
  WebhookMetrics metrics_{registry_};
};

TEST_F(WebhookTest, DeliversEachEventToEveryUrlAsJson) {
  auto receiver = HttpReceiver::Start();
  ASSERT_NE(receiver, nullptr);
  WebhookQueue queue(10, metrics_);
  WebhookSender sender(queue, Fast({receiver->url("/a"), receiver->url("/b")}), metrics_);
  sender.Start();
  ASSERT_TRUE(queue.Push(R"({"event":"one"})"));
  ASSERT_TRUE(queue.Push(R"({"event":"two"})"));
  const auto got = receiver->WaitFor(4, milliseconds(10000));
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].method, "POST");
  EXPECT_EQ(got[0].path, "/a");
  EXPECT_EQ(got[1].path, "/b");
  EXPECT_EQ(got[0].content_type, "application/json");
  EXPECT_EQ(got[0].body, R"({"event":"one"})");
  EXPECT_EQ(got[3].body, R"({"event":"two"})");
  EXPECT_TRUE(CounterReaches("facepass_webhook_delivered_total", 4));
  EXPECT_EQ(Counter("facepass_webhook_dropped_total"), 0u);
}

TEST_F(WebhookTest, RetriesUntilAReceiverStartedLateGetsIt) {
  const uint16_t port = testing::PickFreePort();
  WebhookQueue queue(10, metrics_);
  WebhookOptions o = Fast({"http://127.0.0.1:" + std::to_string(port) + "/late"});
  o.attempts = 8;  // 0.1 + 0.2 + 0.4 * 5 s of backoff: longer than the receiver is down
  WebhookSender sender(queue, o, metrics_);
  sender.Start();
  ASSERT_TRUE(queue.Push(R"({"event":"late"})"));
  std::this_thread::sleep_for(milliseconds(700));  // at least two refused attempts
  EXPECT_EQ(Counter("facepass_webhook_delivered_total"), 0u);
  auto receiver = HttpReceiver::Start(port);
  ASSERT_NE(receiver, nullptr);
  const auto got = receiver->WaitFor(1, milliseconds(10000));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, R"({"event":"late"})");
  EXPECT_TRUE(CounterReaches("facepass_webhook_delivered_total", 1));
  EXPECT_EQ(Counter("facepass_webhook_dropped_total"), 0u);
}

TEST_F(WebhookTest, GivesUpAfterTheAttemptsAndCountsTheDrop) {
  const uint16_t port = testing::PickFreePort();  // nobody listens
  WebhookQueue queue(10, metrics_);
  WebhookOptions o = Fast({"http://127.0.0.1:" + std::to_string(port) + "/"});
  o.attempts = 3;
  WebhookSender sender(queue, o, metrics_);
  sender.Start();
  ASSERT_TRUE(queue.Push("{}"));
  EXPECT_TRUE(CounterReaches("facepass_webhook_dropped_total", 1));
  EXPECT_EQ(Counter("facepass_webhook_delivered_total"), 0u);
}

TEST_F(WebhookTest, AFullQueueDropsAndCountsWithoutBlocking) {
  WebhookQueue queue(3, metrics_);  // no sender: nothing drains it
  int accepted = 0;
  for (int i = 0; i < 5; ++i) accepted += queue.Push("{}") ? 1 : 0;
  EXPECT_EQ(accepted, 3);
  EXPECT_EQ(queue.size(), 3u);
  EXPECT_EQ(Counter("facepass_webhook_dropped_total"), 2u);
  EXPECT_TRUE(queue.PopUntil(std::chrono::steady_clock::now()).has_value());
  EXPECT_TRUE(queue.Push("{}")) << "room again after one left";
  queue.Close();
  EXPECT_FALSE(queue.Push("{}"));
  EXPECT_EQ(Counter("facepass_webhook_dropped_total"), 3u);
}

TEST_F(WebhookTest, StopReturnsWhileAReceiverHangs) {
  auto receiver = HttpReceiver::Start(0, HttpReceiver::Mode::kHang);
  ASSERT_NE(receiver, nullptr);
  WebhookQueue queue(1000, metrics_);
  WebhookSender sender(queue, Fast({receiver->url()}), metrics_);
  sender.Start();
  ASSERT_TRUE(queue.Push("{}"));
  ASSERT_EQ(receiver->WaitFor(1, milliseconds(10000)).size(), 1u);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(queue.Push("{}")) << "Push never waits for the sender";
  const auto before = std::chrono::steady_clock::now();
  sender.Stop();  // aborts the POST in flight instead of waiting out its timeout
  EXPECT_LT(std::chrono::steady_clock::now() - before, milliseconds(1500));
  EXPECT_EQ(Counter("facepass_webhook_delivered_total"), 0u);
}

TEST(WebhookUrl, OnlyHttpAndHttpsWithAHost) {
  EXPECT_TRUE(ValidateWebhookUrl("http://127.0.0.1:9000/hook").ok());
  EXPECT_TRUE(ValidateWebhookUrl("https://example.org").ok());
  EXPECT_TRUE(ValidateWebhookUrl("http://[::1]:80/x?y=1").ok());
  for (const char* bad : {"ftp://example.org/", "file:///etc/passwd", "example.org", "http://", "https:///path",
                          "http://:80/", "", "HTTP//x"}) {
    const Status s = ValidateWebhookUrl(bad);
    EXPECT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_NE(ValidateWebhookUrl("ftp://x").message().find("only http:// and https://"), std::string::npos);
}

}  // namespace
}  // namespace facepass::events
