#include "service/image_archive.h"

#include "store/database.h"
#include "store/file_store.h"

namespace facepass::service {

namespace {
std::string ExtensionOf(const std::string& format) {
  if (format == "jpeg") return "jpg";
  return format.empty() ? "bin" : format;
}
}  // namespace

Result<int64_t> ImageArchive::Keep(std::string_view bytes, const std::string& format, store::ImageKind kind,
                                   int width, int height, int64_t now_ms) {
  FP_ASSIGN_OR_RETURN(auto path, files_.Write(bytes, ExtensionOf(format)));
  auto id = db_.InsertImage(kind, format, path, static_cast<int64_t>(bytes.size()), width, height, now_ms);
  if (!id.ok()) (void)files_.Remove(path);  // the row never existed: no one can name the file
  return id;
}

Result<store::ImageRecord> ImageArchive::Find(int64_t image_id) { return db_.GetImage(image_id); }

Result<std::string> ImageArchive::Read(const store::ImageRecord& image) { return files_.Read(image.path); }

}  // namespace facepass::service
