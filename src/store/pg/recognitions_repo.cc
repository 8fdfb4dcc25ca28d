// The recognition history: written with the recognise call's captures, read
// newest first in keyset pages, gone with its capture (ON DELETE CASCADE).
#include "store/pg/pg_internal.h"
#include "store/pg/pg_store.h"

namespace facepass::store::pg {

using domain::RecognitionRecord;
using internal::Mode;
using internal::Nullable;
using internal::Run;

namespace {

std::optional<int> Side(const std::optional<domain::Rect>& r, int domain::Rect::*side) {
  if (!r) return std::nullopt;
  return (*r).*side;
}

}  // namespace

Result<std::vector<RecognitionRecord>> PgStore::InsertRecognitions(std::vector<RecognitionRecord> rows) {
  if (rows.empty()) return rows;
  return Run(*pool_, Mode::kPlain, [&](pqxx::work& w) -> Result<std::vector<RecognitionRecord>> {
    std::vector<RecognitionRecord> out = rows;  // a retried transaction starts again from `rows`
    for (RecognitionRecord& r : out) {
      r.id = w.exec_params1("INSERT INTO recognitions(image_id, at_ms, group_name, track_id, face_id, score, passed, "
                            "rect_left, rect_top, rect_right, rect_bottom, liveness_score) "
                            "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
                            r.image_id, r.at_ms, r.group_name, r.track_id, Nullable(r.face_id).c_str(), r.score,
                            r.passed, Nullable(Side(r.rect, &domain::Rect::left)).c_str(),
                            Nullable(Side(r.rect, &domain::Rect::top)).c_str(),
                            Nullable(Side(r.rect, &domain::Rect::right)).c_str(),
                            Nullable(Side(r.rect, &domain::Rect::bottom)).c_str(),
                            Nullable(r.liveness_score).c_str())[0]
                 .as<int64_t>();
    }
    return out;
  });
}

Result<domain::RecognitionPage> PgStore::QueryRecognitions(const domain::RecognitionQuery& query) {
  if (query.limit < 1) return Status::InvalidArgument("history limit must be >= 1");
  return Run(*pool_, Mode::kPlain, [&](pqxx::work& w) -> Result<domain::RecognitionPage> {
    // Newest first through recognitions_at (or recognitions_group_at when a
    // group is named), strictly below the cursor. An unnamed statement is
    // planned with its values, so the NULL filters fold away.
    const pqxx::result rows = w.exec_params(
        "SELECT id, image_id, at_ms, group_name, track_id, face_id, score, passed, rect_left, rect_top, rect_right, "
        "rect_bottom, liveness_score, (SELECT label FROM faces WHERE faces.id = recognitions.face_id) FROM recognitions "
        "WHERE at_ms >= $1 AND at_ms < $2 AND (at_ms, id) < ($3, $4) "
        "AND ($5::text IS NULL OR group_name = $5) AND ($6::boolean IS NULL OR passed = $6) "
        "AND ($7::bigint IS NULL OR face_id = $7) ORDER BY at_ms DESC, id DESC LIMIT $8",
        query.from_ms, query.to_ms, query.before ? query.before->at_ms : INT64_MAX,
        query.before ? query.before->id : INT64_MAX, Nullable(query.group_name).c_str(),
        Nullable(query.passed).c_str(), Nullable(query.face_id).c_str(), query.limit + 1);
    domain::RecognitionPage page;
    for (const auto& row : rows) {
      if (static_cast<int>(page.rows.size()) == query.limit) {
        page.next_cursor = domain::KeysetCursor{page.rows.back().at_ms, page.rows.back().id};
        break;
      }
      RecognitionRecord r;
      r.id = row[0].as<int64_t>();
      r.image_id = row[1].as<int64_t>();
      r.at_ms = row[2].as<int64_t>();
      r.group_name = row[3].as<std::string>();
      r.track_id = row[4].as<int64_t>();
      if (!row[5].is_null()) r.face_id = row[5].as<int64_t>();
      r.score = row[6].as<double>();
      r.passed = row[7].as<bool>();
      if (!row[8].is_null())
        r.rect = domain::Rect{row[8].as<int>(), row[9].as<int>(), row[10].as<int>(), row[11].as<int>()};
      if (!row[12].is_null()) r.liveness_score = row[12].as<double>();
      if (!row[13].is_null()) r.label = row[13].as<std::string>();
      page.rows.push_back(std::move(r));
    }
    return page;
  });
}

}  // namespace facepass::store::pg
