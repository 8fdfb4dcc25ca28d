#include "service/image_archive.h"

#include <chrono>

namespace facepass::service {

PendingImage::~PendingImage() {
  // Not taken: written (or being written) for nothing. A deferred write (no
  // thread was to be had) never ran: nothing to remove.
  if (!write_.valid() || write_.wait_for(std::chrono::seconds(0)) == std::future_status::deferred) return;
  Result<int64_t> id = write_.get();
  // A failed removal leaves an image no answer named: space, never a wrong answer.
  if (id.ok()) (void)images_->DiscardImage(*id);
}

Result<int64_t> PendingImage::Take() {
  if (!write_.valid()) return Status::Internal("pending image taken twice");
  return write_.get();
}

Result<int64_t> ImageArchive::Keep(std::string_view bytes, const std::string& format, store::ImageKind kind,
                                   int width, int height, int64_t now_ms) {
  return images_.AddImage(kind, format, bytes, width, height, now_ms);
}

std::optional<PendingImage> ImageArchive::KeepAhead(std::string_view bytes, const vision::Analysis& header,
                                                    store::ImageKind kind, int64_t now_ms) {
  if (header.verdict != vision::ImageVerdict::kOk) return std::nullopt;
  domain::ImageRepository* images = &images_;
  // Deferred (run by Take) when no thread is to be had.
  return PendingImage(images_, std::async(std::launch::async | std::launch::deferred,
                                          [images, kind, bytes, now_ms, format = header.format, width = header.width,
                                           height = header.height] {
                                            return images->AddImage(kind, format, bytes, width, height, now_ms);
                                          }));
}

Result<store::ImageRecord> ImageArchive::Find(int64_t image_id) { return images_.GetImage(image_id); }

Result<std::string> ImageArchive::Read(const store::ImageRecord& image) { return images_.ReadImage(image); }

}  // namespace facepass::service
