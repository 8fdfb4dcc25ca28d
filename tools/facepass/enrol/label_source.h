// Where `facepass enrol --label-from` takes each photo's label (issue 29):
// `filename` (the name without its extension: "Alice Smith.jpg"), `folder`
// (the parent folder's name: people/Alice Smith/1.jpg) or `csv:FILE` (rows
// of file,label; a file is matched by its path, absolute or relative to the
// CSV's folder, else by its name alone). The server judges the label
// (spec::NormalizeLabel): a bad one is that photo's refusal.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "common/status.h"

namespace facepass::enrol {

class LabelSource {
 public:
  // No labels.
  LabelSource() = default;
  // "filename" | "folder" | "csv:FILE". InvalidArgument for anything else,
  // IoError/InvalidArgument for a CSV that cannot be read.
  static Result<LabelSource> Parse(const std::string& spec);

  // The label of this photo (an absolute, normalised path), or none.
  std::optional<std::string> LabelFor(const std::string& file) const;

 private:
  enum class Kind { kNone, kFileName, kFolder, kCsv };
  Kind kind_ = Kind::kNone;
  std::map<std::string, std::string> by_path_;  // absolute, normalised
  std::map<std::string, std::string> by_name_;  // file name only; "" when two rows share it
};

}  // namespace facepass::enrol
