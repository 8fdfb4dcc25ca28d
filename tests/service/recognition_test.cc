// 1:N recognise (the top-1 of the group, the pass rule on score and liveness,
// per-track merging and per-track errors, kept captures) and 1:1 compare
// (score, liveness refusal, the image_N errors). The fake's score is
// 50 * (1 + cosine): cosine 0.9 -> 95, 0.3 -> 65.
#include "service/recognition.h"

#include <gtest/gtest.h>

#include <cmath>

#include "service/service_fixture.h"
#include "store/database.h"

namespace facepass::service::testing {
namespace {

class RecognitionTest : public ServiceFixture {
 protected:
  void SetUp() override {
    ServiceFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;  // no backend: nothing to set up on
    alice_ = Enrol("alice");
    bob_ = Enrol("bob");
    MakeGroup("staff_a", {alice_, bob_});
  }

  // One track of one image each.
  RecognizeRequest OneTrack(std::string_view image, bool liveness = false, int64_t track_id = 7) {
    RecognizeRequest r;
    r.group_name = "staff_a";
    r.liveness = liveness;
    r.tracks.push_back({track_id, {image}});
    return r;
  }
  TrackOutcome RecognizeOne(const RecognizeRequest& r) {
    auto out = recognition_->Recognize(r);
    EXPECT_TRUE(out.ok()) << MessageOf(out);
    EXPECT_EQ(out.ok() ? out->results.size() : 0u, 1u);
    return out.ok() && !out->results.empty() ? out->results[0] : TrackOutcome{};
  }

  int64_t alice_ = 0, bob_ = 0;
  std::string held_[4];  // bytes the string_views of a request point into
};

TEST_F(RecognitionTest, AMissingOrIllegalGroupIsRefused) {
  const std::string photo = analyzer_.PhotoOf("alice");
  RecognizeRequest r = OneTrack(photo);
  r.group_name = "nobody_here";
  EXPECT_EQ(MessageOf(recognition_->Recognize(r)), "GROUP_NAME_NOT_EXIST");
  r.group_name = "no";
  EXPECT_EQ(MessageOf(recognition_->Recognize(r)), "ILLEGAL_ARGUMENT: group_name");
  ASSERT_TRUE(groups_->Delete("staff_a").ok());
  r.group_name = "staff_a";
  EXPECT_EQ(CodeOf(recognition_->Recognize(r)), ErrorCode::kGroupNameNotExist);
  EXPECT_EQ(analyzer_.analyze_calls(), 2);  // the two enrolments: a refused request analyses nothing
}

TEST_F(RecognitionTest, TheTop1ReachingTheThresholdPasses) {
  const std::string capture = analyzer_.PhotoNear("alice", 0.9f);
  auto out = recognition_->Recognize(OneTrack(capture));
  ASSERT_TRUE(out.ok()) << MessageOf(out);
  EXPECT_EQ(out->group_name, "staff_a");
  EXPECT_DOUBLE_EQ(out->recognize_threshold, 78);
  EXPECT_DOUBLE_EQ(out->liveness_threshold, 50);
  ASSERT_EQ(out->results.size(), 1u);
  const TrackOutcome& t = out->results[0];
  EXPECT_EQ(t.track_id, 7);
  EXPECT_EQ(t.face_id, alice_);
  EXPECT_NEAR(t.score, 95, 0.01);
  EXPECT_TRUE(t.passed);
  EXPECT_FALSE(t.error);
  EXPECT_FALSE(t.liveness_score);  // not asked
  ASSERT_TRUE(t.rect);
  EXPECT_EQ(t.rect->left, 240);
  EXPECT_EQ(analyzer_.last_purpose(), vision::Purpose::kRecognise);
  EXPECT_FALSE(analyzer_.last_options()->liveness);
  // The capture is kept, as a capture (the purge's kind).
  ASSERT_TRUE(t.image_id);
  auto image = store().images().GetImage(*t.image_id);
  ASSERT_TRUE(image.ok());
  EXPECT_EQ(image->kind, store::ImageKind::kCapture);
  EXPECT_EQ(faces_->Original(*t.image_id)->bytes, capture);
}

TEST_F(RecognitionTest, BelowTheThresholdTheTop1IsAnsweredButNotPassed) {
  const TrackOutcome t = RecognizeOne(OneTrack(analyzer_.PhotoNear("bob", 0.3f)));
  EXPECT_EQ(t.face_id, bob_);
  EXPECT_NEAR(t.score, 65, 0.01);
  EXPECT_FALSE(t.passed);
  EXPECT_FALSE(t.error);
}

TEST_F(RecognitionTest, TheThresholdInForceDecides) {
  const std::string capture = analyzer_.PhotoNear("alice", 0.9f);  // score 95
  ASSERT_TRUE(thresholds_->Update({{Thresholds::kRecognize, 96}}).ok());
  auto out = recognition_->Recognize(OneTrack(capture));
  ASSERT_TRUE(out.ok());
  EXPECT_DOUBLE_EQ(out->recognize_threshold, 96);
  EXPECT_EQ(out->results[0].face_id, alice_);
  EXPECT_FALSE(out->results[0].passed);
  // Reaching the threshold is enough: the same capture scores the same
  // again, and a threshold of exactly that score passes it, one ulp more not.
  const double score = out->results[0].score;
  ASSERT_TRUE(thresholds_->Update({{Thresholds::kRecognize, score}}).ok());
  const TrackOutcome exact = RecognizeOne(OneTrack(capture));
  EXPECT_EQ(exact.score, score);
  EXPECT_TRUE(exact.passed);
  ASSERT_TRUE(thresholds_->Update({{Thresholds::kRecognize, std::nextafter(score, 100.0)}}).ok());
  EXPECT_FALSE(RecognizeOne(OneTrack(capture)).passed);
}

TEST_F(RecognitionTest, WithLivenessAskedALowLivenessFails) {
  const std::string live = analyzer_.PhotoNear("alice", 0.9f, 80);
  const std::string spoof = analyzer_.PhotoNear("alice", 0.9f, 30);

  TrackOutcome t = RecognizeOne(OneTrack(live, true));
  EXPECT_TRUE(analyzer_.last_options()->liveness);
  EXPECT_TRUE(t.passed);
  ASSERT_TRUE(t.liveness_score);
  EXPECT_DOUBLE_EQ(*t.liveness_score, 80);

  t = RecognizeOne(OneTrack(spoof, true));
  EXPECT_EQ(t.face_id, alice_);
  EXPECT_FALSE(t.passed);
  ASSERT_TRUE(t.liveness_score);
  EXPECT_DOUBLE_EQ(*t.liveness_score, 30);

  // Not asked: liveness is neither measured nor required.
  t = RecognizeOne(OneTrack(spoof, false));
  EXPECT_TRUE(t.passed);
  EXPECT_FALSE(t.liveness_score);

  // The liveness threshold in force decides too.
  ASSERT_TRUE(thresholds_->Update({{Thresholds::kLiveness, 25}}).ok());
  EXPECT_TRUE(RecognizeOne(OneTrack(spoof, true)).passed);
}

TEST_F(RecognitionTest, AnEmptyGroupAnswersNoCandidate) {
  MakeGroup("empty_grp");
  const std::string capture = analyzer_.PhotoOf("alice");
  RecognizeRequest r = OneTrack(capture);
  r.group_name = "empty_grp";
  const TrackOutcome t = RecognizeOne(r);
  EXPECT_FALSE(t.face_id);
  EXPECT_EQ(t.score, 0);
  EXPECT_FALSE(t.passed);
  EXPECT_FALSE(t.error);
  EXPECT_TRUE(t.image_id);  // still kept
}

TEST_F(RecognitionTest, DeletedAndUnboundFacesAreNotCandidates) {
  const std::string capture = analyzer_.PhotoOf("alice");
  ASSERT_TRUE(faces_->Delete(alice_).ok());
  TrackOutcome t = RecognizeOne(OneTrack(capture));
  EXPECT_EQ(t.face_id, bob_);  // the only one left
  EXPECT_FALSE(t.passed);
  ASSERT_TRUE(groups_->Unbind("staff_a", bob_).ok());
  t = RecognizeOne(OneTrack(capture));
  EXPECT_FALSE(t.face_id);
}

TEST_F(RecognitionTest, TheBestImageOfATrackAnswersAndTracksKeepTheirOrder) {
  held_[0] = analyzer_.PhotoNear("alice", 0.3f);
  held_[1] = analyzer_.PhotoNear("alice", 0.9f);
  held_[2] = analyzer_.PhotoNear("bob", 0.95f);
  RecognizeRequest r;
  r.group_name = "staff_a";
  r.tracks.push_back({12, {held_[0], held_[1]}});
  r.tracks.push_back({3, {held_[2]}});
  auto out = recognition_->Recognize(r);
  ASSERT_TRUE(out.ok()) << MessageOf(out);
  ASSERT_EQ(out->results.size(), 2u);
  const TrackOutcome& first = out->results[0];
  EXPECT_EQ(first.track_id, 12);
  EXPECT_EQ(first.face_id, alice_);
  EXPECT_NEAR(first.score, 95, 0.01);
  EXPECT_TRUE(first.passed);
  ASSERT_TRUE(first.image_id);
  EXPECT_EQ(faces_->Original(*first.image_id)->bytes, held_[1]);  // the better image's capture
  EXPECT_EQ(out->results[1].track_id, 3);
  EXPECT_EQ(out->results[1].face_id, bob_);
  EXPECT_NEAR(out->results[1].score, 97.5, 0.01);
}

TEST_F(RecognitionTest, PerTrackErrorsDoNotFailTheCall) {
  held_[0] = analyzer_.Refused(vision::ImageVerdict::kFileTooLarge);
  held_[1] = analyzer_.PhotoWithoutFace();
  held_[2] = analyzer_.PhotoNear("alice", 0.9f);
  held_[3] = "not an image at all";
  RecognizeRequest r;
  r.group_name = "staff_a";
  r.tracks.push_back({1, {held_[3]}});              // unreadable
  r.tracks.push_back({2, {held_[1]}});              // no face
  r.tracks.push_back({3, {held_[0], held_[2]}});    // a refused image, then a match
  r.tracks.push_back({4, {held_[3], held_[1]}});    // the readable image's error wins
  r.tracks.push_back({5, {held_[0]}});              // size
  auto out = recognition_->Recognize(r);
  ASSERT_TRUE(out.ok()) << MessageOf(out);
  ASSERT_EQ(out->results.size(), 5u);

  const TrackOutcome& unreadable = out->results[0];
  ASSERT_TRUE(unreadable.error);
  EXPECT_EQ(unreadable.error->message, "UNSUPPORTED_IMAGE_FORMAT");
  EXPECT_FALSE(unreadable.image_id);  // nothing readable is kept
  EXPECT_FALSE(unreadable.passed);

  const TrackOutcome& no_face = out->results[1];
  ASSERT_TRUE(no_face.error);
  EXPECT_EQ(no_face.error->message, "FACE_NOT_FOUND");
  EXPECT_TRUE(no_face.image_id);  // readable: kept
  EXPECT_FALSE(no_face.face_id);

  const TrackOutcome& recovered = out->results[2];
  EXPECT_FALSE(recovered.error);
  EXPECT_EQ(recovered.face_id, alice_);
  EXPECT_TRUE(recovered.passed);

  ASSERT_TRUE(out->results[3].error);
  EXPECT_EQ(out->results[3].error->code, ErrorCode::kFaceNotFound);
  ASSERT_TRUE(out->results[4].error);
  EXPECT_EQ(out->results[4].error->message, "INVALID_IMAGE_FILE_SIZE");
}

// The capture is written while the pixels are analysed; pixels that fail
// after the header passed leave no capture behind.
TEST_F(RecognitionTest, PixelsThatFailAfterTheHeaderLeaveNoCapture) {
  FakePhoto broken;
  broken.decodes = false;
  held_[0] = analyzer_.Register("truncated jpeg", broken);
  held_[1] = analyzer_.PhotoNear("alice", 0.9f);
  RecognizeRequest r;
  r.group_name = "staff_a";
  r.tracks.push_back({1, {held_[0]}});
  r.tracks.push_back({2, {held_[1]}});
  auto out = recognition_->Recognize(r);
  ASSERT_TRUE(out.ok()) << MessageOf(out);
  ASSERT_EQ(out->results.size(), 2u);
  ASSERT_TRUE(out->results[0].error);
  EXPECT_EQ(out->results[0].error->message, "UNSUPPORTED_IMAGE_FORMAT");
  EXPECT_FALSE(out->results[0].image_id);
  ASSERT_TRUE(out->results[1].image_id);
  auto captures = store().images().CapturesOlderThan(INT64_MAX, 10);
  ASSERT_TRUE(captures.ok());
  ASSERT_EQ(captures->size(), 1u);  // the match's only
  EXPECT_EQ((*captures)[0].id, *out->results[1].image_id);
}

class CompareTest : public ServiceFixture {
 protected:
  DomainResult<CompareOutcome> Compare(std::string_view a, std::string_view b, bool liveness) {
    CompareRequest r;
    r.images[0] = a;
    r.images[1] = b;
    r.liveness = liveness;
    return recognition_->Compare(r);
  }
};

TEST_F(CompareTest, ScoresTwoPicturesAndReportsTheirFaces) {
  FakePhoto turned;
  turned.feature = FakeAnalyzer::Near("alice", 0.8f);
  turned.quality.pose = {31, -4, 2};  // no quality gates in compare
  turned.quality.blur = 0.6f;
  turned.rect = {10, 20, 110, 140};
  const std::string a = analyzer_.PhotoOf("alice");
  const std::string b = analyzer_.Register("turned alice", turned);
  auto out = Compare(a, b, false);
  ASSERT_TRUE(out.ok()) << MessageOf(out);
  EXPECT_NEAR(out->score, 90, 0.01);
  EXPECT_DOUBLE_EQ(out->compare_threshold, 70);
  EXPECT_DOUBLE_EQ(out->liveness_threshold, 50);
  EXPECT_FALSE(out->refusal);
  EXPECT_EQ(out->faces[0].rect.left, 240);
  EXPECT_EQ(out->faces[1].rect.left, 10);
  EXPECT_EQ(out->faces[1].rect.bottom, 140);
  EXPECT_FLOAT_EQ(out->faces[1].pose.yaw, 31);
  EXPECT_FLOAT_EQ(out->faces[1].blur, 0.6f);
  EXPECT_EQ(out->faces[0].liveness_score, 0);  // not asked
  EXPECT_EQ(out->faces[1].liveness_score, 0);
  EXPECT_EQ(analyzer_.last_purpose(), vision::Purpose::kCompare);
  // Two different people score low; compare keeps no image.
  auto strangers = Compare(a, analyzer_.PhotoOf("bob"), false);
  ASSERT_TRUE(strangers.ok());
  EXPECT_LT(strangers->score, 70);
  EXPECT_EQ(store().images().GetImage(1).status().code(), StatusCode::kNotFound);
}

TEST_F(CompareTest, ALowLivenessIsRefusedButTheResultIsCarried) {
  const std::string live = analyzer_.PhotoNear("alice", 0.9f, 85);
  const std::string spoof = analyzer_.PhotoNear("alice", 0.95f, 20);
  auto out = Compare(live, spoof, true);
  ASSERT_TRUE(out.ok()) << MessageOf(out);
  ASSERT_TRUE(out->refusal);
  EXPECT_EQ(out->refusal->message, "COMPARE_LIVENESS_FAILED");
  EXPECT_DOUBLE_EQ(out->faces[0].liveness_score, 85);
  EXPECT_DOUBLE_EQ(out->faces[1].liveness_score, 20);
  EXPECT_GT(out->score, 90);

  auto both_live = Compare(live, analyzer_.PhotoNear("alice", 0.95f, 50), true);  // 50 reaches 50
  ASSERT_TRUE(both_live.ok());
  EXPECT_FALSE(both_live->refusal);
  // Without liveness the spoof is just a picture.
  auto not_asked = Compare(live, spoof, false);
  ASSERT_TRUE(not_asked.ok());
  EXPECT_FALSE(not_asked->refusal);
  // The liveness threshold in force decides.
  ASSERT_TRUE(thresholds_->Update({{Thresholds::kLiveness, 15}}).ok());
  auto lowered = Compare(live, spoof, true);
  ASSERT_TRUE(lowered.ok());
  EXPECT_FALSE(lowered->refusal);
  EXPECT_DOUBLE_EQ(lowered->liveness_threshold, 15);
}

TEST_F(CompareTest, ImageErrorsNameTheImage) {
  const std::string good = analyzer_.PhotoOf("alice");
  const std::string no_face = analyzer_.PhotoWithoutFace();
  const std::string too_large = analyzer_.Refused(vision::ImageVerdict::kFileTooLarge);
  const std::string too_small = analyzer_.Refused(vision::ImageVerdict::kBadResolution);
  const std::string corrupt = analyzer_.Refused(vision::ImageVerdict::kCorrupt);
  EXPECT_EQ(MessageOf(Compare(good, no_face, false)), "FACE_NOT_FOUND: image_2");
  EXPECT_EQ(MessageOf(Compare(no_face, good, false)), "FACE_NOT_FOUND: image_1");
  EXPECT_EQ(MessageOf(Compare(too_large, good, false)), "IMAGE_VALIDATE_FAILED: image_1");
  EXPECT_EQ(MessageOf(Compare(good, too_small, false)), "IMAGE_VALIDATE_FAILED: image_2");
  EXPECT_EQ(MessageOf(Compare(good, "GIF89a", false)), "UNSUPPORTED_IMAGE_FORMAT");
  EXPECT_EQ(MessageOf(Compare(corrupt, good, true)), "UNSUPPORTED_IMAGE_FORMAT");
  // image_1 is judged first.
  EXPECT_EQ(MessageOf(Compare(too_small, no_face, false)), "IMAGE_VALIDATE_FAILED: image_1");
}

}  // namespace
}  // namespace facepass::service::testing
