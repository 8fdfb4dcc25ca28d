// Shared pieces of the end-to-end tests: one real server process per test
// binary, a JSON-aware client, the dev photos and generated images.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/server_process.h"

namespace facepass::e2e {

struct Part {
  std::string name;
  std::string data;
  std::string filename;  // empty: a text field
};

struct Reply {
  long status = 0;
  std::string body;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case names
  nlohmann::json json;  // parsed body when it is JSON, else null

  int code() const { return json.is_object() ? json.value("code", -1) : -1; }
  std::string message() const { return json.is_object() ? json.value("message", std::string()) : ""; }
  const nlohmann::json& data() const { return json.at("data"); }
  std::string Header(const std::string& lower_name) const;
};

class Api {
 public:
  // api_key: sent as "Authorization: Bearer" ("" sends none).
  explicit Api(std::string base_url, std::string api_key = "")
      : base_(std::move(base_url)), api_key_(std::move(api_key)) {}
  // The server's URL and its bootstrap admin key.
  explicit Api(const testing::ServerProcess& server) : Api(server.base_url(), server.api_key()) {}
  Reply Get(const std::string& path_and_query) const;
  Reply PostJson(const std::string& path, const nlohmann::json& body) const;
  Reply PostRaw(const std::string& path, const std::string& body, const std::string& content_type) const;
  Reply PostForm(const std::string& path, const std::vector<Part>& parts) const;

  // Convenience wrappers used by many tests.
  Reply AddFace(const std::string& image_bytes) const;
  std::string Enrol(const std::string& image_bytes) const;  // face_token or "" (and a test failure)
  Reply Recognize(const std::string& group, const std::vector<std::pair<int, std::string>>& tracks) const;

 private:
  std::string base_;
  std::string api_key_;
};

// Dev photo bytes from ../shared/faces; "" when absent.
std::string SharedFace(const std::string& relative);
bool HaveSharedFaces();
bool HaveModels();
std::string ReadFile(const std::filesystem::path& p);

// Generated images (OpenCV): a flat grey picture, a re-encoded copy, etc.
std::string GreyJpeg(int width, int height);
std::string ResizedJpeg(const std::string& bytes, int width, int height);

#define FP_REQUIRE_SHARED_AND_MODELS()                                                        \
  do {                                                                                         \
    if (!::facepass::e2e::HaveSharedFaces())                                                   \
      GTEST_SKIP() << "../shared/faces is absent (set FACEPASS_SHARED_DIR): dev photos needed"; \
    if (!::facepass::e2e::HaveModels())                                                        \
      GTEST_SKIP() << "models/ is absent: run scripts/fetch-models.sh";                        \
  } while (0)

// Removes a test data directory and the server logs beside it, unless the test failed
// (then they are kept to look at).
void RemoveUnlessFailed(const std::filesystem::path& dir);

}  // namespace facepass::e2e
