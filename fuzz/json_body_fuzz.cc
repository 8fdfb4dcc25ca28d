// JSON request bodies: the depth guard and parse of body_parser, then what the
// endpoints read from them (string and group_name parameters, sync's nested
// groups through the server's reader, api/sync_request.h).
#include <cstddef>
#include <cstdint>
#include <string>

#include "http/body_parser.h"
#include "api/params.h"
#include "api/sync_request.h"

using namespace facepass;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  http::Request req;
  req.content_type = "application/json; charset=utf-8";
  req.body.assign(reinterpret_cast<const char*>(data), size);
  if (http::ParseBody(http::BodyKind::kJson, &req)) return 0;  // refused: ILLEGAL_JSON_BODY
  api::ParamCheck check;
  for (const auto& [key, value] : req.json.items()) {
    (void)check.JsonString(req.json, key, key);
    (void)check.JsonGroupName(req.json, key, key);
  }
  (void)check.Error();
  sync::SyncRequest sync_request;
  (void)api::ParseSyncRequest(req.json, &sync_request);
  (void)req.json.dump();  // the error envelope echoes parts of bodies
  return 0;
}
