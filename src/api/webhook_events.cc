#include "api/webhook_events.h"

#include <nlohmann/json.hpp>

#include "api/history_json.h"
#include "store/token_cipher.h"

namespace facepass::api {

void WebhookEvents::Recognized(const store::RecognitionRecord& r) {
  nlohmann::json j = {{"event", "recognize"}};
  j.update(HistoryItemJson(tokens_, r, /*with_liveness=*/r.liveness_score.has_value()));
  queue_.Push(j.dump());
}

void WebhookEvents::FaceChanged(const service::FaceEvent& e) {
  const nlohmann::json j = {{"event", e.kind == service::FaceEvent::Kind::kAdd ? "face.add" : "face.delete"},
                            {"face_token", tokens_.Encode(store::TokenKind::kFace, e.face_id)},
                            {"image_id", tokens_.Encode(store::TokenKind::kImage, e.image_id)},
                            {"time", e.time_ms},
                            {"label", e.label ? nlohmann::json(*e.label) : nlohmann::json(nullptr)}};
  queue_.Push(j.dump());
}

}  // namespace facepass::api
