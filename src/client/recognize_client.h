// The online half of recognition: the spec's multipart request to
// POST /api/service/recognize/v1 built from device captures, and its answer.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "client/capture.h"
#include "client/http_client.h"
#include "common/status.h"

namespace facepass::client {

inline constexpr char kRecognizePath[] = "/api/service/recognize/v1";

// One track's outcome, online (the server's answer) or offline (local search).
struct TrackResult {
  int track_id = 0;
  vision::Rect face;                      // in the frame
  std::optional<std::string> face_token;  // best candidate; none when the group is empty
  std::optional<std::string> label;       // the candidate's label (offline: from a format-2 sync)
  float score = 0;                        // (0, 100]
  bool passed = false;                    // the spec's pass rule (spec/pass_rule.h)
  std::optional<float> liveness_score;    // [0, 100], when liveness was asked and measured
  std::string error;                      // e.g. "FACE_NOT_FOUND"; empty when fine
  std::string image_id;                   // online only: the server's stored capture
};

struct RecognizeAnswer {
  std::string group_name;
  float recognize_threshold = 0;
  float liveness_threshold = 0;  // the one `passed` was held to when liveness was asked
  std::vector<TrackResult> results;  // in track order
};

// group_name, face_data = {"faces":[{"track_id":1},...]}, image_<track_id> (JPEG), and
// enable_liveness=true when `liveness` (absent means false to the server).
std::vector<MultipartPart> BuildRecognizeParts(const std::string& group_name, const std::vector<Capture>& captures,
                                               bool liveness = false);

// Parses the JSON envelope of a recognise answer (HTTP 200, code 0).
Result<RecognizeAnswer> ParseRecognizeReply(const HttpResponse& resp);

Result<RecognizeAnswer> RecognizeOnline(const HttpClient& http, const std::string& base_url,
                                        const std::string& group_name, const std::vector<Capture>& captures,
                                        bool liveness = false);

nlohmann::json ToJson(const RecognizeAnswer& a);

}  // namespace facepass::client
