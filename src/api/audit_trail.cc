#include "api/audit_trail.h"

#include <spdlog/spdlog.h>

#include <array>
#include <string_view>
#include <utility>

#include "auth/key_admin.h"
#include "common/clock.h"
#include "store/token_cipher.h"

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

}  // namespace

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

AuditNote::AuditNote(const http::Request& req, std::string endpoint) : req_(req), endpoint_(std::move(endpoint)) {}

domain::AuditRecord AuditNote::RowFor(const ApiReply& reply) const {
  domain::AuditRecord r;
  r.at_ms = req_.arrival_ms > 0 ? req_.arrival_ms : NowMs();
  r.key_name = req_.auth_key_name;
  r.role = req_.auth_role;
  r.source_ip = req_.remote_ip;
  r.endpoint = endpoint_;
  r.targets = AuditTargets(req_, reply);
  r.result_code = reply.code;
  return r;
}

domain::AuditHook AuditNote::Hook() {
  // Made here, not in the transaction that calls for it.
  return [this, row = RowFor(ApiReply::Ok())] {
    used_ = true;
    return row;
  };
}

service::FaceAddAudit AuditNote::FaceAddHook(const store::TokenCipher& tokens) {
  return [this, &tokens](int64_t image_id, int64_t face_id) {
    used_ = true;
    return RowFor(ApiReply::Ok({{"face_token", tokens.Encode(store::TokenKind::kFace, face_id)},
                                {"image_id", tokens.Encode(store::TokenKind::kImage, image_id)}}));
  };
}

http::Handler Audited(auth::KeyAdmin& admin, std::string endpoint, AuditedHandler inner) {
  return [&admin, endpoint = std::move(endpoint), inner = std::move(inner)](const http::Request& req) {
    AuditNote note(req, endpoint);
    ApiReply reply;
    try {
      reply = inner(req, note);
    } catch (...) {
      // The server answers 500; the attempt is still a row.
      (void)admin.Record(note.RowFor(ApiReply::Error(errors::InternalError())));
      throw;
    }
    // A failed answer after a used hook still gets its row: the change may
    // not have committed, and if it did, both rows are true.
    if (note.used() && reply.code == 0) return reply;
    auto id = admin.Record(note.RowFor(reply));
    if (!id.ok()) spdlog::error("audit: append for {} failed: {}", endpoint, id.status().ToString());
    return reply;
  };
}

}  // namespace facepass::api
