// Recognise and compare through the real server, with real photos.
#include "e2e/server_env.h"

namespace facepass::e2e {
namespace {

using nlohmann::json;

class RecognitionE2E : public ::testing::Test {
 protected:
  // One group with obama/1.jpg enrolled and bound, made once.
  static std::string ObamaToken(const Api& api) {
    static std::string token;
    if (token.empty()) {
      api.PostJson("/api/group/v1/create", {{"group_name", "gate_one"}});
      token = api.Enrol(SharedFace("obama/1.jpg"));
      Reply bind = api.PostJson("/api/group/v1/bind", {{"group_name", "gate_one"}, {"face_token", token}});
      EXPECT_EQ(bind.status, 200) << bind.body;
    }
    return token;
  }
};

TEST_F(RecognitionE2E, FindsTheEnrolledPersonAndRejectsAnImpostor) {
  FP_REQUIRE_SERVER();
  const std::string obama = ObamaToken(api);
  ASSERT_FALSE(obama.empty());
  // A second enrolled person, so the search has to choose.
  const std::string biden = api.Enrol(SharedFace("biden/1.jpg"));
  ASSERT_EQ(api.PostJson("/api/group/v1/bind", {{"group_name", "gate_one"}, {"face_token", biden}}).status, 200);

  Reply r = api.Recognize("gate_one", {{1, SharedFace("obama/4.jpg")},
                                       {2, SharedFace("biden/2.jpg")},
                                       {3, SharedFace("paul_rudd/1.jpg")}});
  ASSERT_EQ(r.status, 200) << r.body;
  const json& d = r.data();
  EXPECT_EQ(d["group_name"], "gate_one");
  const double threshold = d["recognize_threshold"].get<double>();
  EXPECT_EQ(threshold, 78.0);
  ASSERT_EQ(d["results"].size(), 3u);
  const json& genuine = d["results"][0];
  EXPECT_EQ(genuine["track_id"], 1);
  EXPECT_EQ(genuine["face_token"], obama);
  // The calibrated default: a genuine capture passes at 78 (FAR 1e-5 per pair).
  EXPECT_GE(genuine["score"].get<double>(), threshold);
  EXPECT_TRUE(genuine["passed"].get<bool>());
  EXPECT_TRUE(genuine["image_id"].is_string());
  EXPECT_TRUE(genuine["rect"].is_object());
  EXPECT_EQ(d["results"][1]["face_token"], biden);
  EXPECT_GE(d["results"][1]["score"].get<double>(), threshold);
  EXPECT_TRUE(d["results"][1]["passed"].get<bool>());
  // Not enrolled: a candidate is named, but far below the threshold.
  const json& impostor = d["results"][2];
  EXPECT_EQ(impostor["track_id"], 3);
  EXPECT_TRUE(impostor["face_token"].is_string());
  EXPECT_LT(impostor["score"].get<double>(), 70.0);
  EXPECT_FALSE(impostor["passed"].get<bool>());

  // A lower threshold is applied to the very next request.
  ASSERT_EQ(api.PostForm("/api/service/config/v1", {{"recognize_threshold", "70", ""}}).status, 200);
  Reply lowered = api.Recognize("gate_one", {{1, SharedFace("obama/4.jpg")}});
  ASSERT_EQ(api.PostForm("/api/service/config/v1", {{"recognize_threshold", "-1", ""}}).status, 200);
  EXPECT_EQ(lowered.data()["recognize_threshold"], 70.0);
  EXPECT_TRUE(lowered.data()["results"][0]["passed"].get<bool>());

  // The capture is kept and downloadable.
  Reply capture = api.Get("/api/image/v1/query?image_id=" + genuine["image_id"].get<std::string>());
  EXPECT_EQ(capture.status, 200);
  EXPECT_TRUE(capture.body == SharedFace("obama/4.jpg"));
}

TEST_F(RecognitionE2E, TracksMergeAndFaceNotFoundIsPerTrack) {
  FP_REQUIRE_SERVER();
  ASSERT_FALSE(ObamaToken(api).empty());
  // Track 5 has two pictures: a grey one and a real one; the best wins.
  std::vector<Part> parts = {
      {"group_name", "gate_one", ""},
      {"face_data", R"({"faces":[{"track_id":5,"quality":0.9},{"track_id":6}],"frame":17})", ""},
      {"image_5", GreyJpeg(320, 240), "a.jpg"},
      {"image_5", SharedFace("obama/small-320x240.jpg"), "b.jpg"},
      {"image_6", GreyJpeg(320, 240), "c.jpg"},
      {"image_99", SharedFace("biden/2.jpg"), "ignored.jpg"},
  };
  Reply r = api.PostForm("/api/service/recognize/v1/", parts);  // trailing slash as in the spec
  ASSERT_EQ(r.status, 200) << r.body;
  const json& results = r.data()["results"];
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0]["track_id"], 5);
  EXPECT_EQ(results[0]["face_token"], ObamaToken(api));
  EXPECT_FALSE(results[0].contains("error"));
  EXPECT_EQ(results[1]["track_id"], 6);
  EXPECT_EQ(results[1]["error"], "FACE_NOT_FOUND");
  EXPECT_TRUE(results[1]["face_token"].is_null());
  EXPECT_FALSE(results[1]["passed"].get<bool>());
}

TEST_F(RecognitionE2E, ParameterErrors) {
  FP_REQUIRE_SERVER();
  ASSERT_FALSE(ObamaToken(api).empty());
  const std::string photo = SharedFace("obama/4.jpg");
  EXPECT_EQ(api.PostForm("/api/service/recognize/v1", {}).message(), "MISSING_ARGUMENT: group_name,face_data");
  Reply not_json = api.PostForm("/api/service/recognize/v1",
                                {{"group_name", "gate_one", ""}, {"face_data", "{oops", ""}, {"image_1", photo, "x.jpg"}});
  EXPECT_EQ(not_json.message(), "ILLEGAL_ARGUMENT: face_data");
  Reply no_faces = api.PostForm("/api/service/recognize/v1",
                                {{"group_name", "gate_one", ""}, {"face_data", R"({"faces":[]})", ""}});
  EXPECT_EQ(no_faces.message(), "ILLEGAL_ARGUMENT: face_data");
  Reply no_part = api.PostForm("/api/service/recognize/v1",
                               {{"group_name", "gate_one", ""},
                                {"face_data", R"({"faces":[{"track_id":1},{"track_id":2}]})", ""},
                                {"image_1", photo, "x.jpg"}});
  EXPECT_EQ(no_part.message(), "MISSING_ARGUMENT: image_2");
  Reply no_group = api.Recognize("missing_group", {{1, photo}});
  EXPECT_EQ(no_group.code(), 104301);
  Reply bad_group = api.Recognize("bad-name", {{1, photo}});
  EXPECT_EQ(bad_group.message(), "ILLEGAL_ARGUMENT: group_name");
}

TEST_F(RecognitionE2E, EmptyGroupHasNoCandidate) {
  FP_REQUIRE_SERVER();
  ASSERT_EQ(api.PostJson("/api/group/v1/create", {{"group_name", "empty_gate"}}).status, 200);
  Reply r = api.Recognize("empty_gate", {{3, SharedFace("obama/4.jpg")}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.data()["results"][0]["face_token"].is_null());
  EXPECT_FALSE(r.data()["results"][0]["passed"].get<bool>());
}

Reply Compare(const Api& api, const std::string& a, const std::string& b, const std::string& liveness) {
  std::vector<Part> parts = {{"image_1", a, "1.jpg"}, {"image_2", b, "2.jpg"}};
  if (!liveness.empty()) parts.push_back({"enable_liveness", liveness, ""});
  return api.PostForm("/api/service/compare/v1", parts);
}

TEST(CompareE2E, GenuineAboveAndImpostorBelowThreshold) {
  FP_REQUIRE_SERVER();
  Reply same = Compare(api, SharedFace("obama/1.jpg"), SharedFace("obama/4.jpg"), "false");
  ASSERT_EQ(same.status, 200) << same.body;
  const json& d = same.data();
  EXPECT_GE(d["score"].get<double>(), 70.0);
  EXPECT_LE(d["score"].get<double>(), 100.0);
  EXPECT_EQ(d["compare_threshold"], 70.0);
  for (const char* k : {"detection_result_1", "detection_result_2"}) {
    EXPECT_TRUE(d[k]["rect"].is_object()) << k;
    EXPECT_TRUE(d[k]["pose"].contains("yaw")) << k;
    EXPECT_TRUE(d[k]["blur"].is_number()) << k;
  }
  EXPECT_EQ(d["liveness_score_1"], 0.0);
  Reply other = Compare(api, SharedFace("obama/1.jpg"), SharedFace("biden/2.jpg"), "FALSE");
  ASSERT_EQ(other.status, 200) << other.body;
  EXPECT_LT(other.data()["score"].get<double>(), 70.0);
  EXPECT_GT(other.data()["score"].get<double>(), 0.0);
}

TEST(CompareE2E, Errors) {
  FP_REQUIRE_SERVER();
  const std::string a = SharedFace("obama/4.jpg");
  EXPECT_EQ(Compare(api, a, a, "").message(), "MISSING_ARGUMENT: enable_liveness");
  EXPECT_EQ(Compare(api, a, a, "maybe").message(), "ILLEGAL_ARGUMENT: enable_liveness");
  EXPECT_EQ(api.PostForm("/api/service/compare/v1", {}).message(),
            "MISSING_ARGUMENT: image_1,image_2,enable_liveness");
  Reply grey = Compare(api, a, GreyJpeg(300, 300), "0");
  EXPECT_EQ(grey.code(), 104200);
  EXPECT_EQ(grey.message(), "FACE_NOT_FOUND: image_2");
  Reply huge = Compare(api, ResizedJpeg(a, 2600, 2600), a, "0");
  EXPECT_EQ(huge.code(), 104103);
  EXPECT_EQ(huge.message(), "IMAGE_VALIDATE_FAILED: image_1");
  Reply tiny = Compare(api, a, ResizedJpeg(a, 40, 40), "0");
  EXPECT_EQ(tiny.message(), "IMAGE_VALIDATE_FAILED: image_2");
  Reply gif = Compare(api, std::string("GIF89a") + std::string(40, '\1'), a, "0");
  EXPECT_EQ(gif.code(), 104100);
}

TEST(CompareE2E, LivenessBelowThresholdFailsWithData) {
  FP_REQUIRE_SERVER();
  // A threshold no capture reaches, then back to the default.
  ASSERT_EQ(api.PostForm("/api/service/config/v1", {{"liveness_threshold", "99.99", ""}}).status, 200);
  Reply r = Compare(api, SharedFace("obama/1.jpg"), SharedFace("obama/4.jpg"), "true");
  ASSERT_EQ(api.PostForm("/api/service/config/v1", {{"liveness_threshold", "-1", ""}}).status, 200);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.code(), 104901);
  EXPECT_EQ(r.message(), "COMPARE_LIVENESS_FAILED");
  EXPECT_TRUE(r.data()["score"].is_number());
  EXPECT_GE(r.data()["liveness_score_1"].get<double>(), 0.0);
  EXPECT_LE(r.data()["liveness_score_1"].get<double>(), 100.0);
  EXPECT_EQ(r.data()["liveness_threshold"], 99.99);
}

}  // namespace
}  // namespace facepass::e2e
