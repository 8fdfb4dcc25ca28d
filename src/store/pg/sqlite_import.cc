// ImportSqlite: one PostgreSQL transaction that copies a stopped SQLite
// installation, row for row, and checks the copy before it commits.
#include "store/pg/sqlite_import.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "domain/secret_repository.h"
#include "store/data_check.h"
#include "store/dir_lock.h"
#include "store/search_model_file.h"
#include "store/pg/pg_internal.h"
#include "store/pg/pg_store.h"

namespace facepass::store::pg {
namespace {

namespace fs = std::filesystem;
using internal::Mode;
using internal::Run;

// One table: what SQLite's SELECT reads, the PostgreSQL columns it fills in
// that order. Values go across as text (PostgreSQL reads 0/1 as a boolean and
// \x... as a bytea); doubles with all 17 digits so scores survive exactly.
struct TableCopy {
  const char* source_select;
  const char* target;
  const char* target_columns;
};

constexpr TableCopy kTables[] = {
    {"SELECT id, image_id, left, top, right, bottom, created_ms, feature, deleted, deleted_ms, label FROM faces "
     "ORDER BY id",
     "faces", "id, image_id, rect_left, rect_top, rect_right, rect_bottom, created_ms, feature, deleted, deleted_ms, label"},
    {"SELECT id, name, version, log_floor, deleted, created_ms, deleted_ms FROM groups ORDER BY id", "face_groups",
     "id, name, version, log_floor, deleted, created_ms, deleted_ms"},
    {"SELECT group_id, face_id FROM bindings ORDER BY group_id, face_id", "bindings", "group_id, face_id"},
    {"SELECT group_id, version, op, face_id, at_ms FROM group_changes ORDER BY group_id, version", "group_changes",
     "group_id, version, op, face_id, at_ms"},
    {"SELECT key, value FROM config ORDER BY key", "config", "key, value"},
    {"SELECT ip, client_version, search_model, sync_time_ms FROM devices ORDER BY ip", "devices",
     "ip, client_version, search_model, sync_time_ms"},
    {"SELECT ip, seq, group_name, group_id, local_version, cloud_version, result_code, result_version, added, deleted "
     "FROM device_groups ORDER BY ip, seq",
     "device_groups",
     "ip, seq, group_name, group_id, local_version, cloud_version, result_code, result_version, added, deleted"},
    {"SELECT id, name, role, hash, created_ms, last_used_ms, revoked, revoked_ms FROM api_keys ORDER BY id", "api_keys",
     "id, name, role, hash, created_ms, last_used_ms, revoked, revoked_ms"},
    {"SELECT id, at_ms, key_name, role, source_ip, endpoint, targets, result_code FROM audit_log ORDER BY id",
     "audit_log", "id, at_ms, key_name, role, source_ip, endpoint, targets, result_code"},
    {"SELECT id, image_id, at_ms, group_name, track_id, face_id, score, passed, left, top, right, bottom, "
     "liveness_score FROM recognitions ORDER BY id",
     "recognitions",
     "id, image_id, at_ms, group_name, track_id, face_id, score, passed, rect_left, rect_top, rect_right, rect_bottom, "
     "liveness_score"},
};

// Tables with an identity id, by their SQLite name (sqlite_sequence) and
// PostgreSQL name: the sequence moves past both the largest id and SQLite's
// high-water mark, so an id of a purged capture is never handed out again.
constexpr std::pair<const char*, const char*> kIdentities[] = {
    {"images", "images"},     {"faces", "faces"},         {"groups", "face_groups"},
    {"api_keys", "api_keys"}, {"audit_log", "audit_log"}, {"recognitions", "recognitions"},
};

constexpr const char* kMustBeEmpty[] = {"faces", "images", "face_groups", "api_keys"};

std::string Hex(const unsigned char* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 15];
  }
  return out;
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
  return Hex(md, len);
}

// A column's value as PostgreSQL's text input for it; nullopt for NULL.
std::optional<std::string> TextOf(const SQLite::Column& c) {
  switch (c.getType()) {
    case SQLITE_NULL:
      return std::nullopt;
    case SQLITE_INTEGER:
      return std::to_string(c.getInt64());
    case SQLITE_FLOAT: {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%.17g", c.getDouble());
      return std::string(buf);
    }
    case SQLITE_BLOB:
      return "\\x" + Hex(static_cast<const unsigned char*>(c.getBlob()), static_cast<size_t>(c.getBytes()));
    default:
      return c.getString();
  }
}

int64_t CountRows(pqxx::work& w, const std::string& table) {
  return w.exec1("SELECT COUNT(*) FROM " + w.quote_name(table))[0].as<int64_t>();
}

int64_t CountSource(SQLite::Database& src, const std::string& table) {
  return src.execAndGet("SELECT COUNT(*) FROM \"" + table + "\"").getInt64();
}

// Copies one table row by row; the rows copied.
int64_t CopyTable(SQLite::Database& src, pqxx::work& w, const TableCopy& t) {
  SQLite::Statement st(src, t.source_select);
  const int n = st.getColumnCount();
  std::string insert = std::string("INSERT INTO ") + t.target + "(" + t.target_columns + ") VALUES(";
  for (int i = 0; i < n; ++i) insert += (i ? ", $" : "$") + std::to_string(i + 1);
  insert += ")";
  int64_t rows = 0;
  std::vector<std::optional<std::string>> values(n);
  std::vector<const char*> params(n);
  while (st.executeStep()) {
    for (int i = 0; i < n; ++i) {
      values[i] = TextOf(st.getColumn(i));
      params[i] = values[i] ? values[i]->c_str() : nullptr;
    }
    w.exec_params(insert, pqxx::prepare::make_dynamic_params(params));
    ++rows;
  }
  return rows;
}

// An image file under <data_dir>/images, refusing a path that leaves it.
Result<std::string> ReadImageFile(const fs::path& images_dir, int64_t id, const std::string& relative) {
  const fs::path rel(relative);
  if (rel.empty() || rel.is_absolute()) return Status::Corruption("image " + std::to_string(id) + ": bad path");
  for (const auto& part : rel)
    if (part == "..") return Status::Corruption("image " + std::to_string(id) + ": path leaves images/");
  const fs::path file = images_dir / rel;
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::Corruption("image " + std::to_string(id) + ": cannot read " + file.string());
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in.good() && !in.eof()) return Status::IoError("read " + file.string());
  return bytes.str();
}

// Every image row with its file's bytes; each image's SHA-256 by id.
Status CopyImages(SQLite::Database& src, const fs::path& data_dir, pqxx::work& w, std::map<int64_t, std::string>* sha,
                  int64_t* bytes_total) {
  SQLite::Statement st(src, "SELECT id, kind, format, path, size, width, height, created_ms FROM images ORDER BY id");
  while (st.executeStep()) {
    const int64_t id = st.getColumn(0).getInt64();
    FP_ASSIGN_OR_RETURN(std::string bytes, ReadImageFile(data_dir / "images", id, st.getColumn(3).getString()));
    const int64_t size = st.getColumn(4).getInt64();
    if (static_cast<int64_t>(bytes.size()) != size)
      return Status::Corruption("image " + std::to_string(id) + ": the file has " + std::to_string(bytes.size()) +
                                " bytes, the row says " + std::to_string(size));
    (*sha)[id] = Sha256Hex(bytes);
    *bytes_total += size;
    w.exec_params("INSERT INTO images(id, kind, format, size, width, height, created_ms, bytes) "
                  "VALUES($1, $2, $3, $4, $5, $6, $7, $8)",
                  id, st.getColumn(1).getInt(), st.getColumn(2).getString(), size, st.getColumn(5).getInt(),
                  st.getColumn(6).getInt(), st.getColumn(7).getInt64(), pqxx::binarystring(bytes.data(), bytes.size()));
  }
  return Status::OK();
}

Result<std::string> ReadSecret(const fs::path& data_dir) {
  const fs::path file = data_dir / "secret.key";
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::FailedPrecondition("no installation secret " + file.string());
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (bytes.str().size() != domain::kInstallationSecretSize)
    return Status::Corruption(file.string() + " has " + std::to_string(bytes.str().size()) + " bytes, expected " +
                              std::to_string(domain::kInstallationSecretSize));
  return bytes.str();
}

// Refuses a schema of another version or any row that says the database is in use.
Status CheckTargetEmpty(pqxx::work& w) {
  if (!w.exec1("SELECT to_regclass('schema_version')")[0].is_null()) {
    const int version = w.exec1("SELECT COALESCE(MAX(version), 0) FROM schema_version")[0].as<int>();
    if (version != 0 && version != PgStore::kSchemaVersion)
      return Status::FailedPrecondition("target database has schema version " + std::to_string(version) +
                                        ", this build writes " + std::to_string(PgStore::kSchemaVersion));
  }
  FP_RETURN_IF_ERROR(internal::Migrate(w, PgStore::kSchemaVersion));
  for (const char* table : kMustBeEmpty) {
    if (CountRows(w, table) != 0)
      return Status::FailedPrecondition(std::string("target database is not empty (table ") + table +
                                        " has rows): migrate only into an empty database");
  }
  return Status::OK();
}

void MoveSequences(SQLite::Database& src, pqxx::work& w) {
  for (const auto& [source, target] : kIdentities) {
    SQLite::Statement seq(src, "SELECT seq FROM sqlite_sequence WHERE name = ?");
    seq.bind(1, source);
    const int64_t high_water = seq.executeStep() ? seq.getColumn(0).getInt64() : 0;
    const int64_t max_id = w.exec1(std::string("SELECT COALESCE(MAX(id), 0) FROM ") + target)[0].as<int64_t>();
    const int64_t last = std::max(high_water, max_id);
    if (last > 0) w.exec_params("SELECT setval(pg_get_serial_sequence($1, 'id'), $2)", target, last);
  }
}

Result<ImportReport> Copy(SQLite::Database& src, const fs::path& data_dir, const std::string& secret, pqxx::work& w) {
  ImportReport report;
  FP_RETURN_IF_ERROR(CheckTargetEmpty(w));
  w.exec("SET LOCAL statement_timeout = 0");  // a bulk copy; Migrate set its own
  std::map<int64_t, std::string> sha;
  FP_RETURN_IF_ERROR(CopyImages(src, data_dir, w, &sha, &report.image_bytes));
  report.tables.push_back({"images", CountSource(src, "images"), 0});
  for (const TableCopy& t : kTables) {
    CopyTable(src, w, t);
    const char* source_name = std::string(t.target) == "face_groups" ? "groups" : t.target;
    report.tables.push_back({t.target, CountSource(src, source_name), 0});
  }
  w.exec_params("INSERT INTO installation_secret(id, secret) VALUES(1, $1)",
                pqxx::binarystring(secret.data(), secret.size()));
  report.tables.push_back({"installation_secret", 1, 0});
  // The embedder the features were made with (the data directory's file):
  // a node on other models is then refused, as the old server was.
  if (const std::string model = ReadSearchModelFile(data_dir); !model.empty()) {
    w.exec_params("INSERT INTO installation_info(key, value) VALUES('search_model', $1)", model);
    report.tables.push_back({"installation_info", 1, 0});
  }
  MoveSequences(src, w);
  // One catalogue step for the whole copy: a node that read an older
  // sequence (or none) loads every group.
  report.catalog_seq = internal::LockCatalog(w);
  w.exec_params("UPDATE face_groups SET seq = $1", report.catalog_seq);

  // The check, before the commit: a mismatch rolls everything back.
  for (ImportedTable& t : report.tables) {
    t.target = CountRows(w, t.name);
    if (t.target != t.source)
      return Status::Internal("copy check failed: " + t.name + " has " + std::to_string(t.source) +
                              " rows in SQLite, " + std::to_string(t.target) + " in PostgreSQL");
  }
  for (const auto& row : w.exec("SELECT id, encode(sha256(bytes), 'hex') FROM images ORDER BY id")) {
    const int64_t id = row[0].as<int64_t>();
    auto it = sha.find(id);
    if (it == sha.end() || it->second != row[1].as<std::string>())
      return Status::Internal("copy check failed: image " + std::to_string(id) + " differs (SHA-256)");
    ++report.images_hashed;
  }
  if (report.images_hashed != static_cast<int64_t>(sha.size()))
    return Status::Internal("copy check failed: " + std::to_string(sha.size() - report.images_hashed) +
                            " images missing in PostgreSQL");
  return report;
}

}  // namespace

Result<ImportReport> ImportSqlite(const fs::path& data_dir, const std::string& uri) {
  const fs::path db_file = data_dir / "facepass.db";
  if (!fs::is_regular_file(db_file)) return Status::NotFound("no facepass.db in " + data_dir.string());
  auto lock = DirLock::Acquire(data_dir);
  if (!lock.ok()) {
    if (lock.status().code() == StatusCode::kUnavailable)
      return Status::Unavailable("a server holds " + data_dir.string() + ": stop it first (" +
                                 lock.status().message() + ")");
    return lock.status();
  }
  if (auto check = CheckDataDir(data_dir); !check.ok())
    return Status::FailedPrecondition("the source fails its integrity check: " + check.status().ToString());
  FP_ASSIGN_OR_RETURN(const std::string secret, ReadSecret(data_dir));

  ConnectionPool::Options options;
  options.size = 1;
  FP_ASSIGN_OR_RETURN(auto pool, ConnectionPool::Open(uri, options));
  try {
    SQLite::Database src(db_file.string(), SQLite::OPEN_READONLY);
    SQLite::Transaction snapshot(src);  // one view of the source (nothing else writes: the lock is ours)
    auto report = Run(*pool, Mode::kPlain, [&](pqxx::work& w) -> Result<ImportReport> {
      try {
        return Copy(src, data_dir, secret, w);
      } catch (const SQLite::Exception& e) {  // rolls the copy back; a pqxx error goes on to Run
        return Status::IoError("reading " + db_file.string() + ": " + e.what());
      }
    });
    if (!report.ok()) return report;
    report->target = pool->target();
    // The copied tables' statistics and visibility map, as pg_restore's users
    // are told to do: until autovacuum gets there, every index-only read
    // (a node's first load walks the bindings key) visits the heap as well.
    std::string tables;
    for (const ImportedTable& t : report->tables) tables += (tables.empty() ? "" : ", ") + t.name;
    report->vacuum = internal::RunOn<pqxx::nontransaction>(*pool, Mode::kPlain, [&](pqxx::transaction_base& w) -> Status {
      w.exec("SET statement_timeout = 0");
      w.exec("VACUUM (ANALYZE) " + tables);
      w.exec("RESET statement_timeout");
      return Status::OK();
    });
    return report;
  } catch (const SQLite::Exception& e) {
    return Status::IoError("reading " + db_file.string() + ": " + e.what());
  }
}

}  // namespace facepass::store::pg
