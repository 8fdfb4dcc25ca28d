// The one reader of the sync request (api/sync_request.h), against what the
// device writes (sync::ToJson) and the malformed bodies the fuzzer found.
#include "api/sync_request.h"

#include <cstdint>
#include <limits>

#include <gtest/gtest.h>

#include "sync/sync_codec.h"

namespace facepass::api {
namespace {

using nlohmann::json;

std::optional<DomainError> Parse(const char* text, sync::SyncRequest* out) {
  return ParseSyncRequest(json::parse(text), out);
}

TEST(SyncRequest, ReadsWhatTheDeviceWrites) {
  sync::SyncRequest req;
  req.search_model = "1017";
  req.client_version = "v1.0.0";
  req.groups = {{"group_a", 0, 0}, {"group_b", 12, 4}};
  sync::SyncRequest back;
  ASSERT_EQ(ParseSyncRequest(sync::ToJson(req), &back), std::nullopt);
  EXPECT_EQ(back.search_model, "1017");
  EXPECT_EQ(back.client_version, "v1.0.0");
  ASSERT_EQ(back.groups.size(), 2u);
  EXPECT_EQ(back.groups[1].group_name, "group_b");
  EXPECT_EQ(back.groups[1].group_id, 12);
  EXPECT_EQ(back.groups[1].local_version, 4);
}

// info.format (issue 29): absent or 1 is the spec's stream, 2 the labelled
// float16 one; anything else is refused by name.
TEST(SyncRequest, TheFormatIsOneOrTwo) {
  sync::SyncRequest req;
  req.search_model = "m";
  req.client_version = "v1.0.0";
  req.format = sync::kFormatV2;
  sync::SyncRequest back;
  ASSERT_EQ(ParseSyncRequest(sync::ToJson(req), &back), std::nullopt);
  EXPECT_EQ(back.format, sync::kFormatV2);
  sync::SyncRequest absent;
  ASSERT_EQ(Parse(R"({"info":{"search_model":"m","version":"v"},"groups":[]})", &absent), std::nullopt);
  EXPECT_EQ(absent.format, sync::kFormatV1);
  sync::SyncRequest one;
  ASSERT_EQ(Parse(R"({"info":{"search_model":"m","version":"v","format":1},"groups":[]})", &one), std::nullopt);
  EXPECT_EQ(one.format, sync::kFormatV1);
  for (const char* bad : {"0", "3", "-1", "\"2\"", "1.5"}) {
    sync::SyncRequest r;
    EXPECT_EQ(Parse((std::string(R"({"info":{"search_model":"m","version":"v","format":)") + bad + R"(},"groups":[]})").c_str(), &r),
              errors::IllegalArgument("info.format"))
        << bad;
  }
}

TEST(SyncRequest, MissingPartsAreNamed) {
  sync::SyncRequest r;
  EXPECT_EQ(ParseSyncRequest(json::array(), &r), errors::MissingArgument("info,groups"));
  EXPECT_EQ(Parse(R"({"info":{"search_model":"m","version":"v"},"groups":[{"group_id":1}]})", &r),
            errors::MissingArgument("groups[0].group_name,groups[0].local_version"));
}

// Found by fuzz/json_body_fuzz: a non-string info field threw json::type_error
// out of the old lenient reader.
TEST(SyncRequest, WrongTypesAreIllegalNotThrown) {
  sync::SyncRequest r;
  EXPECT_EQ(Parse(R"({"info":{"search_model":1,"version":[2]},
                      "groups":[{"group_name":"grp1","group_id":"7","local_version":0}, 5]})", &r),
            errors::IllegalArgument("info.search_model,info.version,groups[0].group_id,groups[1]"));
  EXPECT_EQ(Parse(R"({"info":[],"groups":{}})", &r), errors::IllegalArgument("info,groups"));
  EXPECT_EQ(Parse(R"({"info":{"search_model":"m","version":"v"},"groups":[{"group_name":"no","local_version":0}]})", &r),
            errors::IllegalArgument("groups[0].group_name"));
}

// A version above INT64_MAX used to wrap to a negative number; negatives are refused too.
TEST(SyncRequest, IntegersOutsideZeroToInt64MaxAreIllegal) {
  constexpr const char* kHead = R"({"info":{"search_model":"m","version":"v"},"groups":[{"group_name":"grp1",)";
  auto parse = [&](const std::string& group_tail, sync::SyncRequest* r) {
    return ParseSyncRequest(json::parse(std::string(kHead) + group_tail + "}]}"), r);
  };
  sync::SyncRequest r;
  EXPECT_EQ(parse(R"("local_version":18446744073709551615)", &r), errors::IllegalArgument("groups[0].local_version"));
  EXPECT_EQ(parse(R"("group_id":9223372036854775808,"local_version":0)", &r), errors::IllegalArgument("groups[0].group_id"));
  EXPECT_EQ(parse(R"("local_version":-1)", &r), errors::IllegalArgument("groups[0].local_version"));
  sync::SyncRequest max;
  ASSERT_EQ(parse(R"("local_version":9223372036854775807)", &max), std::nullopt);
  EXPECT_EQ(max.groups.at(0).local_version, std::numeric_limits<int64_t>::max());
}

}  // namespace
}  // namespace facepass::api
