// Issue 10 through the real `facepass serve`: auth is on by default, the
// bootstrap admin.key works, a device key made by `facepass keys create`
// recognises but may not delete, --device-networks lets a keyless gate in by
// its address, --auth off serves without keys, and bad flags exit 2.
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdlib>

#include "client/http_client.h"
#include "e2e/api_fixture.h"

namespace facepass::e2e {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

int RunCli(const std::string& args, const fs::path& log) {
  const std::string cmd = testing::ServerBinary().string() + " " + args + " >" + log.string() + " 2>&1";
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

// The device SDK's recognise request (one track) from a source address.
client::HttpResponse RecognizeFrom(const testing::ServerProcess& server, const std::string& source_ip,
                                   const std::string& api_key, const std::string& photo) {
  client::HttpOptions o;
  o.source_ip = source_ip;
  o.api_key = api_key;
  const json face_data = {{"faces", json::array({{{"track_id", 1}}})}};
  Result<client::HttpResponse> r = client::HttpClient(o).PostMultipart(
      server.base_url() + "/api/service/recognize/v1",
      {{"group_name", "gate", "", ""}, {"face_data", face_data.dump(), "", ""}, {"image_1", photo, "c.jpg", "image/jpeg"}});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : client::HttpResponse{};
}

int Code(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  return j.is_object() ? j.value("code", -1) : -1;
}

TEST(AuthE2E, KeysRolesDeviceNetworksAndAuthOff) {
  FP_REQUIRE_SHARED_AND_MODELS();
  const fs::path dir = testing::MakeTempDir("facepass-auth");
  const fs::path data = dir / "data";
  std::string token;
  {
    auto server = testing::ServerProcess::Start(data);
    ASSERT_NE(server, nullptr);
    // First start: admin.key, 0600, named in the log, the key itself never logged.
    ASSERT_FALSE(server->api_key().empty());
    struct stat st {};
    ASSERT_EQ(stat((data / "admin.key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    const std::string log = ReadFile(server->log_path());
    EXPECT_NE(log.find("admin.key"), std::string::npos) << log;
    EXPECT_EQ(log.find(server->api_key()), std::string::npos) << "the key must not reach the log";

    Reply none = Api(server->base_url()).Get("/api/group/v1/list");
    EXPECT_EQ(none.status, 401) << none.body;
    EXPECT_EQ(none.code(), 104401) << none.body;
    EXPECT_EQ(Api(server->base_url(), "not-a-key").Get("/api/group/v1/list").code(), 104401);

    Api admin(*server);
    EXPECT_EQ(admin.Get("/api/group/v1/list").status, 200);
    token = admin.Enrol(SharedFace("obama/1.jpg"));
    ASSERT_FALSE(token.empty());
    ASSERT_EQ(admin.PostJson("/api/group/v1/create", {{"group_name", "gate"}}).status, 200);
    ASSERT_EQ(admin.PostJson("/api/group/v1/bind", {{"group_name", "gate"}, {"face_token", token}}).status, 200);
    ASSERT_EQ(server->Stop(), 0);
  }
  // A device key, made by the CLI on the stopped server's data directory.
  const fs::path key_file = dir / "gate1.key";
  ASSERT_EQ(RunCli("keys --data-dir " + data.string() + " create --role device --name gate1 --out " +
                       key_file.string(),
                   dir / "keys.log"),
            0)
      << ReadFile(dir / "keys.log");
  const std::string device_key = FirstLine(ReadFile(key_file));
  ASSERT_FALSE(device_key.empty());
  const std::string photo = SharedFace("obama/4.jpg");
  {
    auto server = testing::ServerProcess::Start(data);
    ASSERT_NE(server, nullptr);
    client::HttpResponse r = RecognizeFrom(*server, "", device_key, photo);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(Code(r.body), 0) << r.body;
    EXPECT_NE(r.body.find(token), std::string::npos) << r.body;
    Reply del = Api(server->base_url(), device_key).PostJson("/api/face/v1/delete", {{"face_token", token}});
    EXPECT_EQ(del.status, 403) << del.body;
    EXPECT_EQ(del.code(), 104403) << del.body;
    EXPECT_EQ(Api(*server).PostJson("/api/face/v1/query", {{"face_token", token}}).status, 200) << "not deleted";
    // Without a key, 127.0.0.2 is just another stranger.
    EXPECT_EQ(RecognizeFrom(*server, "127.0.0.2", "", photo).status, 401);
    ASSERT_EQ(server->Stop(), 0);
  }
  {
    auto server = testing::ServerProcess::Start(data, {"--device-networks", "127.0.0.0/8"});
    ASSERT_NE(server, nullptr);
    client::HttpResponse r = RecognizeFrom(*server, "127.0.0.2", "", photo);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_NE(r.body.find(token), std::string::npos) << r.body;
    // The network grants the device role only.
    Reply del = Api(server->base_url()).PostJson("/api/face/v1/delete", {{"face_token", token}});
    EXPECT_EQ(del.status, 403) << del.body;
    ASSERT_EQ(server->Stop(), 0);
  }
  {
    auto server = testing::ServerProcess::Start(data, {"--auth", "off"});
    ASSERT_NE(server, nullptr);
    Api keyless(server->base_url());
    EXPECT_EQ(keyless.Get("/api/group/v1/list").status, 200);
    EXPECT_EQ(RecognizeFrom(*server, "", "", photo).status, 200);
    EXPECT_NE(ReadFile(server->log_path()).find("--auth off"), std::string::npos) << "the start-up warning";
    ASSERT_EQ(server->Stop(), 0);
  }
  // Bad flags are refused before anything starts.
  EXPECT_EQ(RunCli("serve --data-dir " + data.string() + " --device-networks 10.0.0.0/33", dir / "bad.log"), 2);
  EXPECT_NE(ReadFile(dir / "bad.log").find("--device-networks"), std::string::npos) << ReadFile(dir / "bad.log");
  EXPECT_EQ(RunCli("serve --data-dir " + data.string() + " --tls-cert " + key_file.string(), dir / "tls.log"), 2)
      << ReadFile(dir / "tls.log");
  RemoveUnlessFailed(dir);
}

}  // namespace
}  // namespace facepass::e2e
