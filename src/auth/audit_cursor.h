// A keyset page cursor as text ("AT_MS.ID"), shared by GET /api/audit/v1,
// `facepass audit` and GET /api/service/recognize/v1/history. Opaque to
// clients: they pass back what they were given.
#pragma once

#include <charconv>
#include <optional>
#include <string>
#include <string_view>

#include "domain/auth_types.h"
#include "domain/keyset_cursor.h"

namespace facepass::auth {

inline std::string FormatKeysetCursor(const domain::KeysetCursor& c) {
  return std::to_string(c.at_ms) + "." + std::to_string(c.id);
}

// "" is the start ({0, 0}); nullopt for anything but two non-negative decimals.
inline std::optional<domain::KeysetCursor> ParseKeysetCursor(std::string_view text) {
  if (text.empty()) return domain::KeysetCursor{};
  const size_t dot = text.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  auto number = [](std::string_view s, int64_t* out) {
    if (s.empty() || s.size() > 19) return false;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    return ec == std::errc() && end == s.data() + s.size() && *out >= 0;
  };
  domain::KeysetCursor c;
  if (!number(text.substr(0, dot), &c.at_ms) || !number(text.substr(dot + 1), &c.id)) return std::nullopt;
  return c;
}

inline std::string FormatAuditCursor(const domain::AuditCursor& c) { return FormatKeysetCursor(c); }
inline std::optional<domain::AuditCursor> ParseAuditCursor(std::string_view text) { return ParseKeysetCursor(text); }

}  // namespace facepass::auth
