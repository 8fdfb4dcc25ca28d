// API keys: name, role, SHA-256 of the key, created, last use, revocation.
#include "store/pg/pg_internal.h"
#include "store/pg/pg_store.h"

namespace facepass::store::pg {

using domain::KeyRecord;
using internal::Mode;
using internal::Run;
using internal::RunRead;

namespace {

constexpr char kColumns[] = "SELECT id, name, role, hash, created_ms, last_used_ms, revoked, revoked_ms FROM api_keys ";

KeyRecord ReadKey(const pqxx::row& row) {
  KeyRecord k;
  k.id = row[0].as<int64_t>();
  k.name = row[1].as<std::string>();
  k.role = row[2].as<std::string>();
  k.hash = row[3].as<std::string>();
  k.created_ms = row[4].as<int64_t>();
  k.last_used_ms = row[5].as<int64_t>();
  k.revoked = row[6].as<bool>();
  k.revoked_ms = row[7].as<int64_t>();
  return k;
}

}  // namespace

Result<int64_t> PgStore::InsertKey(const std::string& name, const std::string& role, const std::string& hash,
                                   int64_t now_ms, const domain::AuditOf<int64_t>& audit) {
  if (name.empty() || role.empty() || hash.empty()) return Status::InvalidArgument("key name, role and hash required");
  auto id = Run(*pool_, Mode::kPlain, [&](pqxx::work& w) -> Result<int64_t> {
    if (!w.exec_params("SELECT 1 FROM api_keys WHERE name = $1", name).empty())
      return Status::AlreadyExists("key name '" + name + "'");
    const int64_t id = w.exec_params1("INSERT INTO api_keys(name, role, hash, created_ms) VALUES($1, $2, $3, $4) "
                                      "RETURNING id",
                                      name, role, hash, now_ms)[0]
                           .as<int64_t>();
    if (audit) internal::InsertAudit(w, audit(id));
    return id;
  });
  // Another node took the name between the check and the insert.
  if (!id.ok() && id.status().code() == StatusCode::kAlreadyExists)
    return Status::AlreadyExists("key name '" + name + "'");
  return id;
}

Result<KeyRecord> PgStore::FindKeyByHash(const std::string& hash) {
  return RunRead(*pool_, [&](pqxx::transaction_base& w) -> Result<KeyRecord> {
    const pqxx::result r = w.exec_params(std::string(kColumns) + "WHERE hash = $1", hash);
    if (r.empty()) return Status::NotFound("no such key");
    return ReadKey(r[0]);
  });
}

Result<std::vector<KeyRecord>> PgStore::ListKeys() {
  return Run(*pool_, Mode::kPlain, [&](pqxx::work& w) -> Result<std::vector<KeyRecord>> {
    std::vector<KeyRecord> out;
    for (const auto& row : w.exec(std::string(kColumns) + "ORDER BY name COLLATE \"C\"")) out.push_back(ReadKey(row));
    return out;
  });
}

Result<int64_t> PgStore::CountActiveKeys() {
  return RunRead(*pool_, [&](pqxx::transaction_base& w) -> Result<int64_t> {
    return w.exec1("SELECT COUNT(*) FROM api_keys WHERE NOT revoked")[0].as<int64_t>();
  });
}

Status PgStore::RevokeKey(const std::string& name, int64_t now_ms, const domain::AuditRow& audit) {
  return Run(*pool_, Mode::kPlain, [&](pqxx::work& w) -> Status {
    if (w.exec_params("UPDATE api_keys SET revoked = true, revoked_ms = $1 WHERE name = $2 AND NOT revoked", now_ms, name)
            .affected_rows() == 0)
      return Status::NotFound("no live key named '" + name + "'");
    if (audit) internal::InsertAudit(w, *audit);
    return Status::OK();
  });
}

Status PgStore::TouchKey(int64_t id, int64_t now_ms) {
  return Run(*pool_, Mode::kPlain, [&](pqxx::work& w) -> Status {
    w.exec_params("UPDATE api_keys SET last_used_ms = $1 WHERE id = $2 AND last_used_ms < $1", now_ms, id);
    return Status::OK();
  });
}

}  // namespace facepass::store::pg
