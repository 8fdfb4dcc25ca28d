// Device sync, sync status, thresholds and the version endpoint through the real server.
#include "e2e/server_env.h"
#include "sync/sync_codec.h"

namespace facepass::e2e {
namespace {

using nlohmann::json;

struct Synced {
  Reply reply;
  sync::SyncResult result;
};

Synced Sync(const Api& api, const std::string& model, const json& groups) {
  Synced s;
  s.reply = api.PostJson("/api/service/sync/v1", {{"info", {{"search_model", model}, {"version", "v9.8.7"}}},
                                                  {"groups", groups}});
  EXPECT_EQ(s.reply.status, 200) << s.reply.body;
  EXPECT_EQ(s.reply.content_type, "application/octet-stream");
  auto decoded = sync::Decode(s.reply.body);
  EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
  if (decoded.ok()) s.result = std::move(*decoded);
  return s;
}

std::string SearchModel(const Api& api) {
  return api.Get("/api/version/v1").data()["detail"]["search_model"].get<std::string>();
}

TEST(SyncE2E, FullThenIncrementalThenKeepLocal) {
  FP_REQUIRE_SERVER();
  const std::string model = SearchModel(api);
  const std::string g = "sync_gate";
  ASSERT_EQ(api.PostJson("/api/group/v1/create", {{"group_name", g}}).status, 200);
  const std::string a = api.Enrol(SharedFace("obama/1.jpg"));
  const std::string b = api.Enrol(SharedFace("biden/2.jpg"));
  ASSERT_EQ(api.PostJson("/api/group/v1/bind", {{"group_name", g}, {"face_token", a}}).status, 200);

  // FULL: the device knows nothing yet.
  Synced full = Sync(api, model, json::array({{{"group_name", g}, {"group_id", 0}, {"local_version", 0}}}));
  ASSERT_EQ(full.result.groups.size(), 1u);
  const sync::GroupPayload& f = full.result.groups[0];
  EXPECT_EQ(f.action, sync::GroupAction::kFull);
  EXPECT_FALSE(full.result.clear_all);
  EXPECT_EQ(full.result.search_model, model);
  EXPECT_EQ(f.cloud_version, 2);  // create + bind
  ASSERT_EQ(f.added.size(), 1u);
  EXPECT_EQ(f.added[0].face_token, a);
  EXPECT_EQ(f.added[0].feature.size(), full.result.dim);
  EXPECT_EQ(full.result.recognize_threshold, 78.0f);

  // Up to date: nothing travels.
  Synced none = Sync(api, model, json::array({{{"group_name", g}, {"group_id", f.group_id}, {"local_version", 2}}}));
  EXPECT_EQ(none.result.groups[0].action, sync::GroupAction::kNone);

  // Bind b, unbind a: only the change travels.
  ASSERT_EQ(api.PostJson("/api/group/v1/bind", {{"group_name", g}, {"face_token", b}}).status, 200);
  ASSERT_EQ(api.PostJson("/api/group/v1/unbind", {{"group_name", g}, {"face_token", a}}).status, 200);
  Synced inc = Sync(api, model, json::array({{{"group_name", g}, {"group_id", f.group_id}, {"local_version", 2}}}));
  const sync::GroupPayload& i = inc.result.groups[0];
  EXPECT_EQ(i.action, sync::GroupAction::kIncremental);
  EXPECT_EQ(i.cloud_version, 4);
  ASSERT_EQ(i.added.size(), 1u);
  EXPECT_EQ(i.added[0].face_token, b);
  EXPECT_EQ(i.deleted, std::vector<std::string>{a});

  // Another search model: clear everything and reload.
  Synced cleared = Sync(api, "another-model", json::array({{{"group_name", g}, {"group_id", f.group_id}, {"local_version", 4}}}));
  EXPECT_TRUE(cleared.result.clear_all);
  EXPECT_EQ(cleared.result.groups[0].action, sync::GroupAction::kFull);
  EXPECT_EQ(cleared.result.groups[0].added.size(), 1u);

  // Deleted on the server: the device keeps its copy, no error.
  ASSERT_EQ(api.PostJson("/api/group/v1/delete", {{"group_name", g}}).status, 200);
  Synced keep = Sync(api, model, json::array({{{"group_name", g}, {"group_id", f.group_id}, {"local_version", 4}}}));
  EXPECT_EQ(keep.result.groups[0].action, sync::GroupAction::kKeepLocal);

  // Status: the last sync of this device (the loopback address).
  Reply status = api.Get("/api/service/sync/v1/status");
  ASSERT_EQ(status.status, 200);
  const json& devices = status.data()["devices"];
  ASSERT_EQ(devices.size(), 1u) << status.body;
  EXPECT_EQ(devices[0]["ip"], "127.0.0.1");
  EXPECT_EQ(devices[0]["version"], "v9.8.7");
  const json& st = devices[0]["sync_status"];
  EXPECT_EQ(st["info"]["search_model"], model);
  ASSERT_EQ(st["groups"].size(), 1u);
  EXPECT_EQ(st["groups"][0]["group_name"], g);
  EXPECT_EQ(st["groups"][0]["cloud_version"], 0);
  EXPECT_EQ(st["groups"][0]["result_code"], 1);
  EXPECT_EQ(st["groups"][0]["result_version"], 4);
  EXPECT_EQ(st["groups"][0]["result"]["facetoken_added"], 0);
}

TEST(SyncE2E, ParameterErrorsNameThePath) {
  FP_REQUIRE_SERVER();
  EXPECT_EQ(api.PostJson("/api/service/sync/v1", json::object()).message(), "MISSING_ARGUMENT: info,groups");
  Reply r = api.PostJson("/api/service/sync/v1",
                         {{"info", {{"search_model", "x"}, {"version", "v1"}}},
                          {"groups", json::array({{{"local_version", 0}}, {{"group_name", "good_name"}, {"local_version", "x"}}})}});
  EXPECT_EQ(r.message(), "MISSING_ARGUMENT: groups[0].group_name");
  Reply bad = api.PostJson("/api/service/sync/v1",
                           {{"info", {{"search_model", "x"}, {"version", "v1"}}},
                            {"groups", json::array({{{"group_name", "good_name"}, {"local_version", "x"}}})}});
  EXPECT_EQ(bad.message(), "ILLEGAL_ARGUMENT: groups[0].local_version");
  EXPECT_EQ(api.PostJson("/api/service/sync/v1", {{"info", {{"version", "v1"}}}, {"groups", json::array()}}).message(),
            "MISSING_ARGUMENT: info.search_model");
}

TEST(ConfigE2E, SetResetAndRejectAtomically) {
  FP_REQUIRE_SERVER();
  Reply set = api.PostRaw("/api/service/config/v1", "recognize_threshold=80.5&compare_threshold=65",
                          "application/x-www-form-urlencoded");
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.data()["recognize_threshold"], 80.5);
  EXPECT_EQ(set.data()["compare_threshold"], 65.0);
  EXPECT_EQ(set.data()["liveness_threshold"], 50.0);

  // One bad value: nothing changes, every bad name is listed.
  Reply bad = api.PostForm("/api/service/config/v1", {{"recognize_threshold", "90", ""},
                                                      {"compare_threshold", "100", ""},
                                                      {"liveness_threshold", "abc", ""}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.message(), "ILLEGAL_ARGUMENT: compare_threshold,liveness_threshold");
  Reply now = api.Get("/api/service/config/v1");
  EXPECT_EQ(now.data()["recognize_threshold"], 80.5);
  for (const char* v : {"0", "-2", "1e9", ""}) {
    Reply r = api.PostForm("/api/service/config/v1", {{"recognize_threshold", v, ""}});
    if (std::string(v).empty()) {
      EXPECT_EQ(r.status, 200);  // empty: left as is
      EXPECT_EQ(r.data()["recognize_threshold"], 80.5);
    } else {
      EXPECT_EQ(r.message(), "ILLEGAL_ARGUMENT: recognize_threshold") << v;
    }
  }

  Reply reset = api.PostRaw("/api/service/config/v1", "recognize_threshold=-1&compare_threshold=-1.0",
                            "application/x-www-form-urlencoded");
  EXPECT_EQ(reset.data()["recognize_threshold"], 78.0);
  EXPECT_EQ(reset.data()["compare_threshold"], 70.0);
}

}  // namespace
}  // namespace facepass::e2e
