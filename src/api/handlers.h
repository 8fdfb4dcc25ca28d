// One handler per endpoint: parse the http::Request into the typed call,
// call the domain service, encode its outcome (or DomainError) as the reply.
// routes.cc maps the spec's paths onto them. A handler of a change takes its
// AuditNote and hands the service its hook (api/audit_trail.h).
#pragma once

#include "http/reply.h"
#include "http/request.h"

namespace facepass::api {
class AuditNote;  // api/audit_trail.h
}

namespace facepass::auth {
class KeyAdmin;
}
namespace facepass::service {
class App;
}

namespace facepass::api {

using service::App;

// faces_api.cc: /api/face/v1/{add,delete,query}, /api/image/v1/query
ApiReply FaceAdd(App& app, const http::Request& req, AuditNote& audit);
ApiReply FaceDelete(App& app, const http::Request& req, AuditNote& audit);
ApiReply FaceQuery(App& app, const http::Request& req);
ApiReply FaceUpdate(App& app, const http::Request& req, AuditNote& audit);
ApiReply FaceSearch(App& app, const http::Request& req);
ApiReply ImageQuery(App& app, const http::Request& req);
// groups_api.cc: /api/group/v1/{create,delete,query,list,bind,unbind}
ApiReply GroupCreate(App& app, const http::Request& req, AuditNote& audit);
ApiReply GroupDelete(App& app, const http::Request& req, AuditNote& audit);
ApiReply GroupQuery(App& app, const http::Request& req);
ApiReply GroupList(App& app, const http::Request& req);
ApiReply GroupBind(App& app, const http::Request& req, AuditNote& audit);
ApiReply GroupUnbind(App& app, const http::Request& req, AuditNote& audit);
// recognition_api.cc: /api/service/recognize/v1, /api/service/compare/v1
ApiReply Recognize(App& app, const http::Request& req);
ApiReply Compare(App& app, const http::Request& req);
// history_api.cc: /api/service/recognize/v1/history (issue 11)
ApiReply RecognizeHistory(App& app, const http::Request& req);
// sync_api.cc: /api/service/sync/v1 (binary answer), /api/service/sync/v1/status
ApiReply Sync(App& app, const http::Request& req);
ApiReply SyncStatus(App& app, const http::Request& req);
// notify_api.cc: /api/service/sync/v1/notify (held event stream)
ApiReply SyncNotify(App& app, const http::Request& req);
// config_api.cc: /api/service/config/v1 (POST, GET), /api/version/v1
ApiReply ConfigUpdate(App& app, const http::Request& req, AuditNote& audit);
ApiReply ConfigGet(App& app, const http::Request& req);
// Extension (issue 30): GET /api/service/config/v1/strangers[?threshold=T].
ApiReply StrangerPreview(App& app, const http::Request& req);
ApiReply Version(App& app, const http::Request& req);
ApiReply Health(App& app, const http::Request& req);
// keys_api.cc: /api/keys/v1/{create,list,revoke} (admin)
ApiReply KeysCreate(auth::KeyAdmin& admin, const http::Request& req, AuditNote& audit);
ApiReply KeysList(auth::KeyAdmin& admin, const http::Request& req);
ApiReply KeysRevoke(auth::KeyAdmin& admin, const http::Request& req, AuditNote& audit);
// audit_api.cc: /api/audit/v1 (admin)
ApiReply AuditQuery(auth::KeyAdmin& admin, const http::Request& req);

}  // namespace facepass::api
