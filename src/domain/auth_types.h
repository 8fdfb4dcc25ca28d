// Records of the API keys and the audit log (keys_repo.cc, audit_repo.cc).
// The store knows roles only as text; src/auth gives them meaning.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/keyset_cursor.h"

namespace facepass::domain {

struct KeyRecord {
  int64_t id = 0;
  std::string name;  // unique among all keys, revoked ones too
  std::string role;
  std::string hash;  // hex SHA-256 of the key; the key itself is never stored
  int64_t created_ms = 0;
  int64_t last_used_ms = 0;  // 0: never used
  bool revoked = false;
  int64_t revoked_ms = 0;
};

struct AuditRecord {
  int64_t id = 0;  // assigned on append; breaks ties of at_ms in the query order
  int64_t at_ms = 0;
  std::string key_name;  // "" without a key (device network, refused request)
  std::string role;      // "" when refused before a role was known
  std::string source_ip;
  std::string endpoint;  // "POST /api/face/v1/add"
  std::string targets;   // ids the call touched, comma-separated; "" if none
  int result_code = 0;   // the envelope code (0 success)
};

// Where a page of the audit log ends (domain/keyset_cursor.h).
using AuditCursor = KeysetCursor;

struct AuditPage {
  std::vector<AuditRecord> rows;            // by (at_ms, id), oldest first
  std::optional<AuditCursor> next_cursor;   // pass back as cursor; absent when nothing more
};

}  // namespace facepass::domain
