#include "api/routes.h"

#include "api/handlers.h"

namespace facepass::api {

std::vector<http::Route> Routes(service::App& app) {
  using http::BodyKind;
  auto to = [&app](ApiReply (*fn)(App&, const http::Request&)) {
    return [&app, fn](const http::Request& r) { return fn(app, r); };
  };
  return {
      {"POST", "/api/face/v1/add", BodyKind::kForm, to(FaceAdd)},
      {"POST", "/api/face/v1/delete", BodyKind::kJson, to(FaceDelete)},
      {"POST", "/api/face/v1/query", BodyKind::kJson, to(FaceQuery)},
      {"GET", "/api/image/v1/query", BodyKind::kNone, to(ImageQuery)},
      {"POST", "/api/group/v1/create", BodyKind::kJson, to(GroupCreate)},
      {"POST", "/api/group/v1/delete", BodyKind::kJson, to(GroupDelete)},
      {"POST", "/api/group/v1/query", BodyKind::kJson, to(GroupQuery)},
      {"GET", "/api/group/v1/list", BodyKind::kNone, to(GroupList)},
      {"POST", "/api/group/v1/bind", BodyKind::kJson, to(GroupBind)},
      {"POST", "/api/group/v1/unbind", BodyKind::kJson, to(GroupUnbind)},
      {"POST", "/api/service/recognize/v1", BodyKind::kForm, to(Recognize)},
      {"POST", "/api/service/compare/v1", BodyKind::kForm, to(Compare)},
      {"POST", "/api/service/sync/v1", BodyKind::kJson, to(Sync)},
      {"GET", "/api/service/sync/v1/status", BodyKind::kNone, to(SyncStatus)},
      {"POST", "/api/service/config/v1", BodyKind::kForm, to(ConfigUpdate)},
      {"GET", "/api/service/config/v1", BodyKind::kNone, to(ConfigGet)},
      {"GET", "/api/version/v1", BodyKind::kNone, to(Version)},
  };
}

}  // namespace facepass::api
