#include "service/group_service.h"

#include "index/face_index.h"
#include "service/params.h"
#include "store/database.h"
#include "store/token_cipher.h"

namespace facepass::service {

using nlohmann::json;

namespace {

bool IsNotFound(const Status& s) { return s.code() == StatusCode::kNotFound; }

struct BindingParams {
  std::string group_name;
  int64_t face_id = 0;
};

// group_name + face_token, both required; every problem named at once.
std::optional<ApiError> ParseBinding(const ServiceContext& ctx, const json& body, BindingParams* out) {
  ParamCheck check;
  auto name = check.JsonGroupName(body, "group_name", "group_name");
  auto token = check.JsonString(body, "face_token", "face_token");
  std::optional<int64_t> face_id;
  if (token) {
    face_id = ctx.tokens->Decode(store::TokenKind::kFace, *token);
    if (!face_id) check.Illegal("face_token");
  }
  if (auto e = check.Error()) return e;
  out->group_name = *name;
  out->face_id = *face_id;
  return std::nullopt;
}

}  // namespace

ApiReply GroupService::Create(const http::Request& req) {
  ParamCheck check;
  auto name = check.JsonGroupName(req.json, "group_name", "group_name");
  if (auto e = check.Error()) return ApiReply::Error(*e);
  std::lock_guard<std::mutex> lock(*ctx_.catalog_mu);
  auto group = ctx_.db->CreateGroup(*name, NowMs());
  if (!group.ok()) {
    if (group.status().code() == StatusCode::kAlreadyExists) return ApiReply::Error(api_error::GroupNameConflict());
    return Internal("group create", group.status());
  }
  return ApiReply::Ok();
}

ApiReply GroupService::Delete(const http::Request& req) {
  ParamCheck check;
  auto name = check.JsonGroupName(req.json, "group_name", "group_name");
  if (auto e = check.Error()) return ApiReply::Error(*e);
  std::lock_guard<std::mutex> lock(*ctx_.catalog_mu);
  auto group = ctx_.db->DeleteGroup(*name, NowMs());
  if (!group.ok()) return LookupFailed(group.status(), api_error::GroupNameNotExist(), "group delete");
  ctx_.index->DropGroup(group->id);
  return ApiReply::Ok();
}

ApiReply GroupService::Query(const http::Request& req) {
  ParamCheck check;
  auto name = check.JsonGroupName(req.json, "group_name", "group_name");
  if (auto e = check.Error()) return ApiReply::Error(*e);
  auto group = ctx_.db->GetGroupByName(*name);
  if (!group.ok()) return LookupFailed(group.status(), api_error::GroupNameNotExist(), "group query");
  auto ids = ctx_.db->GroupFaceIds(group->id);
  if (!ids.ok()) return Internal("group query: faces", ids.status());
  json faces = json::array();
  for (int64_t id : *ids) faces.push_back(ctx_.tokens->Encode(store::TokenKind::kFace, id));
  return ApiReply::Ok({{"group_name", group->name}, {"faces", std::move(faces)}});
}

ApiReply GroupService::List(const http::Request&) {
  auto names = ctx_.db->ListGroupNames();
  if (!names.ok()) return Internal("group list", names.status());
  return ApiReply::Ok({{"groups", *names}});
}

ApiReply GroupService::Bind(const http::Request& req) {
  BindingParams p;
  if (auto e = ParseBinding(ctx_, req.json, &p)) return ApiReply::Error(*e);

  std::lock_guard<std::mutex> lock(*ctx_.catalog_mu);
  auto group = ctx_.db->GetGroupByName(p.group_name);
  if (!group.ok()) return LookupFailed(group.status(), api_error::GroupNameNotExist(), "group bind: group");
  auto face = ctx_.db->GetFace(p.face_id);
  if (!face.ok() && !IsNotFound(face.status())) return Internal("group bind: face", face.status());
  if (!face.ok() || face->deleted) return ApiReply::Error(api_error::FaceTokenNotExist());

  auto added = ctx_.db->Bind(group->id, p.face_id, NowMs());
  if (!added.ok()) return LookupFailed(added.status(), api_error::FaceTokenNotExist(), "group bind");
  if (*added) {
    Status s = ctx_.index->Add(group->id, p.face_id, face->feature);
    if (!s.ok()) return Internal("group bind: index", s);
  }
  return ApiReply::Ok();
}

ApiReply GroupService::Unbind(const http::Request& req) {
  BindingParams p;
  if (auto e = ParseBinding(ctx_, req.json, &p)) return ApiReply::Error(*e);

  std::lock_guard<std::mutex> lock(*ctx_.catalog_mu);
  auto group = ctx_.db->GetGroupByName(p.group_name);
  if (!group.ok()) return LookupFailed(group.status(), api_error::GroupNameNotExist(), "group unbind: group");
  auto version = ctx_.db->Unbind(group->id, p.face_id, NowMs());
  if (!version.ok()) return LookupFailed(version.status(), api_error::GroupBindingNotExist(), "group unbind");
  ctx_.index->Remove(group->id, p.face_id);
  return ApiReply::Ok();
}

}  // namespace facepass::service
