// The API's handlers with no server and no models (issue 27 point 2): an App
// composed over a real SQLite store and the FakeAnalyzer, each request built
// as the HTTP layer would hand it over and sent to the handler its route names.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "api/routes.h"
#include "common/error_code.h"
#include "domain/storage.h"
#include "index/face_index.h"
#include "service/app.h"
#include "service/fake_analyzer.h"
#include "store/sqlite_storage.h"
#include "support/server_process.h"

namespace facepass::api {
namespace {

using nlohmann::json;
using service::testing::FakeAnalyzer;

class HandlersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = facepass::testing::MakeTempDir("facepass-handlers");
    auto storage = store::SqliteStorage::Open(dir_);
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    auto analyzer = std::make_unique<FakeAnalyzer>();
    analyzer_ = analyzer.get();
    service::AppOptions options;
    options.purge_interval = std::chrono::hours(24);
    auto app = service::App::Compose(std::move(*storage), std::move(analyzer), nullptr, options);
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    app_ = std::move(*app);
    routes_ = Routes(*app_);
  }
  void TearDown() override {
    routes_.clear();
    app_.reset();
    std::filesystem::remove_all(dir_);
  }

  ApiReply Send(const std::string& path, http::Request req) {
    req.method = "POST";
    req.path = path;
    req.remote_ip = "192.0.2.1";
    req.auth_key_name = "ops";
    req.auth_role = "operator";
    for (const http::Route& r : routes_)
      if (r.method == "POST" && r.path == path) return r.handler(req);
    ADD_FAILURE() << "no route " << path;
    return ApiReply::Error(errors::InternalError());
  }
  ApiReply SendJson(const std::string& path, json body) {
    http::Request req;
    req.content_type = "application/json";
    req.body = body.dump();
    req.json = std::move(body);
    return Send(path, std::move(req));
  }
  ApiReply SendPhoto(const std::string& path, const std::string& field, const std::string& photo,
                     std::vector<std::pair<std::string, std::string>> form = {}) {
    http::Request req;
    req.content_type = "multipart/form-data; boundary=x";
    req.files.push_back({field, "photo.jpg", "image/jpeg", photo});
    req.form = std::move(form);
    return Send(path, std::move(req));
  }
  std::vector<domain::AuditRecord> Audit() {
    auto page = app_->audit_repository().QueryAudit(0, INT64_MAX, 100);
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->rows : std::vector<domain::AuditRecord>{};
  }

  std::filesystem::path dir_;
  FakeAnalyzer* analyzer_ = nullptr;
  std::unique_ptr<service::App> app_;
  std::vector<http::Route> routes_;
};

TEST_F(HandlersTest, EnrolBindAndRecognise) {
  ApiReply added = SendPhoto("/api/face/v1/add", "image", analyzer_->PhotoOf("alice"), {{"label", "Alice"}});
  ASSERT_EQ(added.code, 0) << added.data.dump();
  const std::string token = added.data.value("face_token", "");
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(added.data["label"], "Alice");
  ASSERT_EQ(SendJson("/api/group/v1/create", {{"group_name", "staff_a"}}).code, 0);
  ASSERT_EQ(SendJson("/api/group/v1/bind", {{"group_name", "staff_a"}, {"face_token", token}}).code, 0);

  ApiReply seen = SendPhoto("/api/service/recognize/v1", "image_1", analyzer_->PhotoNear("alice", 0.9f),
                            {{"group_name", "staff_a"}, {"face_data", R"({"faces":[{"track_id":1}]})"}});
  ASSERT_EQ(seen.code, 0) << seen.data.dump();
  ASSERT_EQ(seen.data["results"].size(), 1u);
  EXPECT_EQ(seen.data["results"][0]["face_token"], token);
  EXPECT_EQ(seen.data["results"][0]["label"], "Alice");
  EXPECT_TRUE(seen.data["results"][0]["passed"].get<bool>());

  // One row per change, each committed with it, the face add's naming what it made.
  auto rows = Audit();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].endpoint, "POST /api/face/v1/add");
  EXPECT_NE(rows[0].targets.find("face_token=" + token), std::string::npos) << rows[0].targets;
  EXPECT_EQ(rows[1].targets, "group_name=staff_a");
  EXPECT_EQ(rows[2].endpoint, "POST /api/group/v1/bind");
  for (const auto& r : rows) {
    EXPECT_EQ(r.result_code, 0);
    EXPECT_EQ(r.key_name, "ops");
  }
}

TEST_F(HandlersTest, RefusalsAnswerTheSpecsCodesAndLeaveARow) {
  ApiReply no_face = SendPhoto("/api/face/v1/add", "image", analyzer_->PhotoWithoutFace());
  EXPECT_EQ(no_face.code, static_cast<int>(ErrorCode::kFaceNotFound));
  EXPECT_TRUE(no_face.data.contains("image_id"));  // the original is kept
  ApiReply no_group = SendJson("/api/group/v1/bind", {{"group_name", "nobody_here"}, {"face_token", "x"}});
  EXPECT_NE(no_group.code, 0);
  ApiReply bad = SendJson("/api/group/v1/create", {{"group_name", "a b"}});
  EXPECT_EQ(bad.code, static_cast<int>(ErrorCode::kIllegalArgument));
  auto rows = Audit();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].result_code, no_face.code);
  EXPECT_EQ(rows[1].result_code, no_group.code);
  EXPECT_EQ(rows[2].result_code, bad.code);
}

}  // namespace
}  // namespace facepass::api
