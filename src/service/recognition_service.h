// 1:N recognise against a group (/api/service/recognize/v1) and 1:1 compare
// (/api/service/compare/v1).
#pragma once

#include "common/api_error.h"
#include "http/request.h"
#include "service/context.h"

namespace facepass::service {

class RecognitionService {
 public:
  explicit RecognitionService(ServiceContext ctx) : ctx_(ctx) {}

  ApiReply Recognize(const http::Request& req);
  ApiReply Compare(const http::Request& req);

 private:
  ServiceContext ctx_;
};

}  // namespace facepass::service
