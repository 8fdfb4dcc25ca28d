// Issue 29 through the real server: a face's label walks add -> query ->
// update -> search -> recognise -> history -> webhook, a bad label is refused
// with nothing stored, and a delete forgets it (history keeps the token).
#include <chrono>
#include <string>

#include "e2e/api_fixture.h"
#include "support/http_receiver.h"

namespace facepass::e2e {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::HttpReceiver;

TEST(LabelsE2E, ALabelWalksEveryPlaceAnOperatorLooks) {
  FP_REQUIRE_SHARED_AND_MODELS();
  auto receiver = HttpReceiver::Start();
  ASSERT_NE(receiver, nullptr);
  const fs::path dir = testing::MakeTempDir("facepass-labels");
  auto server = testing::ServerProcess::Start(dir / "data", {"--webhook", receiver->url("/hook")});
  ASSERT_NE(server, nullptr);
  Api api(*server);
  const std::string photo = SharedFace("obama/1.jpg");

  // Refused: a control character, a 129th byte, invalid UTF-8; nothing is kept.
  const std::string bad[] = {"Alice\x07", std::string(129, 'a'), "Al\xFFice"};
  for (const std::string& label : bad) {
    Reply r = api.PostForm("/api/face/v1/add", {{"image", photo, "1.jpg"}, {"label", label, ""}});
    EXPECT_EQ(r.message(), "ILLEGAL_ARGUMENT: label") << r.body;
    EXPECT_FALSE(r.json.contains("data") && r.data().is_object() && r.data().contains("image_id")) << r.body;
  }
  EXPECT_EQ(api.Get("/api/face/v1/search").data()["items"].size(), 0u);

  // add: trimmed and echoed.
  Reply added = api.PostForm("/api/face/v1/add", {{"image", photo, "1.jpg"}, {"label", " Barack Obama ", ""}});
  ASSERT_EQ(added.code(), 0) << added.body;
  EXPECT_EQ(added.data()["label"], "Barack Obama");
  const std::string token = added.data()["face_token"];
  // Bad labels by update too, and nothing changes.
  EXPECT_EQ(api.PostJson("/api/face/v1/update", {{"face_token", token}, {"label", 42}}).message(),
            "ILLEGAL_ARGUMENT: label");
  EXPECT_EQ(api.PostRaw("/api/face/v1/update",
                        "{\"face_token\":\"" + token + "\",\"label\":\"a\\u0001b\"}", "application/json")
                .message(),
            "ILLEGAL_ARGUMENT: label");
  EXPECT_EQ(api.PostJson("/api/face/v1/update", {{"face_token", token}, {"label", std::string(129, 'b')}}).message(),
            "ILLEGAL_ARGUMENT: label");

  // query
  Reply q = api.PostJson("/api/face/v1/query", {{"face_token", token}});
  ASSERT_EQ(q.code(), 0) << q.body;
  EXPECT_EQ(q.data()["label"], "Barack Obama");

  // update: rename, clear, rename again.
  Reply u = api.PostJson("/api/face/v1/update", {{"face_token", token}, {"label", "Obama, day shift"}});
  ASSERT_EQ(u.code(), 0) << u.body;
  EXPECT_EQ(u.data()["label"], "Obama, day shift");
  ASSERT_EQ(api.PostJson("/api/face/v1/update", {{"face_token", token}, {"label", nullptr}}).code(), 0);
  EXPECT_TRUE(api.PostJson("/api/face/v1/query", {{"face_token", token}}).data()["label"].is_null());
  ASSERT_EQ(api.PostJson("/api/face/v1/update", {{"face_token", token}, {"label", "Obama, day shift"}}).code(), 0);
  EXPECT_EQ(api.PostJson("/api/face/v1/update", {{"face_token", "nosuchtoken"}, {"label", "x"}}).code(), 104001)
      << "an undecodable token is ILLEGAL_ARGUMENT";

  // search: case-insensitive prefix, keyset pages.
  Reply second = api.PostForm("/api/face/v1/add", {{"image", SharedFace("obama/2.jpg"), "2.jpg"}, {"label", "OBAMA 2", ""}});
  ASSERT_EQ(second.code(), 0) << second.body;
  Reply s1 = api.Get("/api/face/v1/search?label=oBaMa&limit=1");
  ASSERT_EQ(s1.code(), 0) << s1.body;
  ASSERT_EQ(s1.data()["items"].size(), 1u);
  EXPECT_EQ(s1.data()["items"][0]["label"], "OBAMA 2");
  EXPECT_EQ(s1.data()["items"][0]["face_token"], second.data()["face_token"]);
  EXPECT_EQ(s1.data()["items"][0]["image_id"], second.data()["image_id"]);
  EXPECT_TRUE(s1.data()["items"][0]["created"].is_number_integer());
  ASSERT_TRUE(s1.data()["next_cursor"].is_string());
  Reply s2 = api.Get("/api/face/v1/search?label=obama&limit=1&cursor=" + s1.data()["next_cursor"].get<std::string>());
  ASSERT_EQ(s2.code(), 0) << s2.body;
  ASSERT_EQ(s2.data()["items"].size(), 1u);
  EXPECT_EQ(s2.data()["items"][0]["face_token"], token);
  EXPECT_EQ(s2.data()["items"][0]["label"], "Obama, day shift");
  EXPECT_TRUE(s2.data()["next_cursor"].is_null());
  EXPECT_EQ(api.Get("/api/face/v1/search?label=nobody").data()["items"].size(), 0u);
  EXPECT_EQ(api.Get("/api/face/v1/search?label=x&cursor=zz").message(), "ILLEGAL_ARGUMENT: cursor");

  // recognise, history, webhook.
  ASSERT_EQ(api.PostJson("/api/group/v1/create", {{"group_name", "label_gate"}}).code(), 0);
  ASSERT_EQ(api.PostJson("/api/group/v1/bind", {{"group_name", "label_gate"}, {"face_token", token}}).code(), 0);
  Reply rec = api.Recognize("label_gate", {{5, SharedFace("obama/4.jpg")}});
  ASSERT_EQ(rec.code(), 0) << rec.body;
  const json& result = rec.data()["results"][0];
  EXPECT_EQ(result["face_token"], token);
  EXPECT_EQ(result["label"], "Obama, day shift");
  Reply history = api.Get("/api/service/recognize/v1/history?group_name=label_gate");
  ASSERT_EQ(history.code(), 0) << history.body;
  EXPECT_EQ(history.data()["items"][0]["label"], "Obama, day shift");

  const auto got = receiver->WaitFor(3, std::chrono::seconds(20));  // two face.add, one recognize
  ASSERT_EQ(got.size(), 3u);
  const json add_event = json::parse(got[0].body, nullptr, false);
  EXPECT_EQ(add_event["event"], "face.add");
  EXPECT_EQ(add_event["label"], "Barack Obama");  // as it was when added
  const json rec_event = json::parse(got[2].body, nullptr, false);
  EXPECT_EQ(rec_event["event"], "recognize");
  EXPECT_EQ(rec_event["label"], "Obama, day shift");

  // A delete forgets the label: history keeps only the token.
  ASSERT_EQ(api.PostJson("/api/face/v1/delete", {{"face_token", token}}).code(), 0);
  const json item = api.Get("/api/service/recognize/v1/history?group_name=label_gate").data()["items"][0];
  EXPECT_EQ(item["face_token"], token);
  EXPECT_TRUE(item["label"].is_null());
  EXPECT_EQ(api.Get("/api/face/v1/search?label=obama").data()["items"].size(), 1u);

  server.reset();
  RemoveUnlessFailed(dir);
}

}  // namespace
}  // namespace facepass::e2e
