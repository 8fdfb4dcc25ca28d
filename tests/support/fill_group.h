// A large group without hundreds of enrolments (issue 30's tests): faces with
// random unit features inserted through the store into a stopped server's data
// directory, all bound to one group. Their image rows name no file: the faces
// count and are searched, their crops cannot be shown.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "common/status.h"

namespace facepass::testing {

// Creates `group` if absent and binds `faces` new faces of `dim` floats to it.
Status FillGroup(const std::filesystem::path& data_dir, const std::string& group, int faces, int dim,
                 uint32_t seed = 1);

}  // namespace facepass::testing
