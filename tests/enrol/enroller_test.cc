// Enroller against a scripted HTTP socket: each connection gets the next
// canned answer, so the retry, refusal and bind paths run without a server.
#include "enrol/enroller.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <mutex>
#include <thread>

#include "support/server_process.h"

namespace facepass::enrol {
namespace {

namespace fs = std::filesystem;

std::string Answer(int status, const std::string& json, const std::string& extra_headers = "") {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(json.size()) + "\r\nConnection: close\r\n" + extra_headers + "\r\n" + json;
}

class ScriptedServer {
 public:
  explicit ScriptedServer(std::vector<std::string> answers) : answers_(std::move(answers)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a = {};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    listen(fd_, 8);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~ScriptedServer() {
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<std::string> paths() {
    std::lock_guard<std::mutex> lock(mu_);
    return paths_;
  }

 private:
  void Serve() {
    for (const std::string& answer : answers_) {
      const int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string req;
      char buf[65536];
      size_t want = std::string::npos;
      while (want == std::string::npos || req.size() < want) {
        const ssize_t n = read(c, buf, sizeof buf);
        if (n <= 0) break;
        req.append(buf, static_cast<size_t>(n));
        const size_t end = req.find("\r\n\r\n");
        if (want == std::string::npos && end != std::string::npos) {
          const size_t cl = req.find("Content-Length: ");
          want = end + 4 + (cl < end ? std::stoul(req.substr(cl + 16)) : 0);
        }
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        paths_.push_back(req.substr(req.find(' ') + 1, req.find(' ', req.find(' ') + 1) - req.find(' ') - 1));
      }
      (void)!write(c, answer.data(), answer.size());
      close(c);
    }
  }

  std::vector<std::string> answers_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> paths_;
};

const std::string kAdded = R"({"code":0,"message":"","data":{"face_token":"TOK","image_id":"IMG"}})";

class EnrollerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("enrol-client");
    photo_ = (dir_ / "p.jpg").string();
    std::ofstream(photo_, std::ios::binary) << "\xFF\xD8\xFF fake jpeg";
  }
  void TearDown() override { fs::remove_all(dir_); }
  EnrolTarget Target(const ScriptedServer& s, bool bind = false) {
    EnrolTarget t;
    t.server = s.url();
    t.group = "staff";
    t.bind = bind;
    return t;
  }
  fs::path dir_;
  std::string photo_;
};

TEST_F(EnrollerTest, A503IsRetriedAfterTheServersRetryAfter) {
  ScriptedServer s({Answer(503, R"({"code":105003,"message":"SERVICE_BUSY","data":{}})", "Retry-After: 1\r\n"),
                    Answer(200, kAdded)});
  Enroller e(Target(s), nullptr);
  const auto t0 = std::chrono::steady_clock::now();
  const Row r = e.EnrolFile(photo_, nullptr);
  const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(r.outcome, "enrolled") << r.reason;
  EXPECT_EQ(r.face_token, "TOK");
  EXPECT_EQ(r.image_id, "IMG");
  EXPECT_GE(waited, 0.9);
  EXPECT_EQ(s.paths(), (std::vector<std::string>{"/api/face/v1/add", "/api/face/v1/add"}));
}

TEST_F(EnrollerTest, AJudgedImageIsRefusedWithTheSpecsMessageAndOtherErrorsFail) {
  ScriptedServer s({Answer(400, R"({"code":104200,"message":"FACE_NOT_FOUND","data":{"image_id":"IMG"}})"),
                    Answer(401, R"({"code":104401,"message":"UNAUTHORIZED","data":{}})")});
  Enroller e(Target(s), nullptr);
  const Row refused = e.EnrolFile(photo_, nullptr);
  EXPECT_EQ(refused.outcome, "refused");
  EXPECT_EQ(refused.reason, "FACE_NOT_FOUND");
  EXPECT_EQ(refused.image_id, "IMG");
  const Row failed = e.EnrolFile(photo_, nullptr);
  EXPECT_EQ(failed.outcome, "failed");
  EXPECT_EQ(failed.reason, "HTTP 401 UNAUTHORIZED");
}

TEST_F(EnrollerTest, AFailedBindKeepsTheTokenAndARerunOnlyBinds) {
  ScriptedServer s({Answer(400, R"({"code":104300,"message":"GROUP_NAME_CONFLICT","data":{}})"), Answer(200, kAdded),
                    Answer(500, R"({"code":105000,"message":"INTERNAL_ERROR","data":{}})"),
                    Answer(200, R"({"code":0,"message":"","data":{}})")});
  Enroller e(Target(s, /*bind=*/true), nullptr);
  ASSERT_TRUE(e.EnsureGroup().ok()) << "an existing group is fine";
  const Row first = e.EnrolFile(photo_, nullptr);
  EXPECT_EQ(first.outcome, "failed");
  EXPECT_EQ(first.face_token, "TOK");
  EXPECT_EQ(first.reason, "bind: HTTP 500 INTERNAL_ERROR");
  const Row second = e.EnrolFile(photo_, &first);
  EXPECT_EQ(second.outcome, "enrolled") << second.reason;
  EXPECT_EQ(second.face_token, "TOK");
  EXPECT_EQ(s.paths(), (std::vector<std::string>{"/api/group/v1/create", "/api/face/v1/add", "/api/group/v1/bind",
                                                 "/api/group/v1/bind"}));
}

TEST_F(EnrollerTest, StopCutsARetryAfterWaitShort) {
  ScriptedServer s({Answer(503, R"({"code":105003,"message":"SERVICE_BUSY","data":{}})", "Retry-After: 30\r\n")});
  std::atomic<bool> stop{false};
  Enroller e(Target(s), &stop);
  std::thread ctrl_c([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    stop = true;
  });
  const auto t0 = std::chrono::steady_clock::now();
  const Row r = e.EnrolFile(photo_, nullptr);
  ctrl_c.join();
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
  EXPECT_EQ(r.outcome, "failed") << "tried again on a rerun";
}

TEST_F(EnrollerTest, AnUnreachableServerFails) {
  EnrolTarget t;
  t.server = "http://127.0.0.1:" + std::to_string(testing::PickFreePort());
  t.offline_attempts = 1;
  Enroller e(t, nullptr);
  EXPECT_EQ(e.EnrolFile(photo_, nullptr).outcome, "failed");
}

}  // namespace
}  // namespace facepass::enrol
