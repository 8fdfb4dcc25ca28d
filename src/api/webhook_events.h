// The service layer's EventSink for webhooks: encodes each event as the JSON
// document a receiver gets (ids as public tokens) and pushes it onto the
// webhook queue, never waiting. Shapes (docs/api.md, "Webhooks"):
//   {"event":"recognize", <the history item's fields>}
//   {"event":"face.add"|"face.delete","face_token","image_id","time","label"}
#pragma once

#include "events/webhook_queue.h"
#include "service/event_sink.h"

namespace facepass::store {
class TokenCipher;
}

namespace facepass::api {

class WebhookEvents : public service::EventSink {
 public:
  WebhookEvents(const store::TokenCipher& tokens, events::WebhookQueue& queue) : tokens_(tokens), queue_(queue) {}

  void Recognized(const store::RecognitionRecord& r) override;
  void FaceChanged(const service::FaceEvent& e) override;

 private:
  const store::TokenCipher& tokens_;
  events::WebhookQueue& queue_;
};

}  // namespace facepass::api
