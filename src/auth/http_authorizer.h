// Plugs a KeyAuthorizer into http::Server (library fp_auth_http):
//   http_options.authorizer = auth::HttpAuthorizer(key_authorizer);
#pragma once

#include <memory>

#include "auth/authorizer.h"
#include "http/server.h"

namespace facepass::auth {

http::Authorizer HttpAuthorizer(std::shared_ptr<KeyAuthorizer> authorizer);

}  // namespace facepass::auth
