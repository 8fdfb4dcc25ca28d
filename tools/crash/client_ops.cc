#include "client_ops.h"

#include <chrono>
#include <cstdio>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/error_code.h"
#include "sync/sync_codec.h"

namespace facepass::crash {

using nlohmann::json;

void Tally::Problem(int64_t Tally::*counter, const std::string& what) {
  ++(this->*counter);
  if (problems.size() < 20) problems.push_back(what);
  std::fprintf(stderr, "PROBLEM: %s\n", what.c_str());
}

Answer Classify(const Result<client::HttpResponse>& r) {
  Answer a;
  if (!r.ok()) {
    a.kind = Answer::kNoAnswer;
    return a;
  }
  a.status = r->status;
  a.body = r->body;
  a.json = json::parse(r->body, nullptr, false);
  a.code = a.json.is_object() ? a.json.value("code", -1) : -1;
  if (r->status == 503 && a.code == static_cast<int>(ErrorCode::kServiceBusy)) {
    a.kind = Answer::kBusy;  // refused before it ran: nothing landed
  } else if (r->status == 502 || r->status == 503 || r->status == 504) {
    // A balancer whose node died under the request (502, 504), or found none
    // (503), or a node's 503 STORE_UNAVAILABLE (its commit's connection broke:
    // it may have committed). Nobody knows whether the write landed.
    a.kind = Answer::kNoAnswer;
  } else if (r->status == 200 && (!a.json.is_object() || a.json.value("code", -1) == 0)) {
    a.kind = Answer::kOk;  // binary answers (image bytes, sync) are not JSON
  } else if (r->status >= 400 && r->status < 500) {
    a.kind = Answer::kRefused;
  } else {
    a.kind = Answer::kError;
  }
  return a;
}

Api::Api(std::string base) : base_(std::move(base)) {
  client::HttpOptions o;
  o.connect_timeout_ms = 2000;
  o.timeout_ms = 60000;
  http_ = client::HttpClient(o);
}

Answer Api::Post(const std::string& path, const json& body) const {
  return Classify(http_.PostJson(client::JoinUrl(base_, path), body.dump()));
}
Answer Api::Get(const std::string& path) const { return Classify(http_.Get(client::JoinUrl(base_, path))); }
Answer Api::Form(const std::string& path, const std::vector<client::MultipartPart>& parts) const {
  return Classify(http_.PostMultipart(client::JoinUrl(base_, path), parts));
}

Answer Api::AddFace(const std::string& bytes) const {
  return Form("/api/face/v1/add", {{"image", bytes, "face.jpg", "image/jpeg"}});
}

Answer Api::SetThreshold(double v) const {
  return Form("/api/service/config/v1", {{"recognize_threshold", std::to_string(v), "", ""}});
}

Result<sync::SyncResult> Api::Sync(const std::string& search_model, const std::vector<std::string>& groups,
                                   Answer* answer) const {
  json req = {{"info", {{"search_model", search_model}, {"version", "v1.0.0"}}}, {"groups", json::array()}};
  for (const std::string& g : groups) req["groups"].push_back({{"group_name", g}, {"group_id", 0}, {"local_version", 0}});
  *answer = Post("/api/service/sync/v1", req);
  if (answer->kind != Answer::kOk) return Status::Unavailable("sync not answered 200");
  return sync::Decode(answer->body);
}

}  // namespace facepass::crash
