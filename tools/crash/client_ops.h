// The campaign's HTTP calls (client::HttpClient) and how an answer counts:
// no answer (the server died: the write is pending; through a balancer also
// its 502/503/504), success, 503 SERVICE_BUSY, a refusal (4xx) or an error.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "campaign_ledger.h"
#include "client/http_client.h"
#include "common/status.h"
#include "sync/sync_types.h"

namespace facepass::crash {

struct Answer {
  enum Kind { kNoAnswer, kOk, kBusy, kRefused, kError } kind = kNoAnswer;
  long status = 0;  // 0: the connection failed or dropped
  int code = -1;
  std::string body;
  nlohmann::json json;
  const nlohmann::json& data() const { return json.at("data"); }
};

Answer Classify(const Result<client::HttpResponse>& r);

class Api {
 public:
  explicit Api(std::string base);
  Answer Post(const std::string& path, const nlohmann::json& body) const;
  Answer Get(const std::string& path) const;
  Answer Form(const std::string& path, const std::vector<client::MultipartPart>& parts) const;
  Answer AddFace(const std::string& bytes) const;
  Answer SetThreshold(double v) const;
  // A FULL sync (group_id 0) of `groups`; `answer` tells whether it was answered.
  Result<sync::SyncResult> Sync(const std::string& search_model, const std::vector<std::string>& groups,
                                Answer* answer) const;

 private:
  std::string base_;
  client::HttpClient http_;
};

}  // namespace facepass::crash
