// Thresholds (/api/service/config/v1, POST to change, GET to read) and the
// server version (/api/version/v1).
#pragma once

#include "common/api_error.h"
#include "http/request.h"
#include "service/context.h"

namespace facepass::service {

class ConfigService {
 public:
  explicit ConfigService(ServiceContext ctx) : ctx_(ctx) {}

  ApiReply Update(const http::Request& req);
  ApiReply Get(const http::Request& req);
  ApiReply Version(const http::Request& req);

 private:
  ServiceContext ctx_;
};

}  // namespace facepass::service
