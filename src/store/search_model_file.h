// The embedder an SQLite installation's features were made with:
// <data_dir>/search_model, one line (the PostgreSQL backend records it in a
// table instead: CatalogLog::ClaimSearchModel). Read by the server's start-up,
// `facepass reindex` and `facepass migrate`; written by the first two.
#pragma once

#include <filesystem>
#include <string>

#include "common/status.h"

namespace facepass::store {

// The recorded model; "" when the file is absent or empty.
std::string ReadSearchModelFile(const std::filesystem::path& data_dir);
// Atomic and durable: a crash never leaves an empty or torn file.
Status WriteSearchModelFile(const std::filesystem::path& data_dir, const std::string& model);

}  // namespace facepass::store
