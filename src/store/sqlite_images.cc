#include "store/sqlite_images.h"

#include "store/database.h"
#include "store/file_store.h"

namespace facepass::store {

namespace {
std::string ExtensionOf(const std::string& format) {
  if (format == "jpeg") return "jpg";
  return format.empty() ? "bin" : format;
}
}  // namespace

Result<int64_t> SqliteImages::AddImage(domain::ImageKind kind, const std::string& format, std::string_view bytes,
                                       int width, int height, int64_t created_ms) {
  FP_ASSIGN_OR_RETURN(auto path, files_.Write(bytes, ExtensionOf(format)));
  auto id = db_.InsertImage(kind, format, path, static_cast<int64_t>(bytes.size()), width, height, created_ms);
  if (!id.ok()) (void)files_.Remove(path);  // the row never existed: no one can name the file
  return id;
}

Result<domain::ImageRecord> SqliteImages::GetImage(int64_t id) { return db_.GetImage(id); }

Result<std::string> SqliteImages::ReadImage(const domain::ImageRecord& image) { return files_.Read(image.path); }

Result<std::vector<domain::ImageRecord>> SqliteImages::CapturesOlderThan(int64_t before_ms, int limit) {
  return db_.CapturesOlderThan(before_ms, limit);
}

Status SqliteImages::DeleteCapture(int64_t id) { return Delete(id, /*enrol_too=*/false); }

Status SqliteImages::DiscardImage(int64_t id) { return Delete(id, /*enrol_too=*/true); }

Status SqliteImages::Delete(int64_t id, bool enrol_too) {
  FP_ASSIGN_OR_RETURN(auto image, db_.GetImage(id));
  FP_RETURN_IF_ERROR(db_.DeleteImage(id, enrol_too));
  return files_.Remove(image.path);
}

}  // namespace facepass::store
