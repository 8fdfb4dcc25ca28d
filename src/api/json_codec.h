// The JSON shapes of the domain's values in the spec's answers.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "store/types.h"
#include "vision/model_details.h"
#include "vision/types.h"

namespace facepass::api {

nlohmann::json RectJson(const vision::Rect& r);
nlohmann::json RectJson(const store::Rect& r);
nlohmann::json PoseJson(const vision::Pose& p);
nlohmann::json QualityJson(const vision::Quality& q);
// GET /api/version/v1's "detail" (search_model and feature_dim added by the caller).
nlohmann::json ModelDetailsJson(const vision::ModelDetails& d);

// Content-Type for a stored format ("jpeg" -> "image/jpeg").
std::string ContentTypeOf(const std::string& format);

}  // namespace facepass::api
