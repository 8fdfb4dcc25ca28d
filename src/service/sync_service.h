// Device sync (/api/service/sync/v1, binary answer, see docs/sync-protocol.md)
// and the per-device sync status (/api/service/sync/v1/status).
#pragma once

#include "common/api_error.h"
#include "http/request.h"
#include "service/context.h"

namespace facepass::service {

class SyncService {
 public:
  explicit SyncService(ServiceContext ctx) : ctx_(ctx) {}

  ApiReply Sync(const http::Request& req);
  ApiReply DeviceStatus(const http::Request& req);

 private:
  ServiceContext ctx_;
};

}  // namespace facepass::service
