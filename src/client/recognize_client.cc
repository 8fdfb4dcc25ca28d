#include "client/recognize_client.h"

#include "client/sync_client.h"

namespace facepass::client {

std::vector<MultipartPart> BuildRecognizeParts(const std::string& group_name, const std::vector<Capture>& captures,
                                               bool liveness) {
  nlohmann::json faces = nlohmann::json::array();
  for (const Capture& c : captures) {
    faces.push_back({{"track_id", c.track_id},
                     {"rect", {{"left", c.face.left}, {"top", c.face.top}, {"right", c.face.right}, {"bottom", c.face.bottom}}}});
  }
  std::vector<MultipartPart> parts;
  parts.push_back({"group_name", group_name, "", ""});
  parts.push_back({"face_data", nlohmann::json{{"faces", std::move(faces)}}.dump(), "", ""});
  if (liveness) parts.push_back({"enable_liveness", "true", "", ""});
  for (const Capture& c : captures) {
    std::string name = "image_" + std::to_string(c.track_id);
    parts.push_back({name, c.jpeg, name + ".jpg", "image/jpeg"});
  }
  return parts;
}

Result<RecognizeAnswer> ParseRecognizeReply(const HttpResponse& resp) {
  nlohmann::json j = nlohmann::json::parse(resp.body, nullptr, /*allow_exceptions=*/false);
  if (resp.status != 200 || !j.is_object() || j.value("code", -1) != 0) return StatusFromErrorReply(resp);
  const nlohmann::json& d = j["data"];
  if (!d.is_object()) return Status::Corruption("recognise: data is not an object");
  RecognizeAnswer a;
  try {
    a.group_name = d.value("group_name", "");
    a.recognize_threshold = d.value("recognize_threshold", 0.0f);
    a.liveness_threshold = d.value("liveness_threshold", 0.0f);
    for (const nlohmann::json& r : d.value("results", nlohmann::json::array())) {
      TrackResult t;
      t.track_id = r.value("track_id", 0);
      if (r.contains("face_token") && r["face_token"].is_string()) t.face_token = r["face_token"].get<std::string>();
      if (r.contains("label") && r["label"].is_string()) t.label = r["label"].get<std::string>();
      t.score = r.value("score", 0.0f);
      t.passed = r.value("passed", false);
      if (r.contains("liveness_score") && r["liveness_score"].is_number()) t.liveness_score = r["liveness_score"].get<float>();
      if (r.contains("error") && r["error"].is_string()) t.error = r["error"].get<std::string>();
      if (r.contains("image_id") && r["image_id"].is_string()) t.image_id = r["image_id"].get<std::string>();
      if (r.contains("rect") && r["rect"].is_object()) {
        const nlohmann::json& rc = r["rect"];
        t.face = {rc.value("left", 0), rc.value("top", 0), rc.value("right", 0), rc.value("bottom", 0)};
      }
      a.results.push_back(std::move(t));
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::Corruption(std::string("recognise: ") + e.what());
  }
  return a;
}

Result<RecognizeAnswer> RecognizeOnline(const HttpClient& http, const std::string& base_url,
                                        const std::string& group_name, const std::vector<Capture>& captures,
                                        bool liveness) {
  if (captures.empty()) return Status::InvalidArgument("recognise: no face found in the frame");
  FP_ASSIGN_OR_RETURN(HttpResponse resp, http.PostMultipart(JoinUrl(base_url, kRecognizePath), BuildRecognizeParts(group_name, captures, liveness)));
  FP_ASSIGN_OR_RETURN(RecognizeAnswer a, ParseRecognizeReply(resp));
  // The server answers rects in capture pixels; report the device's frame rects.
  for (TrackResult& t : a.results) {
    for (const Capture& c : captures) {
      if (c.track_id == t.track_id) t.face = c.face;
    }
  }
  return a;
}

nlohmann::json ToJson(const RecognizeAnswer& a) {
  nlohmann::json results = nlohmann::json::array();
  for (const TrackResult& t : a.results) {
    nlohmann::json r = {{"track_id", t.track_id},
                        {"rect", {{"left", t.face.left}, {"top", t.face.top}, {"right", t.face.right}, {"bottom", t.face.bottom}}},
                        {"face_token", t.face_token ? nlohmann::json(*t.face_token) : nlohmann::json(nullptr)},
                        {"score", t.score},
                        {"passed", t.passed}};
    if (t.label) r["label"] = *t.label;
    if (t.liveness_score) r["liveness_score"] = *t.liveness_score;
    if (!t.error.empty()) r["error"] = t.error;
    if (!t.image_id.empty()) r["image_id"] = t.image_id;
    results.push_back(std::move(r));
  }
  return {{"group_name", a.group_name},
          {"recognize_threshold", a.recognize_threshold},
          {"liveness_threshold", a.liveness_threshold},
          {"results", std::move(results)}};
}

}  // namespace facepass::client
