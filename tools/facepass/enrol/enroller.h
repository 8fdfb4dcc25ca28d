// One file through the server: POST /api/face/v1/add (retrying 503/429 after
// the server's Retry-After), then, with --bind, /api/group/v1/bind. The
// answer becomes a results row (results_csv.h).
#pragma once

#include <atomic>
#include <optional>
#include <string>

#include "client/http_client.h"
#include "enrol/results_csv.h"

namespace facepass::enrol {

struct EnrolTarget {
  std::string server;  // base URL
  std::string group;
  bool bind = false;
  client::HttpOptions http;
  int busy_attempts = 30;       // 503/429 answers before a file counts as failed
  int offline_attempts = 3;     // connection errors likewise
  int max_retry_after_s = 60;   // a larger Retry-After is clamped
  size_t max_file_bytes = 64u << 20;  // larger: refused here, never read (the server drops > 4x its body limit)
};

class Enroller {
 public:
  // `stop` (may be null) cuts Retry-After waits short on Ctrl-C.
  Enroller(EnrolTarget target, const std::atomic<bool>* stop);

  // Creates the group unless it exists (GROUP_NAME_CONFLICT); a no-op without bind.
  Status EnsureGroup() const;

  // `previous`: this file's row from an earlier run, or null. A failed row
  // that has a face_token was enrolled and only failed to bind: it is bound,
  // not uploaded again (that would make a second face).
  // `label`: sent with the photo (the add's form field `label`) when set.
  Row EnrolFile(const std::string& file, const Row* previous,
                const std::optional<std::string>& label = std::nullopt) const;

 private:
  struct Reply {
    long status = 0;
    int code = -1;
    std::string message;
    std::string face_token, image_id;
  };
  // The server's answer after the retries, or the transport error.
  Result<Reply> Call(const std::string& path, const std::string* json, const std::string* image,
                     const std::string& filename, const std::string* label = nullptr) const;
  Row EnrolUpload(const std::string& file, const Row* previous, const std::optional<std::string>& label) const;
  void Bind(Row* row) const;
  bool SleepUnlessStopped(int seconds) const;

  EnrolTarget t_;
  client::HttpClient http_;
  const std::atomic<bool>* stop_;
};

}  // namespace facepass::enrol
