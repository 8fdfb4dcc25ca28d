// The admin's calls on API keys and the audit log (POST /api/keys/v1/*,
// GET /api/audit/v1): what the handlers call instead of the store, over the
// domain's repositories so either backend serves them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "auth/role.h"
#include "common/status.h"
#include "domain/audit_repository.h"
#include "domain/audited.h"
#include "domain/key_repository.h"

namespace facepass::auth {

class KeyAdmin {
 public:
  // Both must outlive this object; they are thread-safe, so is this.
  KeyAdmin(domain::KeyRepository& keys, domain::AuditRepository& audit) : keys_(keys), audit_(audit) {}

  // The new key, shown once (auth/key_issuer.h): kAlreadyExists for a used name.
  // A change commits its `audit` row with it (domain/audited.h).
  Result<std::string> Create(const std::string& name, Role role, int64_t now_ms, const domain::AuditHook& audit = {});
  // By name, revoked ones too; never a key, only its metadata.
  Result<std::vector<domain::KeyRecord>> List();
  // kNotFound when nothing live has that name.
  Status Revoke(const std::string& name, int64_t now_ms, const domain::AuditHook& audit = {});

  // One page of the audit log, oldest first (domain::AuditRepository::QueryAudit).
  Result<domain::AuditPage> QueryAudit(int64_t from_ms, int64_t to_ms, int limit, const domain::AuditCursor& after);
  // One row; its id.
  Result<int64_t> Record(const domain::AuditRecord& row);

 private:
  domain::KeyRepository& keys_;
  domain::AuditRepository& audit_;
};

}  // namespace facepass::auth
