// API key material: generation, the stored hash, constant-time comparison.
//
// Keys are 32 random bytes (256 bits) from OpenSSL's CSPRNG, URL-safe base64
// without padding (43 characters). Only SHA-256(key) is stored. A plain hash
// is enough here, unlike for passwords: with 256 bits of entropy neither a
// dictionary nor brute force over the input space is possible, so a slow KDF
// (bcrypt, argon2) would only cost CPU on every request.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace facepass::auth {

inline constexpr size_t kKeyBytes = 32;

// Internal if the CSPRNG fails (never fall back to a weaker source).
Result<std::string> GenerateKey();

// Lower-case hex SHA-256 of the key as sent.
std::string HashKey(std::string_view key);

// Equal length and content, in time independent of where they differ
// (CRYPTO_memcmp). Lengths are not secret (hex hashes are all 64).
bool ConstantTimeEqual(std::string_view a, std::string_view b);

// Key names end up in logs and audit rows: 1-64 of [A-Za-z0-9_.-].
bool ValidKeyName(std::string_view name);

// The key from `Authorization: Bearer <key>` or else `X-API-Key: <key>`;
// empty when neither is usable. Scheme case-insensitive, blanks trimmed.
std::string KeyFromHeaders(std::string_view authorization, std::string_view x_api_key);

}  // namespace facepass::auth
