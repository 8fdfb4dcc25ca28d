// The JSON of the stranger figures (issue 30): group/query's extension fields
// and the Settings preview's rows. A figure the rule cannot give is null, with
// a "<field>_reason" beside it saying why.
#pragma once

#include <nlohmann/json.hpp>

#include "service/strangers.h"

namespace facepass::api {

// Adds face_count, stranger_pass_rate and threshold_for_1_in_1000 to `out`.
void AddGroupOdds(const service::GroupOdds& odds, nlohmann::json* out);
// Adds `field` (the value or null) and, when null, `field`_reason.
void AddOdds(const char* field, const service::Odds& odds, nlohmann::json* out);

}  // namespace facepass::api
