// Backup and restore of a whole data directory, safe while a server runs and
// writes it.
//
// A backup is one tar file (pax) holding:
//   facepass.db     a consistent snapshot (SQLite's online backup API; WAL
//                   writers are not blocked)
//   images/...      every image file the snapshot refers to
//   secret.key      the installation secret: without it no face_token or
//                   image_id of this installation decodes, so a backup is as
//                   sensitive as the data directory itself
//   <other files>   the data directory's other top-level files (search_model...)
//   MANIFEST        last: "sha256  path" per entry (sha256sum's format)
// A capture purged between the snapshot and the copy of its file is left out
// of the backup (its row too): captures are purgeable by design.
#pragma once

#include <cstdint>
#include <filesystem>

#include "common/status.h"

namespace facepass::store {

struct BackupStats {
  int64_t files = 0;  // entries, MANIFEST excluded
  int64_t bytes = 0;  // their total size
  int64_t images = 0;
  int64_t captures_skipped = 0;  // purged while the backup ran
};

// Writes `out` (through out.tmp, fsynced, renamed). Does not take the data
// directory's lock: the server keeps running.
Result<BackupStats> Backup(const std::filesystem::path& data_dir, const std::filesystem::path& out);

// Restores `archive` into `data_dir`, which must be absent or empty
// (FailedPrecondition otherwise). Extracts into a sibling temp directory,
// checks every entry against the MANIFEST (no entry missing, none extra, no
// path leaving the directory), the database's integrity and that every image
// it refers to is there, then renames it into place. On error nothing is left
// at `data_dir` beyond what was there.
Result<BackupStats> Restore(const std::filesystem::path& archive, const std::filesystem::path& data_dir);

}  // namespace facepass::store
