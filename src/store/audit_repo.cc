// The audit log: append, page through a time range, purge by age.
#include "store/database.h"
#include "store/db_internal.h"

namespace facepass::store {

using internal::Guard;

namespace internal {

int64_t InsertAudit(SQLite::Database& db, const AuditRecord& r) {
  SQLite::Statement q(db,
                      "INSERT INTO audit_log(at_ms, key_name, role, source_ip, endpoint, targets, result_code) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  q.bind(1, r.at_ms);
  q.bind(2, r.key_name);
  q.bind(3, r.role);
  q.bind(4, r.source_ip);
  q.bind(5, r.endpoint);
  q.bind(6, r.targets);
  q.bind(7, r.result_code);
  q.exec();
  return db.getLastInsertRowid();
}

}  // namespace internal

Result<int64_t> Database::AppendAudit(const AuditRecord& r) {
  return Guard([&]() -> Result<int64_t> {
    MutexLock lock(&mu_);
    // A row appended on its own records no change (a refused or failed call:
    // a change commits its row with it), so it waits for no fsync.
    internal::RelaxedSync relaxed(*db_, options_.durable);
    return internal::InsertAudit(*db_, r);
  });
}

Result<AuditPage> Database::QueryAudit(int64_t from_ms, int64_t to_ms, int limit, AuditCursor after) {
  if (limit < 1) return Status::InvalidArgument("audit limit must be >= 1");
  return Guard([&]() -> Result<AuditPage> {
    MutexLock lock(&mu_);
    AuditPage page;
    // Keyset order (at_ms, id) walks the at_ms index (its entries end in the
    // rowid), so a page costs its own rows, however deep it starts. One more
    // row than asked tells whether another page follows.
    SQLite::Statement q(*db_,
                        "SELECT id, at_ms, key_name, role, source_ip, endpoint, targets, result_code FROM audit_log "
                        "WHERE at_ms >= ? AND at_ms < ? AND (at_ms, id) > (?, ?) ORDER BY at_ms, id LIMIT ?");
    q.bind(1, from_ms);
    q.bind(2, to_ms);
    q.bind(3, after.at_ms);
    q.bind(4, after.id);
    q.bind(5, limit + 1);
    while (q.executeStep()) {
      if (static_cast<int>(page.rows.size()) == limit) {
        page.next_cursor = AuditCursor{page.rows.back().at_ms, page.rows.back().id};
        break;
      }
      AuditRecord r;
      r.id = q.getColumn(0).getInt64();
      r.at_ms = q.getColumn(1).getInt64();
      r.key_name = q.getColumn(2).getString();
      r.role = q.getColumn(3).getString();
      r.source_ip = q.getColumn(4).getString();
      r.endpoint = q.getColumn(5).getString();
      r.targets = q.getColumn(6).getString();
      r.result_code = q.getColumn(7).getInt();
      page.rows.push_back(std::move(r));
    }
    return page;
  });
}

Result<int64_t> Database::PurgeAuditBefore(int64_t before_ms, int64_t max_rows) {
  if (max_rows < 1) return Status::InvalidArgument("audit purge batch must be >= 1");
  return Guard([&]() -> Result<int64_t> {
    MutexLock lock(&mu_);
    SQLite::Statement q(*db_,
                        "DELETE FROM audit_log WHERE id IN "
                        "(SELECT id FROM audit_log WHERE at_ms < ? ORDER BY at_ms LIMIT ?)");
    q.bind(1, before_ms);
    q.bind(2, max_rows);
    return static_cast<int64_t>(q.exec());
  });
}

}  // namespace facepass::store
