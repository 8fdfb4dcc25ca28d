#include "api/audit_trail.h"

#include <spdlog/spdlog.h>

#include <array>
#include <string_view>
#include <utility>

#include "auth/key_admin.h"
#include "common/clock.h"

namespace facepass::api {

namespace {

using nlohmann::json;

// Request fields that name what a change touches, with the label each gets
// in the row. Never a field that may carry a secret.
constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kRequestIds = {{
    {"group_name", "group_name"},
    {"face_token", "face_token"},
    {"name", "key"},
    {"recognize_threshold", "recognize_threshold"},
    {"compare_threshold", "compare_threshold"},
    {"liveness_threshold", "liveness_threshold"},
}};

// Reply fields naming what a change made (face add's new token and image).
constexpr std::array<std::string_view, 2> kReplyIds = {"face_token", "image_id"};

constexpr size_t kMaxValue = 64;  // a hostile value must not bloat the log

void Append(std::string* out, std::string_view label, std::string value) {
  if (value.empty()) return;
  if (value.size() > kMaxValue) value = value.substr(0, kMaxValue) + "...";
  for (char& c : value)
    if (c == ',' || static_cast<unsigned char>(c) < 0x20) c = '_';  // keep "k=v,k=v" readable
  if (!out->empty()) *out += ',';
  out->append(label).append("=").append(value);
}

std::string Scalar(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return v.dump();
  return "";
}

constexpr std::array<std::string_view, 10> kChanges = {
    "/api/face/v1/add",     "/api/face/v1/delete",   "/api/face/v1/update",    "/api/group/v1/create",
    "/api/group/v1/delete",
    "/api/group/v1/bind",   "/api/group/v1/unbind",  "/api/service/config/v1", "/api/keys/v1/create",
    "/api/keys/v1/revoke"};

}  // namespace

bool IsAuditedChange(std::string_view method, std::string_view path) {
  if (method != "POST") return false;
  for (std::string_view c : kChanges)
    if (c == path) return true;
  return false;
}

std::string AuditTargets(const http::Request& req, const ApiReply& reply) {
  // A form endpoint may also take a JSON body (config): read it here, the
  // handler parsed its own copy.
  json body = req.json;
  if (!body.is_object() && req.content_type.rfind("application/json", 0) == 0)
    body = json::parse(req.body, nullptr, false);
  std::string out;
  for (const auto& [field, label] : kRequestIds) {
    if (body.is_object() && body.contains(field)) Append(&out, label, Scalar(body[std::string(field)]));
    if (const std::string* f = req.Form(field)) Append(&out, label, *f);
  }
  if (!reply.raw_body && reply.data.is_object()) {
    for (std::string_view field : kReplyIds) {
      auto it = reply.data.find(field);
      // Face add's reply repeats no request field, so nothing is named twice.
      if (it != reply.data.end() && !(body.is_object() && body.contains(field))) Append(&out, field, Scalar(*it));
    }
  }
  return out;
}

http::Handler Audited(auth::KeyAdmin& admin, std::string endpoint, http::Handler inner) {
  return [&admin, endpoint = std::move(endpoint), inner = std::move(inner)](const http::Request& req) {
    ApiReply reply;
    try {
      reply = inner(req);
    } catch (...) {
      // The server answers 500; the attempt is still a row.
      ApiReply failed = ApiReply::Error(errors::InternalError());
      domain::AuditRecord r{0, req.arrival_ms, req.auth_key_name, req.auth_role, req.remote_ip, endpoint, "",
                           failed.code};
      (void)admin.Record(r);
      throw;
    }
    domain::AuditRecord r;
    r.at_ms = req.arrival_ms > 0 ? req.arrival_ms : NowMs();
    r.key_name = req.auth_key_name;
    r.role = req.auth_role;
    r.source_ip = req.remote_ip;
    r.endpoint = endpoint;
    r.targets = AuditTargets(req, reply);
    r.result_code = reply.code;
    auto id = admin.Record(r);
    if (!id.ok()) spdlog::error("audit: append for {} failed: {}", endpoint, id.status().ToString());
    return reply;
  };
}

}  // namespace facepass::api
