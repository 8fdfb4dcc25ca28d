// API keys: name, role, SHA-256 of the key, created, last use, revocation.
#include "store/database.h"
#include "store/db_internal.h"

namespace facepass::store {

using internal::Guard;

namespace {

constexpr char kColumns[] = "id, name, role, hash, created_ms, last_used_ms, revoked, revoked_ms";

KeyRecord ReadKey(SQLite::Statement& q) {
  KeyRecord k;
  k.id = q.getColumn(0).getInt64();
  k.name = q.getColumn(1).getString();
  k.role = q.getColumn(2).getString();
  k.hash = q.getColumn(3).getString();
  k.created_ms = q.getColumn(4).getInt64();
  k.last_used_ms = q.getColumn(5).getInt64();
  k.revoked = q.getColumn(6).getInt() != 0;
  k.revoked_ms = q.getColumn(7).getInt64();
  return k;
}

}  // namespace

Result<int64_t> Database::InsertKey(const std::string& name, const std::string& role, const std::string& hash,
                                    int64_t now_ms, const domain::AuditOf<int64_t>& audit) {
  if (name.empty() || role.empty() || hash.empty()) return Status::InvalidArgument("key name, role and hash required");
  return Guard([&]() -> Result<int64_t> {
    MutexLock lock(&mu_);
    SQLite::Transaction txn(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement exists(*db_, "SELECT 1 FROM api_keys WHERE name = ?");
    exists.bind(1, name);
    if (exists.executeStep()) return Status::AlreadyExists("key name '" + name + "'");
    SQLite::Statement ins(*db_, "INSERT INTO api_keys(name, role, hash, created_ms) VALUES (?, ?, ?, ?)");
    ins.bind(1, name);
    ins.bind(2, role);
    ins.bind(3, hash);
    ins.bind(4, now_ms);
    ins.exec();
    const int64_t id = db_->getLastInsertRowid();
    if (audit) internal::InsertAudit(*db_, audit(id));
    txn.commit();
    return id;
  });
}

Result<KeyRecord> Database::FindKeyByHash(const std::string& hash) {
  return Guard([&]() -> Result<KeyRecord> {
    MutexLock lock(&mu_);
    SQLite::Statement q(*db_, std::string("SELECT ") + kColumns + " FROM api_keys WHERE hash = ?");
    q.bind(1, hash);
    if (!q.executeStep()) return Status::NotFound("no such key");
    return ReadKey(q);
  });
}

Result<std::vector<KeyRecord>> Database::ListKeys() {
  return Guard([&]() -> Result<std::vector<KeyRecord>> {
    MutexLock lock(&mu_);
    std::vector<KeyRecord> out;
    SQLite::Statement q(*db_, std::string("SELECT ") + kColumns + " FROM api_keys ORDER BY name");
    while (q.executeStep()) out.push_back(ReadKey(q));
    return out;
  });
}

Result<int64_t> Database::CountActiveKeys() {
  return Guard([&]() -> Result<int64_t> {
    MutexLock lock(&mu_);
    return db_->execAndGet("SELECT COUNT(*) FROM api_keys WHERE revoked = 0").getInt64();
  });
}

Status Database::RevokeKey(const std::string& name, int64_t now_ms, const domain::AuditRow& audit) {
  return Guard([&]() -> Status {
    MutexLock lock(&mu_);
    SQLite::Transaction txn(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement q(*db_, "UPDATE api_keys SET revoked = 1, revoked_ms = ? WHERE name = ? AND revoked = 0");
    q.bind(1, now_ms);
    q.bind(2, name);
    if (q.exec() == 0) return Status::NotFound("no live key named '" + name + "'");
    if (audit) internal::InsertAudit(*db_, *audit);
    txn.commit();
    return Status::OK();
  });
}

Status Database::TouchKey(int64_t id, int64_t now_ms) {
  return Guard([&]() -> Status {
    MutexLock lock(&mu_);
    SQLite::Statement q(*db_, "UPDATE api_keys SET last_used_ms = ? WHERE id = ? AND last_used_ms < ?");
    q.bind(1, now_ms);
    q.bind(2, id);
    q.bind(3, now_ms);
    q.exec();
    return Status::OK();
  });
}

}  // namespace facepass::store
