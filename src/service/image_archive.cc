#include "service/image_archive.h"

#include "store/database.h"
#include "store/file_store.h"
#include "store/token_cipher.h"

namespace facepass::service {

namespace {
std::string ExtensionOf(const std::string& format) {
  if (format == "jpeg") return "jpg";
  return format.empty() ? "bin" : format;
}
}  // namespace

Result<ArchivedImage> ArchiveImage(const ServiceContext& ctx, std::string_view bytes,
                                   const std::string& format, store::ImageKind kind, int width,
                                   int height, int64_t now_ms) {
  FP_ASSIGN_OR_RETURN(auto path, ctx.files->Write(bytes, ExtensionOf(format)));
  auto id = ctx.db->InsertImage(kind, format, path, static_cast<int64_t>(bytes.size()), width, height, now_ms);
  if (!id.ok()) {
    (void)ctx.files->Remove(path);  // the row never existed: no one can name the file
    return id.status();
  }
  return ArchivedImage{*id, ctx.tokens->Encode(store::TokenKind::kImage, *id)};
}

std::string ContentTypeOf(const std::string& format) {
  if (format == "jpeg") return "image/jpeg";
  if (format == "png") return "image/png";
  if (format == "bmp") return "image/bmp";
  return "application/octet-stream";
}

}  // namespace facepass::service
