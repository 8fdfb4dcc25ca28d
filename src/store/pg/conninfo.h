// A libpq connection URI (postgresql://user@host:port/db?sslmode=...) or
// key=value string, turned into what the pool connects with, and the
// redaction that keeps its password out of every message (issue 27: never in
// a log line, an error, the version endpoint or the audit log).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace facepass::store::pg {

// Added where the URI sets none, so a dead server is reported within 2 s.
struct ConnSettings {
  int connect_timeout_s = 2;       // libpq's minimum
  int tcp_user_timeout_ms = 2000;  // unacknowledged data: the peer is gone
  std::string application_name = "facepass";
};

struct ConnInfo {
  std::string conninfo;  // key='value' pairs for libpq, settings added
  // What Redact hides: the password as written (percent-encoded in a URI)
  // and as libpq decodes it. Empty without one (PGPASSFILE, a service file).
  std::vector<std::string> secrets;
  std::string target;  // "user@host:port/dbname", for logs; never a password
};

// InvalidArgument for a string libpq cannot parse; its message is redacted.
Result<ConnInfo> ParseConnInfo(const std::string& uri, const ConnSettings& settings = {});

// `message` with every occurrence of each secret replaced by "***", and
// without the trailing newlines of libpq's messages (a Status is one line).
std::string Redact(std::string message, const std::vector<std::string>& secrets);

// A best-effort password of an unparseable string (URI userinfo after ':',
// or password=...), so even libpq's parse error can be redacted.
std::string GuessPassword(std::string_view uri);

}  // namespace facepass::store::pg
