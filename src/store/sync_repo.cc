// Reads for device sync and start-up: change log, features, full bindings.
#include "store/change_log.h"
#include "store/database.h"
#include "store/db_internal.h"

namespace facepass::store {

using internal::Guard;

namespace {

std::vector<GroupChange> ReadChanges(SQLite::Database& db, int64_t group_id, int64_t from_version) {
  std::vector<GroupChange> out;
  SQLite::Statement q(db,
                      "SELECT version, face_id, op FROM group_changes "
                      "WHERE group_id = ? AND version > ? AND op IN (1, 2) ORDER BY version");
  q.bind(1, group_id);
  q.bind(2, from_version);
  while (q.executeStep())
    out.push_back(GroupChange{q.getColumn(0).getInt64(), q.getColumn(1).getInt64(),
                              q.getColumn(2).getInt() == internal::kOpBind});
  return out;
}

}  // namespace

Result<std::optional<std::vector<GroupChange>>> Database::ChangesSince(int64_t group_id, int64_t from_version) {
  return Guard([&]() -> Result<std::optional<std::vector<GroupChange>>> {
    MutexLock lock(&mu_);
    SQLite::Transaction txn(*db_);  // group row and log from one snapshot
    GroupRecord g;
    int64_t floor = 0;
    if (!internal::ReadGroup(*db_, group_id, &g, &floor)) return Status::NotFound("group id " + std::to_string(group_id));
    std::optional<std::vector<GroupChange>> out;
    if (change_log::Reaches(g, floor, from_version)) out = ReadChanges(*db_, group_id, from_version);
    txn.commit();
    return out;
  });
}

Result<std::vector<std::pair<int64_t, std::vector<float>>>> Database::FeaturesOf(const std::vector<int64_t>& face_ids) {
  return Guard([&]() -> Result<std::vector<std::pair<int64_t, std::vector<float>>>> {
    MutexLock lock(&mu_);
    SQLite::Transaction txn(*db_);
    std::vector<std::pair<int64_t, std::vector<float>>> out;
    out.reserve(face_ids.size());
    SQLite::Statement q(*db_, "SELECT feature FROM faces WHERE id = ? AND deleted = 0");
    for (int64_t id : face_ids) {
      q.bind(1, id);
      if (q.executeStep()) out.emplace_back(id, internal::BlobToFeature(q.getColumn(0)));
      q.reset();
    }
    txn.commit();
    return out;
  });
}

Result<GroupDelta> Database::SyncDelta(int64_t group_id, int64_t from_version) {
  return Guard([&]() -> Result<GroupDelta> {
    MutexLock lock(&mu_);
    SQLite::Transaction txn(*db_);
    GroupDelta d;
    int64_t floor = 0;
    if (!internal::ReadGroup(*db_, group_id, &d.group, &floor))
      return Status::NotFound("group id " + std::to_string(group_id));
    if (d.group.deleted || from_version == d.group.version) {
      txn.commit();
      return d;  // deleted: the caller decides (KEEP_LOCAL); same version: nothing to send
    }
    std::vector<int64_t> added;
    if (from_version <= 0 || !change_log::Reaches(d.group, floor, from_version)) {
      d.full = true;
      SQLite::Statement q(*db_,
                          "SELECT b.face_id, f.feature, f.label FROM bindings b JOIN faces f ON f.id = b.face_id "
                          "WHERE b.group_id = ? AND f.deleted = 0 ORDER BY b.face_id");
      q.bind(1, group_id);
      while (q.executeStep()) {
        const int64_t face_id = q.getColumn(0).getInt64();
        d.added.emplace_back(face_id, internal::BlobToFeature(q.getColumn(1)));
        if (!q.getColumn(2).isNull()) d.labels.emplace(face_id, q.getColumn(2).getString());
      }
      txn.commit();
      return d;
    }
    const change_log::NetEffect net = change_log::Net(ReadChanges(*db_, group_id, from_version));
    d.deleted = net.deleted;
    SQLite::Statement feat(*db_, "SELECT feature, label FROM faces WHERE id = ? AND deleted = 0");
    for (int64_t face_id : net.added) {
      feat.bind(1, face_id);
      if (feat.executeStep()) {
        d.added.emplace_back(face_id, internal::BlobToFeature(feat.getColumn(0)));
        if (!feat.getColumn(1).isNull()) d.labels.emplace(face_id, feat.getColumn(1).getString());
      }
      feat.reset();
    }
    txn.commit();
    return d;
  });
}

Status Database::ForEachBinding(
    const std::function<void(int64_t group_id, int64_t face_id, std::span<const float> feature)>& fn) {
  return Guard([&]() -> Status {
    MutexLock lock(&mu_);
    SQLite::Transaction txn(*db_);
    SQLite::Statement q(*db_,
                        "SELECT b.group_id, b.face_id, f.feature FROM bindings b JOIN faces f ON f.id = b.face_id "
                        "WHERE f.deleted = 0 ORDER BY b.group_id, b.face_id");
    std::vector<float> buf;  // SQLite's blob memory need not be float-aligned
    while (q.executeStep()) {
      const SQLite::Column blob = q.getColumn(2);
      buf.resize(static_cast<size_t>(blob.getBytes()) / sizeof(float));
      if (!buf.empty()) std::memcpy(buf.data(), blob.getBlob(), buf.size() * sizeof(float));
      fn(q.getColumn(0).getInt64(), q.getColumn(1).getInt64(), std::span<const float>(buf));
    }
    txn.commit();
    return Status::OK();
  });
}

}  // namespace facepass::store
