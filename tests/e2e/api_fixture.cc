#include "e2e/api_fixture.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace facepass::e2e {

using nlohmann::json;

namespace {

size_t CollectBody(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

size_t CollectHeader(char* data, size_t size, size_t n, void* out) {
  std::string line(data, size * n);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    static_cast<std::vector<std::pair<std::string, std::string>>*>(out)->emplace_back(name, value);
  }
  return size * n;
}

// One request; `setup` adds the method-specific options.
template <typename Setup>
Reply Perform(const std::string& url, Setup setup) {
  Reply r;
  CURL* curl = curl_easy_init();
  if (!curl) return r;
  curl_slist* headers = nullptr;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 120L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, CollectBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, CollectHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r.headers);
  curl_mime* mime = setup(curl, &headers);
  if (headers) curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
    r.content_type = r.Header("content-type");
    if (r.content_type.rfind("application/json", 0) == 0) r.json = json::parse(r.body, nullptr, false);
  }
  if (mime) curl_mime_free(mime);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return r;
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
  return Perform(base_ + path_and_query, [](CURL*, curl_slist**) -> curl_mime* { return nullptr; });
}

Reply Api::PostRaw(const std::string& path, const std::string& body, const std::string& content_type) const {
  return Perform(base_ + path, [&](CURL* c, curl_slist** h) -> curl_mime* {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    *h = curl_slist_append(*h, ("Content-Type: " + content_type).c_str());
    return nullptr;
  });
}

Reply Api::PostJson(const std::string& path, const json& body) const {
  return PostRaw(path, body.dump(), "application/json");
}

Reply Api::PostForm(const std::string& path, const std::vector<Part>& parts) const {
  return Perform(base_ + path, [&](CURL* c, curl_slist**) -> curl_mime* {
    curl_mime* mime = curl_mime_init(c);
    for (const Part& p : parts) {
      curl_mimepart* part = curl_mime_addpart(mime);
      curl_mime_name(part, p.name.c_str());
      curl_mime_data(part, p.data.data(), p.data.size());
      if (!p.filename.empty()) curl_mime_filename(part, p.filename.c_str());
    }
    curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
    return mime;
  });
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

}  // namespace facepass::e2e
