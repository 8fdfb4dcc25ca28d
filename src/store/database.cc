// Database: opening, error mapping, config and device status.
#include "store/database.h"

#include <cmath>

#include "store/db_internal.h"

namespace facepass::store {

using internal::Guard;

namespace internal {

Status FromSqlite(const SQLite::Exception& e) {
  std::string msg = std::string("sqlite: ") + e.what();
  switch (e.getErrorCode()) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption(msg);
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return Status::IoError(msg);
    default:
      return Status::Internal(msg);
  }
}

}  // namespace internal

Database::Database(std::unique_ptr<SQLite::Database> db, std::filesystem::path file, const Options& options)
    : db_(std::move(db)), options_(options), file_(std::move(file)) {}

Database::~Database() = default;

Result<std::unique_ptr<Database>> Database::Open(const std::filesystem::path& file) {
  return Open(file, Options());
}

Result<std::unique_ptr<Database>> Database::Open(const std::filesystem::path& file, const Options& options) {
  if (options.change_log_keep < 1) return Status::InvalidArgument("change_log_keep must be >= 1");
  std::error_code ec;
  if (file.has_parent_path()) {
    std::filesystem::create_directories(file.parent_path(), ec);
    if (ec) return Status::IoError("create " + file.parent_path().string() + ": " + ec.message());
  }
  return Guard([&]() -> Result<std::unique_ptr<Database>> {
    // Our own mutex serialises use, so SQLite's per-connection mutex is redundant.
    auto db = std::make_unique<SQLite::Database>(
        file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX, options.busy_timeout_ms);
    // Before WAL and the first table: 16 KiB pages hold a 1024-D float feature
    // row without overflow pages (no effect on an existing file).
    db->exec("PRAGMA page_size = 16384");
    std::string mode = db->execAndGet("PRAGMA journal_mode = WAL").getString();
    if (mode != "wal") return Status::IoError("cannot switch " + file.string() + " to WAL (got " + mode + ")");
    // FULL: a committed transaction survives power loss, not just a crash.
    db->exec(options.durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = OFF");
    db->exec("PRAGMA foreign_keys = ON");
    FP_RETURN_IF_ERROR(internal::Migrate(*db, kSchemaVersion));
    return std::unique_ptr<Database>(new Database(std::move(db), file, options));
  });
}

Result<std::map<std::string, double>> Database::LoadConfig() {
  return Guard([&]() -> Result<std::map<std::string, double>> {
    MutexLock lock(&mu_);
    std::map<std::string, double> out;
    SQLite::Statement q(*db_, "SELECT key, value FROM config");
    while (q.executeStep()) out[q.getColumn(0).getString()] = q.getColumn(1).getDouble();
    return out;
  });
}

Status Database::SaveConfig(const std::map<std::string, double>& values, const domain::AuditRow& audit) {
  for (const auto& [key, value] : values) {
    if (key.empty() || !std::isfinite(value)) return Status::InvalidArgument("bad config entry '" + key + "'");
  }
  return Guard([&]() -> Status {
    MutexLock lock(&mu_);
    SQLite::Transaction txn(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement q(*db_,
                        "INSERT INTO config(key, value) VALUES(?, ?) "
                        "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    for (const auto& [key, value] : values) {
      q.bind(1, key);
      q.bind(2, value);
      q.exec();
      q.reset();
    }
    if (audit) internal::InsertAudit(*db_, *audit);
    txn.commit();
    return Status::OK();
  });
}

Status Database::UpsertDevice(const DeviceRecord& d) {
  if (d.ip.empty()) return Status::InvalidArgument("device ip is empty");
  return Guard([&]() -> Status {
    MutexLock lock(&mu_);
    SQLite::Transaction txn(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement up(*db_,
                         "INSERT INTO devices(ip, client_version, search_model, sync_time_ms) VALUES(?, ?, ?, ?) "
                         "ON CONFLICT(ip) DO UPDATE SET client_version = excluded.client_version, "
                         "search_model = excluded.search_model, sync_time_ms = excluded.sync_time_ms");
    up.bind(1, d.ip);
    up.bind(2, d.client_version);
    up.bind(3, d.search_model);
    up.bind(4, d.sync_time_ms);
    up.exec();
    SQLite::Statement clear(*db_, "DELETE FROM device_groups WHERE ip = ?");
    clear.bind(1, d.ip);
    clear.exec();
    SQLite::Statement ins(*db_,
                          "INSERT INTO device_groups(ip, seq, group_name, group_id, local_version, cloud_version, "
                          "result_code, result_version, added, deleted) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    int seq = 0;
    for (const DeviceGroupStatus& g : d.groups) {
      ins.bind(1, d.ip);
      ins.bind(2, seq++);
      ins.bind(3, g.group_name);
      ins.bind(4, g.group_id);
      ins.bind(5, g.local_version);
      ins.bind(6, g.cloud_version);
      ins.bind(7, g.result_code);
      ins.bind(8, g.result_version);
      ins.bind(9, g.added);
      ins.bind(10, g.deleted);
      ins.exec();
      ins.reset();
    }
    txn.commit();
    return Status::OK();
  });
}

Result<std::vector<DeviceRecord>> Database::ListDevices() {
  return Guard([&]() -> Result<std::vector<DeviceRecord>> {
    MutexLock lock(&mu_);
    SQLite::Transaction txn(*db_);  // one snapshot for both queries
    std::vector<DeviceRecord> out;
    std::map<std::string, size_t> index;
    SQLite::Statement q(*db_, "SELECT ip, client_version, search_model, sync_time_ms FROM devices ORDER BY ip");
    while (q.executeStep()) {
      DeviceRecord d;
      d.ip = q.getColumn(0).getString();
      d.client_version = q.getColumn(1).getString();
      d.search_model = q.getColumn(2).getString();
      d.sync_time_ms = q.getColumn(3).getInt64();
      index[d.ip] = out.size();
      out.push_back(std::move(d));
    }
    SQLite::Statement g(*db_,
                        "SELECT ip, group_name, group_id, local_version, cloud_version, result_code, "
                        "result_version, added, deleted FROM device_groups ORDER BY ip, seq");
    while (g.executeStep()) {
      auto it = index.find(g.getColumn(0).getString());
      if (it == index.end()) continue;
      DeviceGroupStatus s;
      s.group_name = g.getColumn(1).getString();
      s.group_id = g.getColumn(2).getInt64();
      s.local_version = g.getColumn(3).getInt64();
      s.cloud_version = g.getColumn(4).getInt64();
      s.result_code = g.getColumn(5).getInt();
      s.result_version = g.getColumn(6).getInt64();
      s.added = g.getColumn(7).getInt64();
      s.deleted = g.getColumn(8).getInt64();
      out[it->second].groups.push_back(std::move(s));
    }
    txn.commit();
    return out;
  });
}

}  // namespace facepass::store
