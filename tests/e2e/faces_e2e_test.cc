// Face add / query / delete and image download through the real server.
#include <opencv2/imgcodecs.hpp>

#include "e2e/server_env.h"
#include "vision/engine.h"

namespace facepass::e2e {
namespace {

using nlohmann::json;

bool IsToken(const json& v) {
  if (!v.is_string()) return false;
  const std::string s = v.get<std::string>();
  if (s.size() != 24) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '=')) return false;
  }
  return true;
}

cv::Mat Decode(const std::string& bytes) {
  return cv::imdecode(std::vector<uchar>(bytes.begin(), bytes.end()), cv::IMREAD_COLOR);
}

TEST(FacesE2E, EnvelopeOnEveryAnswer) {
  FP_REQUIRE_SERVER();
  Reply r = api.Get("/api/version/v1");
  ASSERT_EQ(r.status, 200);
  ASSERT_TRUE(r.json.is_object()) << r.body;
  EXPECT_EQ(r.code(), 0);
  EXPECT_EQ(r.message(), "");
  EXPECT_TRUE(r.json["timestamp"].is_number_integer());
  EXPECT_TRUE(r.json["timecost"].is_number_integer());
  EXPECT_EQ(r.data()["version"], "v1.0.0");
  EXPECT_FALSE(r.data()["detail"]["search_model"].get<std::string>().empty());

  Reply missing = api.Get("/api/nothing/here");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.code(), 104404);
  EXPECT_EQ(missing.message(), "NOT_FOUND");
  Reply wrong = api.Get("/api/face/v1/add");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.code(), 104405);
  EXPECT_EQ(wrong.Header("allow"), "POST");
}

TEST(FacesE2E, AddQueryDownloadDelete) {
  FP_REQUIRE_SERVER();
  const std::string photo = SharedFace("obama/1.jpg");
  Reply add = api.AddFace(photo);
  ASSERT_EQ(add.status, 200) << add.body;
  const json& d = add.data();
  ASSERT_TRUE(IsToken(d["face_token"])) << d;
  ASSERT_TRUE(IsToken(d["image_id"])) << d;
  const json rect = d["rect"];
  EXPECT_GE(rect["left"].get<int>(), 0);
  EXPECT_GT(rect["right"].get<int>(), rect["left"].get<int>() + 100);
  EXPECT_GT(rect["bottom"].get<int>(), rect["top"].get<int>() + 100);
  EXPECT_LE(rect["right"].get<int>(), 910);
  EXPECT_LE(rect["bottom"].get<int>(), 1137);
  EXPECT_TRUE(d["quality"].contains("yaw"));
  const std::string token = d["face_token"];

  Reply q = api.PostJson("/api/face/v1/query", {{"face_token", token}});
  ASSERT_EQ(q.status, 200) << q.body;
  EXPECT_EQ(q.data()["image_id"], d["image_id"]);
  EXPECT_EQ(q.data()["rect"], rect);
  EXPECT_NEAR(static_cast<double>(q.data()["time"].get<int64_t>()), static_cast<double>(add.json["timestamp"].get<int64_t>()), 60000.0);

  // The original comes back byte for byte.
  Reply original = api.Get("/api/image/v1/query?image_id=" + d["image_id"].get<std::string>());
  ASSERT_EQ(original.status, 200);
  EXPECT_EQ(original.content_type, "image/jpeg");
  EXPECT_TRUE(original.body == photo);

  // The crop: 2x width centred, 2x height with 3/5 of the growth above, clipped.
  Reply crop = api.Get("/api/image/v1/query?face_token=" + token + "&image_id=" + d["image_id"].get<std::string>());
  ASSERT_EQ(crop.status, 200);
  EXPECT_EQ(crop.content_type, "image/jpeg");
  cv::Mat c = Decode(crop.body);
  ASSERT_FALSE(c.empty());
  const double w = rect["right"].get<int>() - rect["left"].get<int>();
  const double h = rect["bottom"].get<int>() - rect["top"].get<int>();
  const double l = std::max(0.0, rect["left"].get<int>() - w / 2), r = std::min(910.0, rect["right"].get<int>() + w / 2);
  const double t = std::max(0.0, rect["top"].get<int>() - h * 0.6), b = std::min(1137.0, rect["bottom"].get<int>() + h * 0.4);
  EXPECT_NEAR(c.cols, r - l, 2.0);
  EXPECT_NEAR(c.rows, b - t, 2.0);

  Reply del = api.PostJson("/api/face/v1/delete", {{"face_token", token}});
  ASSERT_EQ(del.status, 200) << del.body;
  EXPECT_EQ(del.data(), json::object());
  Reply again = api.PostJson("/api/face/v1/delete", {{"face_token", token}});
  EXPECT_EQ(again.code(), 104202);
  Reply gone = api.PostJson("/api/face/v1/query", {{"face_token", token}});
  EXPECT_EQ(gone.status, 400);
  EXPECT_EQ(gone.code(), 104202);
  EXPECT_EQ(gone.message(), "FACE_TOKEN_NOT_EXIST");
  // History stays: the crop of a deleted face still downloads.
  Reply history = api.Get("/api/image/v1/query?face_token=" + token);
  EXPECT_EQ(history.status, 200);
}

TEST(FacesE2E, AddRejectsBadImagesInOrder) {
  FP_REQUIRE_SERVER();
  Reply none = api.PostForm("/api/face/v1/add", {});
  EXPECT_EQ(none.code(), 104002);
  EXPECT_EQ(none.message(), "MISSING_ARGUMENT: image");
  Reply empty = api.PostForm("/api/face/v1/add", {{"image", "", "empty.jpg"}});
  EXPECT_EQ(empty.message(), "MISSING_ARGUMENT: image");

  // Over 4 MiB: refused before anything else.
  std::string big = SharedFace("obama/1.jpg");
  big.resize(4 * 1024 * 1024 + 1, '\0');
  Reply too_big = api.AddFace(big);
  EXPECT_EQ(too_big.status, 400);
  EXPECT_EQ(too_big.code(), 104102);
  EXPECT_EQ(too_big.message(), "INVALID_IMAGE_FILE_SIZE");

  // GIF and BMP are not enrolment formats; garbage neither.
  Reply gif = api.AddFace(std::string("GIF89a\x10\x00\x10\x00\x80\x00\x00", 13) + std::string(64, '\0'));
  EXPECT_EQ(gif.code(), 104100);
  EXPECT_EQ(gif.message(), "UNSUPPORTED_IMAGE_FORMAT");
  cv::Mat m = Decode(SharedFace("obama/1.jpg"));
  std::vector<uchar> bmp;
  cv::imencode(".bmp", m, bmp);
  EXPECT_EQ(api.AddFace(std::string(bmp.begin(), bmp.end())).code(), 104100);
  EXPECT_EQ(api.AddFace("definitely not an image").code(), 104100);

  // Resolution from the header: a side under 100, and a PNG claiming 5000x5000.
  EXPECT_EQ(api.AddFace(ResizedJpeg(SharedFace("obama/1.jpg"), 90, 120)).code(), 104101);
  std::string png_header("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x13\x88\x00\x00\x13\x88\x08\x02\x00\x00\x00", 29);
  Reply bomb = api.AddFace(png_header + std::string(16, '\0'));
  EXPECT_EQ(bomb.code(), 104101);
  EXPECT_EQ(bomb.message(), "INVALID_IMAGE_RESOLUTION");

  // Truncated pixels: a valid header, cut in the middle.
  std::string cut = SharedFace("obama/1.jpg");
  cut.resize(cut.size() / 3);
  EXPECT_EQ(api.AddFace(cut).code(), 104100);
}

TEST(FacesE2E, AddOutcomesBAndC) {
  FP_REQUIRE_SERVER();
  // Case C: a grey picture has no face, but the image is kept.
  Reply grey = api.AddFace(GreyJpeg(400, 300));
  EXPECT_EQ(grey.status, 400);
  EXPECT_EQ(grey.code(), 104200);
  EXPECT_EQ(grey.message(), "FACE_NOT_FOUND");
  ASSERT_TRUE(grey.json.is_object());
  ASSERT_TRUE(IsToken(grey.data()["image_id"]));
  EXPECT_FALSE(grey.data().contains("rect"));
  EXPECT_FALSE(grey.data().contains("face_token"));
  Reply kept = api.Get("/api/image/v1/query?image_id=" + grey.data()["image_id"].get<std::string>());
  EXPECT_EQ(kept.status, 200);

  // Case B: the face in a 427x240 frame is under 100 px.
  Reply small = api.AddFace(SharedFace("obama/video-240p.jpg"));
  EXPECT_EQ(small.status, 400);
  EXPECT_EQ(small.code(), 104201);
  EXPECT_EQ(small.message().rfind("BAD_QUALITY: face_min=", 0), 0u) << small.message();
  EXPECT_TRUE(IsToken(small.data()["image_id"]));
  EXPECT_TRUE(small.data()["rect"].is_object());
  EXPECT_FALSE(small.data().contains("face_token"));
}

TEST(FacesE2E, TokenParameterErrors) {
  FP_REQUIRE_SERVER();
  Reply missing = api.PostJson("/api/face/v1/query", json::object());
  EXPECT_EQ(missing.message(), "MISSING_ARGUMENT: face_token");
  Reply wrong_type = api.PostJson("/api/face/v1/query", {{"face_token", 12}});
  EXPECT_EQ(wrong_type.message(), "ILLEGAL_ARGUMENT: face_token");
  Reply random = api.PostJson("/api/face/v1/delete", {{"face_token", "GKBj9-19tIjsUVdZQ4eZqQ=="}});
  EXPECT_EQ(random.message(), "ILLEGAL_ARGUMENT: face_token");
  Reply bad_json = api.PostRaw("/api/face/v1/query", "{\"face_token\":", "application/json");
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_EQ(bad_json.code(), 104000);
  Reply wrong_ct = api.PostRaw("/api/face/v1/query", "{}", "text/plain");
  EXPECT_EQ(wrong_ct.code(), 104000);

  Reply neither = api.Get("/api/image/v1/query");
  EXPECT_EQ(neither.message(), "MISSING_ARGUMENT: image_id,face_token");
  Reply bad_image = api.Get("/api/image/v1/query?image_id=AAAAAAAAAAAAAAAAAAAAAA==");
  EXPECT_EQ(bad_image.message(), "ILLEGAL_ARGUMENT: image_id");
  // A face token is not an image id.
  Reply add = api.AddFace(SharedFace("biden/2.jpg"));
  ASSERT_EQ(add.status, 200) << add.body;
  Reply kind = api.Get("/api/image/v1/query?image_id=" + add.data()["face_token"].get<std::string>());
  EXPECT_EQ(kind.message(), "ILLEGAL_ARGUMENT: image_id");
}

TEST(FacesE2E, SeveralFacesTheLargestIsJudged) {
  FP_REQUIRE_SERVER();
  const std::string photo = SharedFace("group/obama-biden-side-by-side.jpg");
  Reply add = api.AddFace(photo);
  ASSERT_TRUE(add.code() == 0 || add.code() == 104201) << add.body;
  // Every face the engine sees in the picture; the server's rect is the largest.
  vision::EngineOptions options;
  options.models_dir = FACEPASS_MODELS_DIR;
  options.pool_size = 1;
  auto engine = vision::Engine::Create(options);
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  auto analysis = (*engine)->Analyze(photo, vision::Purpose::kEnrol, {.embed = false, .liveness = false});
  ASSERT_TRUE(analysis.ok());
  ASSERT_GE(analysis->faces.size(), 2u);
  int64_t largest_area = 0;
  for (const auto& f : analysis->faces) {
    largest_area = std::max<int64_t>(largest_area, int64_t{f.rect.width()} * f.rect.height());
  }
  const json& r = add.data()["rect"];
  const int64_t area = int64_t{r["right"].get<int>() - r["left"].get<int>()} * (r["bottom"].get<int>() - r["top"].get<int>());
  EXPECT_EQ(area, largest_area) << r;
}

TEST(FacesE2E, PngWithAlphaEnrols) {
  FP_REQUIRE_SERVER();
  Reply add = api.AddFace(SharedFace("alex_lacamoire/3-rgba.png"));
  // Either outcome is about the face, never about the format.
  EXPECT_TRUE(add.code() == 0 || add.code() == 104201) << add.body;
  ASSERT_TRUE(add.json.is_object());
  Reply original = api.Get("/api/image/v1/query?image_id=" + add.data()["image_id"].get<std::string>());
  EXPECT_EQ(original.content_type, "image/png");
  EXPECT_TRUE(original.body == SharedFace("alex_lacamoire/3-rgba.png"));
}

}  // namespace
}  // namespace facepass::e2e
