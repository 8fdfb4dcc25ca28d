#include "store/token_cipher.h"

namespace facepass::store {
Result<TokenCipher> TokenCipher::LoadOrCreate(const std::filesystem::path&) { return Status::Internal("todo"); }
std::string TokenCipher::Encode(TokenKind, int64_t) const { return {}; }
std::optional<int64_t> TokenCipher::Decode(TokenKind, std::string_view) const { return std::nullopt; }
}  // namespace facepass::store
