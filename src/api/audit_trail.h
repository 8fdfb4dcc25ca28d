// The audit row of a change (issue 10): wraps the handler of a changing
// endpoint so that, once it has answered, one row records who (key name and
// role from the authorizer, never the key), from where, which endpoint, the
// ids it touched and the envelope code. Refused authentications are
// recorded by auth::KeyAuthorizer before any handler runs.
#pragma once

#include <string>
#include <string_view>

#include "http/server.h"

namespace facepass::auth {
class KeyAdmin;
}

namespace facepass::api {

// `endpoint` is "METHOD /path" as the route names it (not as sent: a
// trailing slash does not make another endpoint). `admin` outlives the handler.
http::Handler Audited(auth::KeyAdmin& admin, std::string endpoint, http::Handler inner);

// The endpoints that change something: face add/delete, group
// create/delete/bind/unbind, config update, key create/revoke.
bool IsAuditedChange(std::string_view method, std::string_view path);

// The ids a change touched, "k=v,k=v": group_name, face_token and key name
// (`name`) and the threshold fields from the request, face_token and
// image_id from the reply. Exposed for the tests.
std::string AuditTargets(const http::Request& req, const ApiReply& reply);

}  // namespace facepass::api
