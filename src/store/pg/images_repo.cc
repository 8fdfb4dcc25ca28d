// Images: metadata and bytes in one row (bytea, TOASTed out of line), so
// every node reads every picture without a shared file system.
#include "store/pg/pg_internal.h"
#include "store/pg/pg_store.h"

namespace facepass::store::pg {

using domain::ImageKind;
using domain::ImageRecord;
using internal::Mode;
using internal::Run;
using internal::RunRead;

namespace {

constexpr char kImageColumns[] = "SELECT id, kind, format, size, width, height, created_ms FROM images ";

ImageRecord ReadImageRow(const pqxx::row& row) {
  ImageRecord r;
  r.id = row[0].as<int64_t>();
  r.kind = static_cast<ImageKind>(row[1].as<int>());
  r.format = row[2].as<std::string>();
  r.size = row[3].as<int64_t>();
  r.width = row[4].as<int>();
  r.height = row[5].as<int>();
  r.created_ms = row[6].as<int64_t>();
  return r;
}

Status ImageNotFound(int64_t id) { return Status::NotFound("image " + std::to_string(id)); }

}  // namespace

Result<int64_t> PgStore::AddImage(ImageKind kind, const std::string& format, std::string_view bytes, int width,
                                  int height, int64_t created_ms) {
  if (kind != ImageKind::kEnrol && kind != ImageKind::kCapture) return Status::InvalidArgument("bad image kind");
  const pqxx::binarystring blob(bytes.data(), bytes.size());
  return Run(*pool_, Mode::kPlain, [&](pqxx::work& w) -> Result<int64_t> {
    return w.exec_params1("INSERT INTO images(kind, format, size, width, height, created_ms, bytes) "
                          "VALUES($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                          static_cast<int>(kind), format, static_cast<int64_t>(bytes.size()), width, height,
                          created_ms, blob)[0]
        .as<int64_t>();
  });
}

Result<ImageRecord> PgStore::GetImage(int64_t id) {
  return RunRead(*pool_, [&](pqxx::transaction_base& w) -> Result<ImageRecord> {
    const pqxx::result r = w.exec_params(std::string(kImageColumns) + "WHERE id = $1", id);
    if (r.empty()) return ImageNotFound(id);
    return ReadImageRow(r[0]);
  });
}

Result<std::string> PgStore::ReadImage(const ImageRecord& image) {
  return RunRead(*pool_, [&](pqxx::transaction_base& w) -> Result<std::string> {
    const pqxx::result r = w.exec_params("SELECT bytes FROM images WHERE id = $1", image.id);
    if (r.empty()) return ImageNotFound(image.id);
    return pqxx::binarystring(r[0][0]).str();
  });
}

Result<std::vector<ImageRecord>> PgStore::CapturesOlderThan(int64_t before_ms, int limit) {
  return Run(*pool_, Mode::kPlain, [&](pqxx::work& w) -> Result<std::vector<ImageRecord>> {
    std::vector<ImageRecord> out;
    for (const auto& row : w.exec_params(std::string(kImageColumns) +
                                             "WHERE kind = 1 AND created_ms < $1 "
                                             "AND NOT EXISTS (SELECT 1 FROM faces WHERE faces.image_id = images.id) "
                                             "ORDER BY created_ms, id LIMIT $2",
                                         before_ms, limit < 0 ? 0 : limit))
      out.push_back(ReadImageRow(row));
    return out;
  });
}

Status PgStore::DeleteCapture(int64_t id) { return DeleteImage(id, /*enrol_too=*/false); }

Status PgStore::DiscardImage(int64_t id) { return DeleteImage(id, /*enrol_too=*/true); }

Status PgStore::DeleteImage(int64_t id, bool enrol_too) {
  return Run(*pool_, Mode::kPlain, [&](pqxx::work& w) -> Status {
    // FOR UPDATE: a face enrolled from this capture meanwhile (FK check,
    // FOR KEY SHARE) waits for the delete or makes it wait.
    const pqxx::result kind = w.exec_params("SELECT kind FROM images WHERE id = $1 FOR UPDATE", id);
    if (kind.empty()) return ImageNotFound(id);
    if (!enrol_too && kind[0][0].as<int>() != static_cast<int>(ImageKind::kCapture))
      return Status::FailedPrecondition("enrol images are kept forever");
    if (!w.exec_params("SELECT 1 FROM faces WHERE image_id = $1 LIMIT 1", id).empty())
      return Status::FailedPrecondition("image has faces");
    w.exec_params("DELETE FROM images WHERE id = $1", id);
    return Status::OK();
  });
}

}  // namespace facepass::store::pg
