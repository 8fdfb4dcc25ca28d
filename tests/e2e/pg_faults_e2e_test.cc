// A node on PostgreSQL when the database goes away and comes back (issue 27,
// point 6), on a throwaway cluster of its own (scripts/pg-throwaway.sh), so
// stopping it disturbs no other test: requests that need the database get
// 503 STORE_UNAVAILABLE within a few seconds (never a 500 or a hang), the
// health check says so, and when the database is back the node answers again
// by itself, with its index caught up on what changed meanwhile.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "client/device.h"
#include "common/clock.h"
#include "e2e/api_fixture.h"
#include "store/pg/pg_store.h"
#include "support/server_process.h"
#include "support/skip_or_fail.h"
#include "vision/engine.h"

namespace facepass::e2e {
namespace {

using namespace std::chrono;

const std::string kScript = std::string(FACEPASS_SOURCE_DIR) + "/scripts/pg-throwaway.sh";

// Runs the script; its stdout.
bool Script(const std::string& args, std::string* out = nullptr) {
  FILE* p = ::popen(("bash " + kScript + " " + args).c_str(), "r");
  if (p == nullptr) return false;
  std::array<char, 512> buf;
  std::string got;
  while (fgets(buf.data(), buf.size(), p) != nullptr) got += buf.data();
  const int rc = ::pclose(p);
  if (out != nullptr) *out = got;
  return rc == 0;
}

std::string Value(const std::string& env, const std::string& name) {
  const size_t at = env.find(name + "=");
  if (at == std::string::npos) return "";
  const size_t from = at + name.size() + 1;
  return env.substr(from, env.find('\n', from) - from);
}

class OwnCluster {
 public:
  OwnCluster() {
    std::string env;
    if (Script("start", &env)) {
      dir_ = Value(env, "FACEPASS_PG_DIR");
      uri_ = Value(env, "FACEPASS_TEST_PG_URI");
    }
  }
  ~OwnCluster() {
    if (!dir_.empty()) Script("stop " + dir_);
  }
  bool ok() const { return !uri_.empty(); }
  const std::string& uri() const { return uri_; }
  bool Pause() { return Script("pause " + dir_); }
  bool Resume() { return Script("resume " + dir_); }

 private:
  std::string dir_, uri_;
};

TEST(PgFaultsE2E, DatabaseDownAnswers503FastAndTheNodeRecoversByItself) {
  FP_REQUIRE_SHARED_AND_MODELS();
  OwnCluster pg;
  if (!pg.ok()) FP_SKIP_OR_FAIL_IN_CI("no throwaway PostgreSQL cluster (scripts/install-deps.sh installs postgresql)");
  const auto dir = testing::MakeTempDir("facepass-pgfaults");
  auto node = testing::ServerProcess::Start(dir / "node", {"--database", pg.uri()});
  ASSERT_NE(node, nullptr);
  Api api(*node);
  const std::string obama = api.Enrol(SharedFace("obama/1.jpg"));
  const std::string biden = api.Enrol(SharedFace("biden/1.jpg"));
  ASSERT_FALSE(obama.empty());
  ASSERT_FALSE(biden.empty());
  ASSERT_EQ(api.PostJson("/api/group/v1/create", {{"group_name", "faults"}}).code(), 0);
  ASSERT_EQ(api.PostJson("/api/group/v1/bind", {{"group_name", "faults"}, {"face_token", obama}}).code(), 0);
  EXPECT_EQ(api.Get("/api/health/v1").status, 200);

  // A gate that synced the group before the database went.
  vision::EngineOptions engine_options;
  engine_options.models_dir = FACEPASS_MODELS_DIR;
  engine_options.pool_size = 1;
  auto engine = vision::Engine::Create(engine_options);
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  auto gate = client::Device::Open(dir / "gate.db", engine->get());
  ASSERT_TRUE(gate.ok()) << gate.status().ToString();
  ASSERT_TRUE((*gate)->store().AddGroup("faults").ok());
  client::HttpOptions http_options;
  http_options.api_key = node->api_key();
  const client::HttpClient http(http_options);
  ASSERT_TRUE((*gate)->Sync(http, node->base_url()).ok());
  auto frame = (*gate)->Captures(SharedFace("obama/4.jpg"));
  ASSERT_TRUE(frame.ok() && frame->size() == 1u);
  auto online = (*gate)->Recognize(http, node->base_url(), "faults", *frame);
  ASSERT_TRUE(online.ok()) << online.status().ToString();
  EXPECT_FALSE(online->offline);
  // A refusal is not an outage: the server's "no such group" is the answer, not a stale copy.
  auto refused = (*gate)->Recognize(http, node->base_url(), "no_such_group", *frame);
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition) << refused.status().ToString();

  ASSERT_TRUE(pg.Pause());
  {
    SCOPED_TRACE("the gate, database down");
    auto r = (*gate)->Recognize(http, node->base_url(), "faults", *frame);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(r->offline);
    EXPECT_EQ(r->online_error.code(), StatusCode::kUnavailable) << r->online_error.ToString();
    ASSERT_EQ(r->answer.results.size(), 1u);
    EXPECT_TRUE(r->answer.results[0].passed);
    EXPECT_EQ(r->answer.results[0].face_token, online->answer.results[0].face_token);
    // A group the gate never synced has no copy to fall back on.
    EXPECT_EQ((*gate)->Recognize(http, node->base_url(), "no_such_group", *frame).status().code(),
              StatusCode::kUnavailable);
  }
  const Api no_key(node->base_url());
  for (const char* what : {"health", "group query", "recognise", "bind"}) {
    SCOPED_TRACE(what);
    const auto start = steady_clock::now();
    Reply r;
    if (std::string(what) == "health") r = no_key.Get("/api/health/v1");
    if (std::string(what) == "group query") r = api.PostJson("/api/group/v1/query", {{"group_name", "faults"}});
    if (std::string(what) == "recognise") r = api.Recognize("faults", {{1, SharedFace("obama/4.jpg")}});
    if (std::string(what) == "bind")
      r = api.PostJson("/api/group/v1/bind", {{"group_name", "faults"}, {"face_token", biden}});
    const auto took = duration_cast<milliseconds>(steady_clock::now() - start);
    // The key check needs the database too; either way a clear 503 in bounded time.
    EXPECT_EQ(r.status, 503) << r.body;
    EXPECT_EQ(r.code(), 105004) << r.body;
    EXPECT_LT(took, seconds(6)) << took.count() << " ms";
  }

  // A change made while this node could not see the database (as another node would).
  ASSERT_TRUE(pg.Resume());
  {
    auto direct = store::pg::PgStore::Open(pg.uri());
    ASSERT_TRUE(direct.ok()) << direct.status().ToString();
    auto group = (*direct)->GetGroupByName("faults");
    ASSERT_TRUE(group.ok());
    auto ids = (*direct)->GroupFaceIds(group->id);
    ASSERT_TRUE(ids.ok());
    ASSERT_EQ(ids->size(), 1u);
    ASSERT_TRUE((*direct)->Unbind(group->id, ids->front(), NowMs()).ok());
  }
  // Back by itself: the pool reconnects, the index catches up.
  const auto deadline = steady_clock::now() + seconds(20);
  while (api.Get("/api/health/v1").status != 200 && steady_clock::now() < deadline)
    std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ(api.Get("/api/health/v1").status, 200);
  Reply r = api.Recognize("faults", {{1, SharedFace("obama/4.jpg")}});
  ASSERT_EQ(r.code(), 0) << r.body;
  EXPECT_FALSE(r.data()["results"][0]["passed"].get<bool>()) << "the unbind made meanwhile is not in the index: "
                                                              << r.body;
  ASSERT_EQ(api.PostJson("/api/group/v1/bind", {{"group_name", "faults"}, {"face_token", biden}}).code(), 0);
  EXPECT_EQ(node->Stop(), 0);
  RemoveUnlessFailed(dir);
}

}  // namespace
}  // namespace facepass::e2e
