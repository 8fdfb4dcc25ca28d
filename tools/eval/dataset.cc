#include "dataset.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

namespace facepass::eval {
namespace fs = std::filesystem;

Result<std::vector<Photo>> ListLfw(const fs::path& root) {
  std::vector<Photo> out;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return Status::NotFound("no such folder: " + root.string());
  for (const auto& person : fs::directory_iterator(root, ec)) {
    if (!person.is_directory()) continue;
    for (const auto& f : fs::directory_iterator(person.path(), ec)) {
      if (f.path().extension() != ".jpg") continue;
      Photo p;
      p.identity = person.path().filename().string();
      p.path = p.identity + "/" + f.path().filename().string();
      out.push_back(std::move(p));
    }
  }
  if (ec) return Status::IoError("listing " + root.string() + ": " + ec.message());
  std::sort(out.begin(), out.end(), [](const Photo& a, const Photo& b) { return a.path < b.path; });
  return out;
}

Result<std::vector<Photo>> ListFaces(const fs::path& root) {
  std::ifstream list(root / "faces.csv");
  if (!list) return Status::NotFound("no faces.csv in " + root.string());
  std::vector<Photo> out;
  std::string line;
  std::getline(list, line);  // header
  while (std::getline(list, line)) {
    std::stringstream ss(line);
    Photo p;
    std::string n;
    std::getline(ss, p.path, ',');
    std::getline(ss, p.identity, ',');
    std::getline(ss, n, ',');
    if (p.path.empty()) continue;
    try {
      p.expected_faces = std::stoi(n);
    } catch (const std::exception&) {
      return Status::InvalidArgument("faces.csv: bad face count in: " + line);
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {

// Short label of the gate: "yaw=27.4>20" -> "yaw".
std::string GateName(const std::string& gate) { return gate.substr(0, gate.find_first_of("=<>")); }

Status ExtractOne(const vision::Engine& engine, const fs::path& root, Photo* p) {
  std::string bytes = ReadFile(root / p->path);
  auto a = engine.Analyze(bytes, vision::Purpose::kEnrol, {.embed = true, .liveness = true});
  if (!a.ok()) return Status::Internal(p->path + ": " + a.status().message());
  if (a->verdict != vision::ImageVerdict::kOk) {
    p->refusal = vision::VerdictName(a->verdict);
    return Status::OK();
  }
  if (!a->best) {
    p->refusal = "no_face";
    return Status::OK();
  }
  p->found = true;
  p->faces = int(a->faces.size());
  p->rect = a->best->face.rect;
  p->feature = a->best->feature;
  p->liveness = a->best->liveness.value_or(-1.f);
  if (auto gate = vision::FirstFailedGate(a->best->quality)) p->refusal = GateName(*gate);
  return Status::OK();
}

// Cache: a text header (search_model, count) then one record per photo.
constexpr const char* kMagic = "facepass-eval-cache-v2";

void WriteStr(std::ostream& o, const std::string& s) {
  uint32_t n = uint32_t(s.size());
  o.write(reinterpret_cast<const char*>(&n), sizeof n);
  o.write(s.data(), n);
}
bool ReadStr(std::istream& in, std::string* s) {
  uint32_t n = 0;
  if (!in.read(reinterpret_cast<char*>(&n), sizeof n) || n > (1u << 20)) return false;
  s->resize(n);
  return bool(in.read(s->data(), n));
}

bool LoadCache(const fs::path& cache, const std::string& model, std::vector<Photo>* photos) {
  std::ifstream in(cache, std::ios::binary);
  std::string magic, stored_model;
  uint64_t count = 0;
  if (!in || !ReadStr(in, &magic) || magic != kMagic || !ReadStr(in, &stored_model) || stored_model != model ||
      !in.read(reinterpret_cast<char*>(&count), sizeof count) || count != photos->size())
    return false;
  for (Photo& p : *photos) {
    std::string path;
    uint8_t found = 0;
    uint32_t dim = 0;
    if (!ReadStr(in, &path) || path != p.path || !in.read(reinterpret_cast<char*>(&found), 1) ||
        !ReadStr(in, &p.refusal) || !in.read(reinterpret_cast<char*>(&p.liveness), sizeof p.liveness) ||
        !in.read(reinterpret_cast<char*>(&p.faces), sizeof p.faces) ||
        !in.read(reinterpret_cast<char*>(&p.rect), sizeof p.rect) ||
        !in.read(reinterpret_cast<char*>(&dim), sizeof dim) || dim > 4096)
      return false;
    p.found = found != 0;
    p.feature.resize(dim);
    if (!in.read(reinterpret_cast<char*>(p.feature.data()), std::streamsize(dim * sizeof(float)))) return false;
  }
  return true;
}

void SaveCache(const fs::path& cache, const std::string& model, const std::vector<Photo>& photos) {
  std::error_code ec;
  fs::create_directories(cache.parent_path(), ec);
  std::ofstream o(cache.string() + ".tmp", std::ios::binary | std::ios::trunc);
  WriteStr(o, kMagic);
  WriteStr(o, model);
  uint64_t count = photos.size();
  o.write(reinterpret_cast<const char*>(&count), sizeof count);
  for (const Photo& p : photos) {
    WriteStr(o, p.path);
    uint8_t found = p.found;
    o.write(reinterpret_cast<const char*>(&found), 1);
    WriteStr(o, p.refusal);
    o.write(reinterpret_cast<const char*>(&p.liveness), sizeof p.liveness);
    o.write(reinterpret_cast<const char*>(&p.faces), sizeof p.faces);
    o.write(reinterpret_cast<const char*>(&p.rect), sizeof p.rect);
    uint32_t dim = uint32_t(p.feature.size());
    o.write(reinterpret_cast<const char*>(&dim), sizeof dim);
    o.write(reinterpret_cast<const char*>(p.feature.data()), std::streamsize(dim * sizeof(float)));
  }
  o.close();
  if (o) fs::rename(cache.string() + ".tmp", cache, ec);
}

}  // namespace

Status Extract(const vision::Engine& engine, const fs::path& root, std::vector<Photo>* photos, int threads,
               const fs::path& cache) {
  const std::string model = engine.search_model();
  if (!cache.empty() && LoadCache(cache, model, photos)) {
    std::fprintf(stderr, "eval: %zu photos of %s from cache %s\n", photos->size(), root.c_str(), cache.c_str());
    return Status::OK();
  }
  std::atomic<size_t> next{0}, done{0};
  std::atomic<bool> failed{false};
  Status first_error;
  std::mutex error_mu;
  auto work = [&] {
    for (size_t i; (i = next++) < photos->size() && !failed;) {
      Status s = ExtractOne(engine, root, &(*photos)[i]);
      if (!s.ok()) {
        std::lock_guard<std::mutex> lock(error_mu);
        if (!failed.exchange(true)) first_error = s;
      }
      size_t d = ++done;
      if (d % 500 == 0) std::fprintf(stderr, "eval: %s %zu/%zu\n", root.c_str(), d, photos->size());
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < std::max(1, threads); ++t) pool.emplace_back(work);
  for (auto& t : pool) t.join();
  if (failed) return first_error;
  if (!cache.empty()) SaveCache(cache, model, *photos);
  return Status::OK();
}

}  // namespace facepass::eval
