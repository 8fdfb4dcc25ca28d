#include "service/face_service.h"

#include <algorithm>
#include <cmath>

#include "index/face_index.h"
#include "service/image_archive.h"
#include "service/image_verdict_error.h"
#include "service/params.h"
#include "spec/face_crop.h"
#include "store/database.h"
#include "store/file_store.h"
#include "store/token_cipher.h"
#include "vision/engine.h"

namespace facepass::service {

using nlohmann::json;

namespace {

// A face_token given as a JSON field: missing, malformed or a face id.
std::optional<int64_t> FaceIdParam(const ServiceContext& ctx, const json& body, ParamCheck& check) {
  auto token = check.JsonString(body, "face_token", "face_token");
  if (!token) return std::nullopt;
  auto id = ctx.tokens->Decode(store::TokenKind::kFace, *token);
  if (!id) check.Illegal("face_token");
  return id;
}

}  // namespace

store::Rect CropAround(const store::Rect& f, int image_width, int image_height) {
  const spec::Box c = spec::FaceCropBox({f.left, f.top, f.right, f.bottom}, image_width, image_height);
  return {c.left, c.top, c.right, c.bottom};
}

ApiReply FaceService::Add(const http::Request& req) {
  ParamCheck check;
  const std::string* image = check.FormFile(req, "image");
  if (auto e = check.Error()) return ApiReply::Error(*e);

  auto analysis = ctx_.engine->Analyze(*image, vision::Purpose::kEnrol, {.embed = true, .liveness = false});
  if (!analysis.ok()) return Internal("face add: analyze", analysis.status());
  const vision::Analysis& a = *analysis;
  if (a.verdict != vision::ImageVerdict::kOk) return ApiReply::Error(ImageVerdictError(a.verdict));

  const int64_t now = NowMs();
  auto archived = ArchiveImage(ctx_, *image, a.format, store::ImageKind::kEnrol, a.width, a.height, now);
  if (!archived.ok()) return Internal("face add: archive", archived.status());

  json data = {{"image_id", archived->token}};
  if (!a.best) return ApiReply::Error(api_error::FaceNotFound(), data);
  const vision::FaceResult& face = *a.best;
  data["rect"] = RectJson(face.face.rect);
  data["quality"] = QualityJson(face.quality);
  if (auto gate = vision::FirstFailedGate(face.quality)) {
    return ApiReply::Error(api_error::BadQuality(*gate), data);
  }
  if (face.feature.empty()) return Internal("face add", Status::Internal("no feature for the face"));
  auto face_id = ctx_.db->InsertFace(archived->id, ToStoreRect(face.face.rect), now, face.feature);
  if (!face_id.ok()) return Internal("face add: insert", face_id.status());
  data["face_token"] = ctx_.tokens->Encode(store::TokenKind::kFace, *face_id);
  return ApiReply::Ok(std::move(data));
}

ApiReply FaceService::Delete(const http::Request& req) {
  ParamCheck check;
  auto face_id = FaceIdParam(ctx_, req.json, check);
  if (auto e = check.Error()) return ApiReply::Error(*e);

  std::lock_guard<std::mutex> lock(*ctx_.catalog_mu);
  auto groups = ctx_.db->DeleteFace(*face_id, NowMs());
  if (!groups.ok()) return LookupFailed(groups.status(), api_error::FaceTokenNotExist(), "face delete");
  for (int64_t g : *groups) ctx_.index->Remove(g, *face_id);
  return ApiReply::Ok();
}

ApiReply FaceService::Query(const http::Request& req) {
  ParamCheck check;
  auto face_id = FaceIdParam(ctx_, req.json, check);
  if (auto e = check.Error()) return ApiReply::Error(*e);

  auto face = ctx_.db->GetFace(*face_id);
  if (!face.ok()) return LookupFailed(face.status(), api_error::FaceTokenNotExist(), "face query");
  if (face->deleted) return ApiReply::Error(api_error::FaceTokenNotExist());
  return ApiReply::Ok({{"image_id", ctx_.tokens->Encode(store::TokenKind::kImage, face->image_id)},
                       {"rect", RectJson(face->rect)},
                       {"time", face->created_ms}});
}

ApiReply FaceService::ImageQuery(const http::Request& req) {
  const std::string* face_token = req.Query("face_token");
  const std::string* image_token = req.Query("image_id");
  if (face_token && !face_token->empty()) {  // face_token wins over image_id
    auto id = ctx_.tokens->Decode(store::TokenKind::kFace, *face_token);
    if (!id) return ApiReply::Error(api_error::IllegalArgument("face_token"));
    return FaceCrop(*id);
  }
  if (image_token && !image_token->empty()) {
    auto id = ctx_.tokens->Decode(store::TokenKind::kImage, *image_token);
    if (!id) return ApiReply::Error(api_error::IllegalArgument("image_id"));
    return Original(*id);
  }
  return ApiReply::Error(api_error::MissingArgument("image_id,face_token"));
}

ApiReply FaceService::Original(int64_t image_id) {
  auto image = ctx_.db->GetImage(image_id);
  if (!image.ok()) return LookupFailed(image.status(), api_error::ImageIdNotExist(), "image query");
  auto bytes = ctx_.files->Read(image->path);
  if (!bytes.ok()) {
    // A capture purged between the two reads is simply gone.
    if (bytes.status().code() == StatusCode::kNotFound) return ApiReply::Error(api_error::ImageIdNotExist());
    return Internal("image query: read", bytes.status());
  }
  return ApiReply::Bytes(std::move(*bytes), ContentTypeOf(image->format));
}

ApiReply FaceService::FaceCrop(int64_t face_id) {
  auto face = ctx_.db->GetFace(face_id);  // deleted faces too: history
  if (!face.ok()) return LookupFailed(face.status(), api_error::FaceTokenNotExist(), "image query: face");
  auto image = ctx_.db->GetImage(face->image_id);
  if (!image.ok()) return LookupFailed(image.status(), api_error::ImageIdNotExist(), "image query: image");
  auto bytes = ctx_.files->Read(image->path);
  if (!bytes.ok()) return Internal("image query: read", bytes.status());
  auto pixels = vision::DecodeUpright(*bytes);
  if (!pixels.ok()) return Internal("image query: decode", pixels.status());
  store::Rect c = CropAround(face->rect, pixels->cols, pixels->rows);
  if (c.right <= c.left || c.bottom <= c.top) return Internal("image query", Status::Internal("empty crop"));
  cv::Mat crop = (*pixels)(cv::Rect(c.left, c.top, c.right - c.left, c.bottom - c.top));
  auto jpeg = vision::EncodeJpeg(crop);
  if (!jpeg.ok()) return Internal("image query: encode", jpeg.status());
  return ApiReply::Bytes(std::move(*jpeg), "image/jpeg");
}

}  // namespace facepass::service
