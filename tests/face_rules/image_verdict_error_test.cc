#include "face_rules/image_verdict_error.h"

#include <gtest/gtest.h>

namespace facepass::face_rules {
namespace {

using vision::ImageVerdict;

TEST(ImageVerdictError, TheSpecsCodesForEachVerdict) {
  EXPECT_EQ(ImageVerdictError(ImageVerdict::kFileTooLarge).code, static_cast<ErrorCode>(104102));
  EXPECT_EQ(ImageVerdictError(ImageVerdict::kBadResolution).code, static_cast<ErrorCode>(104101));
  EXPECT_EQ(ImageVerdictError(ImageVerdict::kUnsupportedFormat).code, static_cast<ErrorCode>(104100));
  EXPECT_EQ(ImageVerdictError(ImageVerdict::kCorrupt).message, "UNSUPPORTED_IMAGE_FORMAT");
}

TEST(ImageVerdictError, CompareNamesTheImageForSizeAndResolution) {
  EXPECT_EQ(CompareImageVerdictError(ImageVerdict::kFileTooLarge, "image_2").message, "IMAGE_VALIDATE_FAILED: image_2");
  EXPECT_EQ(CompareImageVerdictError(ImageVerdict::kBadResolution, "image_1").code, static_cast<ErrorCode>(104103));
  EXPECT_EQ(CompareImageVerdictError(ImageVerdict::kCorrupt, "image_1").code, static_cast<ErrorCode>(104100));
}

}  // namespace
}  // namespace facepass::face_rules
