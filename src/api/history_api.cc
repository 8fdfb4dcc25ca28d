// GET /api/service/recognize/v1/history?group_name=&from=&to=&passed=&face_token=&limit=&cursor=&liveness=
// (issue 11): the recognition history, newest first, one keyset page at a
// time. from/to are ms since the epoch, [from, to); the cursor is what the
// previous page's next_cursor said (the audit log's cursor format).
#include "api/handlers.h"
#include "api/history_json.h"
#include "api/params.h"
#include "auth/audit_cursor.h"
#include "service/app.h"
#include "service/arg_errors.h"
#include "service/history.h"
#include "store/token_cipher.h"

namespace facepass::api {

using nlohmann::json;

namespace {

// "" counts as absent, as the console sends empty filters.
const std::string* Param(const http::Request& req, const char* name) {
  const std::string* v = req.Query(name);
  return v != nullptr && !v->empty() ? v : nullptr;
}

std::optional<bool> Bool(const std::string& v) {
  if (v == "true") return true;
  if (v == "false") return false;
  return std::nullopt;
}

}  // namespace

ApiReply RecognizeHistory(App& app, const http::Request& req) {
  service::ArgErrors errors;
  service::HistoryRequest q;
  q.limit = service::History::kDefaultLimit;
  bool liveness = false;
  if (const std::string* v = Param(req, "group_name")) q.group_name = *v;
  if (const std::string* v = Param(req, "from")) {
    auto n = DecimalInt64(*v);
    if (!n || *n < 0) errors.Illegal("from (ms since the epoch)");
    else q.from_ms = *n;
  }
  if (const std::string* v = Param(req, "to")) {
    auto n = DecimalInt64(*v);
    if (!n || *n < 0) errors.Illegal("to (ms since the epoch)");
    else q.to_ms = *n;
  }
  if (const std::string* v = Param(req, "passed")) {
    q.passed = Bool(*v);
    if (!q.passed) errors.Illegal("passed (true|false)");
  }
  if (const std::string* v = Param(req, "face_token")) {
    q.face_id = app.tokens().Decode(store::TokenKind::kFace, *v);
    if (!q.face_id) errors.Illegal("face_token");
  }
  if (const std::string* v = Param(req, "limit")) {
    auto n = DecimalInt64(*v);
    if (!n || *n < 1 || *n > service::History::kMaxLimit) errors.Illegal("limit (1..500)");
    else q.limit = static_cast<int>(*n);
  }
  if (const std::string* v = Param(req, "cursor")) {
    q.before = auth::ParseKeysetCursor(*v);
    if (!q.before) errors.Illegal("cursor");
  }
  if (const std::string* v = Param(req, "liveness")) {
    auto b = Bool(*v);
    if (!b) errors.Illegal("liveness (true|false)");
    liveness = b.value_or(false);
  }
  if (auto e = errors.Error()) return ApiReply::Error(*e);
  auto page = app.history().Query(q);
  if (!page.ok()) return ApiReply::Error(page.error());
  json items = json::array();
  for (const store::RecognitionRecord& r : page->rows) items.push_back(HistoryItemJson(app.tokens(), r, liveness));
  return ApiReply::Ok({{"items", std::move(items)},
                       {"next_cursor", page->next_cursor ? json(auth::FormatKeysetCursor(*page->next_cursor))
                                                         : json(nullptr)}});
}

}  // namespace facepass::api
