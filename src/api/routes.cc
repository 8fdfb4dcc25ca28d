#include "api/routes.h"

#include <memory>

#include "api/audit_trail.h"
#include "api/console_assets.h"
#include "api/handlers.h"
#include "auth/key_admin.h"
#include "service/app.h"

namespace facepass::api {

std::vector<http::Route> Routes(service::App& app) {
  using http::BodyKind;
  auto to = [&app](ApiReply (*fn)(App&, const http::Request&)) {
    return [&app, fn](const http::Request& r) { return fn(app, r); };
  };
  auto admin = std::make_shared<auth::KeyAdmin>(app.key_repository(), app.audit_repository());
  auto to_admin = [admin](ApiReply (*fn)(auth::KeyAdmin&, const http::Request&)) {
    return [admin, fn](const http::Request& r) { return fn(*admin, r); };
  };
  std::vector<http::Route> routes = {
      {"POST", "/api/face/v1/add", BodyKind::kForm, to(FaceAdd)},
      {"POST", "/api/face/v1/delete", BodyKind::kJson, to(FaceDelete)},
      {"POST", "/api/face/v1/query", BodyKind::kJson, to(FaceQuery)},
      {"POST", "/api/face/v1/update", BodyKind::kJson, to(FaceUpdate)},
      {"GET", "/api/face/v1/search", BodyKind::kNone, to(FaceSearch)},
      {"GET", "/api/image/v1/query", BodyKind::kNone, to(ImageQuery)},
      {"POST", "/api/group/v1/create", BodyKind::kJson, to(GroupCreate)},
      {"POST", "/api/group/v1/delete", BodyKind::kJson, to(GroupDelete)},
      {"POST", "/api/group/v1/query", BodyKind::kJson, to(GroupQuery)},
      {"GET", "/api/group/v1/list", BodyKind::kNone, to(GroupList)},
      {"POST", "/api/group/v1/bind", BodyKind::kJson, to(GroupBind)},
      {"POST", "/api/group/v1/unbind", BodyKind::kJson, to(GroupUnbind)},
      {"POST", "/api/service/recognize/v1", BodyKind::kForm, to(Recognize)},
      {"POST", "/api/service/compare/v1", BodyKind::kForm, to(Compare)},
      {"GET", "/api/service/recognize/v1/history", BodyKind::kNone, to(RecognizeHistory)},
      {"POST", "/api/service/sync/v1", BodyKind::kJson, to(Sync)},
      {"GET", "/api/service/sync/v1/status", BodyKind::kNone, to(SyncStatus)},
      {"GET", "/api/service/sync/v1/notify", BodyKind::kNone, to(SyncNotify)},
      {"POST", "/api/service/config/v1", BodyKind::kForm, to(ConfigUpdate)},
      {"GET", "/api/service/config/v1", BodyKind::kNone, to(ConfigGet)},
      {"GET", "/api/service/config/v1/strangers", BodyKind::kNone, to(StrangerPreview)},
      {"GET", "/api/version/v1", BodyKind::kNone, to(Version)},
      {"GET", "/api/health/v1", BodyKind::kNone, to(Health)},
      {"POST", "/api/keys/v1/create", BodyKind::kJson, to_admin(KeysCreate)},
      {"GET", "/api/keys/v1/list", BodyKind::kNone, to_admin(KeysList)},
      {"POST", "/api/keys/v1/revoke", BodyKind::kJson, to_admin(KeysRevoke)},
      {"GET", "/api/audit/v1", BodyKind::kNone, to_admin(AuditQuery)},
  };
  // Every change leaves an audit row (issue 10, api/audit_trail.h).
  for (http::Route& r : routes)
    if (IsAuditedChange(r.method, r.path)) r.handler = Audited(*admin, r.method + " " + r.path, std::move(r.handler));
  // The operator's console (issue 11): public files; its API calls carry the key.
  for (http::Route& r : http::StaticRoutes("/console", ConsoleAssets())) routes.push_back(std::move(r));
  return routes;
}

}  // namespace facepass::api
