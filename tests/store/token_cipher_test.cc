#include "store/token_cipher.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "temp_dir.h"

namespace facepass::store {
namespace {

namespace fs = std::filesystem;
using testing_util::TempDir;

bool Base64UrlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

TEST(StoreTokenTest, RoundTripAndShape) {
  TempDir tmp;
  auto cipher = TokenCipher::LoadOrCreate(tmp.path());
  ASSERT_TRUE(cipher.ok()) << cipher.status().ToString();
  std::set<std::string> seen;
  for (int64_t id : {int64_t{1}, int64_t{2}, int64_t{3}, int64_t{255}, int64_t{1} << 40, INT64_MAX}) {
    for (TokenKind kind : {TokenKind::kFace, TokenKind::kImage}) {
      std::string t = cipher->Encode(kind, id);
      ASSERT_EQ(t.size(), 24u);
      EXPECT_EQ(t.substr(22), "==");
      for (char c : t.substr(0, 22)) EXPECT_TRUE(Base64UrlChar(c)) << t;
      EXPECT_EQ(cipher->Decode(kind, t), id);
      EXPECT_EQ(cipher->Encode(kind, id), t);  // deterministic
      seen.insert(t);
    }
  }
  EXPECT_EQ(seen.size(), 12u);
  // Consecutive ids look unrelated.
  std::string a = cipher->Encode(TokenKind::kFace, 1000), b = cipher->Encode(TokenKind::kFace, 1001);
  int same = 0;
  for (int i = 0; i < 22; ++i) same += a[i] == b[i];
  EXPECT_LT(same, 8);
}

TEST(StoreTokenTest, WrongKindRejected) {
  TempDir tmp;
  auto cipher = TokenCipher::LoadOrCreate(tmp.path()).value();
  std::string face = cipher.Encode(TokenKind::kFace, 42);
  std::string image = cipher.Encode(TokenKind::kImage, 42);
  EXPECT_NE(face, image);
  EXPECT_EQ(cipher.Decode(TokenKind::kImage, face), std::nullopt);
  EXPECT_EQ(cipher.Decode(TokenKind::kFace, image), std::nullopt);
}

TEST(StoreTokenTest, MalformedAndRandomStringsRejected) {
  TempDir tmp;
  auto cipher = TokenCipher::LoadOrCreate(tmp.path()).value();
  std::string good = cipher.Encode(TokenKind::kFace, 7);
  for (const std::string& bad : {std::string(), good.substr(0, 23), good + "=", good.substr(0, 22) + "A=",
                                 good.substr(0, 21) + "+==", good.substr(0, 21) + "/==", std::string(24, '='),
                                 good.substr(0, 10) + " " + good.substr(11)}) {
    EXPECT_EQ(cipher.Decode(TokenKind::kFace, bad), std::nullopt) << bad;
  }
  std::mt19937_64 rng(12345);
  const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string t;
    for (int j = 0; j < 21; ++j) t += alphabet[rng() % 64];
    t += alphabet[(rng() % 4) * 16];  // canonical last char: low 4 bits zero
    t += "==";
    if (cipher.Decode(TokenKind::kFace, t) || cipher.Decode(TokenKind::kImage, t)) ++accepted;
  }
  EXPECT_EQ(accepted, 0);
}

TEST(StoreTokenTest, TamperedTokenRejected) {
  TempDir tmp;
  auto cipher = TokenCipher::LoadOrCreate(tmp.path()).value();
  std::string good = cipher.Encode(TokenKind::kFace, 123456);
  const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (int pos = 0; pos < 22; ++pos) {
    for (int k = 0; k < 64; k += 5) {
      std::string t = good;
      if (t[pos] == alphabet[k]) continue;
      t[pos] = alphabet[k];
      EXPECT_EQ(cipher.Decode(TokenKind::kFace, t), std::nullopt) << pos << " " << t;
    }
  }
}

TEST(StoreTokenTest, SecretFileIsPrivateAndStable) {
  TempDir tmp;
  std::string token;
  {
    auto cipher = TokenCipher::LoadOrCreate(tmp.path() / "data");
    ASSERT_TRUE(cipher.ok());
    token = cipher->Encode(TokenKind::kImage, 99);
  }
  const fs::path key = tmp.path() / "data" / "secret.key";
  struct stat st;
  ASSERT_EQ(::stat(key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_EQ(st.st_size, 48);
  // No temp files left next to it.
  int entries = 0;
  for (const auto& e : fs::directory_iterator(tmp.path() / "data")) { ++entries; (void)e; }
  EXPECT_EQ(entries, 1);

  auto again = TokenCipher::LoadOrCreate(tmp.path() / "data");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->Encode(TokenKind::kImage, 99), token);
  EXPECT_EQ(again->Decode(TokenKind::kImage, token), 99);

  // Another installation cannot read our tokens.
  TempDir other;
  auto foreign = TokenCipher::LoadOrCreate(other.path()).value();
  EXPECT_EQ(foreign.Decode(TokenKind::kImage, token), std::nullopt);
}

TEST(StoreTokenTest, TruncatedSecretIsCorruption) {
  TempDir tmp;
  std::ofstream(tmp.path() / "secret.key") << "short";
  EXPECT_EQ(TokenCipher::LoadOrCreate(tmp.path()).status().code(), StatusCode::kCorruption);
}

TEST(StoreTokenTest, ConcurrentFirstStartAgrees) {
  TempDir tmp;
  std::vector<std::string> tokens(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] {
      auto c = TokenCipher::LoadOrCreate(tmp.path());
      if (c.ok()) tokens[i] = c->Encode(TokenKind::kFace, 5);
    });
  for (auto& t : threads) t.join();
  for (const auto& t : tokens) EXPECT_EQ(t, tokens[0]);
  EXPECT_FALSE(tokens[0].empty());
}

}  // namespace
}  // namespace facepass::store
