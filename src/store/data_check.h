// A whole data directory's consistency, offline (`facepass check`, the crash
// campaign): the database's CheckIntegrity(kFull), then every enrolment image
// that a face refers to has its file in the store with the recorded size.
#pragma once

#include <cstdint>
#include <filesystem>

#include "common/status.h"

namespace facepass::store {

struct DataCheckStats {
  int64_t faces = 0;        // face rows (live and deleted)
  int64_t images = 0;       // enrolment images referred to by a face, each checked
};

// Corruption with the first problem found; NotFound when there is no database.
Result<DataCheckStats> CheckDataDir(const std::filesystem::path& data_dir);

}  // namespace facepass::store
