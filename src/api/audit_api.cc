// GET /api/audit/v1?from=&to=&limit=&cursor= (admin only): the audit log,
// oldest first, one page at a time. from/to are ms since the epoch, [from,
// to); the cursor is what the previous page's next_cursor said.
#include <charconv>

#include "api/handlers.h"
#include "auth/audit_cursor.h"
#include "auth/key_admin.h"
#include "service/arg_errors.h"

namespace facepass::api {

using nlohmann::json;

namespace {

constexpr int kDefaultLimit = 100;
constexpr int kMaxLimit = 1000;

// An absent parameter keeps `*out`; a present one must be a decimal in [lo, hi].
void IntParam(const http::Request& req, const char* name, int64_t lo, int64_t hi, int64_t* out,
              service::ArgErrors* errors) {
  const std::string* v = req.Query(name);
  if (v == nullptr) return;
  int64_t n = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (v->empty() || ec != std::errc() || end != v->data() + v->size() || n < lo || n > hi) {
    errors->Illegal(name);
    return;
  }
  *out = n;
}

}  // namespace

ApiReply AuditQuery(auth::KeyAdmin& admin, const http::Request& req) {
  service::ArgErrors errors;
  int64_t from = 0, to = INT64_MAX, limit = kDefaultLimit;
  IntParam(req, "from", 0, INT64_MAX, &from, &errors);
  IntParam(req, "to", 0, INT64_MAX, &to, &errors);
  IntParam(req, "limit", 1, kMaxLimit, &limit, &errors);
  std::optional<domain::AuditCursor> after = domain::AuditCursor{};
  if (const std::string* c = req.Query("cursor")) {
    after = auth::ParseAuditCursor(*c);
    if (!after) errors.Illegal("cursor");
  }
  if (auto e = errors.Error()) return ApiReply::Error(*e);
  auto page = admin.QueryAudit(from, to, static_cast<int>(limit), *after);
  if (!page.ok()) return ApiReply::Error(errors::InternalError());
  json rows = json::array();
  for (const domain::AuditRecord& r : page->rows) {
    rows.push_back({{"id", r.id},
                    {"time", r.at_ms},
                    {"key_name", r.key_name},
                    {"role", r.role},
                    {"source_ip", r.source_ip},
                    {"endpoint", r.endpoint},
                    {"targets", r.targets},
                    {"code", r.result_code}});
  }
  return ApiReply::Ok({{"rows", std::move(rows)},
                       {"next_cursor", page->next_cursor ? auth::FormatAuditCursor(*page->next_cursor) : ""}});
}

}  // namespace facepass::api
