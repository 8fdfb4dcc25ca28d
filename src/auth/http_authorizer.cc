#include "auth/http_authorizer.h"

#include <utility>

namespace facepass::auth {

http::Authorizer HttpAuthorizer(std::shared_ptr<KeyAuthorizer> authorizer) {
  return [a = std::move(authorizer)](const http::AuthQuery& q) {
    const Decision d = a->Check(AuthInput{std::string(q.method), std::string(q.path), std::string(q.authorization),
                                          std::string(q.x_api_key), std::string(q.peer_ip)});
    http::AuthVerdict v;
    v.role = RoleName(d.role);
    v.key_name = d.key_name;
    switch (d.outcome) {
      case Decision::Outcome::kAllow: v.kind = http::AuthVerdict::Kind::kAllow; break;
      case Decision::Outcome::kUnauthorized: v.kind = http::AuthVerdict::Kind::kUnauthorized; break;
      case Decision::Outcome::kForbidden: v.kind = http::AuthVerdict::Kind::kForbidden; break;
      case Decision::Outcome::kTooManyRequests:
        v.kind = http::AuthVerdict::Kind::kTooManyRequests;
        v.retry_after_s = static_cast<int>((d.retry_after_ms + 999) / 1000);
        break;
      case Decision::Outcome::kUnavailable: v.kind = http::AuthVerdict::Kind::kUnavailable; break;
      case Decision::Outcome::kError: v.kind = http::AuthVerdict::Kind::kError; break;
    }
    return v;
  };
}

}  // namespace facepass::auth
