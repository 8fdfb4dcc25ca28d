// Writes the seed corpora of the harnesses: make_seeds OUT_DIR [FACES_DIR].
// Real requests and streams made by the project's own encoders, small images
// made with OpenCV (every format, colour type, orientation, a progressive
// JPEG, the hostile files of issue 13 scaled down), the first KB of the dev
// photos when present, and truncations of each. Nothing here is committed:
// scripts/fuzz.sh generates the seeds into its build directory.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "hostile_images.h"
#include "store/token_cipher.h"
#include "sync/sync_codec.h"

namespace fs = std::filesystem;
using namespace facepass;

namespace {

struct Corpus {
  fs::path dir;
  int n = 0;
  void Add(const std::string& bytes) {
    std::ofstream(dir / ("seed_" + std::to_string(n++)), std::ios::binary) << bytes;
  }
  // The seed and a few of its prefixes: truncation is the commonest damage.
  void AddWithCuts(const std::string& bytes) {
    Add(bytes);
    for (size_t cut : {bytes.size() / 2, bytes.size() * 9 / 10, size_t(64)})
      if (cut < bytes.size()) Add(bytes.substr(0, cut));
  }
};

std::string Enc(const cv::Mat& m, const char* ext, std::vector<int> params = {}) {
  std::vector<uchar> buf;
  cv::imencode(ext, m, buf, params);
  return std::string(buf.begin(), buf.end());
}

std::string WithExif(const std::string& jpeg, int orientation, bool big_endian) {
  std::string t;
  auto u16 = [&](int v) {
    if (big_endian) { t += char((v >> 8) & 0xFF); t += char(v & 0xFF); }
    else { t += char(v & 0xFF); t += char((v >> 8) & 0xFF); }
  };
  auto u32 = [&](uint32_t v) {
    if (big_endian) { u16(int(v >> 16)); u16(int(v & 0xFFFF)); }
    else { u16(int(v & 0xFFFF)); u16(int(v >> 16)); }
  };
  t += big_endian ? "MM" : "II";
  u16(42); u32(8); u16(1); u16(0x0112); u16(3); u32(1); u16(orientation); u16(0); u32(0);
  std::string body = std::string("Exif\0\0", 6) + t;
  size_t len = body.size() + 2;
  std::string seg = "\xFF\xE1";
  seg += char((len >> 8) & 0xFF);
  seg += char(len & 0xFF);
  return jpeg.substr(0, 2) + seg + body + jpeg.substr(2);
}

void ImageSeeds(Corpus& c, const fs::path& faces) {
  cv::Mat rgb(48, 64, CV_8UC3), grey(40, 40, CV_8UC1), rgba(36, 52, CV_8UC4), deep(32, 32, CV_16UC3);
  cv::randu(rgb, 0, 255);
  cv::randu(grey, 0, 255);
  cv::randu(rgba, 0, 255);
  cv::randu(deep, 0, 65535);
  std::string jpeg = Enc(rgb, ".jpg", {cv::IMWRITE_JPEG_QUALITY, 70});
  c.AddWithCuts(jpeg);
  c.AddWithCuts(Enc(grey, ".jpg"));
  c.AddWithCuts(Enc(rgb, ".jpg", {cv::IMWRITE_JPEG_PROGRESSIVE, 1}));
  for (int o = 1; o <= 8; ++o) c.Add(WithExif(jpeg, o, o % 2 == 0));
  for (const cv::Mat* m : {&rgb, &grey, &rgba, &deep}) c.AddWithCuts(Enc(*m, ".png"));
  c.AddWithCuts(Enc(rgb, ".bmp"));
  c.Add(vision::testing::ProgressiveJpegWithScans(64, 64, 150));
  c.Add(vision::testing::PngZlibBomb(64, 64, 1 << 20));
  c.Add(vision::testing::PngZlibBomb(128, 128, 128 * (1 + 3 * 128)));
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(faces, ec)) {
    std::string ext = e.path().extension().string();
    if (ext != ".jpg" && ext != ".png") continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::string head(1024, '\0');
    in.read(head.data(), head.size());
    head.resize(size_t(in.gcount()));
    c.Add(head);  // the header walk's real input: APPn, DQT, SOF, IHDR ...
  }
}

std::string Multipart(const std::string& boundary, const std::vector<std::vector<std::string>>& parts) {
  std::string b;
  for (const auto& p : parts) {
    b += "--" + boundary + "\r\n" + p[0] + "\r\n\r\n" + p[1] + "\r\n";
  }
  return b + "--" + boundary + "--\r\n";
}

void MultipartSeeds(Corpus& c) {
  std::string png = Enc(cv::Mat(8, 8, CV_8UC3, cv::Scalar(1, 2, 3)), ".png");
  c.AddWithCuts("multipart/form-data; boundary=XyZ\n" +
                Multipart("XyZ", {{"Content-Disposition: form-data; name=\"group_name\"", "gate_one"},
                                  {"Content-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n"
                                   "Content-Type: image/png", png}}));
  c.AddWithCuts("multipart/form-data; boundary=\"----WebKitFormBoundary7MA4YWxkTrZu0gW\"\n" +
                Multipart("----WebKitFormBoundary7MA4YWxkTrZu0gW",
                          {{"Content-Disposition: form-data; name=\"image_1\"; filename*=UTF-8''%C3%A9.jpg", "\xFF\xD8\xFF"},
                           {"content-disposition: form-data; name=track_id", "7"},
                           {"Content-Disposition: form-data; name=\"face_data\"\r\nContent-Type: application/json",
                            "{\"track_id\":1}"}}));
  c.Add("multipart/form-data; boundary=b\n--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n\r\n--b--");
  c.Add("multipart/form-data; boundary=b\n--b--\r\n");
}

void SyncSeeds(Corpus& c) {
  sync::SyncResult r;
  r.search_model = "fp-arcface-r100-v1";
  r.dim = 4;
  r.clear_all = true;
  r.server_time_ms = 1764650000000;
  sync::GroupPayload full{"gate_one", 7, 0, 3, sync::GroupAction::kFull, {}, {}};
  full.added.push_back({"AAAAAAAAAAAAAAAAAAAAAA==", {0.5f, 0.5f, 0.5f, 0.5f}});
  full.added.push_back({"BBBBBBBBBBBBBBBBBBBBBA==", {1, 0, 0, 0}});
  sync::GroupPayload inc{"gate_two", 8, 2, 5, sync::GroupAction::kIncremental, {}, {"AAAAAAAAAAAAAAAAAAAAAA=="}};
  inc.added.push_back({"CCCCCCCCCCCCCCCCCCCCCA==", {0, 1, 0, 0}});
  sync::GroupPayload none{"lobby", 9, 4, 4, sync::GroupAction::kNone, {}, {}};
  sync::GroupPayload keep{"gone_group", 0, 1, 0, sync::GroupAction::kKeepLocal, {}, {}};
  r.groups = {full, inc, none, keep};
  if (auto s = sync::Encode(r); s.ok()) c.AddWithCuts(*s);
  r.format = sync::kFormatV2;  // labels and float16 features
  r.groups[0].added[0].label = "Alice Smith";
  if (auto s = sync::Encode(r); s.ok()) c.AddWithCuts(*s);
  r.format = sync::kFormatV1;
  r.groups = {inc};
  r.clear_all = false;
  if (auto s = sync::Encode(r); s.ok()) c.Add(*s);
  r.groups.clear();
  r.dim = 0;
  if (auto s = sync::Encode(r); s.ok()) c.Add(*s);
}

void JsonSeeds(Corpus& c) {
  sync::SyncRequest req{"fp-arcface-r100-v1", "v1.0.0", {{"gate_one", 7, 3}, {"gate_two", 0, 0}}};
  c.Add(sync::ToJson(req).dump());
  for (const char* s : {
           R"({"group_name":"gate_one"})",
           R"({"group_name":"gate_one","face_tokens":["AAAAAAAAAAAAAAAAAAAAAA=="]})",
           R"({"face_token":"AAAAAAAAAAAAAAAAAAAAAA==","group_names":["a_b1","gate_two"]})",
           R"({"recognize_threshold":78.5,"liveness_threshold":0.5,"enable_liveness":true})",
           R"({"start":0,"length":100,"group_name":"lobby"})",
           R"({"info":{"search_model":1},"groups":[{"group_name":"x","group_id":9223372036854775807}]})",
           R"({"a":"\u00e9\ud83d\ude00","b":[1e308,-0,null,false],"c":{"d":{}}})"})
    c.Add(s);
}

void TokenSeeds(Corpus& c) {
  store::TokenCipher cipher({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
                            {21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36,
                             37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52});
  for (int64_t id : {int64_t(1), int64_t(42), int64_t(1) << 40, INT64_MAX, int64_t(-1)}) {
    c.Add(cipher.Encode(store::TokenKind::kFace, id));
    c.Add(cipher.Encode(store::TokenKind::kImage, id));
  }
  c.Add("AAAAAAAAAAAAAAAAAAAAAA==");
  c.Add("not-a-token");
}

void UrlSeeds(Corpus& c) {
  for (const char* s : {"group_name=gate_one&start=0&length=10", "a=1&b=&c&a=2", "name=%E2%82%AC+x%2",
                        "%%%=%ZZ&&==", "face_token=AAAA%3D%3D&x=%00"})
    c.Add(s);
}

// Raw requests: well-formed ones (pipelined, chunked, with a body) and the
// malformed heads of issue 13's finding 4. The first byte picks the split.
void HttpHeadSeeds(Corpus& c) {
  const std::string host = "Host: 127.0.0.1\r\n";
  for (const std::string& r : std::vector<std::string>{
           "GET /api/version/v1 HTTP/1.1\r\n" + host + "\r\n",
           "POST /api/face/v1/add HTTP/1.1\r\n" + host + "Content-Length: 5\r\n\r\nhelloGET / HTTP/1.0\r\n\r\n",
           "POST /x HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nT: 1\r\n\r\n",
           "FOO / HTTP/1.1\r\n\r\n", "GET / HTTX/1.1\r\n\r\n", "GET / HTTP/9.9\r\n\r\n",
           "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
           "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
           "GET / HTTP/1.1\r\nNoColon\r\n\r\n", "GET / HTTP/1.1\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\nraw",
           std::string("\x16\x03\x01\x00\x05hello", 10)}) {
    c.Add(std::string(1, static_cast<char>(r.size() / 2)) + r);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: make_seeds OUT_DIR [FACES_DIR]\n";
    return 2;
  }
  fs::path out = argv[1];
  fs::path faces = argc > 2 ? argv[2] : "";
  auto corpus = [&](const char* name) {
    fs::create_directories(out / name);
    return Corpus{out / name};
  };
  Corpus image = corpus("image_fuzz"), multipart = corpus("multipart_fuzz"), url = corpus("urlencoded_fuzz"),
         json = corpus("json_body_fuzz"), token = corpus("token_fuzz"), sync = corpus("sync_decode_fuzz"),
         device = corpus("device_apply_fuzz"), head = corpus("http_head_fuzz");
  ImageSeeds(image, faces);
  MultipartSeeds(multipart);
  UrlSeeds(url);
  JsonSeeds(json);
  TokenSeeds(token);
  SyncSeeds(sync);
  SyncSeeds(device);
  HttpHeadSeeds(head);
  std::cout << "make_seeds: " << image.n + multipart.n + url.n + json.n + token.n + sync.n + device.n + head.n
            << " seeds in " << out << "\n";
  return 0;
}
