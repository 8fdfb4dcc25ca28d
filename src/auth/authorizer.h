// Decides, before a handler runs, whether a request may call its endpoint:
// the key from Authorization: Bearer / X-API-Key (looked up by hash in the
// store, so revocation takes effect on the next request), else the device
// role for a source address in the device networks, else 401. Failures are
// counted per address (FailureLimiter) and every refusal is audited, except
// the repeats during a block: one row when the block starts.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "auth/failure_limiter.h"
#include "auth/networks.h"
#include "auth/role.h"
#include "common/thread_annotations.h"
#include "domain/audit_repository.h"
#include "domain/key_repository.h"

namespace facepass::auth {

struct AuthInput {
  std::string method;
  std::string path;           // decoded, no query
  std::string authorization;  // header value, "" if absent
  std::string x_api_key;      // header value, "" if absent
  std::string peer_ip;
};

struct Decision {
  enum class Outcome { kAllow, kUnauthorized, kForbidden, kTooManyRequests, kUnavailable, kError };
  Outcome outcome = Outcome::kUnauthorized;
  Role role = Role::kViewer;  // meaningful for kAllow and kForbidden
  std::string key_name;       // "" when allowed by network or with auth off
  int64_t retry_after_ms = 0; // kTooManyRequests
};

// Envelope codes of the refusals (docs/api.md).
inline constexpr int kUnauthorizedCode = 104401;
inline constexpr int kForbiddenCode = 104403;
inline constexpr int kTooManyRequestsCode = 104429;

class KeyAuthorizer {
 public:
  struct Options {
    bool enabled = true;  // false (--auth off): everything allowed as admin
    NetworkList device_networks;
    FailureLimiter::Options limiter;
    int64_t touch_interval_ms = 60'000;  // last_used is written at most this often per key
  };
  // `keys` and `audit` must outlive this object.
  KeyAuthorizer(domain::KeyRepository& keys, domain::AuditRepository& audit, Options opts, Clock clock);

  Decision Check(const AuthInput& in);

 private:
  void Audit(const AuthInput& in, const std::string& key_name, const std::string& role, int code);
  void MaybeTouch(int64_t key_id, int64_t now) EXCLUDES(touch_mu_);
  Decision Refuse(const AuthInput& in, const std::string& why, const std::string& key_name = "");

  domain::KeyRepository& keys_;
  domain::AuditRepository& audit_;
  const Options opts_;
  const Clock clock_;
  FailureLimiter limiter_;
  Mutex touch_mu_;
  std::unordered_map<int64_t, int64_t> touched_ms_ GUARDED_BY(touch_mu_);  // key id -> last write of last_used
};

}  // namespace facepass::auth
