#include "spec/label.h"

#include <cstdint>

namespace facepass::spec {
namespace {

bool IsAsciiSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

// Decodes one UTF-8 sequence at s[*i], advancing *i; nullopt for an invalid
// one (overlong, surrogate, past U+10FFFF, truncated).
std::optional<uint32_t> NextCodePoint(std::string_view s, size_t* i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(*i);
  if (b0 < 0x80) return s[(*i)++];
  int extra = 0;
  uint32_t cp = 0, min = 0;
  if ((b0 & 0xE0) == 0xC0) extra = 1, cp = b0 & 0x1F, min = 0x80;
  else if ((b0 & 0xF0) == 0xE0) extra = 2, cp = b0 & 0x0F, min = 0x800;
  else if ((b0 & 0xF8) == 0xF0) extra = 3, cp = b0 & 0x07, min = 0x10000;
  else return std::nullopt;
  if (*i + extra >= s.size()) return std::nullopt;  // truncated
  for (int k = 1; k <= extra; ++k) {
    const unsigned char b = byte(*i + k);
    if ((b & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  *i += extra + 1;
  return cp;
}

bool IsControl(uint32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

}  // namespace

std::optional<std::string> NormalizeLabel(std::string_view raw) {
  while (!raw.empty() && IsAsciiSpace(raw.front())) raw.remove_prefix(1);
  while (!raw.empty() && IsAsciiSpace(raw.back())) raw.remove_suffix(1);
  if (raw.empty() || raw.size() > kMaxLabelBytes) return std::nullopt;
  for (size_t i = 0; i < raw.size();) {
    auto cp = NextCodePoint(raw, &i);
    if (!cp || IsControl(*cp)) return std::nullopt;
  }
  return std::string(raw);
}

}  // namespace facepass::spec
