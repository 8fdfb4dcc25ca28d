// PgStore: opening, error mapping, config, device status and the secret.
#include "store/pg/pg_store.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cmath>
#include <map>

#include "store/pg/pg_internal.h"

namespace facepass::store::pg {

using internal::Mode;
using internal::Run;
using internal::RunRead;

namespace internal {

Status FromPqxx(const std::exception& e, ConnectionPool& pool, ConnectionPool::Lease& lease, bool* retry) {
  const std::string what = pool.Redact(e.what());
  *retry = false;
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) || dynamic_cast<const pqxx::statement_completion_unknown*>(&e)) {
    lease.Discard();
    return Status::Unavailable("database connection lost during commit, outcome unknown: " + what);
  }
  if (dynamic_cast<const pqxx::broken_connection*>(&e)) {
    // Nothing was committed: the server rolls back a transaction whose connection went.
    lease.Discard();
    pool.DropIdle();
    *retry = true;
    return Status::Unavailable("database " + pool.target() + " unreachable: " + what);
  }
  if (dynamic_cast<const pqxx::transaction_rollback*>(&e)) {  // deadlock, serialization failure
    *retry = true;
    return Status::Unavailable("database transaction rolled back: " + what);
  }
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    const std::string state = sql->sqlstate();
    if (state == "23505") return Status::AlreadyExists("database: " + what);
    if (state == "57014") return Status::Unavailable("database statement timed out: " + what);
    if (state == "55P03") return Status::Unavailable("database lock timed out: " + what);
    if (state.rfind("08", 0) == 0 || state.rfind("57P", 0) == 0 || state == "53300") {
      lease.Discard();  // connection exception, server shutting down, too many connections
      pool.DropIdle();
      *retry = state.rfind("57P", 0) == 0 || state.rfind("08", 0) == 0;
      return Status::Unavailable("database " + pool.target() + " unavailable: " + what);
    }
    return Status::Internal("database: " + what);
  }
  return Status::Internal("database: " + what);
}

}  // namespace internal

Result<std::unique_ptr<PgStore>> PgStore::Open(const std::string& uri, const Options& options) {
  if (options.change_log_keep < 1) return Status::InvalidArgument("change_log_keep must be >= 1");
  FP_ASSIGN_OR_RETURN(auto pool, ConnectionPool::Open(uri, options.pool));
  std::unique_ptr<PgStore> store(new PgStore(std::move(pool), options));
  FP_RETURN_IF_ERROR(Run(*store->pool_, Mode::kPlain, [&](pqxx::work& w) { return internal::Migrate(w, kSchemaVersion); }));
  return store;
}

Result<std::map<std::string, double>> PgStore::LoadConfig() {
  return RunRead(*pool_, [&](pqxx::transaction_base& w) -> Result<std::map<std::string, double>> {
    std::map<std::string, double> out;
    for (const auto& row : w.exec("SELECT key, value FROM config")) out[row[0].as<std::string>()] = row[1].as<double>();
    return out;
  });
}

Status PgStore::SaveConfig(const std::map<std::string, double>& values, const domain::AuditRow& audit) {
  for (const auto& [key, value] : values) {
    if (key.empty() || !std::isfinite(value)) return Status::InvalidArgument("bad config entry '" + key + "'");
  }
  return Run(*pool_, Mode::kPlain, [&](pqxx::work& w) -> Status {
    for (const auto& [key, value] : values) {
      w.exec_params("INSERT INTO config(key, value) VALUES($1, $2) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    key, value);
    }
    if (audit) internal::InsertAudit(w, *audit);
    return Status::OK();
  });
}

Status PgStore::UpsertDevice(const domain::DeviceRecord& d) {
  if (d.ip.empty()) return Status::InvalidArgument("device ip is empty");
  return Run(*pool_, Mode::kPlain, [&](pqxx::work& w) -> Status {
    w.exec_params("INSERT INTO devices(ip, client_version, search_model, sync_time_ms) VALUES($1, $2, $3, $4) "
                  "ON CONFLICT(ip) DO UPDATE SET client_version = excluded.client_version, "
                  "search_model = excluded.search_model, sync_time_ms = excluded.sync_time_ms",
                  d.ip, d.client_version, d.search_model, d.sync_time_ms);
    w.exec_params("DELETE FROM device_groups WHERE ip = $1", d.ip);
    int seq = 0;
    for (const domain::DeviceGroupStatus& g : d.groups) {
      w.exec_params("INSERT INTO device_groups(ip, seq, group_name, group_id, local_version, cloud_version, "
                    "result_code, result_version, added, deleted) VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    d.ip, seq++, g.group_name, g.group_id, g.local_version, g.cloud_version, g.result_code,
                    g.result_version, g.added, g.deleted);
    }
    return Status::OK();
  });
}

Result<std::vector<domain::DeviceRecord>> PgStore::ListDevices() {
  return Run(*pool_, Mode::kSnapshot, [&](pqxx::work& w) -> Result<std::vector<domain::DeviceRecord>> {
    std::vector<domain::DeviceRecord> out;
    std::map<std::string, size_t> index;
    for (const auto& row : w.exec("SELECT ip, client_version, search_model, sync_time_ms FROM devices ORDER BY ip")) {
      domain::DeviceRecord d;
      d.ip = row[0].as<std::string>();
      d.client_version = row[1].as<std::string>();
      d.search_model = row[2].as<std::string>();
      d.sync_time_ms = row[3].as<int64_t>();
      index[d.ip] = out.size();
      out.push_back(std::move(d));
    }
    for (const auto& row : w.exec("SELECT ip, group_name, group_id, local_version, cloud_version, result_code, "
                                  "result_version, added, deleted FROM device_groups ORDER BY ip, seq")) {
      auto it = index.find(row[0].as<std::string>());
      if (it == index.end()) continue;
      domain::DeviceGroupStatus s;
      s.group_name = row[1].as<std::string>();
      s.group_id = row[2].as<int64_t>();
      s.local_version = row[3].as<int64_t>();
      s.cloud_version = row[4].as<int64_t>();
      s.result_code = row[5].as<int>();
      s.result_version = row[6].as<int64_t>();
      s.added = row[7].as<int64_t>();
      s.deleted = row[8].as<int64_t>();
      out[it->second].groups.push_back(std::move(s));
    }
    return out;
  });
}

Result<std::string> PgStore::LoadOrCreateSecret() {
  constexpr size_t kSize = domain::kInstallationSecretSize;
  return Run(*pool_, Mode::kPlain, [&](pqxx::work& w) -> Result<std::string> {
    unsigned char fresh[kSize];
    if (RAND_bytes(fresh, sizeof(fresh)) != 1) return Status::Internal("RAND_bytes failed");
    // A racing first node waits on the key and then keeps the row it finds.
    w.exec_params("INSERT INTO installation_secret(id, secret) VALUES(1, $1) ON CONFLICT(id) DO NOTHING",
                  pqxx::binarystring(fresh, sizeof(fresh)));
    OPENSSL_cleanse(fresh, sizeof(fresh));
    const pqxx::result r = w.exec("SELECT secret FROM installation_secret WHERE id = 1");
    const pqxx::binarystring secret(r.at(0)[0]);
    if (secret.size() != kSize)
      return Status::Corruption("installation secret has " + std::to_string(secret.size()) + " bytes, expected " +
                                std::to_string(kSize));
    return secret.str();
  });
}

}  // namespace facepass::store::pg

namespace facepass::store::pg {

Result<bool> PgStore::RunAlone(std::string_view task, const std::function<void()>& fn) {
  // The class half of the key; the name locks of groups_repo.cc use ...370.
  const std::string lock = "(1179660371, hashtext($1))";
  const std::string name(task);
  FP_ASSIGN_OR_RETURN(auto conn, pool_->Dedicated());
  try {
    pqxx::nontransaction w(*conn);
    if (!w.exec_params("SELECT pg_try_advisory_lock" + lock, name)[0][0].as<bool>()) return false;
  } catch (const std::exception& e) {
    return Status::Unavailable("database " + pool_->target() + ": task lock " + name + ": " + pool_->Redact(e.what()));
  }
  fn();
  try {
    pqxx::nontransaction w(*conn);
    w.exec_params("SELECT pg_advisory_unlock" + lock, name);
  } catch (const std::exception&) {
    // The lock goes with the connection, closed below.
  }
  return true;
}

}  // namespace facepass::store::pg
