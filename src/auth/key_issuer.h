// The one way an API key is made, for POST /api/keys/v1/create,
// `facepass keys create` and the first start's admin key (auth/bootstrap.h):
// a fresh key from the CSPRNG (auth/api_key.h), stored only as its hash under
// a name that is never reused, revoked keys' included (the audit log keeps
// naming one key).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "auth/role.h"
#include "common/status.h"
#include "domain/audited.h"
#include "domain/key_repository.h"

namespace facepass::auth {

// Called with the new key before its row is stored; an error stores nothing.
// The bootstrap writes its file there, so a crash in between leaves a file
// for a key that does not exist rather than a key that nobody knows.
using BeforeStore = std::function<Status(const std::string& key)>;

// The key, shown once. kInvalidArgument for a name outside ValidKeyName,
// kAlreadyExists for a name used before, kInternal when the CSPRNG fails.
Result<std::string> IssueKey(domain::KeyRepository& keys, const std::string& name, Role role, int64_t now_ms,
                             const BeforeStore& before_store = nullptr, const domain::AuditHook& audit = {});

}  // namespace facepass::auth
