// /api/face/v1/{add,delete,query,update,search}, /api/image/v1/query.
#include <charconv>

#include "api/audit_trail.h"
#include "api/handlers.h"
#include "api/json_codec.h"
#include "api/params.h"
#include "service/app.h"
#include "service/arg_errors.h"
#include "service/faces.h"
#include "store/token_cipher.h"

namespace facepass::api {

using nlohmann::json;

namespace {

ApiReply Image(const service::DomainResult<service::ImageFile>& r) {
  if (!r.ok()) return ApiReply::Error(r.error());
  return ApiReply::Bytes(r->bytes, ContentTypeOf(r->format));
}

json LabelJson(const std::optional<std::string>& label) { return label ? json(*label) : json(nullptr); }

// The search cursor as text: "FACE_ID.HEX(label)". Opaque to clients, who
// pass back what next_cursor said.
std::string FormatLabelCursor(const store::LabelCursor& c) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = std::to_string(c.face_id) + ".";
  for (unsigned char b : c.label) out += {kHex[b >> 4], kHex[b & 15]};
  return out;
}

std::optional<store::LabelCursor> ParseLabelCursor(std::string_view text) {
  const size_t dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot > 19) return std::nullopt;
  store::LabelCursor c;
  auto [end, ec] = std::from_chars(text.data(), text.data() + dot, c.face_id);
  if (ec != std::errc() || end != text.data() + dot || c.face_id < 0) return std::nullopt;
  const std::string_view hex = text.substr(dot + 1);
  if (hex.empty() || hex.size() % 2 != 0 || hex.size() > 2 * 128) return std::nullopt;
  for (size_t i = 0; i < hex.size(); i += 2) {
    unsigned byte = 0;
    auto [e, err] = std::from_chars(hex.data() + i, hex.data() + i + 2, byte, 16);
    if (err != std::errc() || e != hex.data() + i + 2) return std::nullopt;
    c.label += static_cast<char>(byte);
  }
  return c;
}

}  // namespace

ApiReply FaceAdd(App& app, const http::Request& req, AuditNote& audit) {
  ParamCheck check;
  const std::string* image = check.FormFile(req, "image");
  if (auto e = check.Error()) return ApiReply::Error(*e);
  // Issue 29: an optional label; "" counts as absent (an empty form field).
  std::optional<std::string_view> label;
  if (const std::string* v = req.Form("label"); v && !v->empty()) label = *v;

  auto added = app.faces().Add(*image, label, audit.FaceAddHook(app.tokens()));
  if (!added.ok()) return ApiReply::Error(added.error());
  const store::TokenCipher& tokens = app.tokens();
  json data = {{"image_id", tokens.Encode(store::TokenKind::kImage, added->image_id)}};
  if (added->rect) data["rect"] = RectJson(*added->rect);
  if (added->quality) data["quality"] = QualityJson(*added->quality);
  if (added->refusal) return ApiReply::Error(*added->refusal, std::move(data));
  data["face_token"] = tokens.Encode(store::TokenKind::kFace, added->face_id);
  data["label"] = LabelJson(added->label);
  return ApiReply::Ok(std::move(data));
}

ApiReply FaceDelete(App& app, const http::Request& req, AuditNote& audit) {
  ParamCheck check;
  auto face_id = check.JsonFaceId(app.tokens(), req.json, "face_token");
  if (auto e = check.Error()) return ApiReply::Error(*e);
  auto done = app.faces().Delete(*face_id, audit.Hook());
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
                       {"time", face->created_ms},
                       {"label", LabelJson(face->label)}});
}

// {"face_token", "label"}: label null or "" clears it.
ApiReply FaceUpdate(App& app, const http::Request& req, AuditNote& audit) {
  ParamCheck check;
  auto face_id = check.JsonFaceId(app.tokens(), req.json, "face_token");
  std::optional<std::string> label;
  if (!req.json.is_object() || !req.json.contains("label")) {
    check.Missing("label");
  } else if (const json& v = req.json["label"]; v.is_string()) {
    label = v.get<std::string>();
  } else if (!v.is_null()) {
    check.Illegal("label");
  }
  if (auto e = check.Error()) return ApiReply::Error(*e);
  auto stored = app.faces().Relabel(*face_id, label, audit.Hook());
  if (!stored.ok()) return ApiReply::Error(stored.error());
  return ApiReply::Ok({{"face_token", app.tokens().Encode(store::TokenKind::kFace, *face_id)},
                       {"label", LabelJson(*stored)}});
}

// ?label=PREFIX&limit=&cursor=: labelled faces, (label, face) order.
ApiReply FaceSearch(App& app, const http::Request& req) {
  service::ArgErrors errors;
  service::LabelSearch q;
  if (const std::string* v = req.Query("label")) q.prefix = *v;
  if (const std::string* v = req.Query("limit"); v && !v->empty()) {
    auto n = DecimalInt64(*v);
    if (!n || *n < 1 || *n > service::LabelSearch::kMaxLimit) errors.Illegal("limit (1..500)");
    else q.limit = static_cast<int>(*n);
  }
  if (const std::string* v = req.Query("cursor"); v && !v->empty()) {
    q.after = ParseLabelCursor(*v);
    if (!q.after) errors.Illegal("cursor");
  }
  if (auto e = errors.Error()) return ApiReply::Error(*e);
  auto page = app.faces().Search(q);
  if (!page.ok()) return ApiReply::Error(page.error());
  const store::TokenCipher& tokens = app.tokens();
  json items = json::array();
  for (const store::LabelledFace& f : page->rows) {
    items.push_back({{"face_token", tokens.Encode(store::TokenKind::kFace, f.face_id)},
                     {"label", f.label},
                     {"image_id", tokens.Encode(store::TokenKind::kImage, f.image_id)},
                     {"created", f.created_ms}});
  }
  return ApiReply::Ok({{"items", std::move(items)},
                       {"next_cursor", page->next_cursor ? json(FormatLabelCursor(*page->next_cursor)) : json(nullptr)}});
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
