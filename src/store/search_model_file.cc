#include "store/search_model_file.h"

#include <fstream>

#include "store/posix_file.h"

namespace facepass::store {

namespace {
constexpr char kFileName[] = "search_model";
}  // namespace

std::string ReadSearchModelFile(const std::filesystem::path& data_dir) {
  std::ifstream in(data_dir / kFileName);
  std::string line;
  if (in) std::getline(in, line);
  return line;
}

Status WriteSearchModelFile(const std::filesystem::path& data_dir, const std::string& model) {
  return ReplaceFileAtomically(data_dir / kFileName, model + "\n");
}

}  // namespace facepass::store
