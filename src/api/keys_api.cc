// /api/keys/v1/{create,list,revoke} (admin only, auth/permissions.cc): the
// running server's twin of `facepass keys`. The key is in create's reply
// once and nowhere else; list shows names, roles and times, never keys.
// Revocation holds from the next request on (the authorizer reads the store
// on every request).
#include "api/audit_trail.h"
#include "api/handlers.h"
#include "api/params.h"
#include "auth/api_key.h"
#include "auth/key_admin.h"
#include "auth/role.h"
#include "common/clock.h"

namespace facepass::api {

using nlohmann::json;

namespace {

json Time(int64_t ms) { return ms > 0 ? json(ms) : json(nullptr); }

}  // namespace

ApiReply KeysCreate(auth::KeyAdmin& admin, const http::Request& req, AuditNote& audit) {
  ParamCheck check;
  auto name = check.JsonString(req.json, "name", "name");
  auto role_text = check.JsonString(req.json, "role", "role");
  std::optional<auth::Role> role;
  if (name && !auth::ValidKeyName(*name)) check.Illegal("name");
  if (role_text && !(role = auth::ParseRole(*role_text))) check.Illegal("role");
  if (auto e = check.Error()) return ApiReply::Error(*e);
  const int64_t now = NowMs();
  auto key = admin.Create(*name, *role, now, audit.Hook());
  if (!key.ok() && key.status().code() == StatusCode::kAlreadyExists) return ApiReply::Error(errors::IllegalArgument("name"));
  if (!key.ok()) return ApiReply::Error(errors::InternalError());
  return ApiReply::Ok({{"name", *name}, {"role", auth::RoleName(*role)}, {"key", *key}, {"created", now}});
}

ApiReply KeysList(auth::KeyAdmin& admin, const http::Request&) {
  auto keys = admin.List();
  if (!keys.ok()) return ApiReply::Error(errors::InternalError());
  json list = json::array();
  for (const domain::KeyRecord& k : *keys) {
    list.push_back({{"name", k.name},
                    {"role", k.role},
                    {"created", k.created_ms},
                    {"last_used", Time(k.last_used_ms)},
                    {"revoked", k.revoked},
                    {"revoked_time", Time(k.revoked_ms)}});
  }
  return ApiReply::Ok({{"keys", std::move(list)}});
}

ApiReply KeysRevoke(auth::KeyAdmin& admin, const http::Request& req, AuditNote& audit) {
  ParamCheck check;
  auto name = check.JsonString(req.json, "name", "name");
  if (auto e = check.Error()) return ApiReply::Error(*e);
  Status s = admin.Revoke(*name, NowMs(), audit.Hook());
  // Unknown and already revoked alike: nothing live goes by that name.
  if (s.code() == StatusCode::kNotFound) return ApiReply::Error(errors::IllegalArgument("name"));
  if (!s.ok()) return ApiReply::Error(errors::InternalError());
  return ApiReply::Ok({{"name", *name}});
}

}  // namespace facepass::api
