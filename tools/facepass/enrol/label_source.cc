#include "enrol/label_source.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "enrol/results_csv.h"

namespace facepass::enrol {

namespace fs = std::filesystem;

Result<LabelSource> LabelSource::Parse(const std::string& spec) {
  LabelSource s;
  if (spec == "filename") {
    s.kind_ = Kind::kFileName;
    return s;
  }
  if (spec == "folder") {
    s.kind_ = Kind::kFolder;
    return s;
  }
  if (spec.rfind("csv:", 0) != 0 || spec.size() == 4)
    return Status::InvalidArgument("--label-from: filename, folder or csv:FILE, not '" + spec + "'");
  const fs::path csv = spec.substr(4);
  std::ifstream in(csv, std::ios::binary);
  if (!in) return Status::IoError("--label-from: cannot read " + csv.string());
  std::ostringstream text;
  text << in.rdbuf();
  std::string body = text.str();
  if (!body.empty() && body.back() != '\n') body += '\n';  // a hand-written file may lack the last newline
  const fs::path base = fs::absolute(csv).parent_path();
  s.kind_ = Kind::kCsv;
  int line = 0;
  for (const auto& rec : ParseCsv(body)) {
    ++line;
    if (rec.size() != 2)
      return Status::InvalidArgument("--label-from " + csv.string() + ": record " + std::to_string(line) +
                                     " is not file,label");
    if (line == 1 && rec[0] == "file" && rec[1] == "label") continue;  // a header
    const fs::path file(rec[0]);
    s.by_path_[(file.is_absolute() ? file : base / file).lexically_normal().string()] = rec[1];
    auto [it, fresh] = s.by_name_.emplace(file.filename().string(), rec[1]);
    if (!fresh && it->second != rec[1]) it->second.clear();  // ambiguous by name alone
  }
  return s;
}

std::optional<std::string> LabelSource::LabelFor(const std::string& file) const {
  const fs::path p(file);
  switch (kind_) {
    case Kind::kNone:
      return std::nullopt;
    case Kind::kFileName:
      return p.stem().string();
    case Kind::kFolder:
      return p.parent_path().filename().string();
    case Kind::kCsv:
      if (auto it = by_path_.find(p.lexically_normal().string()); it != by_path_.end()) return it->second;
      if (auto it = by_name_.find(p.filename().string()); it != by_name_.end() && !it->second.empty())
        return it->second;
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace facepass::enrol
