// face_token / image_id strings from request parameters.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "store/token_cipher.h"

using namespace facepass::store;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const TokenCipher cipher({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
                                  {21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36,
                                   37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52});
  std::string_view in(reinterpret_cast<const char*>(data), size);
  for (TokenKind kind : {TokenKind::kFace, TokenKind::kImage}) {
    std::optional<int64_t> id = cipher.Decode(kind, in);
    // One spelling per token: what decodes re-encodes to the same string.
    if (id && cipher.Encode(kind, *id) != in) __builtin_trap();
  }
  // Any 8 bytes as an id survive the round trip.
  if (size >= 8) {
    int64_t id = 0;
    for (int i = 0; i < 8; ++i) id |= int64_t(data[i]) << (8 * i);
    std::string t = cipher.Encode(TokenKind::kFace, id);
    if (cipher.Decode(TokenKind::kFace, t) != id || cipher.Decode(TokenKind::kImage, t)) __builtin_trap();
  }
  return 0;
}
