// /api/group/v1/{create,delete,query,list,bind,unbind}.
#include "api/audit_trail.h"
#include "api/handlers.h"
#include "api/params.h"
#include "api/stranger_json.h"
#include "service/app.h"
#include "service/groups.h"
#include "service/strangers.h"
#include "store/token_cipher.h"

namespace facepass::api {

using nlohmann::json;

namespace {

ApiReply Answer(const service::DomainResult<service::Done>& r) {
  return r.ok() ? ApiReply::Ok() : ApiReply::Error(r.error());
}

// A group_name alone, required and valid.
std::optional<std::string> NameParam(const http::Request& req, std::optional<DomainError>* error) {
  ParamCheck check;
  auto name = check.JsonGroupName(req.json, "group_name", "group_name");
  *error = check.Error();
  return name;
}

struct BindingParams {
  std::string group_name;
  int64_t face_id = 0;
};

// group_name + face_token, both required; every problem named at once.
std::optional<DomainError> ParseBinding(const store::TokenCipher& tokens, const json& body, BindingParams* out) {
  ParamCheck check;
  auto name = check.JsonGroupName(body, "group_name", "group_name");
  auto face_id = check.JsonFaceId(tokens, body, "face_token");
  if (auto e = check.Error()) return e;
  *out = {*name, *face_id};
  return std::nullopt;
}

}  // namespace

ApiReply GroupCreate(App& app, const http::Request& req, AuditNote& audit) {
  std::optional<DomainError> e;
  auto name = NameParam(req, &e);
  return e ? ApiReply::Error(*e) : Answer(app.groups().Create(*name, audit.Hook()));
}

ApiReply GroupDelete(App& app, const http::Request& req, AuditNote& audit) {
  std::optional<DomainError> e;
  auto name = NameParam(req, &e);
  return e ? ApiReply::Error(*e) : Answer(app.groups().Delete(*name, audit.Hook()));
}

ApiReply GroupQuery(App& app, const http::Request& req) {
  std::optional<DomainError> e;
  auto name = NameParam(req, &e);
  if (e) return ApiReply::Error(*e);
  auto group = app.groups().Query(*name);
  if (!group.ok()) return ApiReply::Error(group.error());
  json faces = json::array();
  for (int64_t id : group->face_ids) faces.push_back(app.tokens().Encode(store::TokenKind::kFace, id));
  json out = {{"group_name", group->name}, {"faces", std::move(faces)}};
  // Extension (issue 30): how often a stranger passes against this many faces.
  AddGroupOdds(app.strangers().ForGroup(int64_t(group->face_ids.size())), &out);
  return ApiReply::Ok(std::move(out));
}

ApiReply GroupList(App& app, const http::Request&) {
  auto names = app.groups().List();
  if (!names.ok()) return ApiReply::Error(names.error());
  return ApiReply::Ok({{"groups", *names}});
}

ApiReply GroupBind(App& app, const http::Request& req, AuditNote& audit) {
  BindingParams p;
  if (auto e = ParseBinding(app.tokens(), req.json, &p)) return ApiReply::Error(*e);
  return Answer(app.groups().Bind(p.group_name, p.face_id, audit.Hook()));
}

ApiReply GroupUnbind(App& app, const http::Request& req, AuditNote& audit) {
  BindingParams p;
  if (auto e = ParseBinding(app.tokens(), req.json, &p)) return ApiReply::Error(*e);
  return Answer(app.groups().Unbind(p.group_name, p.face_id, audit.Hook()));
}

}  // namespace facepass::api
