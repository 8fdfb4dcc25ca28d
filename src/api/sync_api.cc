// /api/service/sync/v1 (binary answer, docs/sync-protocol.md) and the
// per-device sync status /api/service/sync/v1/status.
#include "api/handlers.h"
#include "api/params.h"
#include "api/sync_request.h"
#include "service/app.h"
#include "service/device_sync.h"
#include "store/token_cipher.h"
#include "sync/sync_codec.h"

namespace facepass::api {

using nlohmann::json;

namespace {

// The plan with face ids as the device sees them (face tokens), in the format
// the device asked for (format 1 carries no labels).
sync::SyncResult WithTokens(const store::TokenCipher& tokens, service::SyncPlan plan, uint16_t format) {
  sync::SyncResult r;
  r.format = format;
  r.search_model = std::move(plan.search_model);
  r.dim = plan.dim;
  r.clear_all = plan.clear_all;
  r.recognize_threshold = plan.recognize_threshold;
  r.server_time_ms = plan.server_time_ms;
  for (service::SyncGroupPlan& g : plan.groups) {
    sync::GroupPayload p;
    p.group_name = std::move(g.group_name);
    p.group_id = g.group_id;
    p.local_version = g.local_version;
    p.cloud_version = g.cloud_version;
    p.action = g.action;
    p.added.reserve(g.added.size());
    for (auto& [face_id, feature] : g.added) {
      sync::FaceEntry& f = p.added.emplace_back();
      f.face_token = tokens.Encode(store::TokenKind::kFace, face_id);
      f.feature = std::move(feature);
      if (format != sync::kFormatV1) {
        if (auto label = g.labels.find(face_id); label != g.labels.end()) f.label = std::move(label->second);
      }
    }
    for (int64_t face_id : g.deleted) p.deleted.push_back(tokens.Encode(store::TokenKind::kFace, face_id));
    r.groups.push_back(std::move(p));
  }
  return r;
}

}  // namespace

ApiReply Sync(App& app, const http::Request& req) {
  sync::SyncRequest request;
  if (auto e = ParseSyncRequest(req.json, &request)) return ApiReply::Error(*e);
  auto plan = app.device_sync().Sync(request, req.remote_ip);
  if (!plan.ok()) return ApiReply::Error(plan.error());
  auto bytes = sync::Encode(WithTokens(app.tokens(), std::move(*plan), request.format));
  if (!bytes.ok()) return ApiReply::Error(service::Internal("sync: encode", bytes.status()));
  return ApiReply::Bytes(std::move(*bytes), "application/octet-stream");
}

ApiReply SyncStatus(App& app, const http::Request&) {
  auto devices = app.device_sync().DeviceStatus();
  if (!devices.ok()) return ApiReply::Error(devices.error());
  json list = json::array();
  for (const auto& d : *devices) {
    json groups = json::array();
    for (const auto& g : d.groups) {
      groups.push_back({{"group_name", g.group_name},
                        {"group_id", g.group_id},
                        {"local_version", g.local_version},
                        {"cloud_version", g.cloud_version},
                        {"result_code", g.result_code},
                        {"result_version", g.result_version},
                        {"result", {{"facetoken_added", g.added}, {"facetoken_deleted", g.deleted}}}});
    }
    list.push_back({{"ip", d.ip},
                    {"version", d.client_version},
                    {"sync_status", {{"sync_time", d.sync_time_ms},
                                     {"info", {{"search_model", d.search_model}}},
                                     {"groups", std::move(groups)}}}});
  }
  return ApiReply::Ok({{"devices", std::move(list)}});
}

}  // namespace facepass::api
