#include "service/image_archive.h"

namespace facepass::service {

Result<int64_t> ImageArchive::Keep(std::string_view bytes, const std::string& format, store::ImageKind kind,
                                   int width, int height, int64_t now_ms) {
  return images_.AddImage(kind, format, bytes, width, height, now_ms);
}

Result<store::ImageRecord> ImageArchive::Find(int64_t image_id) { return images_.GetImage(image_id); }

Result<std::string> ImageArchive::Read(const store::ImageRecord& image) { return images_.ReadImage(image); }

}  // namespace facepass::service
