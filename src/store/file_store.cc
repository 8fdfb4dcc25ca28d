#include "store/file_store.h"

namespace facepass::store {
Result<std::unique_ptr<FileStore>> FileStore::Open(const std::filesystem::path&) { return Status::Internal("todo"); }
Result<std::string> FileStore::Write(std::string_view, std::string_view) { return Status::Internal("todo"); }
Result<std::string> FileStore::Read(const std::string&) const { return Status::Internal("todo"); }
Status FileStore::Remove(const std::string&) { return Status::Internal("todo"); }
Result<std::filesystem::path> FileStore::Resolve(const std::string&) const { return Status::Internal("todo"); }
}  // namespace facepass::store
