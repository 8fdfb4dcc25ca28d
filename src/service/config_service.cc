#include "service/config_service.h"

#include <map>

#include "service/params.h"
#include "service/thresholds.h"
#include "vision/engine.h"

namespace facepass::service {

using nlohmann::json;

namespace {

bool IsThresholdKey(const std::string& k) {
  return k == Thresholds::kRecognize || k == Thresholds::kCompare || k == Thresholds::kLiveness;
}

// The fields as sent, in order: form fields, or a JSON object's members.
std::vector<std::pair<std::string, std::string>> Fields(const http::Request& req) {
  if (req.content_type.rfind("application/json", 0) != 0) return req.form;
  std::vector<std::pair<std::string, std::string>> out;
  json j = json::parse(req.body, nullptr, false);
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it->is_string()) out.emplace_back(it.key(), it->get<std::string>());
    else if (it->is_number()) out.emplace_back(it.key(), it->dump());
    else if (!it->is_null()) out.emplace_back(it.key(), "?");  // a type no number has
  }
  return out;
}

json ThresholdsJson(const ThresholdValues& v) {
  return {{"recognize_threshold", v.recognize},
          {"compare_threshold", v.compare},
          {"liveness_threshold", v.liveness}};
}

}  // namespace

ApiReply ConfigService::Update(const http::Request& req) {
  ParamCheck check;
  std::map<std::string, double> changes;
  for (const auto& [key, value] : Fields(req)) {
    if (!IsThresholdKey(key) || value.empty() || changes.count(key)) continue;  // empty: leave as is
    auto v = ParseNumber(value);
    if (v && *v == -1) {
      changes[key] = -1;  // back to the default
    } else if (v && *v > 0 && *v < 100) {
      changes[key] = *v;
    } else {
      check.Illegal(key);
    }
  }
  if (auto e = check.Error()) return ApiReply::Error(*e);  // one bad value: nothing changes
  Status s = ctx_.thresholds->Update(changes);
  if (!s.ok()) return Internal("config update", s);
  return ApiReply::Ok(ThresholdsJson(ctx_.thresholds->Get()));
}

ApiReply ConfigService::Get(const http::Request&) {
  return ApiReply::Ok(ThresholdsJson(ctx_.thresholds->Get()));
}

ApiReply ConfigService::Version(const http::Request&) {
  json detail = ctx_.engine->ModelDetail();
  if (!detail.is_object()) detail = json::object();
  detail["search_model"] = ctx_.engine->search_model();
  detail["feature_dim"] = ctx_.engine->feature_dim();
  return ApiReply::Ok({{"version", FACEPASS_VERSION}, {"detail", std::move(detail)}});
}

}  // namespace facepass::service
