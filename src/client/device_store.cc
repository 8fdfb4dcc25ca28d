#include "client/device_store.h"

#include <algorithm>
#include <cstring>

#include <SQLiteCpp/SQLiteCpp.h>

#include "common/clock.h"

namespace facepass::client {

namespace {

// 2 (issue 29): faces.label, what a format-2 sync carries.
constexpr int kSchemaVersion = 2;

const char* const kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS groups (
  position      INTEGER PRIMARY KEY AUTOINCREMENT,
  group_name    TEXT NOT NULL UNIQUE,
  group_id      INTEGER NOT NULL DEFAULT 0,
  local_version INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS faces (
  group_name TEXT NOT NULL,
  face_token TEXT NOT NULL,
  feature    BLOB NOT NULL,
  label      TEXT,
  PRIMARY KEY (group_name, face_token)
) WITHOUT ROWID;
)sql";

Status SqlError(const std::exception& e) { return Status::IoError(std::string("device store: ") + e.what()); }

std::string GetMeta(SQLite::Database& db, const char* key, const std::string& fallback = "") {
  SQLite::Statement q(db, "SELECT value FROM meta WHERE key = ?");
  q.bind(1, key);
  return q.executeStep() ? q.getColumn(0).getString() : fallback;
}

void SetMeta(SQLite::Database& db, const char* key, const std::string& value) {
  SQLite::Statement q(db, "INSERT INTO meta(key, value) VALUES(?, ?) "
                          "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  q.bind(1, key);
  q.bind(2, value);
  q.exec();
}

int64_t ToInt(const std::string& s) {
  try {
    return s.empty() ? 0 : std::stoll(s);
  } catch (const std::exception&) {
    return 0;
  }
}

int64_t StoredFaceCount(SQLite::Database& db) {
  SQLite::Statement q(db, "SELECT COUNT(*) FROM faces");
  q.executeStep();
  return q.getColumn(0).getInt64();
}

bool GroupConfigured(SQLite::Database& db, std::string_view group_name) {
  SQLite::Statement q(db, "SELECT 1 FROM groups WHERE group_name = ?");
  q.bind(1, std::string(group_name));
  return q.executeStep();
}

}  // namespace

int64_t ApplyReport::total_added() const {
  int64_t n = 0;
  for (const Group& g : groups) n += g.added;
  return n;
}

int64_t ApplyReport::total_deleted() const {
  int64_t n = 0;
  for (const Group& g : groups) n += g.deleted;
  return n;
}

DeviceStore::DeviceStore(std::unique_ptr<SQLite::Database> db) : db_(std::move(db)) {}
DeviceStore::~DeviceStore() = default;

Result<std::unique_ptr<DeviceStore>> DeviceStore::Open(const std::filesystem::path& file) {
  try {
    auto db = std::make_unique<SQLite::Database>(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db->setBusyTimeout(5000);
    db->exec("PRAGMA journal_mode = WAL");
    // FULL: a committed sync survives power loss too, not only a process crash.
    db->exec("PRAGMA synchronous = FULL");
    SQLite::Transaction tx(*db);
    db->exec(kSchema);
    std::string v = GetMeta(*db, "schema_version");
    if (v.empty()) {
      SetMeta(*db, "schema_version", std::to_string(kSchemaVersion));
    } else if (ToInt(v) == 1) {  // a store from before labels: the faces keep none until their next sync
      db->exec("ALTER TABLE faces ADD COLUMN label TEXT");
      SetMeta(*db, "schema_version", std::to_string(kSchemaVersion));
    } else if (ToInt(v) != kSchemaVersion) {
      return Status::FailedPrecondition("device store: unsupported schema version " + v);
    }
    tx.commit();
    return std::unique_ptr<DeviceStore>(new DeviceStore(std::move(db)));
  } catch (const std::exception& e) {
    return SqlError(e);
  }
}

Status DeviceStore::AddGroup(std::string_view group_name) {
  if (!IsValidGroupName(group_name)) return Status::InvalidArgument("group_name: " + std::string(group_name));
  MutexLock lock(&mu_);
  try {
    SQLite::Statement q(*db_, "INSERT OR IGNORE INTO groups(group_name) VALUES(?)");
    q.bind(1, std::string(group_name));
    q.exec();
    return Status::OK();
  } catch (const std::exception& e) {
    return SqlError(e);
  }
}

Status DeviceStore::RemoveGroup(std::string_view group_name) {
  MutexLock lock(&mu_);
  try {
    SQLite::Transaction tx(*db_);
    SQLite::Statement f(*db_, "DELETE FROM faces WHERE group_name = ?");
    f.bind(1, std::string(group_name));
    f.exec();
    SQLite::Statement g(*db_, "DELETE FROM groups WHERE group_name = ?");
    g.bind(1, std::string(group_name));
    if (g.exec() == 0) return Status::NotFound("group not configured: " + std::string(group_name));
    tx.commit();
    return Status::OK();
  } catch (const std::exception& e) {
    return SqlError(e);
  }
}

Result<std::vector<LocalGroup>> DeviceStore::Groups() const {
  MutexLock lock(&mu_);
  try {
    SQLite::Statement q(*db_,
                        "SELECT g.group_name, g.group_id, g.local_version, "
                        "(SELECT COUNT(*) FROM faces f WHERE f.group_name = g.group_name) "
                        "FROM groups g ORDER BY g.position");
    std::vector<LocalGroup> out;
    while (q.executeStep()) {
      out.push_back({q.getColumn(0).getString(), q.getColumn(1).getInt64(), q.getColumn(2).getInt64(),
                     q.getColumn(3).getInt64()});
    }
    return out;
  } catch (const std::exception& e) {
    return SqlError(e);
  }
}

Result<StoreInfo> DeviceStore::Info() const {
  MutexLock lock(&mu_);
  try {
    StoreInfo info;
    info.search_model = GetMeta(*db_, "search_model");
    if (info.search_model.empty()) info.search_model = GetMeta(*db_, "default_search_model");
    info.dim = static_cast<uint32_t>(ToInt(GetMeta(*db_, "dim")));
    std::string t = GetMeta(*db_, "recognize_threshold");
    if (!t.empty()) info.recognize_threshold = std::strtof(t.c_str(), nullptr);
    info.last_sync_ms = ToInt(GetMeta(*db_, "last_sync_ms"));
    info.server_time_ms = ToInt(GetMeta(*db_, "server_time_ms"));
    info.last_local_edit_ms = ToInt(GetMeta(*db_, "last_local_edit_ms"));
    return info;
  } catch (const std::exception& e) {
    return SqlError(e);
  }
}

Status DeviceStore::WriteMeta(const char* key, const std::string& value) {
  MutexLock lock(&mu_);
  try {
    SetMeta(*db_, key, value);
    return Status::OK();
  } catch (const std::exception& e) {
    return SqlError(e);
  }
}

Status DeviceStore::SetDefaultSearchModel(std::string_view search_model) {
  return WriteMeta("default_search_model", std::string(search_model));
}

Status DeviceStore::OverrideSearchModelForTesting(std::string_view search_model) {
  return WriteMeta("search_model", std::string(search_model));
}

Status DeviceStore::SetSyncFormat(uint16_t format) {
  if (format != sync::kFormatV1 && format != sync::kFormatV2)
    return Status::InvalidArgument("sync format " + std::to_string(format) + " (1 or 2)");
  return WriteMeta("sync_format", std::to_string(format));
}

Result<std::optional<std::string>> DeviceStore::LabelOf(std::string_view group_name, std::string_view face_token) const {
  MutexLock lock(&mu_);
  try {
    SQLite::Statement q(*db_, "SELECT label FROM faces WHERE group_name = ? AND face_token = ?");
    q.bind(1, std::string(group_name));
    q.bind(2, std::string(face_token));
    if (!q.executeStep() || q.getColumn(0).isNull()) return std::optional<std::string>();
    return std::optional<std::string>(q.getColumn(0).getString());
  } catch (const std::exception& e) {
    return SqlError(e);
  }
}

Result<sync::SyncRequest> DeviceStore::MakeSyncRequest() const {
  uint16_t format = sync::kLatestFormat;
  {
    MutexLock lock(&mu_);
    try {
      format = static_cast<uint16_t>(ToInt(GetMeta(*db_, "sync_format", std::to_string(sync::kLatestFormat))));
    } catch (const std::exception& e) {
      return SqlError(e);
    }
  }
  FP_ASSIGN_OR_RETURN(StoreInfo info, Info());
  FP_ASSIGN_OR_RETURN(std::vector<LocalGroup> groups, Groups());
  sync::SyncRequest req;
  req.search_model = info.search_model.empty() ? kUnknownSearchModel : info.search_model;
  req.client_version = FACEPASS_VERSION;
  req.format = format;
  for (const LocalGroup& g : groups) req.groups.push_back({g.group_name, g.group_id, g.local_version});
  return req;
}

Result<ApplyReport> DeviceStore::ApplySyncResult(std::string_view bytes) {
  FP_ASSIGN_OR_RETURN(sync::SyncResult r, sync::Decode(bytes));
  return Apply(r);
}

Result<ApplyReport> DeviceStore::Apply(const sync::SyncResult& r) {
  MutexLock lock(&mu_);
  ApplyReport report;
  try {
    SQLite::Transaction tx(*db_);
    FP_RETURN_IF_ERROR(ApplyLocked(r, &report));
    tx.commit();  // the only point where the new copy becomes visible
  } catch (const std::exception& e) {
    return SqlError(e);
  }
  return report;
}

// Runs inside the caller's transaction; an error return rolls everything back.
Status DeviceStore::ApplyLocked(const sync::SyncResult& r, ApplyReport* report) {
  using sync::GroupAction;
  report->clear_all = r.clear_all;

  bool has_faces = false;
  for (const sync::GroupPayload& g : r.groups) {
    has_faces |= !g.added.empty();
    // Local ids are the device's own (local_face.h); a cloud token never has the prefix.
    for (const sync::FaceEntry& f : g.added) {
      if (IsLocalFaceToken(f.face_token)) return Status::Corruption("cloud face_token with the local prefix: " + f.face_token);
    }
  }
  uint32_t stored_dim = static_cast<uint32_t>(ToInt(GetMeta(*db_, "dim")));
  if (!r.clear_all && has_faces && stored_dim != 0 && stored_dim != r.dim && StoredFaceCount(*db_) > 0) {
    return Status::FailedPrecondition("sync answer has " + std::to_string(r.dim) + "-D features, store holds " +
                                      std::to_string(stored_dim) + "-D, and no clear_all");
  }

  if (r.clear_all) {
    db_->exec("DELETE FROM faces");
    db_->exec("UPDATE groups SET group_id = 0, local_version = 0");
  }

  SQLite::Statement find(*db_, "SELECT group_id, local_version FROM groups WHERE group_name = ?");
  SQLite::Statement drop_all(*db_, "DELETE FROM faces WHERE group_name = ?");
  SQLite::Statement drop_one(*db_, "DELETE FROM faces WHERE group_name = ? AND face_token = ?");
  SQLite::Statement upsert(*db_,
                           "INSERT OR REPLACE INTO faces(group_name, face_token, feature, label) VALUES(?, ?, ?, ?)");
  SQLite::Statement set_version(*db_, "UPDATE groups SET group_id = ?, local_version = ? WHERE group_name = ?");

  for (size_t gi = 0; gi < r.groups.size(); ++gi) {
    const sync::GroupPayload& g = r.groups[gi];
    ApplyReport::Group out;
    out.group_name = g.group_name;
    out.action = g.action;

    find.reset();
    find.bind(1, g.group_name);
    if (!find.executeStep()) {
      out.skipped = true;
      out.note = "not configured on this device";
      report->groups.push_back(std::move(out));
      continue;
    }
    int64_t cur_id = find.getColumn(0).getInt64();
    int64_t cur_version = find.getColumn(1).getInt64();
    out.group_id = cur_id;
    out.local_version = cur_version;

    auto insert_added = [&]() {
      for (const sync::FaceEntry& f : g.added) {
        upsert.reset();
        upsert.bind(1, g.group_name);
        upsert.bind(2, f.face_token);
        upsert.bindNoCopy(3, f.feature.data(), static_cast<int>(f.feature.size() * sizeof(float)));
        if (f.label.empty()) upsert.bind(4); else upsert.bindNoCopy(4, f.label);
        upsert.exec();
      }
    };
    auto store_version = [&]() {
      set_version.reset();
      set_version.bind(1, g.group_id);
      set_version.bind(2, g.cloud_version);
      set_version.bind(3, g.group_name);
      set_version.exec();
      out.group_id = g.group_id;
      out.local_version = g.cloud_version;
    };

    switch (g.action) {
      case GroupAction::kFull:
        drop_all.reset();
        drop_all.bind(1, g.group_name);
        out.deleted = drop_all.exec();
        insert_added();
        out.added = static_cast<int64_t>(g.added.size());
        store_version();
        break;
      case GroupAction::kIncremental:
        // An increment is relative to the copy it was computed for: apply it
        // only to that copy (an answer to an older request is skipped, and the
        // next sync repairs the group).
        if (g.group_id != cur_id || g.local_version != cur_version) {
          out.skipped = true;
          out.note = "stale increment (local id/version " + std::to_string(cur_id) + "/" +
                     std::to_string(cur_version) + ", answer for " + std::to_string(g.group_id) + "/" +
                     std::to_string(g.local_version) + ")";
          break;
        }
        for (const std::string& t : g.deleted) {
          drop_one.reset();
          drop_one.bind(1, g.group_name);
          drop_one.bind(2, t);
          out.deleted += drop_one.exec();
        }
        insert_added();
        out.added = static_cast<int64_t>(g.added.size());
        store_version();
        break;
      case GroupAction::kNone:
        // Versions agree; record the id in case the device had none.
        if (g.group_id != 0 && cur_id == 0 && g.cloud_version == cur_version) store_version();
        break;
      case GroupAction::kKeepLocal:
        break;  // the cloud lost the group: keep the local copy as it is
    }
    report->groups.push_back(std::move(out));
    if (apply_hook_) FP_RETURN_IF_ERROR(apply_hook_(gi));
  }

  SetMeta(*db_, "search_model", r.search_model);
  if (r.dim != 0 || r.clear_all) SetMeta(*db_, "dim", std::to_string(r.dim));
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.9g", r.recognize_threshold);
  SetMeta(*db_, "recognize_threshold", buf);
  SetMeta(*db_, "last_sync_ms", std::to_string(NowMs()));
  SetMeta(*db_, "server_time_ms", std::to_string(r.server_time_ms));
  return Status::OK();
}

Status DeviceStore::ForEachFace(const FaceVisitor& visit) const {
  MutexLock lock(&mu_);
  try {
    SQLite::Statement q(*db_,
                        "SELECT f.group_name, f.face_token, f.feature FROM faces f "
                        "JOIN groups g ON g.group_name = f.group_name ORDER BY g.position, f.face_token");
    std::vector<float> buf;
    while (q.executeStep()) {
      SQLite::Column blob = q.getColumn(2);
      size_t n = static_cast<size_t>(blob.getBytes()) / sizeof(float);
      buf.resize(n);
      if (n) std::memcpy(buf.data(), blob.getBlob(), n * sizeof(float));
      visit(q.getColumn(0).getString(), q.getColumn(1).getString(), std::span<const float>(buf));
    }
    return Status::OK();
  } catch (const std::exception& e) {
    return SqlError(e);
  }
}

Result<std::string> DeviceStore::AddLocalFace(std::string_view group_name, std::string_view search_model,
                                              std::span<const float> feature) {
  if (feature.empty()) return Status::InvalidArgument("local face: empty feature");
  if (search_model.empty()) return Status::InvalidArgument("local face: empty search_model");
  MutexLock lock(&mu_);
  try {
    SQLite::Transaction tx(*db_);
    if (!GroupConfigured(*db_, group_name)) return Status::NotFound("group not configured: " + std::string(group_name));
    const std::string model = GetMeta(*db_, "search_model");
    const auto dim = static_cast<uint32_t>(ToInt(GetMeta(*db_, "dim")));
    if (StoredFaceCount(*db_) > 0 && ((!model.empty() && model != search_model) || (dim != 0 && dim != feature.size()))) {
      // Features of two models are not comparable: sync (clear-all) first.
      return Status::FailedPrecondition("the store holds " + std::to_string(dim) + "-D features of model " + model +
                                        ", this face is " + std::to_string(feature.size()) + "-D of " +
                                        std::string(search_model));
    }
    SetMeta(*db_, "search_model", std::string(search_model));
    SetMeta(*db_, "dim", std::to_string(feature.size()));
    const int64_t n = std::max<int64_t>(1, ToInt(GetMeta(*db_, "next_local_id")));
    const std::string token = LocalFaceToken(n);
    SetMeta(*db_, "next_local_id", std::to_string(n + 1));
    SQLite::Statement ins(*db_, "INSERT INTO faces(group_name, face_token, feature) VALUES(?, ?, ?)");
    ins.bind(1, std::string(group_name));
    ins.bind(2, token);
    ins.bindNoCopy(3, feature.data(), static_cast<int>(feature.size() * sizeof(float)));
    ins.exec();
    if (edit_hook_) edit_hook_();
    MarkLocallyEdited(group_name);
    tx.commit();
    return token;
  } catch (const std::exception& e) {
    return SqlError(e);
  }
}

Status DeviceStore::DeleteFace(std::string_view group_name, std::string_view face_token) {
  MutexLock lock(&mu_);
  try {
    SQLite::Transaction tx(*db_);
    if (!GroupConfigured(*db_, group_name)) return Status::NotFound("group not configured: " + std::string(group_name));
    SQLite::Statement del(*db_, "DELETE FROM faces WHERE group_name = ? AND face_token = ?");
    del.bind(1, std::string(group_name));
    del.bind(2, std::string(face_token));
    if (del.exec() == 0) {
      return Status::NotFound("no face " + std::string(face_token) + " in local group " + std::string(group_name));
    }
    if (edit_hook_) edit_hook_();
    MarkLocallyEdited(group_name);
    tx.commit();
    return Status::OK();
  } catch (const std::exception& e) {
    return SqlError(e);
  }
}

Result<std::vector<LocalFace>> DeviceStore::ListFaces(std::string_view group_name) const {
  MutexLock lock(&mu_);
  try {
    SQLite::Transaction tx(*db_);  // the group check and the faces: one snapshot
    if (!GroupConfigured(*db_, group_name)) return Status::NotFound("group not configured: " + std::string(group_name));
    SQLite::Statement q(*db_, "SELECT face_token FROM faces WHERE group_name = ? ORDER BY face_token");
    q.bind(1, std::string(group_name));
    std::vector<LocalFace> out;
    while (q.executeStep()) {
      std::string token = q.getColumn(0).getString();
      const bool local = IsLocalFaceToken(token);
      out.push_back({std::move(token), local});
    }
    tx.commit();
    return out;
  } catch (const std::exception& e) {
    return SqlError(e);
  }
}

// The spec's rule: any local change sets the group's version to 0.
void DeviceStore::MarkLocallyEdited(std::string_view group_name) {
  SQLite::Statement q(*db_, "UPDATE groups SET local_version = 0 WHERE group_name = ?");
  q.bind(1, std::string(group_name));
  q.exec();
  SetMeta(*db_, "last_local_edit_ms", std::to_string(NowMs()));
}

void DeviceStore::SetEditHookForTesting(std::function<void()> hook) {
  MutexLock lock(&mu_);
  edit_hook_ = std::move(hook);
}

void DeviceStore::SetApplyHookForTesting(std::function<Status(size_t)> hook) {
  MutexLock lock(&mu_);
  apply_hook_ = std::move(hook);
}

}  // namespace facepass::client
