// Several nodes on one PostgreSQL database (issue 27), through real HTTP: three
// `facepass serve --database` processes and HAProxy (Debian's) in front,
// round robin. Each node's index is a cache of the store moved forward by the
// catalogue's sequence: a change acknowledged by one node is seen by the next
// request to any node.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "balancer_child.h"
#include "e2e/api_fixture.h"
#include "e2e/raw_stream.h"
#include "store/pg/pg_store.h"
#include "store/pg_schema.h"
#include "support/server_process.h"
#include "support/skip_or_fail.h"


namespace facepass::e2e {
namespace {

using nlohmann::json;

// HAProxy over the nodes (tools/bench/balancer_child.h), stopped with the suite.
class Balancer {
 public:
  static std::unique_ptr<Balancer> Start(const std::filesystem::path& dir, const std::vector<int>& nodes) {
    auto child = bench::StartBalancer(dir, nodes);
    if (!child.ok()) {
      std::fprintf(stderr, "%s\n", child.status().ToString().c_str());
      return nullptr;
    }
    return std::unique_ptr<Balancer>(new Balancer(*child));
  }
  ~Balancer() { bench::StopBalancer(child_); }
  std::string base_url() const { return child_.url; }

 private:
  explicit Balancer(bench::BalancerChild child) : child_(std::move(child)) {}
  bench::BalancerChild child_;
};

class ClusterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!HaveSharedFaces() || !HaveModels()) return;
    schema_ = store::testing_util::PgSchema::Create().release();
    if (schema_ == nullptr) return;
    dir_ = new std::filesystem::path(testing::MakeTempDir("facepass-cluster"));
    // The first node creates the schema and the admin key; the others find them.
    for (int i = 0; i < 3; ++i) {
      auto node = StartNode("node" + std::to_string(i));
      if (node == nullptr) return;
      nodes_[i] = node.release();
    }
    admin_key_ = new std::string(nodes_[0]->api_key());
    balancer_ = Balancer::Start(*dir_, {nodes_[0]->port(), nodes_[1]->port(), nodes_[2]->port()}).release();
  }
  static void TearDownTestSuite() {
    delete balancer_;
    for (auto*& n : nodes_) {
      delete n;
      n = nullptr;
    }
    delete schema_;
    if (dir_ != nullptr) RemoveUnlessFailed(*dir_);
    delete dir_;
    delete admin_key_;
  }

  static std::unique_ptr<testing::ServerProcess> StartNode(const std::string& name) {
    return testing::ServerProcess::Start(*dir_ / name, {"--database", schema_->uri()});
  }

  void SetUp() override {
    FP_REQUIRE_SHARED_AND_MODELS();
    if (schema_ == nullptr) FP_SKIP_OR_FAIL_IN_CI(store::testing_util::kNoPgCluster);
    if (!std::filesystem::exists(bench::kHaproxyBinary)) FP_SKIP_OR_FAIL_IN_CI("haproxy is not installed (scripts/install-deps.sh)");
    for (auto* n : nodes_) ASSERT_NE(n, nullptr) << "a node did not start (logs under " << *dir_ << ")";
    ASSERT_FALSE(admin_key_->empty()) << "the first node wrote no admin key";
    ASSERT_NE(balancer_, nullptr) << "haproxy did not start (" << (*dir_ / "haproxy.log") << ")";
  }

  static Api On(int node) { return Api(nodes_[node]->base_url(), *admin_key_); }
  static Api ThroughBalancer() { return Api(balancer_->base_url(), *admin_key_); }

  // The group's version as the store holds it (what device sync compares).
  static int64_t StoredVersion(const std::string& group) {
    auto store = store::pg::PgStore::Open(schema_->uri());
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    if (!store.ok()) return -1;
    auto g = (*store)->GetGroupByName(group);
    return g.ok() ? g->version : -1;
  }

  static inline store::testing_util::PgSchema* schema_ = nullptr;
  static inline std::filesystem::path* dir_ = nullptr;
  static inline testing::ServerProcess* nodes_[3] = {nullptr, nullptr, nullptr};
  static inline Balancer* balancer_ = nullptr;
  static inline std::string* admin_key_ = nullptr;
};

void Bind(const Api& api, const std::string& group, const std::string& token) {
  Reply r = api.PostJson("/api/group/v1/bind", {{"group_name", group}, {"face_token", token}});
  ASSERT_EQ(r.code(), 0) << r.body;
}

TEST_F(ClusterTest, EnrolOnOneBindOnAnotherRecogniseSyncAndFetchOnAThird) {
  const std::string obama = On(0).Enrol(SharedFace("obama/1.jpg"));
  ASSERT_FALSE(obama.empty());
  ASSERT_EQ(On(1).PostJson("/api/group/v1/create", {{"group_name", "cluster_one"}}).code(), 0);
  Bind(On(1), "cluster_one", obama);

  Reply r = On(2).Recognize("cluster_one", {{1, SharedFace("obama/4.jpg")}});
  ASSERT_EQ(r.code(), 0) << r.body;
  EXPECT_EQ(r.data()["results"][0]["face_token"], obama);
  EXPECT_TRUE(r.data()["results"][0]["passed"].get<bool>());

  Reply face = On(2).PostJson("/api/face/v1/query", {{"face_token", obama}});
  ASSERT_EQ(face.code(), 0) << face.body;
  Reply original = On(2).Get("/api/image/v1/query?image_id=" + face.data()["image_id"].get<std::string>());
  EXPECT_EQ(original.status, 200);
  EXPECT_TRUE(original.body == SharedFace("obama/1.jpg"));  // images live in PostgreSQL: no shared disk

  // A device syncing from the third node gets the group at the version the second one wrote.
  json sync = {{"info", {{"search_model", "any"}, {"version", "v1"}}},
               {"groups", json::array({{{"group_name", "cluster_one"}, {"group_id", 0}, {"local_version", 0}}})}};
  Reply s = On(2).PostJson("/api/service/sync/v1", sync);
  EXPECT_EQ(s.status, 200) << s.body;
  Reply status = On(0).Get("/api/service/sync/v1/status");
  ASSERT_EQ(status.code(), 0) << status.body;
  bool seen = false;
  for (const json& d : status.data()["devices"]) {
    for (const json& g : d["sync_status"]["groups"]) {
      if (g["group_name"] == "cluster_one") {
        seen = true;
        EXPECT_EQ(g["cloud_version"].get<int64_t>(), 2);  // create, bind
        EXPECT_EQ(g["result"]["facetoken_added"].get<int64_t>(), 1);
      }
    }
  }
  EXPECT_TRUE(seen) << status.body;

  // An unbind on the first node: the third no longer finds the face.
  ASSERT_EQ(On(0).PostJson("/api/group/v1/unbind", {{"group_name", "cluster_one"}, {"face_token", obama}}).code(), 0);
  Reply after = On(2).Recognize("cluster_one", {{1, SharedFace("obama/4.jpg")}});
  ASSERT_EQ(after.code(), 0) << after.body;
  EXPECT_FALSE(after.data()["results"][0]["passed"].get<bool>()) << after.body;
}

TEST_F(ClusterTest, ConcurrentBindAndUnbindOnTwoNodesLeaveVersionsGapless) {
  ASSERT_EQ(On(0).PostJson("/api/group/v1/create", {{"group_name", "cluster_race"}}).code(), 0);
  std::vector<std::string> tokens;
  const std::string photo = SharedFace("biden/1.jpg");
  for (int i = 0; i < 16; ++i) tokens.push_back(On(i % 3).Enrol(photo));
  for (const auto& t : tokens) ASSERT_FALSE(t.empty());
  // Node 0 binds the first half; node 1, at the same moment, binds and unbinds the second half.
  std::atomic<int> failures{0};
  std::thread a([&] {
    for (int i = 0; i < 8; ++i) {
      if (On(0).PostJson("/api/group/v1/bind", {{"group_name", "cluster_race"}, {"face_token", tokens[i]}}).code() != 0)
        ++failures;
    }
  });
  std::thread b([&] {
    for (int i = 8; i < 16; ++i) {
      if (On(1).PostJson("/api/group/v1/bind", {{"group_name", "cluster_race"}, {"face_token", tokens[i]}}).code() != 0)
        ++failures;
      if (On(1).PostJson("/api/group/v1/unbind", {{"group_name", "cluster_race"}, {"face_token", tokens[i]}}).code() != 0)
        ++failures;
    }
  });
  a.join();
  b.join();
  ASSERT_EQ(failures.load(), 0);
  // 1 (create) + 8 binds + 8 binds + 8 unbinds, each exactly +1.
  EXPECT_EQ(StoredVersion("cluster_race"), 25);
  auto store = store::pg::PgStore::Open(schema_->uri());
  ASSERT_TRUE(store.ok());
  // The change log is contiguous up to the version and replays to the bindings.
  Status sound = (*store)->CheckIntegrity(domain::IntegrityCheck::kFull);
  EXPECT_TRUE(sound.ok()) << sound.ToString();
  // Every node's index holds the first half only.
  for (int n = 0; n < 3; ++n) {
    Reply g = On(n).PostJson("/api/group/v1/query", {{"group_name", "cluster_race"}});
    ASSERT_EQ(g.code(), 0) << g.body;
    EXPECT_EQ(g.data()["faces"].size(), 8u);
    Reply r = On(n).Recognize("cluster_race", {{1, SharedFace("biden/2.jpg")}});
    ASSERT_EQ(r.code(), 0) << r.body;
    const std::string found = r.data()["results"][0].value("face_token", "");
    EXPECT_NE(std::find(tokens.begin(), tokens.begin() + 8, found), tokens.begin() + 8) << "node " << n << ": " << found;
  }
}

TEST_F(ClusterTest, AKeyRevokedOnOneNodeIsRefusedByTheOthers) {
  Reply made = On(0).PostJson("/api/keys/v1/create", {{"name", "cluster_viewer"}, {"role", "viewer"}});
  ASSERT_EQ(made.code(), 0) << made.body;
  const std::string key = made.data()["key"];
  for (int n = 0; n < 3; ++n) EXPECT_EQ(Api(nodes_[n]->base_url(), key).Get("/api/group/v1/list").status, 200) << n;
  ASSERT_EQ(On(1).PostJson("/api/keys/v1/revoke", {{"name", "cluster_viewer"}}).code(), 0);
  for (int n = 0; n < 3; ++n) EXPECT_EQ(Api(nodes_[n]->base_url(), key).Get("/api/group/v1/list").status, 401) << n;
}

TEST_F(ClusterTest, AThresholdSetOnOneNodeIsUsedByTheOthers) {
  ASSERT_EQ(On(0).PostRaw("/api/service/config/v1", "recognize_threshold=91.5", "application/x-www-form-urlencoded")
                .code(),
            0);
  for (int n = 1; n < 3; ++n) {
    Reply c = On(n).Get("/api/service/config/v1");
    ASSERT_EQ(c.code(), 0) << c.body;
    EXPECT_EQ(c.data()["recognize_threshold"].get<double>(), 91.5) << n;
  }
  ASSERT_EQ(On(2).PostJson("/api/group/v1/create", {{"group_name", "cluster_th"}}).code(), 0);
  Reply r = On(2).Recognize("cluster_th", {{1, SharedFace("obama/4.jpg")}});
  ASSERT_EQ(r.code(), 0) << r.body;
  EXPECT_EQ(r.data()["recognize_threshold"].get<double>(), 91.5);
  ASSERT_EQ(On(1).PostRaw("/api/service/config/v1", "recognize_threshold=-1", "application/x-www-form-urlencoded")
                .code(),
            0);
  EXPECT_EQ(On(0).Get("/api/service/config/v1").data()["recognize_threshold"].get<double>(), 78.0);
}

TEST_F(ClusterTest, ANodeStartedLateCatchesUp) {
  const std::string alex = On(0).Enrol(SharedFace("alex_lacamoire/1.jpg"));
  ASSERT_FALSE(alex.empty());
  ASSERT_EQ(On(1).PostJson("/api/group/v1/create", {{"group_name", "cluster_late"}}).code(), 0);
  Bind(On(2), "cluster_late", alex);
  auto late = StartNode("late");
  ASSERT_NE(late, nullptr);
  Api api(late->base_url(), *admin_key_);
  Reply r = api.Recognize("cluster_late", {{1, SharedFace("alex_lacamoire/2.jpg")}});
  ASSERT_EQ(r.code(), 0) << r.body;
  EXPECT_EQ(r.data()["results"][0]["face_token"], alex);
  // ... and goes on following: an unbind elsewhere is seen by its next request.
  ASSERT_EQ(On(0).PostJson("/api/group/v1/unbind", {{"group_name", "cluster_late"}, {"face_token", alex}}).code(), 0);
  Reply after = api.Recognize("cluster_late", {{1, SharedFace("alex_lacamoire/2.jpg")}});
  ASSERT_EQ(after.code(), 0) << after.body;
  EXPECT_FALSE(after.data()["results"][0]["passed"].get<bool>()) << after.body;
  EXPECT_EQ(late->Stop(), 0);
}

// A device's notify stream on one node hears changes made through the others
// (each node's follow pass publishes what it applies).
TEST_F(ClusterTest, ANotifyStreamOnOneNodeHearsChangesMadeOnOthers) {
  Reply made = On(0).PostJson("/api/keys/v1/create", {{"name", "cluster_gate"}, {"role", "device"}});
  ASSERT_EQ(made.code(), 0) << made.body;
  const std::string device_key = made.data()["key"];
  ASSERT_EQ(On(0).PostJson("/api/group/v1/create", {{"group_name", "cluster_notify"}}).code(), 0);
  const std::string token = On(1).Enrol(SharedFace("obama/2.jpg"));
  ASSERT_FALSE(token.empty());

  RawStream stream(nodes_[2]->port(), "/api/service/sync/v1/notify?groups=cluster_notify", device_key);
  ASSERT_TRUE(stream.ok());
  const json first = stream.NextVersion("cluster_notify");
  ASSERT_TRUE(first.is_object()) << stream.got();
  const int64_t v0 = first["version"];
  Bind(On(0), "cluster_notify", token);
  const json bound = stream.NextVersion("cluster_notify", std::chrono::milliseconds(5000));
  ASSERT_TRUE(bound.is_object()) << "no notice on node 2 of node 0's bind: " << stream.got();
  EXPECT_EQ(bound["version"], v0 + 1);
  ASSERT_EQ(On(1).PostJson("/api/group/v1/unbind", {{"group_name", "cluster_notify"}, {"face_token", token}}).code(),
            0);
  const json unbound = stream.NextVersion("cluster_notify", std::chrono::milliseconds(5000));
  ASSERT_TRUE(unbound.is_object()) << "no notice on node 2 of node 1's unbind: " << stream.got();
  EXPECT_EQ(unbound["version"], v0 + 2);
}

// Last: it kills a node. The balancer goes on answering from the others.
TEST_F(ClusterTest, ZzTheBalancerAnswersThroughAKilledNode) {
  const Api lb = ThroughBalancer();
  const std::string kit = lb.Enrol(SharedFace("kit_harington/1.jpg"));
  ASSERT_FALSE(kit.empty());
  ASSERT_EQ(lb.PostJson("/api/group/v1/create", {{"group_name", "cluster_lb"}}).code(), 0);
  Bind(lb, "cluster_lb", kit);
  for (int i = 0; i < 6; ++i) {  // round robin: every node answers with the same index
    Reply r = lb.Recognize("cluster_lb", {{1, SharedFace("kit_harington/2.jpg")}});
    ASSERT_EQ(r.code(), 0) << r.body;
    EXPECT_EQ(r.data()["results"][0]["face_token"], kit) << "request " << i;
  }
  nodes_[2]->Kill(SIGKILL);
  for (int i = 0; i < 9; ++i) {
    Reply r = lb.PostJson("/api/group/v1/query", {{"group_name", "cluster_lb"}});
    EXPECT_EQ(r.status, 200) << "request " << i << " after the kill: " << r.body;
  }
}

}  // namespace
}  // namespace facepass::e2e
