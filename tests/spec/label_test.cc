#include "spec/label.h"

#include <gtest/gtest.h>

#include <string>

namespace facepass::spec {
namespace {

TEST(Label, TrimsAsciiSpaceAndKeepsUtf8) {
  EXPECT_EQ(NormalizeLabel("  Alice, night shift \t"), "Alice, night shift");
  EXPECT_EQ(NormalizeLabel("Zoë Ågren 王小明"), "Zoë Ågren 王小明");
  EXPECT_EQ(NormalizeLabel("emp-00042"), "emp-00042");
  EXPECT_EQ(NormalizeLabel("\xF0\x9F\x98\x80"), "\xF0\x9F\x98\x80");  // U+1F600, four bytes
}

TEST(Label, LengthIsOneTo128BytesAfterTrimming) {
  EXPECT_EQ(NormalizeLabel(""), std::nullopt);
  EXPECT_EQ(NormalizeLabel("   "), std::nullopt);
  EXPECT_EQ(NormalizeLabel("x"), "x");
  EXPECT_EQ(NormalizeLabel(std::string(128, 'a')), std::string(128, 'a'));
  EXPECT_EQ(NormalizeLabel(std::string(129, 'a')), std::nullopt);
  EXPECT_EQ(NormalizeLabel(" " + std::string(128, 'a') + " "), std::string(128, 'a'));
  // 64 two-byte characters are 128 bytes; one more byte is the 129th.
  std::string two_byte;
  for (int i = 0; i < 64; ++i) two_byte += "\xC3\xA9";
  EXPECT_EQ(NormalizeLabel(two_byte), two_byte);
  EXPECT_EQ(NormalizeLabel(two_byte + "a"), std::nullopt);
}

TEST(Label, RefusesControlCharacters) {
  EXPECT_EQ(NormalizeLabel("Al\nice"), std::nullopt);
  EXPECT_EQ(NormalizeLabel("Al\tice"), std::nullopt);
  EXPECT_EQ(NormalizeLabel(std::string("Al\0ice", 6)), std::nullopt);
  EXPECT_EQ(NormalizeLabel("Al\x7Fice"), std::nullopt);
  EXPECT_EQ(NormalizeLabel("Al\xC2\x85ice"), std::nullopt);  // U+0085 NEL, a C1 control
  EXPECT_EQ(NormalizeLabel("Al\xC2\xA0ice"), "Al\xC2\xA0ice");  // U+00A0 is not a control
}

TEST(Label, RefusesInvalidUtf8) {
  EXPECT_EQ(NormalizeLabel("\xFF"), std::nullopt);
  EXPECT_EQ(NormalizeLabel("a\xC3"), std::nullopt);              // truncated
  EXPECT_EQ(NormalizeLabel("\xC0\xAF"), std::nullopt);           // overlong '/'
  EXPECT_EQ(NormalizeLabel("\xED\xA0\x80"), std::nullopt);       // a surrogate
  EXPECT_EQ(NormalizeLabel("\xF4\x90\x80\x80"), std::nullopt);   // past U+10FFFF
  EXPECT_EQ(NormalizeLabel("\x80"), std::nullopt);               // a lone continuation byte
}

}  // namespace
}  // namespace facepass::spec
