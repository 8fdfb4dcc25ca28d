// face_token / image_id strings: one AES-128 block [kind:1][id:8 LE][check:7]
// (check = HMAC-SHA256(mac_key, kind||id)[0..7)), as 24 chars of URL-safe
// base64 with '=' padding. Not sequential, not guessable, and a random string
// fails the check instead of becoming a lookup.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace facepass::store {

enum class TokenKind : uint8_t { kFace = 1, kImage = 2 };

class TokenCipher {
 public:
  static constexpr size_t kTokenLength = 24;

  // Reads <data_dir>/secret.key (16 AES + 32 MAC bytes), creating it with
  // mode 0600 on first start. Corruption if it exists with the wrong size.
  static Result<TokenCipher> LoadOrCreate(const std::filesystem::path& data_dir);
  // From an installation secret (domain/secret_repository.h: 16 AES + 32 MAC
  // bytes, any backend). Corruption for another size.
  static Result<TokenCipher> FromSecret(std::string_view secret);

  // For tests and tools: a cipher from explicit keys.
  TokenCipher(const std::array<uint8_t, 16>& aes_key, const std::array<uint8_t, 32>& mac_key)
      : aes_key_(aes_key), mac_key_(mac_key) {}

  std::string Encode(TokenKind kind, int64_t id) const;
  // nullopt: wrong length/alphabet, bad check, or wrong kind.
  std::optional<int64_t> Decode(TokenKind kind, std::string_view token) const;

 private:
  std::array<uint8_t, 16> aes_key_;
  std::array<uint8_t, 32> mac_key_;
};

}  // namespace facepass::store
