// The audit log: append, page through a time range, purge by age.
#include "store/pg/pg_internal.h"
#include "store/pg/pg_store.h"

namespace facepass::store::pg {

using internal::Mode;
using internal::Run;

namespace internal {

void RelaxCommit(pqxx::work& w) { w.exec("SET LOCAL synchronous_commit = off"); }

int64_t InsertAudit(pqxx::work& w, const domain::AuditRecord& r) {
  return w.exec_params1("INSERT INTO audit_log(at_ms, key_name, role, source_ip, endpoint, targets, result_code) "
                        "VALUES($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                        r.at_ms, r.key_name, r.role, r.source_ip, r.endpoint, r.targets, r.result_code)[0]
      .as<int64_t>();
}

}  // namespace internal

Result<int64_t> PgStore::AppendAudit(const domain::AuditRecord& r) {
  return Run(*pool_, Mode::kPlain, [&](pqxx::work& w) -> Result<int64_t> {
    // A row appended on its own records no change (a change commits its row
    // with it): it waits for no WAL flush.
    internal::RelaxCommit(w);
    return internal::InsertAudit(w, r);
  });
}

Result<domain::AuditPage> PgStore::QueryAudit(int64_t from_ms, int64_t to_ms, int limit, domain::AuditCursor after) {
  if (limit < 1) return Status::InvalidArgument("audit limit must be >= 1");
  return Run(*pool_, Mode::kPlain, [&](pqxx::work& w) -> Result<domain::AuditPage> {
    domain::AuditPage page;
    // Keyset order (at_ms, id) walks audit_log_at; one more row than asked
    // tells whether another page follows.
    for (const auto& row : w.exec_params(
             "SELECT id, at_ms, key_name, role, source_ip, endpoint, targets, result_code FROM audit_log "
             "WHERE at_ms >= $1 AND at_ms < $2 AND (at_ms, id) > ($3, $4) ORDER BY at_ms, id LIMIT $5",
             from_ms, to_ms, after.at_ms, after.id, limit + 1)) {
      if (static_cast<int>(page.rows.size()) == limit) {
        page.next_cursor = domain::AuditCursor{page.rows.back().at_ms, page.rows.back().id};
        break;
      }
      domain::AuditRecord r;
      r.id = row[0].as<int64_t>();
      r.at_ms = row[1].as<int64_t>();
      r.key_name = row[2].as<std::string>();
      r.role = row[3].as<std::string>();
      r.source_ip = row[4].as<std::string>();
      r.endpoint = row[5].as<std::string>();
      r.targets = row[6].as<std::string>();
      r.result_code = row[7].as<int>();
      page.rows.push_back(std::move(r));
    }
    return page;
  });
}

Result<int64_t> PgStore::PurgeAuditBefore(int64_t before_ms, int64_t max_rows) {
  if (max_rows < 1) return Status::InvalidArgument("audit purge batch must be >= 1");
  return Run(*pool_, Mode::kPlain, [&](pqxx::work& w) -> Result<int64_t> {
    return static_cast<int64_t>(
        w.exec_params("DELETE FROM audit_log WHERE id IN "
                      "(SELECT id FROM audit_log WHERE at_ms < $1 ORDER BY at_ms, id LIMIT $2)",
                      before_ms, max_rows)
            .affected_rows());
  });
}

}  // namespace facepass::store::pg
