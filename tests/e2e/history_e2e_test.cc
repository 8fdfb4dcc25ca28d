// GET /api/service/recognize/v1/history (issue 11) through the real server
// with real models and photos: the item shape, each filter, liveness_score
// only when asked, keyset pages without gaps or repeats while captures
// arrive, the error rows, and captures past retention gone from history
// after a restart's purge pass.
#include <sqlite3.h>

#include <chrono>
#include <set>
#include <thread>

#include "e2e/api_fixture.h"

namespace facepass::e2e {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kHistory = "/api/service/recognize/v1/history";

class HistoryE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!HaveSharedFaces() || !HaveModels()) return;
    dir_ = new fs::path(testing::MakeTempDir("facepass-history"));
    server_ = testing::ServerProcess::Start(*dir_ / "data").release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    if (dir_ != nullptr) RemoveUnlessFailed(*dir_);
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    if (!HaveSharedFaces() || !HaveModels()) GTEST_SKIP() << "dev photos or models absent";
    ASSERT_NE(server_, nullptr) << "server did not start";
    api_ = std::make_unique<Api>(*server_);
  }

  // Makes `group` with obama/1.jpg bound (once per group); obama's face_token.
  std::string GroupWithObama(const std::string& group) {
    static std::string obama;
    EXPECT_EQ(api_->PostJson("/api/group/v1/create", {{"group_name", group}}).code(), 0);
    if (obama.empty()) obama = api_->Enrol(SharedFace("obama/1.jpg"));
    EXPECT_EQ(api_->PostJson("/api/group/v1/bind", {{"group_name", group}, {"face_token", obama}}).code(), 0);
    return obama;
  }
  json Recognize(const std::string& group, const std::string& photo, bool liveness = false) {
    std::vector<Part> parts = {{"group_name", group, ""},
                               {"face_data", R"({"faces":[{"track_id":5}]})", ""},
                               {"image_5", SharedFace(photo), "capture.jpg"}};
    if (liveness) parts.push_back({"enable_liveness", "true", ""});
    Reply r = api_->PostForm("/api/service/recognize/v1", parts);
    EXPECT_EQ(r.code(), 0) << r.body;
    return r.code() == 0 ? r.data()["results"][0] : json();
  }
  json History(const std::string& query) {
    Reply r = api_->Get(std::string(kHistory) + "?" + query);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    EXPECT_EQ(r.code(), 0) << r.body;
    return r.code() == 0 ? r.data() : json::object();
  }
  static std::vector<std::string> Images(const json& data) {
    std::vector<std::string> out;
    for (const json& item : data.value("items", json::array())) out.push_back(item["image_id"]);
    return out;
  }

  static fs::path* dir_;
  static testing::ServerProcess* server_;
  std::unique_ptr<Api> api_;
};
fs::path* HistoryE2E::dir_ = nullptr;
testing::ServerProcess* HistoryE2E::server_ = nullptr;

TEST_F(HistoryE2E, ItemsAsRecognisedAndEachFilter) {
  const std::string obama = GroupWithObama("hist_one");
  ASSERT_FALSE(obama.empty());
  ASSERT_EQ(api_->PostJson("/api/group/v1/create", {{"group_name", "hist_two"}}).code(), 0);  // empty group
  const json genuine = Recognize("hist_one", "obama/4.jpg");
  const json impostor = Recognize("hist_one", "paul_rudd/1.jpg");
  const json other = Recognize("hist_two", "biden/2.jpg");
  ASSERT_TRUE(genuine["passed"].get<bool>());
  ASSERT_FALSE(impostor["passed"].get<bool>());

  const json all = History("group_name=hist_one");
  ASSERT_EQ(all["items"].size(), 2u) << all;
  EXPECT_TRUE(all["next_cursor"].is_null());
  const json& last = all["items"][0];  // newest first
  EXPECT_EQ(last["image_id"], impostor["image_id"]);
  const json& first = all["items"][1];
  EXPECT_EQ(first["image_id"], genuine["image_id"]);
  EXPECT_EQ(first["group_name"], "hist_one");
  EXPECT_EQ(first["track_id"], 5);
  EXPECT_EQ(first["face_token"], obama);
  EXPECT_EQ(first["score"], genuine["score"]);
  EXPECT_EQ(first["passed"], true);
  EXPECT_EQ(first["rect"], genuine["rect"]) << "the recognize reply's rect shape";
  EXPECT_TRUE(first["time"].is_number_integer());
  EXPECT_LE(first["time"].get<int64_t>(), last["time"].get<int64_t>());
  EXPECT_FALSE(first.contains("liveness_score")) << "not asked";

  EXPECT_EQ(Images(History("group_name=hist_two")), std::vector<std::string>{other["image_id"]});
  const json none = History("group_name=hist_two")["items"][0];
  EXPECT_TRUE(none["face_token"].is_null()) << "an empty group names no match";
  EXPECT_EQ(none["passed"], false);
  EXPECT_EQ(Images(History("group_name=hist_one&passed=true")), std::vector<std::string>{genuine["image_id"]});
  EXPECT_EQ(Images(History("group_name=hist_one&passed=false")), std::vector<std::string>{impostor["image_id"]});
  // face_token: the genuine capture matched obama, the impostor's best candidate is obama too
  // (the only face in the group); hist_two is empty, so it names nobody.
  EXPECT_EQ(Images(History("group_name=hist_one&face_token=" + obama)).size(), 2u);
  EXPECT_EQ(Images(History("face_token=" + obama + "&passed=true")), std::vector<std::string>{genuine["image_id"]});
  // from inclusive, to exclusive.
  const int64_t t0 = first["time"], t1 = last["time"];
  EXPECT_EQ(Images(History("group_name=hist_one&from=" + std::to_string(t1))).front(), impostor["image_id"]);
  EXPECT_EQ(Images(History("group_name=hist_one&to=" + std::to_string(t0))), std::vector<std::string>{});
  EXPECT_EQ(Images(History("group_name=hist_one&from=" + std::to_string(t0) + "&to=" + std::to_string(t0 + 1))).back(),
            genuine["image_id"]);
  EXPECT_EQ(Images(History("group_name=hist_one&from=" + std::to_string(t1 + 1))), std::vector<std::string>{});
}

TEST_F(HistoryE2E, LivenessScoreOnlyWhenAsked) {
  GroupWithObama("hist_live");
  const json measured = Recognize("hist_live", "obama/2.jpg", /*liveness=*/true);
  ASSERT_TRUE(measured.contains("liveness_score")) << measured;
  Recognize("hist_live", "obama/3.jpg");  // not measured
  const json asked = History("group_name=hist_live&liveness=true");
  ASSERT_EQ(asked["items"].size(), 2u);
  EXPECT_TRUE(asked["items"][0].contains("liveness_score"));
  EXPECT_TRUE(asked["items"][0]["liveness_score"].is_null()) << "not measured for that capture";
  EXPECT_EQ(asked["items"][1]["liveness_score"], measured["liveness_score"]);
  for (const char* q : {"group_name=hist_live", "group_name=hist_live&liveness=false"}) {
    const json page = History(q);  // a range-for over History(q)["items"] would outlive the temporary
    for (const json& item : page["items"]) EXPECT_FALSE(item.contains("liveness_score")) << q;
  }
}

TEST_F(HistoryE2E, PagesWithoutGapsOrRepeatsWhileCapturesArrive) {
  GroupWithObama("hist_page");
  std::set<std::string> before;
  const char* photos[] = {"obama/2.jpg", "obama/3.jpg", "biden/1.jpg", "biden/2.jpg", "paul_rudd/1.jpg",
                          "obama/4.jpg", "kate_siegel/1.jpg"};
  for (const char* p : photos) before.insert(Recognize("hist_page", p)["image_id"].get<std::string>());
  ASSERT_EQ(before.size(), 7u);
  std::vector<std::string> seen;
  std::vector<int64_t> times;
  std::string cursor;
  int pages = 0;
  for (;;) {
    const json page = History("group_name=hist_page&limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor));
    for (const json& item : page["items"]) {
      seen.push_back(item["image_id"]);
      times.push_back(item["time"]);
    }
    ++pages;
    Recognize("hist_page", "obama/2.jpg");  // newer than every page so far
    if (page["next_cursor"].is_null()) break;
    cursor = page["next_cursor"];
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen.size(), 7u) << "a gap or a repeat";
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), before);
  EXPECT_TRUE(std::is_sorted(times.rbegin(), times.rend())) << "newest first";
  EXPECT_EQ(History("group_name=hist_page")["items"].size(), 10u);  // the 3 that arrived meanwhile
}

TEST_F(HistoryE2E, BadParametersAreIllegalArguments) {
  const std::pair<const char*, const char*> rows[] = {
      {"limit=0", "limit"},         {"limit=501", "limit"},          {"limit=ten", "limit"},
      {"from=20&to=10", "from"},    {"from=-1", "from"},             {"cursor=nonsense", "cursor"},
      {"cursor=12", "cursor"},      {"passed=maybe", "passed"},      {"passed=1x", "passed"},
      {"face_token=zzz", "face_token"}, {"group_name=a", "group_name"}, {"liveness=yes", "liveness"},
  };
  for (const auto& [query, name] : rows) {
    Reply r = api_->Get(std::string(kHistory) + "?" + query);
    EXPECT_EQ(r.status, 400) << query;
    EXPECT_EQ(r.code(), 104001) << query << ": " << r.body;
    EXPECT_NE(r.message().find(name), std::string::npos) << query << ": " << r.message();
  }
  EXPECT_EQ(api_->Get(std::string(kHistory) + "?limit=500").code(), 0);
  EXPECT_EQ(api_->Get(std::string(kHistory) + "?limit=1&from=5&to=5").code(), 0);
}

// Last: restarts the server. The captures of one group are back-dated past
// the 30-day retention in the stopped server's SQLite file; the start-up
// purge pass removes them, and their history with them.
TEST_F(HistoryE2E, CapturesPastRetentionLeaveTheHistory) {
  GroupWithObama("hist_old");
  GroupWithObama("hist_new");
  const std::string old_image = Recognize("hist_old", "obama/2.jpg")["image_id"];
  const std::string new_image = Recognize("hist_new", "obama/3.jpg")["image_id"];
  ASSERT_EQ(History("group_name=hist_old")["items"].size(), 1u);
  ASSERT_EQ(server_->Stop(), 0);

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((*dir_ / "data" / "facepass.db").c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  const std::string sql =
      "UPDATE images SET created_ms = created_ms - 31 * 86400000 WHERE id IN "
      "(SELECT image_id FROM recognitions WHERE group_name = 'hist_old')";
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
  EXPECT_EQ(sqlite3_changes(db), 1);
  sqlite3_free(err);
  sqlite3_close(db);

  delete server_;
  server_ = testing::ServerProcess::Start(*dir_ / "data").release();
  ASSERT_NE(server_, nullptr);
  api_ = std::make_unique<Api>(*server_);
  json old_items;
  for (int i = 0; i < 100; ++i) {  // the purge's first pass runs on its own thread at start
    old_items = History("group_name=hist_old")["items"];
    if (old_items.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(old_items.empty()) << old_items;
  EXPECT_EQ(Images(History("group_name=hist_new")), std::vector<std::string>{new_image});
  EXPECT_EQ(api_->Get("/api/image/v1/query?image_id=" + old_image).code(), 104203 /* IMAGE_ID_NOT_EXIST */)
      << "the capture itself is gone too";
}

}  // namespace
}  // namespace facepass::e2e
