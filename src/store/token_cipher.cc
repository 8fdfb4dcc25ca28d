#include "store/token_cipher.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstring>
#include <memory>

#include "domain/secret_repository.h"
#include "store/secret_file.h"

namespace facepass::store {
namespace {

constexpr size_t kAesKeySize = 16;
constexpr size_t kMacKeySize = 32;
constexpr size_t kSecretSize = kAesKeySize + kMacKeySize;
static_assert(kSecretSize == domain::kInstallationSecretSize);
constexpr size_t kCheckSize = 7;
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

using Block = std::array<uint8_t, 16>;

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

// One raw AES-128 block (ECB on exactly one block is a keyed permutation).
bool AesBlock(const std::array<uint8_t, 16>& key, const Block& in, Block& out, bool encrypt) {
  std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return false;
  if (EVP_CipherInit_ex(ctx.get(), EVP_aes_128_ecb(), nullptr, key.data(), nullptr, encrypt ? 1 : 0) != 1)
    return false;
  EVP_CIPHER_CTX_set_padding(ctx.get(), 0);
  int n = 0;
  if (EVP_CipherUpdate(ctx.get(), out.data(), &n, in.data(), static_cast<int>(in.size())) != 1 || n != 16)
    return false;
  int tail = 0;
  return EVP_CipherFinal_ex(ctx.get(), out.data() + n, &tail) == 1 && tail == 0;
}

// First kCheckSize bytes of HMAC-SHA256(mac_key, kind || id LE).
void Check(const std::array<uint8_t, 32>& mac_key, const uint8_t* kind_and_id, uint8_t* out) {
  uint8_t mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), mac_key.data(), static_cast<int>(mac_key.size()), kind_and_id, 9, mac, &len);
  std::memcpy(out, mac, kCheckSize);
}

int DecodeChar(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

}  // namespace

Result<TokenCipher> TokenCipher::LoadOrCreate(const std::filesystem::path& data_dir) {
  FP_ASSIGN_OR_RETURN(std::string secret, SecretFile(data_dir).LoadOrCreateSecret());
  auto cipher = FromSecret(secret);
  OPENSSL_cleanse(secret.data(), secret.size());
  return cipher;
}

Result<TokenCipher> TokenCipher::FromSecret(std::string_view secret) {
  if (secret.size() != kSecretSize)
    return Status::Corruption("installation secret has " + std::to_string(secret.size()) + " bytes, expected " +
                              std::to_string(kSecretSize));
  std::array<uint8_t, 16> aes;
  std::array<uint8_t, 32> mac;
  std::memcpy(aes.data(), secret.data(), kAesKeySize);
  std::memcpy(mac.data(), secret.data() + kAesKeySize, kMacKeySize);
  return TokenCipher(aes, mac);
}

std::string TokenCipher::Encode(TokenKind kind, int64_t id) const {
  Block plain{};
  plain[0] = static_cast<uint8_t>(kind);
  const uint64_t u = static_cast<uint64_t>(id);
  for (int i = 0; i < 8; ++i) plain[1 + i] = static_cast<uint8_t>(u >> (8 * i));
  Check(mac_key_, plain.data(), plain.data() + 9);
  Block cipher{};
  if (!AesBlock(aes_key_, plain, cipher, true)) return std::string();  // only on OpenSSL failure

  // 16 bytes -> 22 base64 chars + "==".
  std::string out;
  out.reserve(kTokenLength);
  for (size_t i = 0; i < 16; i += 3) {
    uint32_t v = static_cast<uint32_t>(cipher[i]) << 16;
    if (i + 1 < 16) v |= static_cast<uint32_t>(cipher[i + 1]) << 8;
    if (i + 2 < 16) v |= cipher[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    if (i + 1 < 16) out += kAlphabet[(v >> 6) & 63];
    if (i + 2 < 16) out += kAlphabet[v & 63];
  }
  out += "==";
  return out;
}

std::optional<int64_t> TokenCipher::Decode(TokenKind kind, std::string_view token) const {
  if (token.size() != kTokenLength || token[22] != '=' || token[23] != '=') return std::nullopt;
  Block cipher{};
  uint32_t acc = 0;
  int bits = 0;
  size_t n = 0;
  for (size_t i = 0; i < 22; ++i) {
    int v = DecodeChar(token[i]);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      cipher[n++] = static_cast<uint8_t>(acc >> bits);
    }
  }
  // 22 chars carry 132 bits; the 4 spare ones must be zero (one spelling per token).
  if ((acc & ((1u << bits) - 1)) != 0 || n != 16) return std::nullopt;

  Block plain{};
  if (!AesBlock(aes_key_, cipher, plain, false)) return std::nullopt;
  if (plain[0] != static_cast<uint8_t>(kind)) return std::nullopt;
  uint8_t check[kCheckSize];
  Check(mac_key_, plain.data(), check);
  if (CRYPTO_memcmp(check, plain.data() + 9, kCheckSize) != 0) return std::nullopt;
  uint64_t u = 0;
  for (int i = 0; i < 8; ++i) u |= static_cast<uint64_t>(plain[1 + i]) << (8 * i);
  return static_cast<int64_t>(u);
}

}  // namespace facepass::store
