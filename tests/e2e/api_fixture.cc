#include "e2e/api_fixture.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "http/test_http_client.h"

namespace facepass::e2e {

using nlohmann::json;

namespace {

// Requests go through the HTTP tests' libcurl client; one per call, since the
// e2e tests share an Api between threads and that client is one-per-thread.
constexpr long kTimeoutMs = 120000;  // enrolments under sanitizers are slow

Reply ToReply(const http::TestResponse& t) {
  Reply r;
  if (!t.ok()) return r;  // status 0: the exchange failed
  r.status = t.status;
  r.body = t.body;
  for (const auto& [name, value] : t.headers) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    r.headers.emplace_back(lower, value);
  }
  r.content_type = r.Header("content-type");
  if (r.content_type.rfind("application/json", 0) == 0) r.json = json::parse(r.body, nullptr, false);
  return r;
}

// One client per call (see above), carrying the key.
template <typename F>
Reply Call(const std::string& base, const std::string& api_key, F&& request) {
  http::TestHttpClient c(base, kTimeoutMs);
  c.set_api_key(api_key);
  return ToReply(request(c));
}

std::string SharedDir() {
  const char* env = std::getenv("FACEPASS_SHARED_DIR");
  return env ? env : FACEPASS_SHARED_DIR;
}

}  // namespace

std::string Reply::Header(const std::string& lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return v;
  }
  return "";
}

Reply Api::Get(const std::string& path_and_query) const {
  return Call(base_, api_key_, [&](http::TestHttpClient& c) { return c.Get(path_and_query); });
}

Reply Api::PostRaw(const std::string& path, const std::string& body, const std::string& content_type) const {
  return Call(base_, api_key_, [&](http::TestHttpClient& c) { return c.Send("POST", path, body, content_type); });
}

Reply Api::PostJson(const std::string& path, const json& body) const {
  return Call(base_, api_key_, [&](http::TestHttpClient& c) { return c.PostJson(path, body); });
}

Reply Api::PostForm(const std::string& path, const std::vector<Part>& parts) const {
  std::vector<http::TestPart> test_parts;
  for (const Part& p : parts) {
    test_parts.push_back(p.filename.empty() ? http::TestPart::Field(p.name, p.data)
                                            : http::TestPart::File(p.name, p.filename, p.data));
  }
  return Call(base_, api_key_, [&](http::TestHttpClient& c) { return c.PostMultipart(path, test_parts); });
}

Reply Api::AddFace(const std::string& image_bytes) const {
  return PostForm("/api/face/v1/add", {{"image", image_bytes, "face.jpg"}});
}

std::string Api::Enrol(const std::string& image_bytes) const {
  Reply r = AddFace(image_bytes);
  EXPECT_EQ(r.status, 200) << r.body;
  if (r.status != 200 || !r.json.is_object()) return "";
  return r.data().value("face_token", std::string());
}

Reply Api::Recognize(const std::string& group, const std::vector<std::pair<int, std::string>>& tracks) const {
  json faces = json::array();
  std::vector<Part> parts = {{"group_name", group, ""}};
  for (const auto& [id, bytes] : tracks) {
    faces.push_back({{"track_id", id}});
    parts.push_back({"image_" + std::to_string(id), bytes, "capture.jpg"});
  }
  parts.insert(parts.begin() + 1, Part{"face_data", json{{"faces", faces}}.dump(), ""});
  return PostForm("/api/service/recognize/v1", parts);
}

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return "";
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool HaveSharedFaces() { return std::filesystem::exists(SharedDir() + "/faces/faces.csv"); }
bool HaveModels() {
  return std::filesystem::exists(std::filesystem::path(FACEPASS_MODELS_DIR) / "blazeface.onnx");
}
std::string SharedFace(const std::string& relative) { return ReadFile(SharedDir() + "/faces/" + relative); }

std::string GreyJpeg(int width, int height) {
  cv::Mat m(height, width, CV_8UC3, cv::Scalar(128, 128, 128));
  std::vector<uchar> out;
  cv::imencode(".jpg", m, out);
  return std::string(out.begin(), out.end());
}

std::string ResizedJpeg(const std::string& bytes, int width, int height) {
  cv::Mat m = cv::imdecode(std::vector<uchar>(bytes.begin(), bytes.end()), cv::IMREAD_COLOR);
  cv::Mat r;
  cv::resize(m, r, cv::Size(width, height), 0, 0, cv::INTER_AREA);
  std::vector<uchar> out;
  cv::imencode(".jpg", r, out);
  return std::string(out.begin(), out.end());
}

void RemoveUnlessFailed(const std::filesystem::path& dir) {
  if (::testing::Test::HasFailure()) return;
  std::error_code ec;
  const std::string prefix = dir.filename().string() + ".server-";
  for (const auto& e : std::filesystem::directory_iterator(dir.parent_path(), ec)) {
    if (e.path().filename().string().rfind(prefix, 0) == 0) std::filesystem::remove(e.path(), ec);
  }
  std::filesystem::remove_all(dir, ec);
}

}  // namespace facepass::e2e
