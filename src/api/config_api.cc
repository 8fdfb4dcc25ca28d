// /api/service/config/v1 (POST to change the thresholds, GET to read) and
// /api/version/v1.
#include "api/handlers.h"
#include "api/json_codec.h"
#include "service/app.h"
#include "service/config.h"

namespace facepass::api {

using nlohmann::json;

namespace {

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

json ThresholdsJson(const service::ThresholdValues& v) {
  return {{"recognize_threshold", v.recognize}, {"compare_threshold", v.compare}, {"liveness_threshold", v.liveness}};
}

}  // namespace

ApiReply ConfigUpdate(App& app, const http::Request& req) {
  auto now = app.config().Update(Fields(req));
  if (!now.ok()) return ApiReply::Error(now.error());
  return ApiReply::Ok(ThresholdsJson(*now));
}

ApiReply ConfigGet(App& app, const http::Request&) { return ApiReply::Ok(ThresholdsJson(app.config().Get())); }

ApiReply Version(App& app, const http::Request&) {
  const service::VersionInfo v = app.config().Version();
  json detail = ModelDetailsJson(v.models);
  detail["search_model"] = v.search_model;
  detail["feature_dim"] = v.feature_dim;
  return ApiReply::Ok({{"version", v.version}, {"detail", std::move(detail)}});
}

}  // namespace facepass::api
