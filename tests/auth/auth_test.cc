// Roles, the permission table, key material, CIDR matching, the limiter.
#include <gtest/gtest.h>

#include <set>

#include "auth/api_key.h"
#include "auth/failure_limiter.h"
#include "auth/networks.h"
#include "auth/permissions.h"
#include "auth/role.h"

namespace facepass::auth {
namespace {

TEST(AuthRole, NamesRoundTrip) {
  for (Role r : {Role::kAdmin, Role::kOperator, Role::kDevice, Role::kViewer}) EXPECT_EQ(ParseRole(RoleName(r)), r);
  EXPECT_FALSE(ParseRole("Admin"));
  EXPECT_FALSE(ParseRole(""));
}

TEST(AuthPermissions, MatchesTheIssue) {
  // Devices: recognise, compare, sync, sync status, version; nothing else.
  EXPECT_TRUE(Allowed(Role::kDevice, "POST", "/api/service/recognize/v1"));
  EXPECT_TRUE(Allowed(Role::kDevice, "POST", "/api/service/recognize/v1/"));
  EXPECT_TRUE(Allowed(Role::kDevice, "POST", "/api/service/compare/v1"));
  EXPECT_TRUE(Allowed(Role::kDevice, "POST", "/api/service/sync/v1"));
  EXPECT_TRUE(Allowed(Role::kDevice, "GET", "/api/service/sync/v1/status"));
  EXPECT_TRUE(Allowed(Role::kDevice, "GET", "/api/version/v1"));
  EXPECT_FALSE(Allowed(Role::kDevice, "POST", "/api/face/v1/delete"));
  EXPECT_FALSE(Allowed(Role::kDevice, "GET", "/api/image/v1/query"));
  EXPECT_FALSE(Allowed(Role::kDevice, "POST", "/api/face/v1/add"));
  // Operator: catalogue and image download, not config or keys.
  EXPECT_TRUE(Allowed(Role::kOperator, "POST", "/api/face/v1/add"));
  EXPECT_TRUE(Allowed(Role::kOperator, "GET", "/api/image/v1/query"));
  EXPECT_TRUE(Allowed(Role::kOperator, "POST", "/api/group/v1/bind"));
  EXPECT_FALSE(Allowed(Role::kOperator, "POST", "/api/service/config/v1"));
  EXPECT_FALSE(Allowed(Role::kOperator, "POST", "/api/keys/v1/create"));
  // Viewer: reads without image bytes, no writes.
  EXPECT_TRUE(Allowed(Role::kViewer, "POST", "/api/face/v1/query"));
  EXPECT_TRUE(Allowed(Role::kViewer, "GET", "/api/group/v1/list"));
  EXPECT_FALSE(Allowed(Role::kViewer, "GET", "/api/image/v1/query"));
  EXPECT_FALSE(Allowed(Role::kViewer, "POST", "/api/group/v1/create"));
  // Issue 29: relabel as enrol (operator), search as query (viewer too), never a gate.
  EXPECT_TRUE(Allowed(Role::kOperator, "POST", "/api/face/v1/update"));
  EXPECT_FALSE(Allowed(Role::kViewer, "POST", "/api/face/v1/update"));
  EXPECT_FALSE(Allowed(Role::kDevice, "POST", "/api/face/v1/update"));
  EXPECT_TRUE(Allowed(Role::kOperator, "GET", "/api/face/v1/search"));
  EXPECT_TRUE(Allowed(Role::kViewer, "GET", "/api/face/v1/search"));
  EXPECT_FALSE(Allowed(Role::kDevice, "GET", "/api/face/v1/search"));
  // Metrics: viewer and above, never a gate.
  EXPECT_TRUE(Allowed(Role::kViewer, "GET", "/metrics"));
  EXPECT_TRUE(Allowed(Role::kOperator, "GET", "/metrics"));
  EXPECT_FALSE(Allowed(Role::kDevice, "GET", "/metrics"));
  EXPECT_FALSE(Allowed(Role::kViewer, "POST", "/metrics"));
  // Admin everything, including what the table does not know; others not.
  for (const auto& p : PermissionTable()) EXPECT_TRUE(Allowed(Role::kAdmin, p.method, p.path));
  EXPECT_TRUE(Allowed(Role::kAdmin, "GET", "/api/new/v1"));
  EXPECT_FALSE(Allowed(Role::kOperator, "GET", "/api/new/v1"));
  // Method matters.
  EXPECT_FALSE(Allowed(Role::kDevice, "GET", "/api/service/recognize/v1"));
}

// Issue 11: the console's files are public, and nothing else is.
TEST(AuthPermissions, OnlyTheConsoleIsPublic) {
  EXPECT_TRUE(IsPublic("GET", "/console"));
  EXPECT_TRUE(IsPublic("GET", "/console/"));
  EXPECT_TRUE(IsPublic("GET", "/console/app.js"));
  EXPECT_TRUE(IsPublic("GET", "/console/css/console.css"));
  EXPECT_FALSE(IsPublic("POST", "/console/"));
  EXPECT_FALSE(IsPublic("GET", "/consoles"));
  EXPECT_FALSE(IsPublic("GET", "/console/../api/group/v1/list"));
  EXPECT_FALSE(IsPublic("GET", "/console/.hidden"));
  EXPECT_FALSE(IsPublic("GET", "/api/console"));
  for (const auto& p : PermissionTable())
    if (!p.public_prefix) EXPECT_FALSE(IsPublic(p.method, p.path)) << p.path;
  EXPECT_TRUE(Allowed(Role::kDevice, "GET", "/console/index.html"));
  EXPECT_FALSE(Allowed(Role::kDevice, "POST", "/console/index.html"));
}

TEST(AuthPermissions, TableHasNoDuplicates) {
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (const auto& p : PermissionTable()) EXPECT_TRUE(seen.emplace(p.method, p.path).second) << p.path;
}

TEST(AuthApiKey, GeneratedKeysAreLongUrlSafeAndDistinct) {
  std::set<std::string> keys;
  for (int i = 0; i < 100; ++i) {
    auto k = GenerateKey();
    ASSERT_TRUE(k.ok());
    EXPECT_EQ(k->size(), 43u);  // 256 bits in base64 without padding
    for (char c : *k) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << *k;
    keys.insert(*k);
  }
  EXPECT_EQ(keys.size(), 100u);
}

TEST(AuthApiKey, HashIsSha256Hex) {
  EXPECT_EQ(HashKey("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HashKey("").size(), 64u);
}

TEST(AuthApiKey, ConstantTimeEqual) {
  EXPECT_TRUE(ConstantTimeEqual("abc", "abc"));
  EXPECT_TRUE(ConstantTimeEqual("", ""));
  EXPECT_FALSE(ConstantTimeEqual("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "abcd"));
}

TEST(AuthApiKey, KeyFromHeaders) {
  EXPECT_EQ(KeyFromHeaders("Bearer k1", ""), "k1");
  EXPECT_EQ(KeyFromHeaders("bearer   k1 ", "k2"), "k1");
  EXPECT_EQ(KeyFromHeaders("", " k2 "), "k2");
  EXPECT_EQ(KeyFromHeaders("Basic dXNlcjpwdw==", "k2"), "k2");
  EXPECT_EQ(KeyFromHeaders("Bearer ", ""), "");
  EXPECT_EQ(KeyFromHeaders("Bearerk1", ""), "");
}

TEST(AuthNetworks, Ipv4) {
  auto n = NetworkList::Parse("127.0.0.0/8, 10.1.0.0/16,192.168.1.7");
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_TRUE(n->Contains("127.0.0.2"));
  EXPECT_TRUE(n->Contains("10.1.255.3"));
  EXPECT_FALSE(n->Contains("10.2.0.1"));
  EXPECT_TRUE(n->Contains("192.168.1.7"));
  EXPECT_FALSE(n->Contains("192.168.1.8"));
  EXPECT_TRUE(n->Contains("::ffff:127.0.0.2"));  // dual-stack socket
  EXPECT_FALSE(n->Contains("::1"));
  EXPECT_FALSE(n->Contains("garbage"));
  EXPECT_FALSE(n->Contains(""));
  EXPECT_EQ(n->ToString(), "127.0.0.0/8,10.1.0.0/16,192.168.1.7/32");
}

TEST(AuthNetworks, Ipv6) {
  auto n = NetworkList::Parse("fd00::/8,2001:db8:0:1::/64,::1");
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_TRUE(n->Contains("fd12:3456::1"));
  EXPECT_FALSE(n->Contains("fe80::1"));
  EXPECT_TRUE(n->Contains("2001:db8:0:1:ffff::1"));
  EXPECT_FALSE(n->Contains("2001:db8:0:2::1"));
  EXPECT_TRUE(n->Contains("::1"));
  EXPECT_FALSE(n->Contains("127.0.0.1"));
  auto odd = Cidr::Parse("2001:db8::/33");
  ASSERT_TRUE(odd.ok());
  EXPECT_TRUE(odd->Contains("2001:db8:7fff::1"));
  EXPECT_FALSE(odd->Contains("2001:db8:8000::1"));
}

TEST(AuthNetworks, RejectsBadInput) {
  EXPECT_FALSE(NetworkList::Parse("10.0.0.0/33").ok());
  EXPECT_FALSE(NetworkList::Parse("10.0.0.1/8").ok());  // host bits
  EXPECT_FALSE(NetworkList::Parse("10.0.0.0/").ok());
  EXPECT_FALSE(NetworkList::Parse("10.0.0/8").ok());
  EXPECT_FALSE(NetworkList::Parse("fd00::/129").ok());
  EXPECT_FALSE(NetworkList::Parse("10.0.0.0/8,,").ok());
  auto empty = NetworkList::Parse(" ");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  EXPECT_FALSE(empty->Contains("127.0.0.1"));
  auto all = NetworkList::Parse("0.0.0.0/0");
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->Contains("8.8.8.8"));
}

TEST(AuthFailureLimiter, BlocksAfterTwentyInAMinuteForAMinute) {
  int64_t now = 1'000'000;
  FailureLimiter l({}, [&] { return now; });
  for (int i = 0; i < 20; ++i) {
    EXPECT_FALSE(l.RecordFailure("10.0.0.1"));
    now += 1000;
  }
  EXPECT_EQ(l.BlockedFor("10.0.0.1"), 0);
  EXPECT_TRUE(l.RecordFailure("10.0.0.1"));  // the 21st
  EXPECT_EQ(l.BlockedFor("10.0.0.1"), 60'000);
  EXPECT_EQ(l.BlockedFor("10.0.0.2"), 0);  // per address
  now += 59'999;
  EXPECT_EQ(l.BlockedFor("10.0.0.1"), 1);
  now += 1;
  EXPECT_EQ(l.BlockedFor("10.0.0.1"), 0);
  EXPECT_FALSE(l.RecordFailure("10.0.0.1"));  // a fresh window
}

TEST(AuthFailureLimiter, WindowSlides) {
  int64_t now = 0;
  FailureLimiter l({}, [&] { return now; });
  for (int i = 0; i < 20; ++i) EXPECT_FALSE(l.RecordFailure("a"));
  now += 60'000;  // the window is over: counting restarts
  for (int i = 0; i < 20; ++i) EXPECT_FALSE(l.RecordFailure("a"));
  EXPECT_TRUE(l.RecordFailure("a"));
}

TEST(AuthFailureLimiter, MemoryIsBounded) {
  int64_t now = 0;
  FailureLimiter::Options o;
  o.max_tracked = 10;
  FailureLimiter l(o, [&] { return now; });
  for (int i = 0; i < 1000; ++i) {
    l.RecordFailure("10.0.0." + std::to_string(i));
    ASSERT_LE(l.TrackedCount(), o.max_tracked) << "after " << i + 1 << " addresses";
  }
  EXPECT_GT(l.TrackedCount(), 0u);  // the newest address is still counted
}

TEST(AuthFailureLimiter, FullTableDropsExpiredAddressesFirst) {
  int64_t now = 0;
  FailureLimiter::Options o;
  o.max_tracked = 10;
  FailureLimiter l(o, [&] { return now; });
  for (int i = 0; i < 5; ++i) l.RecordFailure("old" + std::to_string(i));
  now += o.window_ms;  // their windows are over
  for (int i = 0; i < 5; ++i) l.RecordFailure("new" + std::to_string(i));
  ASSERT_EQ(l.TrackedCount(), 10u);
  l.RecordFailure("one_more");
  EXPECT_EQ(l.TrackedCount(), 6u);  // the five expired went, the five current stayed
}

}  // namespace
}  // namespace facepass::auth
