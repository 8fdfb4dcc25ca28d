// Images and faces.
#include <optional>

#include "store/database.h"
#include "store/db_internal.h"

namespace facepass::store {

using internal::Guard;

namespace {

ImageRecord ReadImageRow(SQLite::Statement& q) {
  ImageRecord r;
  r.id = q.getColumn(0).getInt64();
  r.kind = static_cast<ImageKind>(q.getColumn(1).getInt());
  r.format = q.getColumn(2).getString();
  r.path = q.getColumn(3).getString();
  r.size = q.getColumn(4).getInt64();
  r.width = q.getColumn(5).getInt();
  r.height = q.getColumn(6).getInt();
  r.created_ms = q.getColumn(7).getInt64();
  return r;
}

// Marks a live face deleted and unbinds it from every group (each a logged
// version bump). Returns those groups; nullopt if not live. In the caller's
// transaction.
std::optional<std::vector<int64_t>> MarkFaceDeleted(SQLite::Database& db, int64_t id, int64_t now_ms,
                                                    int64_t keep) {
  SQLite::Statement mark(db,
                         "UPDATE faces SET deleted = 1, deleted_ms = ?, label = NULL WHERE id = ? AND deleted = 0");
  mark.bind(1, now_ms);
  mark.bind(2, id);
  if (mark.exec() == 0) return std::nullopt;
  std::vector<int64_t> groups;
  SQLite::Statement bound(db, "SELECT group_id FROM bindings WHERE face_id = ? ORDER BY group_id");
  bound.bind(1, id);
  while (bound.executeStep()) groups.push_back(bound.getColumn(0).getInt64());
  SQLite::Statement unbind(db, "DELETE FROM bindings WHERE face_id = ?");
  unbind.bind(1, id);
  unbind.exec();
  for (int64_t g : groups) internal::BumpVersion(db, g, internal::kOpUnbind, id, now_ms, keep);
  return groups;
}

constexpr char kImageColumns[] = "SELECT id, kind, format, path, size, width, height, created_ms FROM images ";

}  // namespace

Result<int64_t> Database::InsertImage(ImageKind kind, const std::string& format, const std::string& path,
                                      int64_t size, int width, int height, int64_t created_ms) {
  if (kind != ImageKind::kEnrol && kind != ImageKind::kCapture) return Status::InvalidArgument("bad image kind");
  return Guard([&]() -> Result<int64_t> {
    MutexLock lock(&mu_);
    SQLite::Transaction txn(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement q(*db_,
                        "INSERT INTO images(kind, format, path, size, width, height, created_ms) "
                        "VALUES(?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, static_cast<int>(kind));
    q.bind(2, format);
    q.bind(3, path);
    q.bind(4, size);
    q.bind(5, width);
    q.bind(6, height);
    q.bind(7, created_ms);
    q.exec();
    int64_t id = db_->getLastInsertRowid();
    txn.commit();
    return id;
  });
}

Result<ImageRecord> Database::GetImage(int64_t id) {
  return Guard([&]() -> Result<ImageRecord> {
    MutexLock lock(&mu_);
    SQLite::Statement q(*db_, std::string(kImageColumns) + "WHERE id = ?");
    q.bind(1, id);
    if (!q.executeStep()) return Status::NotFound("image " + std::to_string(id));
    return ReadImageRow(q);
  });
}

Result<std::vector<ImageRecord>> Database::CapturesOlderThan(int64_t before_ms, int limit) {
  return Guard([&]() -> Result<std::vector<ImageRecord>> {
    MutexLock lock(&mu_);
    SQLite::Statement q(*db_, std::string(kImageColumns) +
                                  "WHERE kind = 1 AND created_ms < ? "
                                  "AND NOT EXISTS (SELECT 1 FROM faces WHERE faces.image_id = images.id) "
                                  "ORDER BY created_ms, id LIMIT ?");
    q.bind(1, before_ms);
    q.bind(2, limit < 0 ? 0 : limit);
    std::vector<ImageRecord> out;
    while (q.executeStep()) out.push_back(ReadImageRow(q));
    return out;
  });
}

Status Database::DeleteImage(int64_t id, bool enrol_too) {
  return Guard([&]() -> Status {
    MutexLock lock(&mu_);
    SQLite::Transaction txn(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement kind(*db_, "SELECT kind FROM images WHERE id = ?");
    kind.bind(1, id);
    if (!kind.executeStep()) return Status::NotFound("image " + std::to_string(id));
    if (!enrol_too && kind.getColumn(0).getInt() != static_cast<int>(ImageKind::kCapture))
      return Status::FailedPrecondition("enrol images are kept forever");
    SQLite::Statement used(*db_, "SELECT 1 FROM faces WHERE image_id = ? LIMIT 1");
    used.bind(1, id);
    if (used.executeStep()) return Status::FailedPrecondition("image has faces");
    SQLite::Statement del(*db_, "DELETE FROM images WHERE id = ?");
    del.bind(1, id);
    del.exec();
    txn.commit();
    return Status::OK();
  });
}

Result<int64_t> Database::InsertFace(int64_t image_id, const Rect& rect, int64_t created_ms,
                                     std::span<const float> feature, const std::optional<std::string>& label,
                                     const domain::AuditOf<int64_t>& audit) {
  if (feature.empty()) return Status::InvalidArgument("empty feature");
  return Guard([&]() -> Result<int64_t> {
    MutexLock lock(&mu_);
    SQLite::Transaction txn(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement img(*db_, "SELECT 1 FROM images WHERE id = ?");
    img.bind(1, image_id);
    if (!img.executeStep()) return Status::NotFound("image " + std::to_string(image_id));
    SQLite::Statement q(*db_,
                        "INSERT INTO faces(image_id, left, top, right, bottom, created_ms, feature, label) "
                        "VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, image_id);
    q.bind(2, rect.left);
    q.bind(3, rect.top);
    q.bind(4, rect.right);
    q.bind(5, rect.bottom);
    q.bind(6, created_ms);
    q.bindNoCopy(7, feature.data(), static_cast<int>(feature.size_bytes()));
    if (label) q.bind(8, *label); else q.bind(8);
    q.exec();
    int64_t id = db_->getLastInsertRowid();
    if (audit) internal::InsertAudit(*db_, audit(id));
    txn.commit();
    return id;
  });
}

Result<FaceRecord> Database::GetFace(int64_t id) {
  return Guard([&]() -> Result<FaceRecord> {
    MutexLock lock(&mu_);
    SQLite::Statement q(*db_,
                        "SELECT id, image_id, left, top, right, bottom, created_ms, deleted, feature, label "
                        "FROM faces WHERE id = ?");
    q.bind(1, id);
    if (!q.executeStep()) return Status::NotFound("face " + std::to_string(id));
    FaceRecord r;
    r.id = q.getColumn(0).getInt64();
    r.image_id = q.getColumn(1).getInt64();
    r.rect = Rect{q.getColumn(2).getInt(), q.getColumn(3).getInt(), q.getColumn(4).getInt(), q.getColumn(5).getInt()};
    r.created_ms = q.getColumn(6).getInt64();
    r.deleted = q.getColumn(7).getInt() != 0;
    if (q.getColumn(8).getBytes() % static_cast<int>(sizeof(float)) != 0)
      return Status::Corruption("face " + std::to_string(id) + " feature size");
    r.feature = internal::BlobToFeature(q.getColumn(8));
    if (!q.getColumn(9).isNull()) r.label = q.getColumn(9).getString();
    return r;
  });
}

Result<std::vector<int64_t>> Database::DeleteFace(int64_t id, int64_t now_ms,
                                                  const domain::AuditOf<std::vector<int64_t>>& audit) {
  return Guard([&]() -> Result<std::vector<int64_t>> {
    MutexLock lock(&mu_);
    SQLite::Transaction txn(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    auto groups = MarkFaceDeleted(*db_, id, now_ms, options_.change_log_keep);
    if (!groups) return Status::NotFound("face " + std::to_string(id));
    if (audit) internal::InsertAudit(*db_, audit(*groups));
    txn.commit();
    return *std::move(groups);
  });
}

Status Database::SetFaceLabel(int64_t id, const std::optional<std::string>& label, const domain::AuditRow& audit) {
  return Guard([&]() -> Status {
    MutexLock lock(&mu_);
    SQLite::Transaction txn(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement q(*db_, "UPDATE faces SET label = ? WHERE id = ? AND deleted = 0");
    if (label) q.bind(1, *label); else q.bind(1);
    q.bind(2, id);
    if (q.exec() == 0) return Status::NotFound("face " + std::to_string(id));
    if (audit) internal::InsertAudit(*db_, *audit);
    txn.commit();
    return Status::OK();
  });
}

Result<LabelPage> Database::SearchLabels(const std::string& prefix, int limit,
                                         const std::optional<LabelCursor>& after) {
  if (limit < 1) return Status::InvalidArgument("label search limit must be >= 1");
  return Guard([&]() -> Result<LabelPage> {
    MutexLock lock(&mu_);
    // A range over faces_label: [prefix, prefix + 0xFF) compares as NOCASE
    // (the column's collation), and no UTF-8 text holds the byte 0xFF, so it
    // is exactly the labels that start with the prefix. One more row than
    // asked tells whether another page follows.
    SQLite::Statement q(*db_,
                        "SELECT id, label, image_id, created_ms FROM faces "
                        "WHERE deleted = 0 AND label IS NOT NULL AND label >= ?1 AND label < ?2 "
                        "AND (label, id) > (?3, ?4) ORDER BY label, id LIMIT ?5");
    q.bind(1, prefix);
    q.bind(2, prefix + '\xFF');
    q.bind(3, after ? after->label : std::string());
    q.bind(4, after ? after->face_id : int64_t{0});
    q.bind(5, limit + 1);
    LabelPage page;
    while (q.executeStep()) {
      if (static_cast<int>(page.rows.size()) == limit) {
        page.next_cursor = LabelCursor{page.rows.back().label, page.rows.back().face_id};
        break;
      }
      page.rows.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getInt64(),
                           q.getColumn(3).getInt64()});
    }
    return page;
  });
}

Result<std::map<int64_t, std::string>> Database::LabelsOf(const std::vector<int64_t>& face_ids) {
  return Guard([&]() -> Result<std::map<int64_t, std::string>> {
    MutexLock lock(&mu_);
    SQLite::Statement q(*db_, "SELECT label FROM faces WHERE id = ? AND deleted = 0 AND label IS NOT NULL");
    std::map<int64_t, std::string> out;
    for (int64_t id : face_ids) {
      q.bind(1, id);
      if (q.executeStep()) out[id] = q.getColumn(0).getString();
      q.reset();
    }
    return out;
  });
}

Result<int64_t> Database::CountLiveFaces() {
  return Guard([&]() -> Result<int64_t> {
    MutexLock lock(&mu_);
    // Both counts read small indexes (faces_image, faces_deleted), not the
    // face rows with their features.
    SQLite::Statement q(*db_,
                        "SELECT (SELECT COUNT(*) FROM faces) - (SELECT COUNT(*) FROM faces WHERE deleted <> 0)");
    q.executeStep();
    return q.getColumn(0).getInt64();
  });
}

Result<std::vector<LiveFace>> Database::ListLiveFaces() {
  return Guard([&]() -> Result<std::vector<LiveFace>> {
    MutexLock lock(&mu_);
    SQLite::Statement q(*db_,
                        "SELECT f.id, f.left, f.top, f.right, f.bottom, "
                        "i.id, i.kind, i.format, i.path, i.size, i.width, i.height, i.created_ms "
                        "FROM faces f JOIN images i ON i.id = f.image_id WHERE f.deleted = 0 ORDER BY f.id");
    std::vector<LiveFace> out;
    while (q.executeStep()) {
      LiveFace f;
      f.face_id = q.getColumn(0).getInt64();
      f.rect = Rect{q.getColumn(1).getInt(), q.getColumn(2).getInt(), q.getColumn(3).getInt(), q.getColumn(4).getInt()};
      f.image.id = q.getColumn(5).getInt64();
      f.image.kind = static_cast<ImageKind>(q.getColumn(6).getInt());
      f.image.format = q.getColumn(7).getString();
      f.image.path = q.getColumn(8).getString();
      f.image.size = q.getColumn(9).getInt64();
      f.image.width = q.getColumn(10).getInt();
      f.image.height = q.getColumn(11).getInt();
      f.image.created_ms = q.getColumn(12).getInt64();
      out.push_back(std::move(f));
    }
    return out;
  });
}

Status Database::ReplaceFeatures(const std::vector<std::pair<int64_t, std::vector<float>>>& features,
                                 const std::vector<int64_t>& drop, int64_t now_ms) {
  FP_RETURN_IF_ERROR(domain::CheckOneDimension(features));
  return Guard([&]() -> Status {
    MutexLock lock(&mu_);
    SQLite::Transaction txn(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement q(*db_, "UPDATE faces SET feature = ? WHERE id = ? AND deleted = 0");
    for (const auto& [id, feature] : features) {
      q.bindNoCopy(1, feature.data(), static_cast<int>(feature.size() * sizeof(float)));
      q.bind(2, id);
      if (q.exec() == 0) return Status::NotFound("face " + std::to_string(id));
      q.reset();
    }
    for (int64_t id : drop) {
      if (!MarkFaceDeleted(*db_, id, now_ms, options_.change_log_keep))
        return Status::NotFound("face " + std::to_string(id));
    }
    txn.commit();
    return Status::OK();
  });
}

}  // namespace facepass::store
