// Durable content files (uploaded originals, captures) under one directory.
// A file is written to <dir>/tmp/, fsynced, renamed to <dir>/xx/<name> and the
// directory fsynced, so a path handed out always names complete, durable bytes.
// Thread-safe: names are random and no state is shared between calls.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace facepass::store {

class FileStore {
 public:
  // Creates <dir> if needed and clears temp files left by a crash.
  static Result<std::unique_ptr<FileStore>> Open(const std::filesystem::path& dir);

  // Stores `bytes` under a new random name, e.g. "ab/ab12...ef.jpg" for
  // extension "jpg" (no dot; may be empty). Durable when it returns.
  Result<std::string> Write(std::string_view bytes, std::string_view extension);

  // NotFound if absent; InvalidArgument if the path leaves the store.
  Result<std::string> Read(const std::string& relative_path) const;

  // OK also when the file is already gone, so purges can be retried.
  Status Remove(const std::string& relative_path);

  const std::filesystem::path& dir() const { return dir_; }

 private:
  explicit FileStore(std::filesystem::path dir) : dir_(std::move(dir)) {}
  Result<std::filesystem::path> Resolve(const std::string& relative_path) const;

  std::filesystem::path dir_;
};

}  // namespace facepass::store
