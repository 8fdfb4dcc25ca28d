#include "client/notify_client.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include "client/sync_client.h"

namespace facepass::client {

namespace {

using Clock = std::chrono::steady_clock;

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), s.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
         });
}

// State shared with libcurl's callbacks during one Listen().
struct Transfer {
  CURL* curl = nullptr;
  const std::function<void()>* on_open = nullptr;
  const std::function<void(const Notice&)>* on_notice = nullptr;
  const std::atomic<bool>* stop = nullptr;
  std::chrono::milliseconds silence_limit{0};
  bool decided = false;  // the status and content type were looked at
  bool streaming = false;
  bool silent = false;
  Clock::time_point last_byte = Clock::now();
  std::string error_body;  // a non-stream answer (capped)
  std::string retry_after;
  size_t notices = 0;
  SseParser parser;
};

size_t OnData(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t len = size * n;
  t->last_byte = Clock::now();
  if (!t->decided) {
    t->decided = true;
    long status = 0;
    char* ct = nullptr;
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(t->curl, CURLINFO_CONTENT_TYPE, &ct);
    t->streaming = status == 200 && ct != nullptr && StartsWithNoCase(ct, "text/event-stream");
    if (t->streaming && *t->on_open) (*t->on_open)();
  }
  if (!t->streaming) {
    if (t->error_body.size() < (64 << 10)) t->error_body.append(data, std::min(len, (size_t{64} << 10)));
    return len;
  }
  t->parser.Feed(std::string_view(data, len), [t](const SseParser::Event& e) {
    if (e.type != "version") return;  // other events are for later versions
    if (auto notice = ParseNotice(e.data)) {
      ++t->notices;
      (*t->on_notice)(*notice);
    }
  });
  return len;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * n);
  constexpr std::string_view kName = "retry-after:";
  if (StartsWithNoCase(line, kName)) {
    std::string v(line.substr(kName.size()));
    v.erase(std::remove_if(v.begin(), v.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); }),
            v.end());
    t->retry_after = v;
  }
  t->last_byte = Clock::now();
  return size * n;
}

// Called by libcurl at least about once a second, also while nothing arrives.
int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if (t->stop->load()) return 1;
  if (Clock::now() - t->last_byte > t->silence_limit) {
    t->silent = true;
    return 1;
  }
  return 0;
}

std::string GroupsQuery(const std::vector<std::string>& groups) {
  std::string q;
  for (const std::string& g : groups) {
    if (!q.empty()) q += ',';
    q += g;  // group names are [A-Za-z0-9_]: nothing to escape
  }
  return q;
}

}  // namespace

NotifyClient::NotifyClient(HttpOptions http, NotifyOptions opts) : http_(std::move(http)), opts_(opts) {}

Status NotifyClient::Listen(const std::string& base_url, const std::vector<std::string>& groups,
                            const std::function<void()>& on_open, const std::function<void(const Notice&)>& on_notice,
                            const std::atomic<bool>& stop, NotifyEnd* end) const {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> c(curl_easy_init(), &curl_easy_cleanup);
  if (!c) return Status::Internal("notify: curl_easy_init failed");
  Transfer t;
  t.curl = c.get();
  t.on_open = &on_open;
  t.on_notice = &on_notice;
  t.stop = &stop;
  t.silence_limit = opts_.silence_limit;
  t.last_byte = Clock::now();

  const std::string url = JoinUrl(base_url, kNotifyPath) + "?groups=" + GroupsQuery(groups);
  CURL* h = c.get();
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, http_.connect_timeout_ms);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 0L);  // held: silence_limit decides
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnData);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, OnProgress);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  if (!http_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, http_.ca_file.c_str());
  if (!http_.source_ip.empty()) {
    const std::string iface = "host!" + http_.source_ip;
    curl_easy_setopt(h, CURLOPT_INTERFACE, iface.c_str());
  }
  curl_slist* headers = curl_slist_append(nullptr, "Accept: text/event-stream");
  if (!http_.api_key.empty()) headers = curl_slist_append(headers, ("Authorization: Bearer " + http_.api_key).c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(headers, &curl_slist_free_all);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);

  const CURLcode rc = curl_easy_perform(h);
  if (end != nullptr) {
    end->opened = t.streaming;
    end->notices = t.notices;
    end->retry_after_s = std::atoi(t.retry_after.c_str());
  }
  if (rc == CURLE_ABORTED_BY_CALLBACK && !t.silent) return Status::OK();  // stopped
  if (t.silent) {
    return Status::Unavailable("notify: nothing heard for " + std::to_string(opts_.silence_limit.count()) + " ms");
  }
  if (t.streaming) return Status::OK();  // it ended (server stopping, connection cut): reconnect
  if (rc != CURLE_OK) return Status::Unavailable(std::string("notify: ") + curl_easy_strerror(rc));
  HttpResponse resp;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp.status);
  resp.body = std::move(t.error_body);
  if (resp.status == 404 || resp.status == 405 || resp.status == 200) {
    return Status::NotFound("notify: the server offers no notify endpoint (HTTP " + std::to_string(resp.status) + ")");
  }
  if (resp.status == 429) return Status::Unavailable("notify: HTTP 429");
  return StatusFromErrorReply(resp);
}

void SseParser::Feed(std::string_view bytes, const std::function<void(const Event&)>& on_event) {
  while (!bytes.empty()) {
    const size_t nl = bytes.find('\n');
    if (nl == std::string_view::npos) {
      if (partial_.size() < (1 << 20)) partial_.append(bytes);  // a line longer than 1 MiB is cut
      return;
    }
    std::string_view piece = bytes.substr(0, nl);
    bytes.remove_prefix(nl + 1);
    if (!partial_.empty()) {
      partial_.append(piece);
      std::string line = std::move(partial_);
      partial_.clear();
      if (!line.empty() && line.back() == '\r') line.pop_back();
      Line(line, on_event);
    } else {
      if (!piece.empty() && piece.back() == '\r') piece.remove_suffix(1);
      Line(piece, on_event);
    }
  }
}

void SseParser::Line(std::string_view line, const std::function<void(const Event&)>& on_event) {
  if (line.empty()) {  // the event ends
    if (has_data_) on_event(event_);
    event_ = Event();
    has_data_ = false;
    return;
  }
  if (line.front() == ':') return;  // a comment: the heartbeat
  const size_t colon = line.find(':');
  std::string_view field = line.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "event") {
    event_.type = std::string(value);
  } else if (field == "data") {
    if (has_data_) event_.data += '\n';
    event_.data.append(value);
    has_data_ = true;
  }  // id, retry and unknown fields: not used
}

std::optional<Notice> ParseNotice(std::string_view data) {
  nlohmann::json j = nlohmann::json::parse(data, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  auto name = j.find("group_name");
  auto id = j.find("group_id");
  auto version = j.find("version");
  if (name == j.end() || !name->is_string() || id == j.end() || !id->is_number_integer() ||
      version == j.end() || !version->is_number_integer()) {
    return std::nullopt;
  }
  return Notice{name->get<std::string>(), id->get<int64_t>(), version->get<int64_t>()};
}

}  // namespace facepass::client
