#include "face_rules/enrol_rule.h"

#include <gtest/gtest.h>

namespace facepass::face_rules {
namespace {

vision::Analysis WithFace(vision::Quality q) {
  vision::Analysis a;
  a.best.emplace();
  a.best->quality = q;
  a.best->feature = {1.0f};
  return a;
}

vision::Quality Good() {
  vision::Quality q;
  q.face_min = 160;
  q.blur = 0.05f;
  q.brightness = 120;
  q.std_deviation = 40;
  return q;
}

TEST(EnrolRule, AcceptsAFaceThatPassesEveryGate) {
  EXPECT_EQ(EnrolRefusal(WithFace(Good())), std::nullopt);
  EXPECT_EQ(EnrolFaceRefusal(WithFace(Good())), std::nullopt);
}

TEST(EnrolRule, TheImageVerdictComesFirst) {
  vision::Analysis a = WithFace(Good());
  a.verdict = vision::ImageVerdict::kFileTooLarge;
  EXPECT_EQ(EnrolRefusal(a), errors::InvalidImageFileSize());
  a.best.reset();
  a.verdict = vision::ImageVerdict::kCorrupt;
  EXPECT_EQ(EnrolRefusal(a), errors::UnsupportedImageFormat());
}

TEST(EnrolRule, NoFaceIsFaceNotFound) {
  vision::Analysis a;
  EXPECT_EQ(EnrolRefusal(a), errors::FaceNotFound());
  EXPECT_EQ(EnrolFaceRefusal(a), errors::FaceNotFound());
}

TEST(EnrolRule, TheFirstFailedGateIsNamed) {
  vision::Quality q = Good();
  q.pose.yaw = -27.4f;
  q.blur = 0.5f;  // fails too, but yaw comes first
  std::optional<DomainError> r = EnrolRefusal(WithFace(q));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->code, ErrorCode::kBadQuality);
  EXPECT_EQ(r->message, "BAD_QUALITY: yaw=27.4>20");
  q = Good();
  q.face_min = 80;
  EXPECT_EQ(EnrolFaceRefusal(WithFace(q))->message.rfind("BAD_QUALITY: face_min=", 0), 0u);
}

}  // namespace
}  // namespace facepass::face_rules
