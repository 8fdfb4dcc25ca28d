// API keys: only the hash of a key is ever stored.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "domain/audited.h"
#include "domain/auth_types.h"

namespace facepass::domain {

class KeyRepository {
 public:
  virtual ~KeyRepository() = default;

  // The new key's id. AlreadyExists for a used name (revoked ones too).
  virtual Result<int64_t> InsertKey(const std::string& name, const std::string& role, const std::string& hash,
                                    int64_t now_ms, const AuditOf<int64_t>& audit = {}) = 0;
  virtual Result<KeyRecord> FindKeyByHash(const std::string& hash) = 0;  // revoked ones too; NotFound
  virtual Result<std::vector<KeyRecord>> ListKeys() = 0;                 // by name, revoked ones too
  virtual Result<int64_t> CountActiveKeys() = 0;
  // NotFound if absent or already revoked.
  virtual Status RevokeKey(const std::string& name, int64_t now_ms, const AuditRow& audit = std::nullopt) = 0;
  virtual Status TouchKey(int64_t id, int64_t now_ms) = 0;  // last_used_ms, never backwards
};

}  // namespace facepass::domain
