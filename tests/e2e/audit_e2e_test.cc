// Issue 10's audit log and keys API through the real `facepass serve`: the
// keys endpoints (the key in create's reply only), revocation on the next
// request, an audit row with the right key name and targets for each change
// and for refusals, GET /api/audit/v1 paging, `facepass audit`, no key in
// clear in the database or the log; and the endpoint matrix (every endpoint
// x no key / each role / a revoked key) against the real routes.
#include <sys/wait.h>

#include <cstdlib>
#include <map>
#include <set>

#include "auth/permissions.h"
#include "client/http_client.h"
#include "e2e/api_fixture.h"

namespace facepass::e2e {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

int RunCli(const std::string& args, const fs::path& out, const fs::path& err) {
  const std::string cmd = testing::ServerBinary().string() + " " + args + " >" + out.string() + " 2>" + err.string();
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string CreateKey(const Api& admin, const std::string& name, const std::string& role) {
  Reply r = admin.PostJson("/api/keys/v1/create", {{"name", name}, {"role", role}});
  EXPECT_EQ(r.status, 200) << r.body;
  if (r.status != 200) return "";
  EXPECT_EQ(r.data()["name"], name);
  EXPECT_EQ(r.data()["role"], role);
  return r.data().value("key", "");
}

// Every row of the audit log, through the API, walking pages of `limit`.
std::vector<json> AllRows(const Api& admin, int limit) {
  std::vector<json> rows;
  std::string cursor;
  for (int pages = 0; pages < 1000; ++pages) {
    Reply r = admin.Get("/api/audit/v1?limit=" + std::to_string(limit) + (cursor.empty() ? "" : "&cursor=" + cursor));
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) break;
    for (const json& row : r.data()["rows"]) rows.push_back(row);
    cursor = r.data().value("next_cursor", "");
    if (cursor.empty()) break;
  }
  return rows;
}

// The first row for this endpoint whose targets contain `target`.
const json* Find(const std::vector<json>& rows, const std::string& endpoint, const std::string& target = "",
                 int code = 0) {
  for (const json& r : rows)
    if (r["endpoint"] == endpoint && r["code"] == code &&
        r["targets"].get<std::string>().find(target) != std::string::npos)
      return &r;
  return nullptr;
}

TEST(AuditE2E, KeysApiAuditRowsAndNoKeyInClear) {
  FP_REQUIRE_SHARED_AND_MODELS();
  const fs::path dir = testing::MakeTempDir("facepass-audit");
  const fs::path data = dir / "data";
  auto server = testing::ServerProcess::Start(data);
  ASSERT_NE(server, nullptr);
  Api admin(*server);

  // Keys endpoints: the key once, in create's reply.
  const std::string ops_key = CreateKey(admin, "ops1", "operator");
  ASSERT_EQ(ops_key.size(), 43u);
  const std::string viewer_key = CreateKey(admin, "viewer1", "viewer");
  ASSERT_FALSE(viewer_key.empty());
  Reply r = admin.PostJson("/api/keys/v1/create", {{"name", "ops1"}, {"role", "viewer"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.message(), "ILLEGAL_ARGUMENT: name") << "names are never reused";
  EXPECT_EQ(admin.PostJson("/api/keys/v1/create", {{"name", "x y"}, {"role", "root"}}).message(),
            "ILLEGAL_ARGUMENT: name,role");
  EXPECT_EQ(admin.PostJson("/api/keys/v1/create", json::object()).message(), "MISSING_ARGUMENT: name,role");

  // Changes by the operator key, one of each kind.
  Api ops(server->base_url(), ops_key);
  const std::string token = ops.Enrol(SharedFace("obama/1.jpg"));
  ASSERT_FALSE(token.empty());
  ASSERT_EQ(ops.PostJson("/api/group/v1/create", {{"group_name", "audit_grp"}}).status, 200);
  ASSERT_EQ(ops.PostJson("/api/group/v1/bind", {{"group_name", "audit_grp"}, {"face_token", token}}).status, 200);
  ASSERT_EQ(ops.PostJson("/api/group/v1/unbind", {{"group_name", "audit_grp"}, {"face_token", token}}).status, 200);
  EXPECT_EQ(ops.PostJson("/api/group/v1/unbind", {{"group_name", "audit_grp"}, {"face_token", token}}).code(), 104303);
  ASSERT_EQ(ops.PostJson("/api/face/v1/delete", {{"face_token", token}}).status, 200);
  ASSERT_EQ(ops.PostJson("/api/group/v1/delete", {{"group_name", "audit_grp"}}).status, 200);
  Reply cfg = admin.Get("/api/service/config/v1");
  ASSERT_EQ(cfg.status, 200) << cfg.body;
  const std::string threshold = cfg.data()["recognize_threshold"].dump();
  Reply set = admin.PostForm("/api/service/config/v1", {{"recognize_threshold", threshold, ""}});
  ASSERT_EQ(set.status, 200) << set.body;
  // Refusals: a viewer may not read the audit log nor write.
  EXPECT_EQ(Api(server->base_url(), viewer_key).Get("/api/audit/v1").status, 403);
  EXPECT_EQ(Api(server->base_url(), viewer_key).PostJson("/api/keys/v1/revoke", {{"name", "ops1"}}).status, 403);

  // The list never shows a key.
  Reply list = admin.Get("/api/keys/v1/list");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.body.find(ops_key), std::string::npos);
  std::map<std::string, json> by_name;
  for (const json& k : list.data()["keys"]) by_name[k["name"]] = k;
  ASSERT_TRUE(by_name.count("ops1") && by_name.count("admin") && by_name.count("viewer1")) << list.body;
  EXPECT_EQ(by_name["ops1"]["role"], "operator");
  EXPECT_FALSE(by_name["ops1"].contains("key"));
  EXPECT_FALSE(by_name["ops1"]["revoked"].get<bool>());

  // Revocation holds from the next request on.
  EXPECT_EQ(ops.Get("/api/group/v1/list").status, 200);
  ASSERT_EQ(admin.PostJson("/api/keys/v1/revoke", {{"name", "ops1"}}).status, 200);
  Reply refused = ops.Get("/api/group/v1/list");
  EXPECT_EQ(refused.status, 401) << refused.body;
  EXPECT_EQ(refused.code(), 104401);
  EXPECT_EQ(admin.PostJson("/api/keys/v1/revoke", {{"name", "ops1"}}).message(), "ILLEGAL_ARGUMENT: name");
  EXPECT_EQ(admin.PostJson("/api/keys/v1/revoke", json::object()).message(), "MISSING_ARGUMENT: name");
  list = admin.Get("/api/keys/v1/list");
  for (const json& k : list.data()["keys"])
    if (k["name"] == "ops1") EXPECT_TRUE(k["revoked"].get<bool>()) << list.body;

  // The audit log: a row per change, with the right key, role and targets.
  const std::vector<json> rows = AllRows(admin, 1000);
  auto expect_row = [&](const std::string& endpoint, const std::string& target, const std::string& key,
                        int code = 0) {
    SCOPED_TRACE(endpoint + " " + target);
    const json* row = Find(rows, endpoint, target, code);
    ASSERT_NE(row, nullptr) << json(rows).dump(1);
    EXPECT_EQ((*row)["key_name"], key);
    EXPECT_EQ((*row)["source_ip"], "127.0.0.1");
    EXPECT_GT((*row)["time"].get<int64_t>(), 0);
    const std::string role = code == 104401 ? "" : key == "ops1" ? "operator" : key == "viewer1" ? "viewer" : "admin";
    EXPECT_EQ((*row)["role"], role);
  };
  expect_row("POST /api/keys/v1/create", "key=ops1", "admin");
  expect_row("POST /api/keys/v1/create", "key=ops1", "admin", 104001);  // the refused second one
  expect_row("POST /api/face/v1/add", "face_token=" + token, "ops1");
  expect_row("POST /api/group/v1/create", "group_name=audit_grp", "ops1");
  expect_row("POST /api/group/v1/bind", "group_name=audit_grp,face_token=" + token, "ops1");
  expect_row("POST /api/group/v1/unbind", "face_token=" + token, "ops1");
  expect_row("POST /api/group/v1/unbind", "face_token=" + token, "ops1", 104303);
  expect_row("POST /api/face/v1/delete", "face_token=" + token, "ops1");
  expect_row("POST /api/group/v1/delete", "group_name=audit_grp", "ops1");
  expect_row("POST /api/service/config/v1", "recognize_threshold=", "admin");
  expect_row("POST /api/keys/v1/revoke", "key=ops1", "admin");
  expect_row("GET /api/audit/v1", "", "viewer1", 104403);
  expect_row("GET /api/group/v1/list", "", "ops1", 104401);  // the revoked key, named, no role
  // Reads are not changes: no rows for them.
  EXPECT_EQ(Find(rows, "GET /api/keys/v1/list"), nullptr);
  EXPECT_EQ(Find(rows, "GET /api/service/config/v1"), nullptr);

  // Paging: every row once, in (time, id) order, whatever the page size.
  for (int limit : {1, 3, 7}) {
    std::vector<json> paged = AllRows(admin, limit);
    ASSERT_EQ(paged.size(), rows.size()) << limit;
    std::set<int64_t> ids;
    for (size_t i = 0; i < paged.size(); ++i) {
      ids.insert(paged[i]["id"].get<int64_t>());
      if (i > 0) EXPECT_LE(paged[i - 1]["time"].get<int64_t>(), paged[i]["time"].get<int64_t>());
    }
    EXPECT_EQ(ids.size(), rows.size());
  }
  const int64_t t0 = rows.front()["time"], t_last = rows.back()["time"];
  Reply ranged = admin.Get("/api/audit/v1?from=" + std::to_string(t_last + 1) + "&to=" + std::to_string(t_last + 2));
  EXPECT_TRUE(ranged.data()["rows"].empty()) << ranged.body;
  ranged = admin.Get("/api/audit/v1?from=" + std::to_string(t0) + "&to=" + std::to_string(t0 + 1));
  EXPECT_FALSE(ranged.data()["rows"].empty()) << ranged.body;
  EXPECT_EQ(admin.Get("/api/audit/v1?limit=0").message(), "ILLEGAL_ARGUMENT: limit");
  EXPECT_EQ(admin.Get("/api/audit/v1?limit=1001&from=x&cursor=zz").message(), "ILLEGAL_ARGUMENT: from,limit,cursor");

  const std::string admin_key = server->api_key();
  ASSERT_EQ(server->Stop(), 0);

  // `facepass audit` reads the same rows from the stopped server's directory.
  const fs::path out = dir / "audit.out", err = dir / "audit.err";
  ASSERT_EQ(RunCli("audit --data-dir " + data.string() + " --limit 5", out, err), 0) << ReadFile(err);
  const std::string page1 = ReadFile(out);
  EXPECT_NE(page1.find("ops1"), std::string::npos) << page1;
  const std::string note = ReadFile(err);
  const size_t at = note.find("--cursor ");
  ASSERT_NE(at, std::string::npos) << note;
  const std::string cursor = note.substr(at + 9, note.find('\n', at) - at - 9);
  ASSERT_EQ(RunCli("audit --data-dir " + data.string() + " --limit 1000 --cursor " + cursor, out, err), 0)
      << ReadFile(err);
  EXPECT_NE(ReadFile(out).find("POST /api/keys/v1/revoke"), std::string::npos) << ReadFile(out);

  // No key in clear anywhere: database, WAL, server log, CLI output.
  for (const fs::path& f : {data / "facepass.db", data / "facepass.db-wal", server->log_path(), out}) {
    if (!fs::exists(f)) continue;
    const std::string bytes = ReadFile(f);
    for (const std::string* key : {&ops_key, &viewer_key, &admin_key})
      EXPECT_EQ(bytes.find(*key), std::string::npos) << f;
  }
  RemoveUnlessFailed(dir);
}

// Every endpoint of the permission table against the real server's routes:
// no key and a revoked key get 401, a role the table refuses gets 403, a
// role it allows gets past auth (whatever the handler then says about the
// empty request). Each endpoint calls from its own loopback address so the
// failure limiter never answers 429.
TEST(AuditE2E, EndpointMatrixThroughTheRealServer) {
  FP_REQUIRE_SHARED_AND_MODELS();
  const fs::path dir = testing::MakeTempDir("facepass-matrix");
  auto server = testing::ServerProcess::Start(dir / "data");
  ASSERT_NE(server, nullptr);
  Api admin(*server);
  std::map<std::string, std::string> keys;
  for (const char* role : {"admin", "operator", "device", "viewer"}) keys[role] = CreateKey(admin, std::string(role) + "_m", role);
  keys["revoked"] = CreateKey(admin, "revoked_m", "admin");
  ASSERT_EQ(admin.PostJson("/api/keys/v1/revoke", {{"name", "revoked_m"}}).status, 200);

  int n = 0;
  for (const auth::EndpointPermission& p : auth::PermissionTable()) {
    const std::string method(p.method), path(p.path);
    SCOPED_TRACE(method + " " + path);
    client::HttpOptions o;
    o.source_ip = "127.0.0." + std::to_string(10 + n++);
    auto call = [&](const std::string& key) {
      o.api_key = key;
      client::HttpClient c(o);
      auto r = method == "GET" ? c.Get(server->base_url() + path) : c.PostJson(server->base_url() + path, "{}");
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      return r.ok() ? r->status : 0;
    };
    if (p.public_prefix) {  // the console (issue 11): served without a key; /console redirects to /console/
      for (const char* key : {"", "revoked", "viewer"}) {
        const long status = call(*key ? keys[key] : "");
        EXPECT_TRUE(status == 200 || status == 301) << key << " " << status;
      }
      continue;
    }
    EXPECT_EQ(call(""), 401);
    EXPECT_EQ(call(keys["revoked"]), 401);
    for (const char* role : {"admin", "operator", "device", "viewer"}) {
      SCOPED_TRACE(role);
      const long status = call(keys[role]);
      if (auth::Allowed(*auth::ParseRole(role), method, path)) {
        EXPECT_NE(status, 401);
        EXPECT_NE(status, 403);
        EXPECT_NE(status, 404) << "in the permission table but not a route";
        EXPECT_NE(status, 405);
      } else {
        EXPECT_EQ(status, 403);
      }
    }
  }
  ASSERT_EQ(server->Stop(), 0);
  const std::string log = ReadFile(server->log_path());
  for (const auto& [name, key] : keys) EXPECT_EQ(log.find(key), std::string::npos) << name;
  RemoveUnlessFailed(dir);
}

}  // namespace
}  // namespace facepass::e2e
