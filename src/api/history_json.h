// One recognition history item as JSON: the GET history answer's items and
// the webhooks' "recognize" event share it (ids as the public tokens).
#pragma once

#include <nlohmann/json.hpp>

#include "store/recognition_types.h"

namespace facepass::store {
class TokenCipher;
}

namespace facepass::api {

// {"image_id","time","group_name","track_id","face_token" (or null),"score",
// "passed","rect" (or null)}, plus "liveness_score" (or null when not
// measured) when `with_liveness`.
nlohmann::json HistoryItemJson(const store::TokenCipher& tokens, const store::RecognitionRecord& r,
                               bool with_liveness);

}  // namespace facepass::api
