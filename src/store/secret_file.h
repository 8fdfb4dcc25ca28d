// The installation secret of an SQLite installation: <data_dir>/secret.key,
// mode 0600, created on first start (the PostgreSQL backend keeps it in a
// table instead). Thread-safe: racing first starts agree on one file.
#pragma once

#include <filesystem>
#include <string>

#include "common/status.h"
#include "domain/secret_repository.h"

namespace facepass::store {

class SecretFile final : public domain::SecretRepository {
 public:
  explicit SecretFile(std::filesystem::path data_dir) : data_dir_(std::move(data_dir)) {}

  // Creates data_dir if needed. Corruption if the file has the wrong size.
  Result<std::string> LoadOrCreateSecret() override;

 private:
  const std::filesystem::path data_dir_;
};

}  // namespace facepass::store
