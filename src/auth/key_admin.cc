#include "auth/key_admin.h"

#include "auth/key_issuer.h"

namespace facepass::auth {

Result<std::string> KeyAdmin::Create(const std::string& name, Role role, int64_t now_ms,
                                     const domain::AuditHook& audit) {
  return IssueKey(keys_, name, role, now_ms, nullptr, audit);
}

Result<std::vector<domain::KeyRecord>> KeyAdmin::List() { return keys_.ListKeys(); }

Status KeyAdmin::Revoke(const std::string& name, int64_t now_ms, const domain::AuditHook& audit) {
  return keys_.RevokeKey(name, now_ms, domain::AuditRowOf(audit));
}

Result<domain::AuditPage> KeyAdmin::QueryAudit(int64_t from_ms, int64_t to_ms, int limit,
                                               const domain::AuditCursor& after) {
  return audit_.QueryAudit(from_ms, to_ms, limit, after);
}

Result<int64_t> KeyAdmin::Record(const domain::AuditRecord& row) { return audit_.AppendAudit(row); }

}  // namespace facepass::auth
