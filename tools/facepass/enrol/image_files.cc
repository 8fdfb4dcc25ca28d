#include "enrol/image_files.h"

#include <algorithm>
#include <cctype>
#include <fstream>

namespace facepass::enrol {

namespace fs = std::filesystem;

bool LooksLikeImage(const fs::path& file) {
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  if (ext == ".jpg" || ext == ".jpeg" || ext == ".png") return true;
  std::ifstream in(file, std::ios::binary);
  char head[8] = {};
  in.read(head, sizeof head);
  const auto n = in.gcount();
  if (n >= 3 && static_cast<unsigned char>(head[0]) == 0xFF && static_cast<unsigned char>(head[1]) == 0xD8 &&
      static_cast<unsigned char>(head[2]) == 0xFF) {
    return true;
  }
  return n == 8 && std::string(head, 8) == std::string("\x89PNG\r\n\x1a\n", 8);
}

Result<std::vector<std::string>> CollectImages(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const std::string& arg : paths) {
    std::error_code ec;
    const fs::path root = fs::absolute(arg, ec).lexically_normal();
    const auto st = fs::status(root, ec);
    if (ec || !fs::exists(st)) return Status::NotFound("no such file or folder: " + arg);
    if (fs::is_regular_file(st)) {
      out.push_back(root.string());
      continue;
    }
    if (!fs::is_directory(st)) return Status::InvalidArgument("not a file or folder: " + arg);
    const auto opts = fs::directory_options::follow_directory_symlink | fs::directory_options::skip_permission_denied;
    for (fs::recursive_directory_iterator it(root, opts, ec), end; !ec && it != end; it.increment(ec)) {
      std::error_code fec;
      if (it->is_regular_file(fec) && LooksLikeImage(it->path())) out.push_back(it->path().lexically_normal().string());
    }
    if (ec) return Status::IoError("cannot walk " + arg + ": " + ec.message());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace facepass::enrol
