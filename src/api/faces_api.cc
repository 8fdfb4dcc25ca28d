// /api/face/v1/{add,delete,query}, /api/image/v1/query.
#include "api/handlers.h"
#include "api/json_codec.h"
#include "api/params.h"
#include "service/app.h"
#include "service/faces.h"
#include "store/token_cipher.h"

namespace facepass::api {

using nlohmann::json;

namespace {

ApiReply Image(const service::DomainResult<service::ImageFile>& r) {
  if (!r.ok()) return ApiReply::Error(r.error());
  return ApiReply::Bytes(r->bytes, ContentTypeOf(r->format));
}

}  // namespace

ApiReply FaceAdd(App& app, const http::Request& req) {
  ParamCheck check;
  const std::string* image = check.FormFile(req, "image");
  if (auto e = check.Error()) return ApiReply::Error(*e);

  auto added = app.faces().Add(*image);
  if (!added.ok()) return ApiReply::Error(added.error());
  const store::TokenCipher& tokens = app.tokens();
  json data = {{"image_id", tokens.Encode(store::TokenKind::kImage, added->image_id)}};
  if (added->rect) data["rect"] = RectJson(*added->rect);
  if (added->quality) data["quality"] = QualityJson(*added->quality);
  if (added->refusal) return ApiReply::Error(*added->refusal, std::move(data));
  data["face_token"] = tokens.Encode(store::TokenKind::kFace, added->face_id);
  return ApiReply::Ok(std::move(data));
}

ApiReply FaceDelete(App& app, const http::Request& req) {
  ParamCheck check;
  auto face_id = check.JsonFaceId(app.tokens(), req.json, "face_token");
  if (auto e = check.Error()) return ApiReply::Error(*e);
  auto done = app.faces().Delete(*face_id);
  return done.ok() ? ApiReply::Ok() : ApiReply::Error(done.error());
}

ApiReply FaceQuery(App& app, const http::Request& req) {
  ParamCheck check;
  auto face_id = check.JsonFaceId(app.tokens(), req.json, "face_token");
  if (auto e = check.Error()) return ApiReply::Error(*e);
  auto face = app.faces().Query(*face_id);
  if (!face.ok()) return ApiReply::Error(face.error());
  return ApiReply::Ok({{"image_id", app.tokens().Encode(store::TokenKind::kImage, face->image_id)},
                       {"rect", RectJson(face->rect)},
                       {"time", face->created_ms}});
}

ApiReply ImageQuery(App& app, const http::Request& req) {
  const std::string* face_token = req.Query("face_token");
  const std::string* image_token = req.Query("image_id");
  if (face_token && !face_token->empty()) {  // face_token wins over image_id
    auto id = app.tokens().Decode(store::TokenKind::kFace, *face_token);
    if (!id) return ApiReply::Error(errors::IllegalArgument("face_token"));
    return Image(app.faces().FaceCrop(*id));
  }
  if (image_token && !image_token->empty()) {
    auto id = app.tokens().Decode(store::TokenKind::kImage, *image_token);
    if (!id) return ApiReply::Error(errors::IllegalArgument("image_id"));
    return Image(app.faces().Original(*id));
  }
  return ApiReply::Error(errors::MissingArgument("image_id,face_token"));
}

}  // namespace facepass::api
