// A face's label (issue 29, an extension of the spec): the operator's name
// for the person, or the integrator's employee id. One rule for the server
// (service::Faces) and the device SDK: UTF-8, 1 to 128 bytes after trimming
// ASCII white space at both ends, no control character (C0, DEL, C1).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace facepass::spec {

inline constexpr size_t kMaxLabelBytes = 128;

// The trimmed label; nullopt when it breaks the rule (empty after trimming,
// longer than kMaxLabelBytes, invalid UTF-8 or a control character).
std::optional<std::string> NormalizeLabel(std::string_view raw);

}  // namespace facepass::spec
