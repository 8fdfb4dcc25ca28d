// Face add, delete, query and the two image downloads: the outcomes A/B/C of
// face add (a face; BAD_QUALITY with the first failed gate; FACE_NOT_FOUND),
// the image verdicts, and the history kept for deleted faces.
#include "service/faces.h"

#include <gtest/gtest.h>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "common/clock.h"
#include "index/face_index.h"
#include "service/service_fixture.h"
#include "store/database.h"
#include "store/file_store.h"

namespace facepass::service::testing {
namespace {

using FacesTest = ServiceFixture;

int FilesUnder(const std::filesystem::path& dir) {
  int n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) n += e.is_regular_file();
  return n;
}

void ExpectRect(const vision::Rect& got, const vision::Rect& want) {
  EXPECT_EQ(got.left, want.left);
  EXPECT_EQ(got.top, want.top);
  EXPECT_EQ(got.right, want.right);
  EXPECT_EQ(got.bottom, want.bottom);
}

TEST_F(FacesTest, AGoodPhotoMakesAFaceAndKeepsTheOriginal) {
  const std::string photo = analyzer_.PhotoOf("alice");
  const int64_t before = NowMs();
  auto added = faces_->Add(photo);
  ASSERT_TRUE(added.ok()) << MessageOf(added);
  EXPECT_FALSE(added->refusal);
  EXPECT_GT(added->face_id, 0);
  EXPECT_GT(added->image_id, 0);
  ASSERT_TRUE(added->rect);
  ExpectRect(*added->rect, FakePhoto{}.rect);
  ASSERT_TRUE(added->quality);
  EXPECT_FLOAT_EQ(added->quality->pose.yaw, FakePhoto::GoodQuality().pose.yaw);
  EXPECT_EQ(added->quality->face_min, 160);
  // Enrolment asks for a feature and no liveness.
  EXPECT_EQ(analyzer_.last_purpose(), vision::Purpose::kEnrol);
  EXPECT_TRUE(analyzer_.last_options()->embed);
  EXPECT_FALSE(analyzer_.last_options()->liveness);

  auto stored = store().faces().GetFace(added->face_id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->feature, FakeAnalyzer::FeatureOf("alice"));
  EXPECT_EQ(stored->image_id, added->image_id);
  EXPECT_EQ(stored->rect.left, 240);
  EXPECT_EQ(stored->rect.bottom, 320);
  EXPECT_GE(stored->created_ms, before);
  // In no group, so in no index group.
  EXPECT_TRUE(live_index().GroupIds().empty());

  auto original = faces_->Original(added->image_id);
  ASSERT_TRUE(original.ok()) << MessageOf(original);
  EXPECT_EQ(original->bytes, photo);
  EXPECT_EQ(original->format, "jpeg");
  EXPECT_EQ(store().images().GetImage(added->image_id)->kind, store::ImageKind::kEnrol);
}

TEST_F(FacesTest, NoFaceKeepsTheOriginalAndRefusesWithFaceNotFound) {
  const std::string photo = analyzer_.PhotoWithoutFace();
  auto added = faces_->Add(photo);
  ASSERT_TRUE(added.ok()) << MessageOf(added);
  ASSERT_TRUE(added->refusal);
  EXPECT_EQ(added->refusal->code, ErrorCode::kFaceNotFound);
  EXPECT_EQ(added->refusal->message, "FACE_NOT_FOUND");
  EXPECT_GT(added->image_id, 0);
  EXPECT_EQ(added->face_id, 0);
  EXPECT_FALSE(added->rect);
  EXPECT_FALSE(added->quality);
  EXPECT_TRUE(store().faces().ListLiveFaces()->empty());
  EXPECT_EQ(faces_->Original(added->image_id)->bytes, photo);
}

TEST_F(FacesTest, BadQualityNamesTheFirstFailedGateAndKeepsTheOriginal) {
  struct Case {
    const char* name;
    void (*spoil)(vision::Quality&);
    const char* reason;
  };
  const Case cases[] = {
      {"small", [](vision::Quality& q) { q.face_min = 88; }, "BAD_QUALITY: face_min=88<100"},
      {"turned", [](vision::Quality& q) { q.pose.yaw = -27.4f; }, "BAD_QUALITY: yaw=27.4>20"},
      {"nodding", [](vision::Quality& q) { q.pose.pitch = 21.5f; }, "BAD_QUALITY: pitch=21.5>20"},
      {"blurred", [](vision::Quality& q) { q.blur = 0.31f; }, "BAD_QUALITY: blur=0.31>0.2"},
      {"dark", [](vision::Quality& q) { q.brightness = 40; }, "BAD_QUALITY: brightness=40<75"},
      // Several failures: the first in the spec's order wins (face_min before blur).
      {"small_blurred", [](vision::Quality& q) { q.face_min = 60; q.blur = 0.9f; }, "BAD_QUALITY: face_min=60<100"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    FakePhoto p;
    p.feature = FakeAnalyzer::FeatureOf(c.name);
    c.spoil(p.quality);
    const std::string photo = analyzer_.Register(std::string("bad:") + c.name, p);
    auto added = faces_->Add(photo);
    ASSERT_TRUE(added.ok()) << MessageOf(added);
    ASSERT_TRUE(added->refusal);
    EXPECT_EQ(added->refusal->code, ErrorCode::kBadQuality);
    EXPECT_EQ(added->refusal->message, c.reason);
    EXPECT_EQ(added->face_id, 0);
    EXPECT_GT(added->image_id, 0);
    ASSERT_TRUE(added->rect);  // B carries rect and quality
    ASSERT_TRUE(added->quality);
    EXPECT_EQ(added->quality->face_min, p.quality.face_min);
    EXPECT_EQ(faces_->Original(added->image_id)->bytes, photo);
  }
  EXPECT_TRUE(store().faces().ListLiveFaces()->empty());
}

TEST_F(FacesTest, RefusedImagesAreErrorsAndNothingIsKept) {
  const std::pair<vision::ImageVerdict, const char*> cases[] = {
      {vision::ImageVerdict::kFileTooLarge, "INVALID_IMAGE_FILE_SIZE"},
      {vision::ImageVerdict::kBadResolution, "INVALID_IMAGE_RESOLUTION"},
      {vision::ImageVerdict::kUnsupportedFormat, "UNSUPPORTED_IMAGE_FORMAT"},
      {vision::ImageVerdict::kCorrupt, "UNSUPPORTED_IMAGE_FORMAT"},
  };
  for (const auto& [verdict, message] : cases) {
    auto added = faces_->Add(analyzer_.Refused(verdict));
    ASSERT_FALSE(added.ok()) << vision::VerdictName(verdict);
    EXPECT_EQ(added.error().message, message);
  }
  auto garbage = faces_->Add("GIF89a or anything else");
  EXPECT_EQ(CodeOf(garbage), ErrorCode::kUnsupportedImageFormat);
  // No image row, no file.
  EXPECT_EQ(store().images().GetImage(1).status().code(), StatusCode::kNotFound);
  if (OnSqlite()) {
    EXPECT_EQ(FilesUnder(sqlite_files_->dir()), 0);
  }
}

// The original is written while the pixels are analysed; pixels that fail
// after the header passed take it away again.
TEST_F(FacesTest, PixelsThatFailAfterTheHeaderLeaveNoImage) {
  FakePhoto broken;
  broken.decodes = false;
  const std::string bytes = analyzer_.Register("truncated jpeg", broken);
  auto added = faces_->Add(bytes);
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.error().message, "UNSUPPORTED_IMAGE_FORMAT");
  EXPECT_EQ(store().images().GetImage(1).status().code(), StatusCode::kNotFound);
  if (OnSqlite()) {
    EXPECT_EQ(FilesUnder(sqlite_files_->dir()), 0);
  }

  auto good = faces_->Add(analyzer_.PhotoOf("alice"));
  ASSERT_TRUE(good.ok()) << MessageOf(good);
  EXPECT_EQ(faces_->Original(good->image_id)->bytes, analyzer_.PhotoOf("alice"));
}

TEST_F(FacesTest, QueryAnswersImageRectAndEnrolTime) {
  const int64_t before = NowMs();
  auto added = faces_->Add(analyzer_.PhotoOf("alice"));
  ASSERT_TRUE(added.ok());
  auto info = faces_->Query(added->face_id);
  ASSERT_TRUE(info.ok()) << MessageOf(info);
  EXPECT_EQ(info->image_id, added->image_id);
  EXPECT_EQ(info->rect.left, 240);
  EXPECT_EQ(info->rect.top, 120);
  EXPECT_EQ(info->rect.right, 400);
  EXPECT_EQ(info->rect.bottom, 320);
  EXPECT_GE(info->created_ms, before);
  EXPECT_LE(info->created_ms, NowMs());
  EXPECT_EQ(MessageOf(faces_->Query(added->face_id + 1)), "FACE_TOKEN_NOT_EXIST");
}

TEST_F(FacesTest, DeleteMakesTheFaceNotExistForEverything) {
  const int64_t alice = Enrol("alice"), bob = Enrol("bob");
  MakeGroup("staff_a", {alice, bob});
  ASSERT_TRUE(faces_->Delete(alice).ok());
  EXPECT_EQ(CodeOf(faces_->Query(alice)), ErrorCode::kFaceTokenNotExist);
  EXPECT_EQ(CodeOf(faces_->Delete(alice)), ErrorCode::kFaceTokenNotExist);  // a second delete
  EXPECT_EQ(CodeOf(groups_->Bind("staff_a", alice)), ErrorCode::kFaceTokenNotExist);
  EXPECT_EQ(groups_->Query("staff_a")->face_ids, std::vector<int64_t>{bob});
  EXPECT_EQ(Version("staff_a"), 4);  // create, 2 binds, the delete's unbind
  EXPECT_TRUE(faces_->Query(bob).ok());
  EXPECT_EQ(CodeOf(faces_->Delete(987654)), ErrorCode::kFaceTokenNotExist);
  ExpectIndexMatchesDatabase();
}

TEST_F(FacesTest, OriginalOfAnUnknownOrPurgedImageIsImageIdNotExist) {
  EXPECT_EQ(MessageOf(faces_->Original(987654)), "IMAGE_ID_NOT_EXIST");
  // A capture whose file the purge removed between the row read and the file read.
  auto capture = images_->Keep("capture bytes", "png", store::ImageKind::kCapture, 320, 240, NowMs());
  ASSERT_TRUE(capture.ok());
  auto kept = faces_->Original(*capture);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->format, "png");
  if (OnSqlite()) {  // PostgreSQL keeps the bytes in the row: no file to lose
    ASSERT_TRUE(sqlite_files_->Remove(store().images().GetImage(*capture)->path).ok());
    EXPECT_EQ(CodeOf(faces_->Original(*capture)), ErrorCode::kImageIdNotExist);
  }
  // ... and once its row is gone too.
  ASSERT_TRUE(store().images().DeleteCapture(*capture).ok());
  EXPECT_EQ(CodeOf(faces_->Original(*capture)), ErrorCode::kImageIdNotExist);
}

TEST_F(FacesTest, FaceCropIsTheSpecBoxAsJpegAlsoForDeletedFaces) {
  // A real picture (the crop decodes it), registered with the face the fake "sees".
  cv::Mat pixels(300, 400, CV_8UC3, cv::Scalar(90, 120, 150));
  std::vector<uchar> jpeg;
  ASSERT_TRUE(cv::imencode(".jpg", pixels, jpeg));
  FakePhoto p;
  p.width = 400;
  p.height = 300;
  p.rect = {150, 100, 250, 200};  // crop: x 100..300, y 40..240
  p.feature = FakeAnalyzer::FeatureOf("alice");
  auto added = faces_->Add(analyzer_.Register(std::string(jpeg.begin(), jpeg.end()), p));
  ASSERT_TRUE(added.ok() && !added->refusal) << MessageOf(added);

  auto crop = faces_->FaceCrop(added->face_id);
  ASSERT_TRUE(crop.ok()) << MessageOf(crop);
  EXPECT_EQ(crop->format, "jpeg");
  cv::Mat decoded = cv::imdecode(std::vector<uchar>(crop->bytes.begin(), crop->bytes.end()), cv::IMREAD_COLOR);
  EXPECT_EQ(decoded.cols, 200);
  EXPECT_EQ(decoded.rows, 200);

  ASSERT_TRUE(faces_->Delete(added->face_id).ok());
  auto history = faces_->FaceCrop(added->face_id);
  ASSERT_TRUE(history.ok()) << MessageOf(history);
  EXPECT_EQ(history->bytes, crop->bytes);
  EXPECT_EQ(MessageOf(faces_->FaceCrop(added->face_id + 1)), "FACE_TOKEN_NOT_EXIST");
}

TEST(CropAround, TwiceTheFaceThreeFifthsAboveClippedToTheImage) {
  // 100x100 face: 50 more on each side, 60 above, 40 below.
  const store::Rect c = CropAround({300, 300, 400, 400}, 1000, 1000);
  EXPECT_EQ(c.left, 250);
  EXPECT_EQ(c.top, 240);
  EXPECT_EQ(c.right, 450);
  EXPECT_EQ(c.bottom, 440);
  const store::Rect corner = CropAround({0, 20, 100, 120}, 120, 130);
  EXPECT_EQ(corner.left, 0);
  EXPECT_EQ(corner.top, 0);
  EXPECT_EQ(corner.right, 120);
  EXPECT_EQ(corner.bottom, 130);
}

}  // namespace
}  // namespace facepass::service::testing
