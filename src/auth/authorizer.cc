#include "auth/authorizer.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "auth/api_key.h"
#include "auth/permissions.h"

namespace facepass::auth {

KeyAuthorizer::KeyAuthorizer(domain::KeyRepository& keys, domain::AuditRepository& audit, Options opts,
                             Clock clock)
    : keys_(keys),
      audit_(audit), opts_(std::move(opts)), clock_(std::move(clock)), limiter_(opts_.limiter, clock_) {}

Decision KeyAuthorizer::Check(const AuthInput& in) {
  Decision d;
  if (!opts_.enabled) {
    d.outcome = Decision::Outcome::kAllow;
    d.role = Role::kAdmin;
    return d;
  }
  if (IsPublic(in.method, in.path)) {  // the console's files: no key, no failure counted
    d.outcome = Decision::Outcome::kAllow;
    return d;
  }
  if (int64_t left = limiter_.BlockedFor(in.peer_ip); left > 0) {
    d.outcome = Decision::Outcome::kTooManyRequests;
    d.retry_after_ms = left;
    return d;
  }
  const std::string key = KeyFromHeaders(in.authorization, in.x_api_key);
  if (key.empty()) {
    if (!opts_.device_networks.Contains(in.peer_ip)) return Refuse(in, "no key");
    d.role = Role::kDevice;
  } else {
    const std::string hash = HashKey(key);
    auto rec = keys_.FindKeyByHash(hash);
    if (!rec.ok() && rec.status().code() == StatusCode::kUnavailable) {  // the shared database is away: 503
      spdlog::warn("auth: key lookup: {}", rec.status().ToString());
      d.outcome = Decision::Outcome::kUnavailable;
      return d;
    }
    if (!rec.ok() && rec.status().code() != StatusCode::kNotFound) {
      spdlog::error("auth: key lookup failed: {}", rec.status().ToString());
      d.outcome = Decision::Outcome::kError;
      return d;
    }
    // SQLite's lookup compares hashes, whose timing says nothing about a key
    // (finding an input for a hash prefix is a preimage search); the
    // constant-time check guards against a lookup that matched loosely.
    if (!rec.ok() || !ConstantTimeEqual(rec->hash, hash)) return Refuse(in, "unknown key");
    // A known key's name goes into the row: whoever still uses a revoked key
    // is worth finding. Its role does not: nothing was granted.
    if (rec->revoked) return Refuse(in, "revoked key '" + rec->name + "'", rec->name);
    auto role = ParseRole(rec->role);
    if (!role) return Refuse(in, "key '" + rec->name + "' has unknown role '" + rec->role + "'", rec->name);
    d.role = *role;
    d.key_name = rec->name;
    MaybeTouch(rec->id, clock_());
  }
  if (!Allowed(d.role, in.method, in.path)) {
    d.outcome = Decision::Outcome::kForbidden;
    spdlog::warn("auth: {} {} from {} forbidden for role {} (key '{}')", in.method, in.path, in.peer_ip,
                 RoleName(d.role), d.key_name);
    Audit(in, d.key_name, RoleName(d.role), kForbiddenCode);
    return d;
  }
  d.outcome = Decision::Outcome::kAllow;
  return d;
}

Decision KeyAuthorizer::Refuse(const AuthInput& in, const std::string& why, const std::string& key_name) {
  Decision d;
  d.outcome = Decision::Outcome::kUnauthorized;
  const bool blocked = limiter_.RecordFailure(in.peer_ip);
  spdlog::warn("auth: {} {} from {} unauthorized: {}", in.method, in.path, in.peer_ip, why);
  Audit(in, key_name, "", kUnauthorizedCode);
  if (blocked) {
    spdlog::warn("auth: {} blocked for {} ms after {} failed authentications", in.peer_ip,
                 opts_.limiter.block_ms, opts_.limiter.max_failures + 1);
    Audit(in, "", "", kTooManyRequestsCode);
  }
  return d;
}

void KeyAuthorizer::Audit(const AuthInput& in, const std::string& key_name, const std::string& role, int code) {
  domain::AuditRecord r;
  r.at_ms = clock_();
  r.key_name = key_name;
  r.role = role;
  r.source_ip = in.peer_ip;
  r.endpoint = in.method + " " + in.path;
  r.result_code = code;
  auto id = audit_.AppendAudit(r);
  if (!id.ok()) spdlog::error("auth: audit append failed: {}", id.status().ToString());
}

void KeyAuthorizer::MaybeTouch(int64_t key_id, int64_t now) {
  {
    MutexLock lock(&touch_mu_);
    int64_t& last = touched_ms_[key_id];
    if (last != 0 && now - last < opts_.touch_interval_ms) return;
    last = now;
  }
  // A write per request would cost an fsync per recognise (synchronous=FULL).
  Status s = keys_.TouchKey(key_id, now);
  if (!s.ok()) spdlog::warn("auth: last_used update failed: {}", s.ToString());
}

}  // namespace facepass::auth
