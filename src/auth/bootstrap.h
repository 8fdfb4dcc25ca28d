// First start: a data directory whose store holds no key at all (revoked
// ones count: revoking every key must not mint a new admin) gets one admin
// key, written to DATA_DIR/admin.key (0600). The caller logs the path; the
// key itself is never logged.
#pragma once

#include <filesystem>
#include <optional>

#include "common/status.h"
#include "domain/key_repository.h"

namespace facepass::auth {

inline constexpr char kBootstrapKeyName[] = "admin";
inline constexpr char kBootstrapKeyFile[] = "admin.key";

// The file written, or nullopt when keys already exist. The file is made
// durable (tmp, fsync, rename, dir fsync) before the key row is inserted, so
// a crash in between only means a new key and file on the next start.
Result<std::optional<std::filesystem::path>> EnsureAdminKey(domain::KeyRepository& keys,
                                                            const std::filesystem::path& data_dir,
                                                            int64_t now_ms);

// Writes `key` + "\n" to `file` with mode 0600, atomically (used for the
// bootstrap file and `facepass keys create --out`).
Status WriteKeyFile(const std::filesystem::path& file, const std::string& key);

}  // namespace facepass::auth
