#include "service/image_verdict_error.h"

#include <gtest/gtest.h>

namespace facepass::service {
namespace {

using vision::ImageVerdict;

TEST(ImageVerdictError, TheSpecsCodesForEachVerdict) {
  EXPECT_EQ(ImageVerdictError(ImageVerdict::kFileTooLarge).code, 104102);
  EXPECT_EQ(ImageVerdictError(ImageVerdict::kBadResolution).code, 104101);
  EXPECT_EQ(ImageVerdictError(ImageVerdict::kUnsupportedFormat).code, 104100);
  EXPECT_EQ(ImageVerdictError(ImageVerdict::kCorrupt).message, "UNSUPPORTED_IMAGE_FORMAT");
}

TEST(ImageVerdictError, CompareNamesTheImageForSizeAndResolution) {
  EXPECT_EQ(CompareImageVerdictError(ImageVerdict::kFileTooLarge, "image_2").message, "IMAGE_VALIDATE_FAILED: image_2");
  EXPECT_EQ(CompareImageVerdictError(ImageVerdict::kBadResolution, "image_1").code, 104103);
  EXPECT_EQ(CompareImageVerdictError(ImageVerdict::kCorrupt, "image_1").code, 104100);
}

}  // namespace
}  // namespace facepass::service
