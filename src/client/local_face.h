// Faces a device changes itself (the spec's offline mode, 底库同步 point 9),
// and the id scheme of the faces it enrols.
//
// A local face_token is "local:<n>", n counting up from 1 per store (meta
// next_local_id) and never reused on that store, even after the cloud has
// overwritten the group. The cloud's face_tokens are 24 characters of URL-safe
// base64 (store/token_cipher.h: A-Z a-z 0-9 - _ =), which has no ':', so a
// local id can never equal one; the store also refuses a sync answer that
// carries a token with the local prefix.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace facepass::client {

inline constexpr std::string_view kLocalFacePrefix = "local:";

inline std::string LocalFaceToken(int64_t n) { return std::string(kLocalFacePrefix) + std::to_string(n); }

inline bool IsLocalFaceToken(std::string_view token) { return token.starts_with(kLocalFacePrefix); }

// One face of a local group, as ListFaces() reports it.
struct LocalFace {
  std::string face_token;
  bool local = false;  // enrolled on this device (a local id), else synced from the cloud
};

}  // namespace facepass::client
