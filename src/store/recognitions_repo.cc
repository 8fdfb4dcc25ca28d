// The recognition history: written with the recognise call's captures, read
// newest first in keyset pages, gone with its capture (ON DELETE CASCADE).
#include "store/database.h"
#include "store/db_internal.h"

namespace facepass::store {

using internal::Guard;

Result<std::vector<RecognitionRecord>> Database::InsertRecognitions(std::vector<RecognitionRecord> rows) {
  if (rows.empty()) return rows;
  return Guard([&]() -> Result<std::vector<RecognitionRecord>> {
    MutexLock lock(&mu_);
    SQLite::Transaction txn(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement q(*db_,
                        "INSERT INTO recognitions(image_id, at_ms, group_name, track_id, face_id, score, passed, "
                        "left, top, right, bottom, liveness_score) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (RecognitionRecord& r : rows) {
      q.bind(1, r.image_id);
      q.bind(2, r.at_ms);
      q.bind(3, r.group_name);
      q.bind(4, r.track_id);
      if (r.face_id) q.bind(5, *r.face_id); else q.bind(5);
      q.bind(6, r.score);
      q.bind(7, r.passed ? 1 : 0);
      if (r.rect) {
        q.bind(8, r.rect->left);
        q.bind(9, r.rect->top);
        q.bind(10, r.rect->right);
        q.bind(11, r.rect->bottom);
      } else {
        for (int i = 8; i <= 11; ++i) q.bind(i);
      }
      if (r.liveness_score) q.bind(12, *r.liveness_score); else q.bind(12);
      q.exec();
      r.id = db_->getLastInsertRowid();
      q.reset();
      q.clearBindings();
    }
    txn.commit();
    return std::move(rows);
  });
}

Result<RecognitionPage> Database::QueryRecognitions(const RecognitionQuery& query) {
  if (query.limit < 1) return Status::InvalidArgument("history limit must be >= 1");
  return Guard([&]() -> Result<RecognitionPage> {
    MutexLock lock(&mu_);
    // Newest first through recognitions_at (or recognitions_group_at when a
    // group is named): (at_ms, id) descending, strictly below the cursor. The
    // other filters are checked on the rows walked. One more row than asked
    // tells whether another page follows.
    std::string sql =
        "SELECT id, image_id, at_ms, group_name, track_id, face_id, score, passed, left, top, right, bottom, "
        "liveness_score, (SELECT label FROM faces WHERE faces.id = recognitions.face_id) "
        "FROM recognitions WHERE at_ms >= ? AND at_ms < ? AND (at_ms, id) < (?, ?)";
    if (query.group_name) sql += " AND group_name = ?";
    if (query.passed) sql += " AND passed = ?";
    if (query.face_id) sql += " AND face_id = ?";
    sql += " ORDER BY at_ms DESC, id DESC LIMIT ?";
    SQLite::Statement q(*db_, sql);
    int n = 0;
    q.bind(++n, query.from_ms);
    q.bind(++n, query.to_ms);
    q.bind(++n, query.before ? query.before->at_ms : INT64_MAX);
    q.bind(++n, query.before ? query.before->id : INT64_MAX);
    if (query.group_name) q.bind(++n, *query.group_name);
    if (query.passed) q.bind(++n, *query.passed ? 1 : 0);
    if (query.face_id) q.bind(++n, *query.face_id);
    q.bind(++n, query.limit + 1);
    RecognitionPage page;
    while (q.executeStep()) {
      if (static_cast<int>(page.rows.size()) == query.limit) {
        page.next_cursor = KeysetCursor{page.rows.back().at_ms, page.rows.back().id};
        break;
      }
      RecognitionRecord r;
      r.id = q.getColumn(0).getInt64();
      r.image_id = q.getColumn(1).getInt64();
      r.at_ms = q.getColumn(2).getInt64();
      r.group_name = q.getColumn(3).getString();
      r.track_id = q.getColumn(4).getInt64();
      if (!q.getColumn(5).isNull()) r.face_id = q.getColumn(5).getInt64();
      r.score = q.getColumn(6).getDouble();
      r.passed = q.getColumn(7).getInt() != 0;
      if (!q.getColumn(8).isNull())
        r.rect = Rect{q.getColumn(8).getInt(), q.getColumn(9).getInt(), q.getColumn(10).getInt(),
                      q.getColumn(11).getInt()};
      if (!q.getColumn(12).isNull()) r.liveness_score = q.getColumn(12).getDouble();
      if (!q.getColumn(13).isNull()) r.label = q.getColumn(13).getString();
      page.rows.push_back(std::move(r));
    }
    return page;
  });
}

}  // namespace facepass::store
