// /api/service/config/v1 (POST to change the thresholds, GET to read), its
// extension /api/service/config/v1/strangers (what a recognise threshold means
// for each group, before it is set) and /api/version/v1.
#include <cstdlib>

#include "api/audit_trail.h"
#include "api/handlers.h"
#include "api/json_codec.h"
#include "api/stranger_json.h"
#include "service/app.h"
#include "service/config.h"
#include "service/strangers.h"

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

ApiReply ConfigUpdate(App& app, const http::Request& req, AuditNote& audit) {
  auto now = app.config().Update(Fields(req), audit.Hook());
  if (!now.ok()) return ApiReply::Error(now.error());
  return ApiReply::Ok(ThresholdsJson(*now));
}

ApiReply ConfigGet(App& app, const http::Request&) { return ApiReply::Ok(ThresholdsJson(app.config().Get())); }

ApiReply StrangerPreview(App& app, const http::Request& req) {
  std::optional<double> threshold;
  if (const std::string* v = req.Query("threshold"); v != nullptr && !v->empty()) {
    char* end = nullptr;
    const double t = std::strtod(v->c_str(), &end);
    if (end != v->c_str() + v->size()) return ApiReply::Error(errors::IllegalArgument("threshold"));
    threshold = t;
  }
  auto preview = app.strangers().Preview(threshold);
  if (!preview.ok()) return ApiReply::Error(preview.error());
  json groups = json::array();
  for (const auto& g : preview->groups) {
    json row = {{"group_name", g.group_name}};
    AddGroupOdds(g.odds, &row);
    groups.push_back(std::move(row));
  }
  json out = {{"threshold", preview->threshold},
              {"groups", std::move(groups)},
              {"far_source", preview->far_source},
              {"genuine_source", preview->genuine_source}};
  AddOdds("genuine_refused", preview->genuine_refused, &out);
  return ApiReply::Ok(std::move(out));
}

// No key needed (a balancer's check): says only whether this node can serve.
ApiReply Health(App& app, const http::Request&) {
  auto healthy = app.config().Health();
  if (!healthy.ok()) return ApiReply::Error(healthy.error(), {{"status", "unavailable"}});
  return ApiReply::Ok({{"status", "ok"}});
}

ApiReply Version(App& app, const http::Request&) {
  const service::VersionInfo v = app.config().Version();
  json detail = ModelDetailsJson(v.models);
  detail["search_model"] = v.search_model;
  detail["feature_dim"] = v.feature_dim;
  return ApiReply::Ok({{"version", v.version}, {"detail", std::move(detail)}});
}

}  // namespace facepass::api
