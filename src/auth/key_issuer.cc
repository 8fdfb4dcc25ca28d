#include "auth/key_issuer.h"

#include "auth/api_key.h"

namespace facepass::auth {

Result<std::string> IssueKey(domain::KeyRepository& keys, const std::string& name, Role role, int64_t now_ms,
                             const BeforeStore& before_store, const domain::AuditHook& audit) {
  if (!ValidKeyName(name)) return Status::InvalidArgument("key name must be 1-64 of [A-Za-z0-9_.-]");
  FP_ASSIGN_OR_RETURN(std::string key, GenerateKey());
  if (before_store) FP_RETURN_IF_ERROR(before_store(key));
  FP_RETURN_IF_ERROR(keys.InsertKey(name, RoleName(role), HashKey(key), now_ms, domain::AuditFor<int64_t>(audit)).status());
  return key;
}

}  // namespace facepass::auth
