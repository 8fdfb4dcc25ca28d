// The audit row of a change (issue 10): one row per call of a changing
// endpoint records who (key name and role from the authorizer, never the
// key), from where, which endpoint, the ids it touched and the envelope code.
// Refused authentications are recorded by auth::KeyAuthorizer before any
// handler runs.
//
// A change that succeeds commits its row in its own transaction (issue 27,
// domain/audited.h): the handler hands the service its AuditNote's hook. A
// call that changes nothing (refused, failed, an empty config update) gets
// its row from Audited() once it has answered.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <string_view>

#include "domain/audited.h"
#include "http/server.h"
#include "service/faces.h"

namespace facepass::store {
class TokenCipher;
}

namespace facepass::auth {
class KeyAdmin;
}

namespace facepass::api {

// One audited call's row, as its handler sees it.
class AuditNote {
 public:
  AuditNote(const http::Request& req, std::string endpoint);

  // The row of the change once it succeeded (targets from the request, code
  // 0), for the service to commit with it. Valid while this note lives.
  domain::AuditHook Hook();
  // Face add's: also names the image and the face it made, as its answer does.
  service::FaceAddAudit FaceAddHook(const store::TokenCipher& tokens);

  // A hook made a row (the change was about to commit with it).
  bool used() const { return used_.load(); }
  // The row of a call that answered `reply` (for Audited's own append).
  domain::AuditRecord RowFor(const ApiReply& reply) const;

 private:
  const http::Request& req_;
  const std::string endpoint_;
  std::atomic<bool> used_{false};
};

using AuditedHandler = std::function<ApiReply(const http::Request&, AuditNote&)>;

// `endpoint` is "METHOD /path" as the route names it (not as sent: a
// trailing slash does not make another endpoint). `admin` outlives the
// handler. Appends the row unless the change committed it: a hook was used
// and the answer is a success.
http::Handler Audited(auth::KeyAdmin& admin, std::string endpoint, AuditedHandler inner);

// The ids a change touched, "k=v,k=v": group_name, face_token and key name
// (`name`) and the threshold fields from the request, face_token and
// image_id from the reply. Exposed for the tests.
std::string AuditTargets(const http::Request& req, const ApiReply& reply);

}  // namespace facepass::api
