// The key and audit records now live in src/domain (issue 27); these names
// stay until the callers move to domain:: (phase 2).
#pragma once

#include "domain/auth_types.h"
#include "store/keyset_cursor.h"

namespace facepass::store {

using domain::AuditCursor;
using domain::AuditPage;
using domain::AuditRecord;
using domain::KeyRecord;

}  // namespace facepass::store
