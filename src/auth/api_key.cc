#include "auth/api_key.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cctype>

namespace facepass::auth {

namespace {

std::string Base64Url(const unsigned char* p, size_t n) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((n * 4 + 2) / 3);
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const uint32_t v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  if (n - i == 1) {
    const uint32_t v = p[i] << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (n - i == 2) {
    const uint32_t v = (p[i] << 16) | (p[i + 1] << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<std::string> GenerateKey() {
  unsigned char raw[kKeyBytes];
  if (RAND_bytes(raw, sizeof raw) != 1) return Status::Internal("RAND_bytes failed");
  std::string key = Base64Url(raw, sizeof raw);
  OPENSSL_cleanse(raw, sizeof raw);
  return key;
}

std::string HashKey(std::string_view key) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), md);
  static const char kHex[] = "0123456789abcdef";
  std::string out(2 * sizeof md, '\0');
  for (size_t i = 0; i < sizeof md; ++i) {
    out[2 * i] = kHex[md[i] >> 4];
    out[2 * i + 1] = kHex[md[i] & 15];
  }
  return out;
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string KeyFromHeaders(std::string_view authorization, std::string_view x_api_key) {
  std::string_view a = Trim(authorization);
  constexpr std::string_view kBearer = "bearer";
  if (a.size() > kBearer.size() && (a[kBearer.size()] == ' ' || a[kBearer.size()] == '\t')) {
    bool is_bearer = true;
    for (size_t i = 0; i < kBearer.size(); ++i)
      is_bearer &= std::tolower(static_cast<unsigned char>(a[i])) == kBearer[i];
    if (is_bearer) {
      std::string_view k = Trim(a.substr(kBearer.size()));
      if (!k.empty()) return std::string(k);
    }
  }
  return std::string(Trim(x_api_key));
}

bool ValidKeyName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') return false;
  return true;
}

}  // namespace facepass::auth
