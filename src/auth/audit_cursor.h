// The audit log's page cursor as text ("AT_MS.ID"), shared by
// GET /api/audit/v1 and `facepass audit`. Opaque to clients: they pass back
// what they were given.
#pragma once

#include <charconv>
#include <optional>
#include <string>
#include <string_view>

#include "store/auth_types.h"

namespace facepass::auth {

inline std::string FormatAuditCursor(const store::AuditCursor& c) {
  return std::to_string(c.at_ms) + "." + std::to_string(c.id);
}

// "" is the start; nullopt for anything but two non-negative decimals.
inline std::optional<store::AuditCursor> ParseAuditCursor(std::string_view text) {
  if (text.empty()) return store::AuditCursor{};
  const size_t dot = text.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  auto number = [](std::string_view s, int64_t* out) {
    if (s.empty() || s.size() > 19) return false;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    return ec == std::errc() && end == s.data() + s.size() && *out >= 0;
  };
  store::AuditCursor c;
  if (!number(text.substr(0, dot), &c.at_ms) || !number(text.substr(dot + 1), &c.id)) return std::nullopt;
  return c;
}

}  // namespace facepass::auth
