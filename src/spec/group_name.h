// The spec's group-name rule, for the server (service/params) and the device SDK
// (client/device_store): 4 to 16 characters of ASCII letters, digits and '_'.
#pragma once

#include <string_view>

namespace facepass::spec {

bool IsValidGroupName(std::string_view name);

}  // namespace facepass::spec
