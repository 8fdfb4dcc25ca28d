// The installation secret: the keys that turn face and image ids into tokens
// (store/token_cipher.h). Every node of an installation must read the same
// bytes, or a token from one node does not decode on another.
#pragma once

#include <cstddef>
#include <string>

#include "common/status.h"

namespace facepass::domain {

// 16 AES-128 bytes, then 32 HMAC-SHA256 bytes.
inline constexpr size_t kInstallationSecretSize = 48;

class SecretRepository {
 public:
  virtual ~SecretRepository() = default;

  // The secret, created from fresh random bytes by the first caller of the
  // installation; racing first callers all get the one that was kept.
  // Corruption if the stored secret has the wrong size.
  virtual Result<std::string> LoadOrCreateSecret() = 0;
};

}  // namespace facepass::domain
