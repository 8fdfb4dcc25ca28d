#include "api/history_json.h"

#include "api/json_codec.h"
#include "store/token_cipher.h"

namespace facepass::api {

nlohmann::json HistoryItemJson(const store::TokenCipher& tokens, const store::RecognitionRecord& r,
                               bool with_liveness) {
  nlohmann::json item = {{"image_id", tokens.Encode(store::TokenKind::kImage, r.image_id)},
                         {"time", r.at_ms},
                         {"group_name", r.group_name},
                         {"track_id", r.track_id},
                         {"face_token", nullptr},
                         {"label", r.label ? nlohmann::json(*r.label) : nlohmann::json(nullptr)},
                         {"score", r.score},
                         {"passed", r.passed},
                         {"rect", nullptr}};
  if (r.face_id) item["face_token"] = tokens.Encode(store::TokenKind::kFace, *r.face_id);
  if (r.rect) item["rect"] = RectJson(*r.rect);
  if (with_liveness) item["liveness_score"] = r.liveness_score ? nlohmann::json(*r.liveness_score) : nullptr;
  return item;
}

}  // namespace facepass::api
