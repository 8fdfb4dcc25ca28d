// Webhooks (issue 11) through the real server: recognize, face.add and
// face.delete events reach every --webhook URL as JSON (the recognize event
// carries the history item), a retry reaches a receiver that was down, a bad URL stops the start with a clear error,
// and a receiver that never answers neither slows recognition down nor
// holds more than --webhook-queue events (the rest are counted as dropped).
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "e2e/api_fixture.h"
#include "support/http_receiver.h"

namespace facepass::e2e {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::HttpReceiver;

// A counter's value in GET /metrics; -1 when absent.
double MetricValue(const Api& api, const std::string& name) {
  std::istringstream lines(api.Get("/metrics").body);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
  return -1;
}

json EventOf(const testing::ReceivedRequest& r) { return json::parse(r.body, nullptr, false); }

TEST(WebhookE2E, EventsReachEveryUrl) {
  FP_REQUIRE_SHARED_AND_MODELS();
  auto receiver = HttpReceiver::Start();
  ASSERT_NE(receiver, nullptr);
  const fs::path dir = testing::MakeTempDir("facepass-webhook");
  auto server = testing::ServerProcess::Start(
      dir / "data", {"--webhook", receiver->url("/one"), "--webhook", receiver->url("/two")});
  ASSERT_NE(server, nullptr);
  Api api(*server);
  ASSERT_EQ(api.PostJson("/api/group/v1/create", {{"group_name", "hook_gate"}}).code(), 0);
  Reply added = api.AddFace(SharedFace("obama/1.jpg"));
  ASSERT_EQ(added.code(), 0) << added.body;
  const std::string token = added.data()["face_token"];
  ASSERT_EQ(api.PostJson("/api/group/v1/bind", {{"group_name", "hook_gate"}, {"face_token", token}}).code(), 0);
  Reply rec = api.Recognize("hook_gate", {{3, SharedFace("obama/4.jpg")}});
  ASSERT_EQ(rec.code(), 0) << rec.body;
  ASSERT_EQ(api.PostJson("/api/face/v1/delete", {{"face_token", token}}).code(), 0);

  const auto got = receiver->WaitFor(6, std::chrono::seconds(20));
  ASSERT_EQ(got.size(), 6u);
  for (const char* path : {"/one", "/two"}) {
    SCOPED_TRACE(path);
    std::vector<json> events;
    for (const auto& r : got) {
      if (r.path != path) continue;
      EXPECT_EQ(r.method, "POST");
      EXPECT_EQ(r.content_type, "application/json");
      events.push_back(EventOf(r));
    }
    ASSERT_EQ(events.size(), 3u);  // in the order they happened
    EXPECT_EQ(events[0]["event"], "face.add");
    EXPECT_EQ(events[0]["face_token"], token);
    EXPECT_EQ(events[0]["image_id"], added.data()["image_id"]);
    EXPECT_TRUE(events[0]["time"].is_number_integer());
    EXPECT_EQ(events[1]["event"], "recognize");
    const json& result = rec.data()["results"][0];
    EXPECT_EQ(events[1]["image_id"], result["image_id"]);
    EXPECT_EQ(events[1]["face_token"], token);
    EXPECT_EQ(events[1]["track_id"], 3);
    EXPECT_EQ(events[1]["group_name"], "hook_gate");
    EXPECT_EQ(events[1]["passed"], result["passed"]);
    EXPECT_EQ(events[1]["rect"], result["rect"]);
    // The recognize event is the history item plus "event".
    json item = api.Get("/api/service/recognize/v1/history?group_name=hook_gate").data()["items"][0];
    item["event"] = "recognize";
    EXPECT_EQ(events[1], item);
    EXPECT_EQ(events[2]["event"], "face.delete");
    EXPECT_EQ(events[2]["face_token"], token);
    EXPECT_EQ(events[2]["image_id"], added.data()["image_id"]);
  }
  double delivered = -1;
  for (int i = 0; i < 50 && delivered < 6; ++i) {
    delivered = MetricValue(api, "facepass_webhook_delivered_total");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(delivered, 6);
  EXPECT_EQ(MetricValue(api, "facepass_webhook_dropped_total"), 0);
  ASSERT_EQ(server->Stop(), 0);
  RemoveUnlessFailed(dir);
}

// The receiver is down when the event happens and comes up a second later:
// a retry (0.5 s, 1 s, 2 s, ... after the failures) delivers it.
TEST(WebhookE2E, ARetryReachesAReceiverThatWasDown) {
  FP_REQUIRE_SHARED_AND_MODELS();
  const uint16_t port = testing::PickFreePort();
  const fs::path dir = testing::MakeTempDir("facepass-webhook-retry");
  auto server = testing::ServerProcess::Start(
      dir / "data", {"--webhook", "http://127.0.0.1:" + std::to_string(port) + "/late"});
  ASSERT_NE(server, nullptr);
  Api api(*server);
  Reply added = api.AddFace(SharedFace("biden/1.jpg"));
  ASSERT_EQ(added.code(), 0) << added.body;
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));  // refused at least twice
  auto receiver = HttpReceiver::Start(port);
  ASSERT_NE(receiver, nullptr) << "port " << port << " was taken meanwhile";
  const auto got = receiver->WaitFor(1, std::chrono::seconds(20));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].path, "/late");
  const json event = EventOf(got[0]);
  EXPECT_EQ(event["event"], "face.add");
  EXPECT_EQ(event["face_token"], added.data()["face_token"]);
  EXPECT_EQ(MetricValue(api, "facepass_webhook_dropped_total"), 0);
  ASSERT_EQ(server->Stop(), 0);
  RemoveUnlessFailed(dir);
}

TEST(WebhookE2E, ABadUrlStopsTheStart) {
  const fs::path dir = testing::MakeTempDir("facepass-webhook-bad");
  for (const char* url : {"ftp://127.0.0.1/x", "127.0.0.1:9000", "http://"}) {
    SCOPED_TRACE(url);
    const fs::path out = dir / "out.txt";
    const std::string cmd = testing::ServerBinary().string() + " serve --data-dir " + (dir / "data").string() +
                            " --webhook '" + url + "' > " + out.string() + " 2>&1";
    const int rc = std::system(cmd.c_str());
    ASSERT_TRUE(WIFEXITED(rc));
    EXPECT_EQ(WEXITSTATUS(rc), 2);
    const std::string said = ReadFile(out);
    EXPECT_NE(said.find(std::string("--webhook ") + url), std::string::npos) << said;
  }
  EXPECT_FALSE(fs::exists(dir / "data" / "facepass.db")) << "refused before the data directory was opened";
  fs::remove_all(dir);
}

// The median of `n` recognise calls on a fresh server started with `args`.
double MedianRecognizeMs(const fs::path& data_dir, std::vector<std::string> args, int n, Api* keep = nullptr,
                         std::unique_ptr<testing::ServerProcess>* server_out = nullptr) {
  auto server = testing::ServerProcess::Start(data_dir, std::move(args));
  EXPECT_NE(server, nullptr);
  if (!server) return -1;
  Api api(*server);
  api.PostJson("/api/group/v1/create", {{"group_name", "hang_gate"}});
  const std::string token = api.Enrol(SharedFace("obama/1.jpg"));
  api.PostJson("/api/group/v1/bind", {{"group_name", "hang_gate"}, {"face_token", token}});
  const std::string photo = SharedFace("obama/4.jpg");
  api.Recognize("hang_gate", {{1, photo}});  // warm-up
  std::vector<double> ms;
  for (int i = 0; i < n; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    Reply r = api.Recognize("hang_gate", {{1, photo}});
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    EXPECT_EQ(r.code(), 0) << r.body;
  }
  std::sort(ms.begin(), ms.end());
  if (keep) *keep = api;
  if (server_out) *server_out = std::move(server);
  return ms[ms.size() / 2];
}

TEST(WebhookE2E, AHangingReceiverDoesNotSlowRecognition) {
  FP_REQUIRE_SHARED_AND_MODELS();
  constexpr int kN = 15;
  const fs::path dir = testing::MakeTempDir("facepass-webhook-hang");
  const double baseline = MedianRecognizeMs(dir / "base", {}, kN);
  ASSERT_GT(baseline, 0);

  auto receiver = HttpReceiver::Start(0, HttpReceiver::Mode::kHang);
  ASSERT_NE(receiver, nullptr);
  Api api("");
  std::unique_ptr<testing::ServerProcess> server;
  const double hanging = MedianRecognizeMs(dir / "hang", {"--webhook", receiver->url(), "--webhook-queue", "2"}, kN,
                                           &api, &server);
  ASSERT_NE(server, nullptr);
  std::printf("recognise median of %d: %.1f ms without a webhook, %.1f ms with a receiver that never answers\n", kN,
              baseline, hanging);
  EXPECT_LE(hanging, 2 * baseline + 50) << "recognition waited for the webhook";
  EXPECT_GE(receiver->WaitFor(1, std::chrono::seconds(10)).size(), 1u) << "the sender did reach the receiver";
  // 1 face.add + 16 recognize events: one is in flight (5 s timeout), two wait, the rest were dropped.
  EXPECT_GE(MetricValue(api, "facepass_webhook_dropped_total"), 10);
  EXPECT_EQ(MetricValue(api, "facepass_webhook_delivered_total"), 0);
  ASSERT_EQ(server->Stop(), 0);
  RemoveUnlessFailed(dir);
}

}  // namespace
}  // namespace facepass::e2e
