// Groups and bindings: /api/group/v1/{create,delete,query,list,bind,unbind}.
#pragma once

#include "common/api_error.h"
#include "http/request.h"
#include "service/context.h"

namespace facepass::service {

class GroupService {
 public:
  explicit GroupService(ServiceContext ctx) : ctx_(ctx) {}

  ApiReply Create(const http::Request& req);
  ApiReply Delete(const http::Request& req);
  ApiReply Query(const http::Request& req);
  ApiReply List(const http::Request& req);
  ApiReply Bind(const http::Request& req);
  ApiReply Unbind(const http::Request& req);

 private:
  ServiceContext ctx_;
};

}  // namespace facepass::service
