// The recognition history through the services: Recognize writes one row per
// answered track (with what it answered), History pages and filters them,
// bad requests are refused, the retention purge takes rows with their
// captures, and the event sink hears results and face adds/deletes.
#include "service/history.h"

#include <gtest/gtest.h>

#include <mutex>

#include "common/clock.h"
#include "service/capture_purge.h"
#include "service/service_fixture.h"
#include "store/database.h"

// Requests are written with designated initializers; the rest keep their defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace facepass::service::testing {
namespace {

class RecordingSink : public EventSink {
 public:
  void Recognized(const store::RecognitionRecord& r) override {
    std::lock_guard lock(mu_);
    results.push_back(r);
  }
  void FaceChanged(const FaceEvent& e) override {
    std::lock_guard lock(mu_);
    faces.push_back(e);
  }
  std::mutex mu_;
  std::vector<store::RecognitionRecord> results;
  std::vector<FaceEvent> faces;
};

class HistoryTest : public ServiceFixture {
 protected:
  void SetUp() override {
    ServiceFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;  // no backend: nothing to set up on
    alice_ = Enrol("alice");
    MakeGroup("staff_a", {alice_});
    MakeGroup("staff_b", {alice_});
    recognition_ = std::make_unique<Recognition>(*catalog_, *images_, analyzer_, *thresholds_, sink_);
    history_ = std::make_unique<History>(store().recognitions());
  }
  RecognizeOutcome Recognize(const std::string& group, std::vector<std::string> images, bool liveness = false) {
    RecognizeRequest r;
    r.group_name = group;
    r.liveness = liveness;
    held_ = std::move(images);
    for (size_t i = 0; i < held_.size(); ++i) r.tracks.push_back({static_cast<int64_t>(i + 1), {held_[i]}});
    auto out = recognition_->Recognize(r);
    EXPECT_TRUE(out.ok()) << MessageOf(out);
    return out.ok() ? *out : RecognizeOutcome{};
  }
  std::vector<store::RecognitionRecord> Rows(HistoryRequest q = {}) {
    auto page = history_->Query(q);
    EXPECT_TRUE(page.ok()) << MessageOf(page);
    return page.ok() ? page->rows : std::vector<store::RecognitionRecord>{};
  }

  RecordingSink sink_;
  std::unique_ptr<History> history_;
  int64_t alice_ = 0;
  std::vector<std::string> held_;
};

TEST_F(HistoryTest, EachAnsweredTrackIsOneRowAsAnswered) {
  const RecognizeOutcome out = Recognize(
      "staff_a", {analyzer_.PhotoNear("alice", 0.9f, 80), analyzer_.PhotoWithoutFace(),
                  analyzer_.Refused(vision::ImageVerdict::kUnsupportedFormat)},
      /*liveness=*/true);
  ASSERT_EQ(out.results.size(), 3u);
  const auto rows = Rows();
  ASSERT_EQ(rows.size(), 2u) << "the unreadable track kept no capture, so it has no row";
  const store::RecognitionRecord& none = rows[0];  // same time: the later id first
  const store::RecognitionRecord& hit = rows[1];
  EXPECT_EQ(hit.image_id, out.results[0].image_id);
  EXPECT_EQ(hit.group_name, "staff_a");
  EXPECT_EQ(hit.track_id, 1);
  EXPECT_EQ(hit.face_id, alice_);
  EXPECT_NEAR(hit.score, 95, 0.01);
  EXPECT_TRUE(hit.passed);
  ASSERT_TRUE(hit.rect);
  EXPECT_EQ(hit.rect->left, 240);
  EXPECT_EQ(hit.rect->bottom, 320);
  EXPECT_DOUBLE_EQ(hit.liveness_score.value_or(-1), 80);
  EXPECT_EQ(none.image_id, out.results[1].image_id);
  EXPECT_EQ(none.track_id, 2);
  EXPECT_FALSE(none.face_id);
  EXPECT_FALSE(none.rect);
  EXPECT_FALSE(none.passed);
  // The sink heard the stored rows, ids included, after they were written.
  ASSERT_EQ(sink_.results.size(), 2u);
  EXPECT_EQ(sink_.results[0].id, hit.id);
  EXPECT_EQ(sink_.results[1].id, none.id);
}

TEST_F(HistoryTest, FiltersAndPages) {
  Recognize("staff_a", {analyzer_.PhotoNear("alice", 0.9f)});       // passes
  Recognize("staff_b", {analyzer_.PhotoNear("alice", 0.3f, 90)});   // 65: fails
  Recognize("staff_a", {analyzer_.PhotoNear("alice", 0.2f, 90)});   // fails
  EXPECT_EQ(Rows().size(), 3u);
  EXPECT_EQ(Rows({.group_name = "staff_a"}).size(), 2u);
  EXPECT_EQ(Rows({.passed = true}).size(), 1u);
  EXPECT_EQ(Rows({.group_name = "staff_b", .passed = false}).size(), 1u);
  EXPECT_EQ(Rows({.face_id = alice_}).size(), 3u);
  EXPECT_EQ(Rows({.face_id = alice_ + 1000}).size(), 0u);
  const int64_t t = Rows()[0].at_ms;
  EXPECT_EQ(Rows({.from_ms = t + 1}).size(), 0u);
  EXPECT_EQ(Rows({.to_ms = t + 1}).size(), 3u);

  auto first = history_->Query({.limit = 2});
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->rows.size(), 2u);
  ASSERT_TRUE(first->next_cursor);
  auto second = history_->Query({.limit = 2, .before = first->next_cursor});
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->rows.size(), 1u);
  EXPECT_FALSE(second->next_cursor);
  EXPECT_LT(second->rows[0].id, first->rows[1].id);
}

TEST_F(HistoryTest, BadRequestsAreIllegalArguments) {
  EXPECT_EQ(MessageOf(history_->Query({.limit = 0})), "ILLEGAL_ARGUMENT: limit (1..500)");
  EXPECT_EQ(MessageOf(history_->Query({.limit = 501})), "ILLEGAL_ARGUMENT: limit (1..500)");
  EXPECT_TRUE(history_->Query({.limit = 500}).ok());
  EXPECT_EQ(MessageOf(history_->Query({.from_ms = 10, .to_ms = 9})), "ILLEGAL_ARGUMENT: from,to (from must be <= to)");
  EXPECT_TRUE(history_->Query({.from_ms = 10, .to_ms = 10}).ok());
  EXPECT_EQ(MessageOf(history_->Query({.group_name = "no"})), "ILLEGAL_ARGUMENT: group_name");
}

TEST_F(HistoryTest, RetentionPurgeTakesTheRows) {
  Recognize("staff_a", {analyzer_.PhotoNear("alice", 0.9f)});
  ASSERT_EQ(Rows().size(), 1u);
  CapturePurge purge(store().images(), 30);
  EXPECT_EQ(*purge.Run(NowMs() + 29LL * 86400000), 0);
  EXPECT_EQ(Rows().size(), 1u);
  EXPECT_EQ(*purge.Run(NowMs() + 31LL * 86400000), 1);
  EXPECT_TRUE(Rows().empty());
}

TEST_F(HistoryTest, FaceAddAndDeleteAreAnnounced) {
  Faces faces(*catalog_, *images_, analyzer_, sink_);
  auto added = faces.Add(analyzer_.PhotoOf("carol"));
  ASSERT_TRUE(added.ok());
  ASSERT_TRUE(faces.Delete(added->face_id).ok());
  EXPECT_FALSE(faces.Delete(added->face_id).ok());  // a refused delete announces nothing
  ASSERT_EQ(sink_.faces.size(), 2u);
  EXPECT_EQ(sink_.faces[0].kind, FaceEvent::Kind::kAdd);
  EXPECT_EQ(sink_.faces[0].face_id, added->face_id);
  EXPECT_EQ(sink_.faces[0].image_id, added->image_id);
  EXPECT_EQ(sink_.faces[1].kind, FaceEvent::Kind::kDelete);
  EXPECT_EQ(sink_.faces[1].face_id, added->face_id);
  EXPECT_EQ(sink_.faces[1].image_id, added->image_id);
  EXPECT_GE(sink_.faces[1].time_ms, sink_.faces[0].time_ms);
}

}  // namespace
}  // namespace facepass::service::testing
