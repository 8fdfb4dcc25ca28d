// The files `facepass enrol` uploads: the named files and, under the named
// folders (recursively), every JPEG/PNG by extension or by magic bytes.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace facepass::enrol {

// True when the name ends .jpg/.jpeg/.png (any case) or the first bytes are
// a JPEG or PNG signature. Files named explicitly are always taken: the server
// is the judge of what they hold.
bool LooksLikeImage(const std::filesystem::path& file);

// Absolute, normalised paths, sorted, without duplicates (so a rerun sees the
// same list). A path that does not exist is an error; unreadable folders are
// skipped.
Result<std::vector<std::string>> CollectImages(const std::vector<std::string>& paths);

}  // namespace facepass::enrol
