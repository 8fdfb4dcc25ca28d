#include "enrol/enroller.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

namespace facepass::enrol {

namespace {

constexpr int kGroupNameConflict = 104300;

int RetryAfterSeconds(const std::string& header, int max_s) {
  // Only the delta-seconds form: the server never sends an HTTP date.
  int s = 1;
  try {
    if (!header.empty()) s = std::stoi(header);
  } catch (...) {
    s = 1;
  }
  return std::clamp(s, 0, max_s);
}

const char* ContentType(const std::string& bytes) {
  return bytes.size() >= 4 && bytes.compare(0, 4, "\x89PNG") == 0 ? "image/png" : "image/jpeg";
}

}  // namespace

Enroller::Enroller(EnrolTarget target, const std::atomic<bool>* stop)
    : t_(std::move(target)), http_(t_.http), stop_(stop) {}

bool Enroller::SleepUnlessStopped(int seconds) const {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < until) {
    if (stop_ && stop_->load()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return !(stop_ && stop_->load());
}

Result<Enroller::Reply> Enroller::Call(const std::string& path, const std::string* json, const std::string* image,
                                       const std::string& filename, const std::string* label) const {
  const std::string url = client::JoinUrl(t_.server, path);
  int busy = 0, offline = 0;
  for (;;) {
    std::vector<client::MultipartPart> parts;
    if (!json) {
      parts.push_back({"image", *image, filename, ContentType(*image)});
      if (label) parts.push_back({"label", *label, "", ""});
    }
    Result<client::HttpResponse> r = json ? http_.PostJson(url, *json) : http_.PostMultipart(url, parts);
    if (!r.ok()) {
      if (r.status().code() != StatusCode::kUnavailable || ++offline >= t_.offline_attempts) return r.status();
      if (!SleepUnlessStopped(offline)) return Status::Unavailable("interrupted while the server was unreachable");
      continue;
    }
    if (r->status == 503 || r->status == 429) {
      if (++busy >= t_.busy_attempts) return Status::Unavailable("server busy after " + std::to_string(busy) + " tries");
      if (!SleepUnlessStopped(RetryAfterSeconds(r->retry_after, t_.max_retry_after_s))) {
        return Status::Unavailable("interrupted while the server was busy");
      }
      continue;
    }
    Reply reply;
    reply.status = r->status;
    const nlohmann::json j = nlohmann::json::parse(r->body, nullptr, /*allow_exceptions=*/false);
    if (j.is_object()) {
      reply.code = j.value("code", -1);
      reply.message = j.value("message", std::string());
      const auto data = j.find("data");
      if (data != j.end() && data->is_object()) {
        reply.face_token = data->value("face_token", std::string());
        reply.image_id = data->value("image_id", std::string());
      }
    } else {
      reply.message = "HTTP " + std::to_string(r->status) + " (not a FacePass answer)";
    }
    return reply;
  }
}

Status Enroller::EnsureGroup() const {
  if (!t_.bind) return Status::OK();
  const std::string body = nlohmann::json{{"group_name", t_.group}}.dump();
  auto r = Call("/api/group/v1/create", &body, nullptr, "");
  if (!r.ok()) return r.status();
  if (r->code == 0 || r->code == kGroupNameConflict) return Status::OK();
  return Status::FailedPrecondition("group create: HTTP " + std::to_string(r->status) + " " + r->message);
}

void Enroller::Bind(Row* row) const {
  const std::string body = nlohmann::json{{"group_name", t_.group}, {"face_token", row->face_token}}.dump();
  auto r = Call("/api/group/v1/bind", &body, nullptr, "");
  if (r.ok() && r->code == 0) {
    row->outcome = "enrolled";
    row->reason.clear();
    return;
  }
  row->outcome = "failed";
  row->reason = "bind: " + (r.ok() ? "HTTP " + std::to_string(r->status) + " " + r->message : r.status().ToString());
}

Row Enroller::EnrolFile(const std::string& file, const Row* previous, const std::optional<std::string>& label) const {
  Row row = EnrolUpload(file, previous, label);
  row.label = label.value_or("");
  return row;
}

Row Enroller::EnrolUpload(const std::string& file, const Row* previous, const std::optional<std::string>& label) const {
  Row row;
  row.file = file;
  if (previous && previous->outcome == "failed" && !previous->face_token.empty()) {
    row.face_token = previous->face_token;
    row.image_id = previous->image_id;
    if (t_.bind) {
      Bind(&row);
    } else {
      row.outcome = "enrolled";
    }
    return row;
  }
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) return {file, "", "", "failed", "cannot read: " + ec.message()};
  if (size > t_.max_file_bytes) return {file, "", "", "refused", "INVALID_IMAGE_FILE_SIZE"};
  std::string bytes;
  {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    if (!in) return {file, "", "", "failed", "cannot read the file"};
    bytes = ss.str();
  }
  auto r = Call("/api/face/v1/add", nullptr, &bytes, std::filesystem::path(file).filename().string(),
                label ? &*label : nullptr);
  if (!r.ok()) return {file, "", "", "failed", r.status().ToString()};
  row.image_id = r->image_id;
  if (r->status == 200 && r->code == 0 && !r->face_token.empty()) {
    row.face_token = r->face_token;
    row.outcome = "enrolled";
    if (t_.bind) Bind(&row);
    return row;
  }
  // 400 and 413 with a code are the server judging the image (docs/api.md):
  // final. Anything else (401, 403, 5xx) is ours or the server's trouble.
  const bool judged = (r->status == 400 || r->status == 413) && r->code > 0;
  row.outcome = judged ? "refused" : "failed";
  row.reason = judged ? r->message : "HTTP " + std::to_string(r->status) + " " + r->message;
  return row;
}

}  // namespace facepass::enrol
