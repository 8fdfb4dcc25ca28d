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

// The worked examples of docs/sync-protocol.md: one group `gate` (id 5, cloud
// version 3) sent FULL with one face, model `m1`, 2-D, threshold 78, time 1000.
SyncResult DocExample(uint16_t format, FaceEntry face) {
  SyncResult r;
  r.format = format;
  r.search_model = "m1";
  r.dim = 2;
  r.recognize_threshold = 78.0f;
  r.server_time_ms = 1000;
  GroupPayload g;
  g.group_name = "gate";
  g.group_id = 5;
  g.cloud_version = 3;
  g.action = GroupAction::kFull;
  g.added = {std::move(face)};
  r.groups = {g};
  return r;
}

// Its bytes up to the face (0x00..0x46), the same in both formats but the version.
std::string DocHead(uint8_t version) {
  const unsigned char head[] = {
      'F', 'P', 'S', 'Y', version, 0x00, 0x00, 0x00,           // magic, version, flags 0
      0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x9c, 0x42,          // dim 2, threshold 78.0f
      0xe8, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,          // server_time_ms 1000
      0x02, 0x00, 'm', '1', 0x01, 0x00, 0x00, 0x00,            // "m1", 1 group
      0x04, 0x00, 'g', 'a', 't', 'e',                          // "gate"
      0x05, 0, 0, 0, 0, 0, 0, 0,                               // group_id 5
      0x00, 0, 0, 0, 0, 0, 0, 0,                               // local_version 0
      0x03, 0, 0, 0, 0, 0, 0, 0,                               // cloud_version 3
      0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,    // FULL, 1 added, 0 deleted
  };
  return std::string(reinterpret_cast<const char*>(head), sizeof(head));
}

// The body and then the CRC that the doc prints.
void ExpectBytes(const std::string& bytes, const std::string& body, uint32_t doc_crc) {
  ASSERT_EQ(bytes.size(), body.size() + 4);
  EXPECT_EQ(bytes.substr(0, body.size()), body);
  uint32_t crc;
  std::memcpy(&crc, bytes.data() + body.size(), 4);
  EXPECT_EQ(crc, Crc32(body));
  EXPECT_EQ(crc, doc_crc) << std::hex << crc;
}

TEST(SyncCodec, DocumentedExample) {
  // Format 1 leaves the label out: a device of before gets these bytes.
  const std::string bytes = *Encode(DocExample(kFormatV1, {"T1", {1.0f, 0.0f}, "Alice"}));
  const std::string face("\x02\x00T1"                              // "T1"
                         "\x00\x00\x80\x3f\x00\x00\x00\x00", 12);  // 1.0f, 0.0f
  ExpectBytes(bytes, DocHead(1) + face, 0x8a4a6ff5u);
}

// The same answer in format 2: the face's label and float16 features.
TEST(SyncCodec, DocumentedExampleFormat2) {
  const std::string bytes = *Encode(DocExample(kFormatV2, {"T1", {1.0f, -0.5f}, "Alice"}));
  const std::string face("\x02\x00T1"               // "T1"
                         "\x05\x00" "Alice"         // label "Alice"
                         "\x00\x3c\x00\xb8", 15);  // 1.0, -0.5 as float16
  ExpectBytes(bytes, DocHead(2) + face, 0x94e47612u);
  auto back = Decode(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->format, kFormatV2);
  EXPECT_EQ(back->groups[0].added[0].label, "Alice");
  EXPECT_EQ(back->groups[0].added[0].feature, (std::vector<float>{1.0f, -0.5f}));
}

// Format 2: labels travel, features come back as the nearest float16 (the
// decoder widens them to float32), every size follows the layout.
TEST(SyncCodec, Format2RoundTripsLabelsAndHalvesTheFeatures) {
  SyncResult r = Sample();
  r.format = kFormatV2;
  r.groups[0].added[0].label = "Alice Smith";
  r.groups[1].added[0].label = "caf\xC3\xA9";
  auto bytes = Encode(r);
  ASSERT_TRUE(bytes.ok());
  SyncResult v1 = Sample();
  const size_t v1_size = Encode(v1)->size();
  // Each of the 3 faces: 8 values 2 bytes shorter, plus a u16 label length and its bytes.
  EXPECT_EQ(bytes->size(), v1_size - 3 * 8 * 2 + 3 * 2 + 11 + 5);
  auto back = Decode(*bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->format, kFormatV2);
  EXPECT_EQ(back->groups[0].added[0].label, "Alice Smith");
  EXPECT_EQ(back->groups[0].added[1].label, "");
  EXPECT_EQ(back->groups[1].added[0].label, "caf\xC3\xA9");
  EXPECT_EQ(back->groups[1].deleted, r.groups[1].deleted);
  for (size_t gi = 0; gi < 2; ++gi) {
    for (size_t k = 0; k < r.groups[gi].added.size(); ++k) {
      const auto& want = r.groups[gi].added[k].feature;
      const auto& got = back->groups[gi].added[k].feature;
      ASSERT_EQ(got.size(), want.size());
      for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 0x1p-11f) << gi << "/" << k << "/" << i;
    }
  }
  // Encoding the decoded answer gives the same bytes: the halves are exact on the way back.
  EXPECT_EQ(*Encode(*back), *bytes);
}

TEST(SyncCodec, Format2TruncatedAtEveryLengthAndUnknownFormats) {
  SyncResult r = Sample();
  r.format = kFormatV2;
  r.groups[0].added[0].label = "Alice";
  const std::string good = *Encode(r);
  for (size_t n = 0; n + 4 < good.size(); ++n) {
    std::string body = good.substr(0, n);
    body.append(4, '\0');
    EXPECT_FALSE(Decode(Reseal(body)).ok()) << "resealed cut at " << n;
  }
  r.format = 3;
  EXPECT_EQ(Encode(r).status().code(), StatusCode::kInvalidArgument);
  r.format = 0;
  EXPECT_EQ(Encode(r).status().code(), StatusCode::kInvalidArgument);
}

// The sliced CRC against the bit-at-a-time definition, at every length and
// alignment around the 8-byte blocks, and split anywhere.
TEST(SyncCodec, Crc32MatchesTheBitwiseDefinition) {
  auto bitwise = [](std::string_view bytes) {
    uint32_t c = 0xFFFFFFFFu;
    for (unsigned char b : bytes) {
      c ^= b;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    }
    return ~c;
  };
  std::mt19937 rng(5);
  std::string data(300, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  for (size_t start = 0; start < 9; ++start) {
    for (size_t len = 0; start + len <= data.size(); len += 1 + len / 8) {
      std::string_view v = std::string_view(data).substr(start, len);
      ASSERT_EQ(Crc32(v), bitwise(v)) << start << "+" << len;
      const size_t cut = len / 3;
      ASSERT_EQ(Crc32(v.substr(cut), Crc32(v.substr(0, cut))), bitwise(v)) << start << "+" << len;
    }
  }
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
  b[4] = 3;  // format version 3
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
  EXPECT_FALSE(j["info"].contains("format")) << "format 1 is the spec's request, unchanged";
  req.format = kFormatV2;
  EXPECT_EQ(ToJson(req)["info"]["format"], 2);
}

}  // namespace
}  // namespace facepass::sync
