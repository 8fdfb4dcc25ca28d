#include "client/sync_client.h"

#include <chrono>
#include <cstring>

#include <nlohmann/json.hpp>

namespace facepass::client {

Status StatusFromErrorReply(const HttpResponse& resp) {
  std::string what = "server answered HTTP " + std::to_string(resp.status);
  nlohmann::json j = nlohmann::json::parse(resp.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object() && j.contains("code")) {
    what += ", code " + j["code"].dump();
    if (j.contains("message") && j["message"].is_string()) what += " " + j["message"].get<std::string>();
  }
  if (resp.status == 503 || resp.status == 502 || resp.status == 504) return Status::Unavailable(what);
  return Status::FailedPrecondition(what);
}

Result<SyncOutcome> SyncOnce(DeviceStore& store, const HttpClient& http, const std::string& base_url) {
  FP_ASSIGN_OR_RETURN(sync::SyncRequest req, store.MakeSyncRequest());
  SyncOutcome out;
  std::string body = sync::ToJson(req).dump();
  out.request_bytes = body.size();
  FP_ASSIGN_OR_RETURN(HttpResponse resp, http.PostJson(JoinUrl(base_url, kSyncPath), body));
  out.http_seconds = resp.seconds;
  out.response_bytes = resp.body.size();
  bool binary = resp.body.size() >= 4 && std::memcmp(resp.body.data(), sync::kMagic, 4) == 0;
  if (resp.status != 200 || !binary) {
    if (resp.status == 200) return Status::Corruption("sync: HTTP 200 but not a sync stream (" + resp.content_type + ")");
    return StatusFromErrorReply(resp);
  }
  auto t0 = std::chrono::steady_clock::now();
  Result<ApplyReport> report = store.ApplySyncResult(resp.body);
  out.apply_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!report.ok()) return report.status();
  out.report = std::move(*report);
  return out;
}

}  // namespace facepass::client
