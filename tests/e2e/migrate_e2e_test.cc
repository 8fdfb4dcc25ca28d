// `facepass migrate` on the real binary and models (issue 27 point 5): a
// server on SQLite enrols, groups, recognises and issues a key; stopped; its
// data directory moved into PostgreSQL; a server with --database on the copy
// answers the same face tokens, image ids, recognition and key, and a device
// goes on with an INCREMENTAL sync from the version it had.
#include <gtest/gtest.h>

#include <regex>

#include "e2e/api_fixture.h"
#include "store/pg_schema.h"
#include "support/skip_or_fail.h"

namespace facepass::e2e {
namespace {

using nlohmann::json;

// A device's sync of "staff" from (group_id, local_version); that group's row
// of the sync status afterwards.
// The device reports the server's search_model (another one clears it: FULL).
json SyncStaff(const Api& api, int64_t group_id, int64_t local_version) {
  const std::string model = api.Get("/api/version/v1").data()["detail"].value("search_model", "");
  json sync = {{"info", {{"search_model", model}, {"version", "v1"}}},
               {"groups", json::array({{{"group_name", "staff"}, {"group_id", group_id},
                                        {"local_version", local_version}}})}};
  Reply s = api.PostJson("/api/service/sync/v1", sync);
  EXPECT_EQ(s.status, 200) << s.body;
  Reply status = api.Get("/api/service/sync/v1/status");
  EXPECT_EQ(status.code(), 0) << status.body;
  for (const json& d : status.data()["devices"])
    for (const json& g : d["sync_status"]["groups"])
      if (g["group_name"] == "staff") return g;
  ADD_FAILURE() << "no sync status for staff: " << status.body;
  return json::object();
}

TEST(MigrateE2E, AServerOnTheCopyAnswersAsTheSqliteOneDid) {
  FP_REQUIRE_SHARED_AND_MODELS();
  auto schema = store::testing_util::PgSchema::Create();
  if (!schema) FP_SKIP_OR_FAIL_IN_CI(store::testing_util::kNoPgCluster);
  const auto dir = testing::MakeTempDir("facepass-migrate");
  const auto data_dir = dir / "sqlite";
  std::string obama, image_id, admin_key, viewer_key;
  int64_t group_id = 0, synced_version = 0;
  {
    auto server = testing::ServerProcess::Start(data_dir);
    ASSERT_NE(server, nullptr);
    Api api(*server);
    admin_key = server->api_key();
    obama = api.Enrol(SharedFace("obama/1.jpg"));
    const std::string biden = api.Enrol(SharedFace("biden/2.jpg"));
    ASSERT_FALSE(obama.empty());
    ASSERT_FALSE(biden.empty());
    ASSERT_EQ(api.PostJson("/api/group/v1/create", {{"group_name", "staff"}}).code(), 0);
    ASSERT_EQ(api.PostJson("/api/group/v1/bind", {{"group_name", "staff"}, {"face_token", obama}}).code(), 0);
    ASSERT_EQ(api.PostJson("/api/group/v1/bind", {{"group_name", "staff"}, {"face_token", biden}}).code(), 0);
    const json synced = SyncStaff(api, 0, 0);  // a device takes the group at version 3
    group_id = synced.value("group_id", int64_t{0});
    synced_version = synced.value("cloud_version", int64_t{0});
    ASSERT_EQ(synced_version, 3) << synced;
    // A change the device has not seen yet.
    ASSERT_EQ(api.PostJson("/api/group/v1/unbind", {{"group_name", "staff"}, {"face_token", biden}}).code(), 0);
    Reply r = api.Recognize("staff", {{1, SharedFace("obama/4.jpg")}});
    ASSERT_EQ(r.code(), 0) << r.body;
    EXPECT_TRUE(r.data()["results"][0]["passed"].get<bool>()) << r.body;
    Reply face = api.PostJson("/api/face/v1/query", {{"face_token", obama}});
    ASSERT_EQ(face.code(), 0) << face.body;
    image_id = face.data()["image_id"].get<std::string>();
    Reply key = api.PostJson("/api/keys/v1/create", {{"name", "ops"}, {"role", "viewer"}});
    ASSERT_EQ(key.status, 200) << key.body;
    viewer_key = key.data().value("key", "");

    // Not while the server holds the directory.
    testing::CommandRun busy = testing::RunFacepass({"migrate", "--from", data_dir.string(), "--to", schema->uri()}, dir / "busy");
    EXPECT_EQ(busy.rc, 1);
    EXPECT_NE(busy.err.find("stop it first"), std::string::npos) << busy.err;
    EXPECT_EQ(server->Stop(), 0);
  }

  testing::CommandRun migrated =
      testing::RunFacepass({"migrate", "--from", data_dir.string(), "--to", schema->uri()}, dir / "migrate");
  ASSERT_EQ(migrated.rc, 0) << migrated.out << migrated.err;
  std::smatch hashed;  // two enrolments and the recognition's capture (when history keeps it)
  ASSERT_TRUE(std::regex_search(migrated.out, hashed, std::regex(R"(images: (\d+) of (\d+) with the same SHA-256)")))
      << migrated.out;
  EXPECT_EQ(hashed[1], hashed[2]);
  EXPECT_GE(std::stoi(hashed[1]), 2);
  // Once is all: the target is no longer empty.
  testing::CommandRun again =
      testing::RunFacepass({"migrate", "--from", data_dir.string(), "--to", schema->uri()}, dir / "again");
  EXPECT_EQ(again.rc, 1);
  EXPECT_NE(again.err.find("not empty"), std::string::npos) << again.err;

  auto node = testing::ServerProcess::Start(dir / "node", {"--database", schema->uri()});
  ASSERT_NE(node, nullptr);
  EXPECT_EQ(node->api_key(), "");  // keys came along: no new admin key
  Api api(node->base_url(), admin_key);
  Reply face = api.PostJson("/api/face/v1/query", {{"face_token", obama}});
  ASSERT_EQ(face.code(), 0) << face.body;
  EXPECT_EQ(face.data()["image_id"].get<std::string>(), image_id);
  Reply original = api.Get("/api/image/v1/query?image_id=" + image_id);
  EXPECT_EQ(original.status, 200);
  EXPECT_TRUE(original.body == SharedFace("obama/1.jpg"));
  Reply r = api.Recognize("staff", {{1, SharedFace("obama/4.jpg")}});
  ASSERT_EQ(r.code(), 0) << r.body;
  EXPECT_EQ(r.data()["results"][0]["face_token"], obama);
  EXPECT_TRUE(r.data()["results"][0]["passed"].get<bool>()) << r.body;
  EXPECT_EQ(Api(node->base_url(), viewer_key).PostJson("/api/face/v1/query", {{"face_token", obama}}).code(), 0);

  // The device goes on from version 3: the unbind only (INCREMENTAL), not every face again (FULL).
  const json after = SyncStaff(api, group_id, synced_version);
  EXPECT_EQ(after.value("cloud_version", int64_t{0}), synced_version + 1) << after;
  EXPECT_EQ(after["result"]["facetoken_added"], 0) << after;
  EXPECT_EQ(after["result"]["facetoken_deleted"], 1) << after;
  EXPECT_EQ(node->Stop(), 0);
  RemoveUnlessFailed(dir);
}

}  // namespace
}  // namespace facepass::e2e
