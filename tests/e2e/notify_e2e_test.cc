// Issue 14 through the real server: GET /api/service/sync/v1/notify. A held
// stream hears a bind and an unbind, a reconnect starts with the current
// versions, a device's Watcher applies an unbind on the notice (its polls are
// minutes away), 500 held streams leave ordinary requests answering and all
// hear a change, and --max-notify's cap answers 503 with Retry-After.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "client/device.h"
#include "client/watcher.h"
#include "e2e/api_fixture.h"
#include "e2e/raw_stream.h"

namespace facepass::e2e {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono;
using nlohmann::json;

std::string CreateKey(const Api& admin, const std::string& name, const std::string& role) {
  Reply r = admin.PostJson("/api/keys/v1/create", {{"name", name}, {"role", role}});
  EXPECT_EQ(r.status, 200) << r.body;
  return r.status == 200 ? r.data().value("key", "") : "";
}

class NotifyE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!HaveSharedFaces() || !HaveModels()) return;
    dir_ = new fs::path(testing::MakeTempDir("facepass-notify"));
    server_ = testing::ServerProcess::Start(*dir_ / "data", {"--notify-heartbeat", "2"}).release();
    if (server_ == nullptr) return;
    Api admin(*server_);
    device_key_ = new std::string(CreateKey(admin, "gate_n1", "device"));
  }
  static void TearDownTestSuite() {
    if (server_ != nullptr) server_->Stop();
    delete server_;
    server_ = nullptr;
    delete device_key_;
    if (dir_ != nullptr) RemoveUnlessFailed(*dir_);
    delete dir_;
  }
  void SetUp() override {
    FP_REQUIRE_SHARED_AND_MODELS();
    ASSERT_NE(server_, nullptr) << "server did not start";
    ASSERT_FALSE(device_key_->empty());
  }
  static std::string Notify(const std::string& groups) { return "/api/service/sync/v1/notify?groups=" + groups; }

  static fs::path* dir_;
  static testing::ServerProcess* server_;
  static std::string* device_key_;
};
fs::path* NotifyE2E::dir_ = nullptr;
testing::ServerProcess* NotifyE2E::server_ = nullptr;
std::string* NotifyE2E::device_key_ = nullptr;

TEST_F(NotifyE2E, HeldStreamHearsBindAndUnbindAndAReconnectStartsCurrent) {
  Api admin(*server_);
  ASSERT_EQ(admin.PostJson("/api/group/v1/create", {{"group_name", "ntf_a"}}).code(), 0);
  const std::string token = admin.Enrol(SharedFace("obama/1.jpg"));
  ASSERT_FALSE(token.empty());

  RawStream s(server_->port(), Notify("ntf_a,ntf_none"), *device_key_);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(s.WaitFor("HTTP/1.1 200")) << s.got();
  EXPECT_NE(s.got().find("text/event-stream"), std::string::npos) << s.got();
  json first = s.NextVersion("ntf_a");
  ASSERT_TRUE(first.is_object()) << s.got();
  const int64_t v0 = first["version"];
  const int64_t gid = first["group_id"];
  EXPECT_GT(gid, 0);
  json none = s.NextVersion("ntf_none");  // no such group: 0 and 0
  ASSERT_TRUE(none.is_object()) << s.got();
  EXPECT_EQ(none["group_id"], 0);
  EXPECT_EQ(none["version"], 0);

  ASSERT_EQ(admin.PostJson("/api/group/v1/bind", {{"group_name", "ntf_a"}, {"face_token", token}}).code(), 0);
  json bound = s.NextVersion("ntf_a");
  ASSERT_TRUE(bound.is_object()) << s.got();
  EXPECT_EQ(bound["version"], v0 + 1);
  EXPECT_EQ(bound["group_id"], gid);
  ASSERT_EQ(admin.PostJson("/api/group/v1/unbind", {{"group_name", "ntf_a"}, {"face_token", token}}).code(), 0);
  json unbound = s.NextVersion("ntf_a");
  ASSERT_TRUE(unbound.is_object()) << s.got();
  EXPECT_EQ(unbound["version"], v0 + 2);
  EXPECT_TRUE(s.WaitFor(":\n\n", milliseconds(5000))) << "no heartbeat";

  // A device that was away: its first events are the versions now.
  RawStream again(server_->port(), Notify("ntf_a"), *device_key_);
  json now = again.NextVersion("ntf_a");
  ASSERT_TRUE(now.is_object()) << again.got();
  EXPECT_EQ(now["version"], v0 + 2);
}

TEST_F(NotifyE2E, BadRequestsAreAnsweredNotHeld) {
  Api device(server_->base_url(), *device_key_);
  EXPECT_EQ(device.Get("/api/service/sync/v1/notify").code(), 104002);                 // MISSING_ARGUMENT
  EXPECT_EQ(device.Get("/api/service/sync/v1/notify?groups=a-b").code(), 104001);      // ILLEGAL_ARGUMENT
  Api none(server_->base_url(), "");
  EXPECT_EQ(none.Get(Notify("ntf_a")).status, 401);
}

TEST_F(NotifyE2E, AWatchingDeviceAppliesAnUnbindOnTheNotice) {
  Api admin(*server_);
  ASSERT_EQ(admin.PostJson("/api/group/v1/create", {{"group_name", "ntf_w"}}).code(), 0);
  const std::string token = admin.Enrol(SharedFace("obama/2.jpg"));
  ASSERT_FALSE(token.empty());
  ASSERT_EQ(admin.PostJson("/api/group/v1/bind", {{"group_name", "ntf_w"}, {"face_token", token}}).code(), 0);

  auto device = client::Device::Open(*dir_ / "device_w.db", nullptr);
  ASSERT_TRUE(device.ok()) << device.status().ToString();
  ASSERT_TRUE((*device)->store().AddGroup("ntf_w").ok());
  client::HttpOptions http;
  http.api_key = *device_key_;
  client::WatchOptions o;
  o.poll_interval = minutes(10);  // only a notice can bring the change in time
  o.safety_poll = minutes(10);
  client::Watcher watcher(**device, http, server_->base_url(), o);

  std::mutex mu;
  std::vector<client::WatchRound> rounds;
  std::atomic<bool> open{false}, stop{false};
  std::thread t([&] {
    watcher.Run(
        stop, 0,
        [&](const client::WatchRound& r) {
          std::lock_guard<std::mutex> lock(mu);
          rounds.push_back(r);
        },
        [&](const client::NotifyState& s) {
          if (s.kind == client::NotifyState::Kind::kOpen) open = true;
        });
  });
  auto wait = [&](const std::function<bool()>& pred) {
    for (int i = 0; i < 1000 && !pred(); ++i) std::this_thread::sleep_for(milliseconds(10));
    return pred();
  };
  auto count = [&] {
    std::lock_guard<std::mutex> lock(mu);
    return rounds.size();
  };
  EXPECT_TRUE(wait([&] { return open.load() && count() >= 1; }));
  {
    std::lock_guard<std::mutex> lock(mu);
    ASSERT_GE(rounds.size(), 1u);
    EXPECT_STREQ(rounds[0].trigger, "start");
    ASSERT_TRUE(rounds[0].status.ok()) << rounds[0].status.ToString();
    EXPECT_EQ(rounds[0].outcome.report.groups.at(0).added, 1);
  }
  ASSERT_EQ(admin.PostJson("/api/group/v1/unbind", {{"group_name", "ntf_w"}, {"face_token", token}}).code(), 0);
  EXPECT_TRUE(wait([&] { return count() >= 2; })) << "the unbind never reached the device";
  stop = true;
  t.join();
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_GE(rounds.size(), 2u);
  EXPECT_STREQ(rounds[1].trigger, "notice");
  ASSERT_TRUE(rounds[1].status.ok()) << rounds[1].status.ToString();
  EXPECT_EQ(rounds[1].outcome.report.groups.at(0).deleted, 1);
  auto faces = (*device)->store().ListFaces("ntf_w");
  ASSERT_TRUE(faces.ok());
  EXPECT_TRUE(faces->empty());
}

TEST_F(NotifyE2E, FiveHundredHeldStreamsAndOrdinaryRequestsStillAnswer) {
  constexpr int kStreams = 500;
  std::vector<std::unique_ptr<RawStream>> held;
  // In batches: opening one takes a worker for a moment and the queue is bounded.
  for (int i = 0; i < kStreams; i += 50) {
    for (int j = i; j < i + 50; ++j)
      held.push_back(std::make_unique<RawStream>(server_->port(), Notify("ntf_many,ntf_x"), *device_key_));
    for (int j = i; j < i + 50; ++j) ASSERT_TRUE(held[j]->WaitFor(": open\n\n")) << j << ": " << held[j]->got();
  }
  Api admin(*server_);
  milliseconds worst{0};
  for (int i = 0; i < 20; ++i) {
    const auto t0 = steady_clock::now();
    Reply r = admin.Get("/api/version/v1");
    worst = std::max(worst, duration_cast<milliseconds>(steady_clock::now() - t0));
    EXPECT_EQ(r.status, 200);
  }
  EXPECT_LT(worst, milliseconds(2000)) << "an ordinary request waited behind the held streams";
  EXPECT_EQ(admin.Get("/api/group/v1/list").status, 200);

  ASSERT_EQ(admin.PostJson("/api/group/v1/create", {{"group_name", "ntf_many"}}).code(), 0);
  int heard = 0;
  for (auto& s : held) {
    // First the version at connect (no such group yet), then the create.
    json v = s->NextVersion("ntf_many");
    while (v.is_object() && v["group_id"].get<int64_t>() == 0) v = s->NextVersion("ntf_many");
    if (v.is_object()) ++heard;
  }
  EXPECT_EQ(heard, kStreams);
}

TEST(NotifyE2ECap, BeyondMaxNotifyIs503WithRetryAfter) {
  FP_REQUIRE_SHARED_AND_MODELS();
  const fs::path dir = testing::MakeTempDir("facepass-notify-cap");
  auto server = testing::ServerProcess::Start(dir / "data", {"--max-notify", "3"});
  ASSERT_NE(server, nullptr);
  std::vector<std::unique_ptr<RawStream>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<RawStream>(server->port(), "/api/service/sync/v1/notify?groups=gate_a",
                                               server->api_key()));
    ASSERT_TRUE(held.back()->WaitFor(": open\n\n"));
  }
  Api admin(*server);
  Reply busy = admin.Get("/api/service/sync/v1/notify?groups=gate_a");
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(busy.code(), 105003);
  EXPECT_EQ(busy.Header("retry-after"), "5");
  EXPECT_EQ(admin.Get("/api/version/v1").status, 200);
  held.clear();
  ASSERT_EQ(server->Stop(), 0);
  RemoveUnlessFailed(dir);
}

}  // namespace
}  // namespace facepass::e2e
