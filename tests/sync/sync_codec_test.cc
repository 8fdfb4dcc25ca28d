#include "sync/sync_codec.h"

#include <cstring>
#include <limits>
#include <random>

#include <gtest/gtest.h>

namespace facepass::sync {
namespace {

std::vector<float> Feature(uint32_t dim, int seed) {
  std::vector<float> f(dim);
  for (uint32_t i = 0; i < dim; ++i) f[i] = static_cast<float>((seed * 31 + i) % 17) / 17.0f - 0.5f;
  return f;
}

SyncResult Sample() {
  SyncResult r;
  r.search_model = "faceres-1024";
  r.dim = 8;
  r.clear_all = true;
  r.recognize_threshold = 78.5f;
  r.server_time_ms = 1700000000123;
  GroupPayload full;
  full.group_name = "group_a";
  full.group_id = 42;
  full.local_version = 0;
  full.cloud_version = 7;
  full.action = GroupAction::kFull;
  full.added = {{"tokA", Feature(8, 1)}, {"tokB", Feature(8, 2)}};
  GroupPayload inc;
  inc.group_name = "group_b";
  inc.group_id = 43;
  inc.local_version = 3;
  inc.cloud_version = 5;
  inc.action = GroupAction::kIncremental;
  inc.added = {{"tokC", Feature(8, 3)}};
  inc.deleted = {"tokD", "tokE"};
  GroupPayload keep;
  keep.group_name = "gone";
  keep.local_version = 9;
  keep.action = GroupAction::kKeepLocal;
  GroupPayload none;
  none.group_name = "same";
  none.group_id = 44;
  none.local_version = 2;
  none.cloud_version = 2;
  none.action = GroupAction::kNone;
  r.groups = {full, inc, keep, none};
  return r;
}

// Rewrites the CRC trailer so a mutated body reaches the parser.
std::string Reseal(std::string bytes) {
  if (bytes.size() < 4) return bytes;
  uint32_t crc = Crc32(std::string_view(bytes).substr(0, bytes.size() - 4));
  std::memcpy(bytes.data() + bytes.size() - 4, &crc, 4);
  return bytes;
}

void ExpectEqual(const SyncResult& a, const SyncResult& b) {
  EXPECT_EQ(a.search_model, b.search_model);
  EXPECT_EQ(a.dim, b.dim);
  EXPECT_EQ(a.clear_all, b.clear_all);
  EXPECT_EQ(a.recognize_threshold, b.recognize_threshold);
  EXPECT_EQ(a.server_time_ms, b.server_time_ms);
  ASSERT_EQ(a.groups.size(), b.groups.size());
  for (size_t i = 0; i < a.groups.size(); ++i) {
    const GroupPayload& x = a.groups[i];
    const GroupPayload& y = b.groups[i];
    EXPECT_EQ(x.group_name, y.group_name);
    EXPECT_EQ(x.group_id, y.group_id);
    EXPECT_EQ(x.local_version, y.local_version);
    EXPECT_EQ(x.cloud_version, y.cloud_version);
    EXPECT_EQ(x.action, y.action);
    EXPECT_EQ(x.deleted, y.deleted);
    ASSERT_EQ(x.added.size(), y.added.size());
    for (size_t k = 0; k < x.added.size(); ++k) {
      EXPECT_EQ(x.added[k].face_token, y.added[k].face_token);
      EXPECT_EQ(x.added[k].feature, y.added[k].feature);
    }
  }
}

TEST(SyncCodec, RoundTrip) {
  SyncResult r = Sample();
  Result<std::string> bytes = Encode(r);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  Result<SyncResult> back = Decode(*bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectEqual(r, *back);
}

TEST(SyncCodec, EmptyResultIsSmall) {
  SyncResult r;
  Result<std::string> bytes = Encode(r);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes->size(), 4u + 2 + 2 + 4 + 4 + 8 + 2 + 4 + 4);
  Result<SyncResult> back = Decode(*bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->groups.empty());
}

TEST(SyncCodec, SizeIsExact) {
  SyncResult r = Sample();
  std::string bytes = *Encode(r);
  size_t expect = 26 + r.search_model.size() + 4 + 4;
  for (const GroupPayload& g : r.groups) {
    expect += 35 + g.group_name.size();
    for (const FaceEntry& f : g.added) expect += 2 + f.face_token.size() + 4 * r.dim;
    for (const std::string& t : g.deleted) expect += 2 + t.size();
  }
  EXPECT_EQ(bytes.size(), expect);
}

// The worked example of docs/sync-protocol.md, byte for byte.
TEST(SyncCodec, DocumentedExample) {
  SyncResult r;
  r.search_model = "m1";
  r.dim = 2;
  r.recognize_threshold = 78.0f;
  r.server_time_ms = 1000;
  GroupPayload g;
  g.group_name = "gate";
  g.group_id = 5;
  g.local_version = 0;
  g.cloud_version = 3;
  g.action = GroupAction::kFull;
  g.added = {{"T1", {1.0f, 0.0f}}};
  r.groups = {g};
  std::string bytes = *Encode(r);
  const unsigned char expect[] = {
      'F', 'P', 'S', 'Y', 0x01, 0x00, 0x00, 0x00,              // magic, version 1, flags 0
      0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x9c, 0x42,          // dim 2, threshold 78.0f
      0xe8, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,          // server_time_ms 1000
      0x02, 0x00, 'm', '1', 0x01, 0x00, 0x00, 0x00,            // "m1", 1 group
      0x04, 0x00, 'g', 'a', 't', 'e',                          // "gate"
      0x05, 0, 0, 0, 0, 0, 0, 0,                               // group_id 5
      0x00, 0, 0, 0, 0, 0, 0, 0,                               // local_version 0
      0x03, 0, 0, 0, 0, 0, 0, 0,                               // cloud_version 3
      0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,    // FULL, 1 added, 0 deleted
      0x02, 0x00, 'T', '1',                                    // "T1"
      0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0x00,          // 1.0f, 0.0f
  };
  ASSERT_EQ(bytes.size(), sizeof(expect) + 4);
  EXPECT_EQ(0, std::memcmp(bytes.data(), expect, sizeof(expect)));
  uint32_t crc;
  std::memcpy(&crc, bytes.data() + sizeof(expect), 4);
  EXPECT_EQ(crc, Crc32(std::string_view(reinterpret_cast<const char*>(expect), sizeof(expect))));
  EXPECT_EQ(crc, 0x8a4a6ff5u) << std::hex << crc;  // as printed in the doc
}

TEST(SyncCodec, Crc32KnownValue) {
  EXPECT_EQ(Crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(Crc32(""), 0u);
  EXPECT_EQ(Crc32("6789", Crc32("12345")), 0xCBF43926u);
}

TEST(SyncCodec, EncodeRejectsInconsistentInput) {
  SyncResult r = Sample();
  r.groups[0].added[0].feature.pop_back();
  EXPECT_FALSE(Encode(r).ok());
  r = Sample();
  r.groups[2].added.push_back({"x", Feature(8, 0)});  // KEEP_LOCAL with faces
  EXPECT_FALSE(Encode(r).ok());
  r = Sample();
  r.groups[0].deleted.push_back("x");  // FULL with deletions
  EXPECT_FALSE(Encode(r).ok());
  r = Sample();
  r.groups[3].action = static_cast<GroupAction>(9);
  EXPECT_FALSE(Encode(r).ok());
  r = Sample();
  r.search_model.assign(70000, 'x');
  EXPECT_FALSE(Encode(r).ok());
}

TEST(SyncCodec, RejectsBadMagicVersionChecksumTrailing) {
  std::string good = *Encode(Sample());
  std::string b = good;
  b[0] = 'X';
  EXPECT_EQ(Decode(b).status().code(), StatusCode::kCorruption);
  b = good;
  b[4] = 2;  // format version 2
  EXPECT_NE(Decode(b).status().message().find("version"), std::string::npos);
  b = good;
  b[40] ^= 0x10;  // a flipped bit
  EXPECT_NE(Decode(b).status().message().find("checksum"), std::string::npos);
  b = good;
  b.insert(b.size() - 4, "zz");  // trailing garbage, resealed
  EXPECT_NE(Decode(Reseal(b)).status().message().find("trailing"), std::string::npos);
  b = good + "z";  // garbage after the trailer
  EXPECT_FALSE(Decode(b).ok());
}

TEST(SyncCodec, RejectsUnknownFlagsActionsAndNonFinite) {
  std::string good = *Encode(Sample());
  std::string b = good;
  b[6] = 0x02;  // unknown flag bit
  EXPECT_FALSE(Decode(Reseal(b)).ok());
  SyncResult r = Sample();
  r.groups[0].added[0].feature[3] = std::nanf("");
  std::string nan_bytes = *Encode(r);
  EXPECT_NE(Decode(nan_bytes).status().message().find("finite"), std::string::npos);
  // Action byte of the first group: header (26 + len("faceres-1024") + 4) + name (2 + 7) + 3 * 8.
  size_t action_at = 26 + 12 + 4 + 2 + 7 + 24;
  b = good;
  ASSERT_EQ(b[action_at], 1);
  b[action_at] = 7;
  EXPECT_NE(Decode(Reseal(b)).status().message().find("action"), std::string::npos);
  b[action_at] = 3;  // KEEP_LOCAL while faces are listed
  EXPECT_FALSE(Decode(Reseal(b)).ok());
}

TEST(SyncCodec, HugeCountsDoNotAllocate) {
  std::string good = *Encode(Sample());
  // Group count sits right after search_model.
  size_t count_at = 26 + 12;
  std::string b = good;
  uint32_t huge = 0xFFFFFFFFu;
  std::memcpy(b.data() + count_at, &huge, 4);
  EXPECT_FALSE(Decode(Reseal(b)).ok());
  // Added count of group 0.
  size_t added_at = 26 + 12 + 4 + 2 + 7 + 24 + 1;
  b = good;
  std::memcpy(b.data() + added_at, &huge, 4);
  EXPECT_FALSE(Decode(Reseal(b)).ok());
  // Dimension.
  b = good;
  std::memcpy(b.data() + 8, &huge, 4);
  EXPECT_FALSE(Decode(Reseal(b)).ok());
}

TEST(SyncCodec, TruncatedAtEveryLength) {
  std::string good = *Encode(Sample());
  for (size_t n = 0; n < good.size(); ++n) {
    std::string_view cut(good.data(), n);
    EXPECT_FALSE(Decode(cut).ok()) << "raw cut at " << n;
    // Cut the body and reseal it, so the parser itself meets the short input.
    if (n >= good.size() - 4) continue;  // the body is whole
    std::string body = good.substr(0, n);
    body.append(4, '\0');
    EXPECT_FALSE(Decode(Reseal(body)).ok()) << "resealed cut at " << n;
  }
}

TEST(SyncCodec, RandomBytesNeverCrash) {
  std::mt19937 rng(12345);
  std::string good = *Encode(Sample());
  for (int iter = 0; iter < 20000; ++iter) {
    std::string b;
    if (iter % 2 == 0) {
      // Mutate a valid stream: a few random bytes, resealed.
      b = good;
      int flips = 1 + static_cast<int>(rng() % 4);
      for (int k = 0; k < flips; ++k) b[rng() % b.size()] = static_cast<char>(rng());
      b = Reseal(b);
    } else {
      // Pure noise, sometimes behind a valid magic and version.
      b.resize(rng() % 200);
      for (char& c : b) c = static_cast<char>(rng());
      if (b.size() >= 6 && iter % 4 == 1) {
        std::memcpy(b.data(), "FPSY\x01\x00", 6);
        b = Reseal(b);
      }
    }
    Result<SyncResult> r = Decode(b);
    if (r.ok()) {
      // Whatever decodes must re-encode to the same bytes.
      Result<std::string> again = Encode(*r);
      ASSERT_TRUE(again.ok());
      EXPECT_EQ(*again, b);
    }
  }
}

TEST(SyncRequestJson, MatchesSpecShape) {
  SyncRequest req;
  req.search_model = "1017";
  req.client_version = "v1.0.0";
  req.groups = {{"group_a", 0, 0}, {"group_b", 12, 4}};
  nlohmann::json j = ToJson(req);
  EXPECT_EQ(j["info"]["search_model"], "1017");
  EXPECT_EQ(j["info"]["version"], "v1.0.0");
  ASSERT_EQ(j["groups"].size(), 2u);
  EXPECT_EQ(j["groups"][0]["group_name"], "group_a");
  EXPECT_EQ(j["groups"][0]["group_id"], 0);
  EXPECT_EQ(j["groups"][1]["group_id"], 12);
  EXPECT_EQ(j["groups"][1]["local_version"], 4);
}

}  // namespace
}  // namespace facepass::sync
