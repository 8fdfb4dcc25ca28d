// The audit log: who changed what, when, from where (a change's own row is
// written with the change: domain/audited.h).
#pragma once

#include <cstdint>

#include "common/status.h"
#include "domain/auth_types.h"

namespace facepass::domain {

class AuditRepository {
 public:
  virtual ~AuditRepository() = default;

  virtual Result<int64_t> AppendAudit(const AuditRecord& r) = 0;  // returns the row id
  // At most `limit` rows with from_ms <= at_ms < to_ms after `after` in
  // (at_ms, id) order, oldest first. InvalidArgument for limit < 1.
  virtual Result<AuditPage> QueryAudit(int64_t from_ms, int64_t to_ms, int limit, AuditCursor after = {}) = 0;
  // Removes up to max_rows of the oldest rows with at_ms < before_ms; how
  // many went. A purge in batches keeps each write transaction short.
  virtual Result<int64_t> PurgeAuditBefore(int64_t before_ms, int64_t max_rows = INT64_MAX) = 0;
};

}  // namespace facepass::domain
