#include "service/image_archive.h"

#include <system_error>

namespace facepass::service {

PendingImage::~PendingImage() {
  if (taken_ || !write_.valid()) return;
  Result<int64_t> id = write_.get();
  // A failed removal leaves an image no answer named: space, never a wrong answer.
  if (id.ok()) (void)images_->DiscardImage(*id);
}

Result<int64_t> PendingImage::Take() {
  if (taken_ || !write_.valid()) return Status::Internal("pending image taken twice");
  taken_ = true;
  return write_.get();
}

Result<int64_t> ImageArchive::Keep(std::string_view bytes, const std::string& format, store::ImageKind kind,
                                   int width, int height, int64_t now_ms) {
  return images_.AddImage(kind, format, bytes, width, height, now_ms);
}

PendingImage ImageArchive::KeepAhead(std::string_view bytes, const std::string& format, store::ImageKind kind,
                                     int width, int height, int64_t now_ms) {
  domain::ImageRepository* images = &images_;
  auto write = [=] { return images->AddImage(kind, format, bytes, width, height, now_ms); };
  try {
    return PendingImage(images_, std::async(std::launch::async, write));
  } catch (const std::system_error&) {  // no thread to be had: write it now instead
    std::promise<Result<int64_t>> done;
    done.set_value(write());
    return PendingImage(images_, done.get_future());
  }
}

Result<store::ImageRecord> ImageArchive::Find(int64_t image_id) { return images_.GetImage(image_id); }

Result<std::string> ImageArchive::Read(const store::ImageRecord& image) { return images_.ReadImage(image); }

}  // namespace facepass::service
