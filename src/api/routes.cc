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
  // A change (always a POST) leaves an audit row (issue 10, api/audit_trail.h).
  auto change = [&app, admin](const char* path, BodyKind kind, ApiReply (*fn)(App&, const http::Request&, AuditNote&)) {
    return http::Route{"POST", path, kind,
                       Audited(*admin, std::string("POST ") + path,
                               [&app, fn](const http::Request& r, AuditNote& note) { return fn(app, r, note); })};
  };
  auto admin_change = [admin](const char* path, BodyKind kind,
                              ApiReply (*fn)(auth::KeyAdmin&, const http::Request&, AuditNote&)) {
    return http::Route{"POST", path, kind,
                       Audited(*admin, std::string("POST ") + path,
                               [admin, fn](const http::Request& r, AuditNote& note) { return fn(*admin, r, note); })};
  };
  std::vector<http::Route> routes = {
      change("/api/face/v1/add", BodyKind::kForm, FaceAdd),
      change("/api/face/v1/delete", BodyKind::kJson, FaceDelete),
      {"POST", "/api/face/v1/query", BodyKind::kJson, to(FaceQuery)},
      change("/api/face/v1/update", BodyKind::kJson, FaceUpdate),
      {"GET", "/api/face/v1/search", BodyKind::kNone, to(FaceSearch)},
      {"GET", "/api/image/v1/query", BodyKind::kNone, to(ImageQuery)},
      change("/api/group/v1/create", BodyKind::kJson, GroupCreate),
      change("/api/group/v1/delete", BodyKind::kJson, GroupDelete),
      {"POST", "/api/group/v1/query", BodyKind::kJson, to(GroupQuery)},
      {"GET", "/api/group/v1/list", BodyKind::kNone, to(GroupList)},
      change("/api/group/v1/bind", BodyKind::kJson, GroupBind),
      change("/api/group/v1/unbind", BodyKind::kJson, GroupUnbind),
      {"POST", "/api/service/recognize/v1", BodyKind::kForm, to(Recognize)},
      {"POST", "/api/service/compare/v1", BodyKind::kForm, to(Compare)},
      {"GET", "/api/service/recognize/v1/history", BodyKind::kNone, to(RecognizeHistory)},
      {"POST", "/api/service/sync/v1", BodyKind::kJson, to(Sync)},
      {"GET", "/api/service/sync/v1/status", BodyKind::kNone, to(SyncStatus)},
      {"GET", "/api/service/sync/v1/notify", BodyKind::kNone, to(SyncNotify)},
      change("/api/service/config/v1", BodyKind::kForm, ConfigUpdate),
      {"GET", "/api/service/config/v1", BodyKind::kNone, to(ConfigGet)},
      {"GET", "/api/service/config/v1/strangers", BodyKind::kNone, to(StrangerPreview)},
      {"GET", "/api/version/v1", BodyKind::kNone, to(Version)},
      {"GET", "/api/health/v1", BodyKind::kNone, to(Health)},
      admin_change("/api/keys/v1/create", BodyKind::kJson, KeysCreate),
      {"GET", "/api/keys/v1/list", BodyKind::kNone, to_admin(KeysList)},
      admin_change("/api/keys/v1/revoke", BodyKind::kJson, KeysRevoke),
      {"GET", "/api/audit/v1", BodyKind::kNone, to_admin(AuditQuery)},
  };
  // The operator's console (issue 11): public files; its API calls carry the key.
  for (http::Route& r : http::StaticRoutes("/console", ConsoleAssets())) routes.push_back(std::move(r));
  return routes;
}

}  // namespace facepass::api
