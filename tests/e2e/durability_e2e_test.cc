// What the server acknowledged survives: a clean restart, and kill -9 in the
// middle of a burst of writes.
#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "e2e/api_fixture.h"
#include "store/database.h"

namespace facepass::e2e {
namespace {

using nlohmann::json;


TEST(DurabilityE2E, RestartKeepsFacesGroupsIndexConfigAndTokens) {
  FP_REQUIRE_SHARED_AND_MODELS();
  const auto dir = testing::MakeTempDir("facepass-restart");
  std::string token;
  {
    auto server = testing::ServerProcess::Start(dir);
    ASSERT_NE(server, nullptr);
    Api api(*server);
    token = api.Enrol(SharedFace("obama/1.jpg"));
    ASSERT_FALSE(token.empty());
    ASSERT_EQ(api.PostJson("/api/group/v1/create", {{"group_name", "restart_g"}}).status, 200);
    ASSERT_EQ(api.PostJson("/api/group/v1/bind", {{"group_name", "restart_g"}, {"face_token", token}}).status, 200);
    ASSERT_EQ(api.PostForm("/api/service/config/v1", {{"recognize_threshold", "81", ""}}).status, 200);
    EXPECT_EQ(server->Stop(), 0) << "SIGTERM must end the server cleanly";
  }
  auto server = testing::ServerProcess::Start(dir);
  ASSERT_NE(server, nullptr);
  Api api(*server);
  EXPECT_EQ(api.PostJson("/api/face/v1/query", {{"face_token", token}}).status, 200);
  EXPECT_EQ(api.PostJson("/api/group/v1/query", {{"group_name", "restart_g"}}).data()["faces"], json::array({token}));
  EXPECT_EQ(api.Get("/api/service/config/v1").data()["recognize_threshold"], 81.0);
  Reply r = api.Recognize("restart_g", {{1, SharedFace("obama/4.jpg")}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.data()["results"][0]["face_token"], token);  // the index was rebuilt from SQLite
  EXPECT_EQ(r.data()["recognize_threshold"], 81.0);
  server.reset();
  RemoveUnlessFailed(dir);
}

// One client thread's acknowledged history: groups it created and, per
// group, the faces bound when the server last said 200.
struct Ledger {
  std::set<std::string> groups;
  std::map<std::string, std::set<std::string>> bound;
  std::string in_flight_group;  // the op that got no answer may or may not have landed
};

void Burst(const Api& api, const std::string& prefix, const std::vector<std::string>& faces,
           std::atomic<bool>& stop, std::atomic<int>& acked, Ledger& ledger) {
  for (int i = 0; !stop; ++i) {
    const std::string g = prefix + std::to_string(i);
    ledger.in_flight_group = g;
    if (api.PostJson("/api/group/v1/create", {{"group_name", g}}).status != 200) return;
    ledger.groups.insert(g);
    ++acked;
    for (size_t f = 0; f < faces.size() && !stop; ++f) {
      if (api.PostJson("/api/group/v1/bind", {{"group_name", g}, {"face_token", faces[f]}}).status != 200) return;
      ledger.bound[g].insert(faces[f]);
      ++acked;
    }
    if (stop) return;
    if (api.PostJson("/api/group/v1/unbind", {{"group_name", g}, {"face_token", faces[0]}}).status != 200) return;
    ledger.bound[g].erase(faces[0]);
    ++acked;
  }
}

// Face adds in a loop: every acknowledged face and its original must survive.
void AddBurst(const Api& api, const std::string& photo, std::atomic<bool>& stop, std::atomic<int>& acked,
              std::vector<std::pair<std::string, std::string>>& added) {
  while (!stop) {
    Reply r = api.AddFace(photo);
    if (r.status != 200 || !r.json.is_object()) return;
    added.emplace_back(r.data()["face_token"].get<std::string>(), r.data()["image_id"].get<std::string>());
    ++acked;
  }
}

TEST(DurabilityE2E, KillNineDuringBurstLosesNothingAcknowledged) {
  FP_REQUIRE_SHARED_AND_MODELS();
  const auto dir = testing::MakeTempDir("facepass-crash");
  std::vector<std::string> faces;
  Ledger ledgers[2];
  std::vector<std::pair<std::string, std::string>> added;  // face_token, image_id
  const std::string photo = SharedFace("rose_leslie/2.jpg");
  {
    auto server = testing::ServerProcess::Start(dir);
    ASSERT_NE(server, nullptr);
    Api api(*server);
    for (const char* photo : {"obama/1.jpg", "biden/2.jpg", "alex_lacamoire/1.jpg"}) {
      faces.push_back(api.Enrol(SharedFace(photo)));
      ASSERT_FALSE(faces.back().empty()) << photo;
    }
    std::atomic<bool> stop{false};
    std::atomic<int> acked{0};
    std::thread a([&] { Burst(api, "burst_a", faces, stop, acked, ledgers[0]); });
    std::thread b([&] { Burst(api, "burst_b", faces, stop, acked, ledgers[1]); });
    std::atomic<int> adds{0};
    std::thread c([&] { AddBurst(api, photo, stop, adds, added); });
    // Kill while both threads are mid-burst.
    for (int i = 0; i < 600 && (acked < 80 || adds < 2); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    server->Kill(SIGKILL);
    stop = true;
    a.join();
    b.join();
    c.join();
    ASSERT_GE(acked.load(), 10) << "the burst barely ran";
    ASSERT_GE(adds.load(), 1) << "no face add was acknowledged before the kill";
    std::printf("killed after %d acknowledged binds/creates and %d face adds\n", acked.load(), adds.load());
  }

  auto server = testing::ServerProcess::Start(dir);
  ASSERT_NE(server, nullptr);
  Api api(*server);
  for (const auto& token : faces) EXPECT_EQ(api.PostJson("/api/face/v1/query", {{"face_token", token}}).status, 200);
  for (const auto& [token, image_id] : added) {
    EXPECT_EQ(api.PostJson("/api/face/v1/query", {{"face_token", token}}).status, 200) << "acknowledged face lost";
    Reply original = api.Get("/api/image/v1/query?image_id=" + image_id);
    EXPECT_EQ(original.status, 200);
    EXPECT_TRUE(original.body == photo) << "original bytes differ after the crash";
  }
  for (const Ledger& ledger : ledgers) {
    for (const std::string& g : ledger.groups) {
      Reply q = api.PostJson("/api/group/v1/query", {{"group_name", g}});
      ASSERT_EQ(q.status, 200) << "acknowledged group lost: " << g;
      std::set<std::string> actual;
      for (const auto& t : q.data()["faces"]) actual.insert(t.get<std::string>());
      const auto it = ledger.bound.find(g);
      const std::set<std::string> expected = it == ledger.bound.end() ? std::set<std::string>{} : it->second;
      if (g == ledger.in_flight_group) {
        // The unanswered op may have landed: at most one face differs.
        std::set<std::string> diff;
        std::set_symmetric_difference(actual.begin(), actual.end(), expected.begin(), expected.end(),
                                      std::inserter(diff, diff.begin()));
        EXPECT_LE(diff.size(), 1u) << g;
      } else {
        EXPECT_EQ(actual, expected) << g;
      }
    }
  }
  ASSERT_EQ(server->Stop(), 0);
  auto db = store::Database::Open(dir / "facepass.db");
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  Status integrity = (*db)->CheckIntegrity();
  EXPECT_TRUE(integrity.ok()) << integrity.ToString();
  db->reset();
  RemoveUnlessFailed(dir);
}

}  // namespace
}  // namespace facepass::e2e
