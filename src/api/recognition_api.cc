// /api/service/recognize/v1 (1:N) and /api/service/compare/v1 (1:1).
#include <algorithm>

#include "api/handlers.h"
#include "api/json_codec.h"
#include "api/params.h"
#include "service/app.h"
#include "service/recognition.h"
#include "spec/group_name.h"
#include "store/token_cipher.h"

namespace facepass::api {

using nlohmann::json;

namespace {

// The track ids listed in face_data, in order; nullopt when it is not the
// JSON the spec describes.
std::optional<std::vector<int64_t>> ParseTracks(const std::string& face_data) {
  json j = json::parse(face_data, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  auto faces = j.find("faces");
  if (faces == j.end() || !faces->is_array() || faces->empty()) return std::nullopt;
  std::vector<int64_t> ids;
  for (const json& f : *faces) {
    if (!f.is_object()) return std::nullopt;
    auto id = f.find("track_id");
    if (id == f.end()) return std::nullopt;
    std::optional<int64_t> v = JsonInt64(*id);
    if (!v) return std::nullopt;  // not an integer, or out of int64 range
    ids.push_back(*v);
  }
  return ids;
}

// Every image part of one track: file parts named image_<id>, or text fields.
std::vector<std::string_view> TrackImages(const http::Request& req, int64_t track_id) {
  const std::string name = "image_" + std::to_string(track_id);
  std::vector<std::string_view> out;
  for (const auto& f : req.files) {
    if (f.field_name == name && !f.data.empty()) out.push_back(f.data);
  }
  for (const auto& [k, v] : req.form) {
    if (k == name && !v.empty()) out.push_back(v);
  }
  return out;
}

std::optional<DomainError> ParseRecognize(const http::Request& req, service::RecognizeRequest* out) {
  ParamCheck check;
  auto group_name = check.FormString(req, "group_name");
  auto face_data = check.FormString(req, "face_data");
  if (const std::string* v = req.Form("enable_liveness"); v && !v->empty()) {
    auto b = service::ParseBool(*v);
    if (!b) check.Illegal("enable_liveness");
    out->liveness = b.value_or(false);
  }
  if (auto e = check.Error()) return e;
  if (!spec::IsValidGroupName(*group_name)) check.Illegal("group_name");
  auto tracks = ParseTracks(*face_data);
  if (!tracks) check.Illegal("face_data");
  if (auto e = check.Error()) return e;

  out->group_name = *group_name;
  for (int64_t t : *tracks) {
    auto seen = [t](const service::RecognizeRequest::Track& k) { return k.track_id == t; };
    if (std::any_of(out->tracks.begin(), out->tracks.end(), seen)) continue;
    out->tracks.push_back({t, TrackImages(req, t)});
    if (out->tracks.back().images.empty()) check.Missing("image_" + std::to_string(t));
  }
  return check.Error();
}

json TrackJson(const store::TokenCipher& tokens, const service::TrackOutcome& t) {
  json entry = {{"track_id", t.track_id}, {"image_id", nullptr}, {"face_token", nullptr},
                {"score", t.score},       {"passed", t.passed}};
  if (t.image_id) entry["image_id"] = tokens.Encode(store::TokenKind::kImage, *t.image_id);
  if (t.face_id) entry["face_token"] = tokens.Encode(store::TokenKind::kFace, *t.face_id);
  entry["label"] = t.label ? json(*t.label) : json(nullptr);
  if (t.rect) entry["rect"] = RectJson(*t.rect);
  if (t.liveness_score) entry["liveness_score"] = *t.liveness_score;
  if (t.error) entry["error"] = t.error->message;
  return entry;
}

}  // namespace

ApiReply Recognize(App& app, const http::Request& req) {
  service::RecognizeRequest request;
  if (auto e = ParseRecognize(req, &request)) return ApiReply::Error(*e);
  auto outcome = app.recognition().Recognize(request);
  if (!outcome.ok()) return ApiReply::Error(outcome.error());
  json results = json::array();
  for (const service::TrackOutcome& t : outcome->results) results.push_back(TrackJson(app.tokens(), t));
  return ApiReply::Ok({{"group_name", outcome->group_name},
                       {"recognize_threshold", outcome->recognize_threshold},
                       {"liveness_threshold", outcome->liveness_threshold},
                       {"results", std::move(results)}});
}

ApiReply Compare(App& app, const http::Request& req) {
  ParamCheck check;
  const std::string* image1 = check.FormFile(req, "image_1");
  const std::string* image2 = check.FormFile(req, "image_2");
  auto flag = check.FormString(req, "enable_liveness");
  if (auto e = check.Error()) return ApiReply::Error(*e);
  auto liveness = service::ParseBool(*flag);
  if (!liveness) return ApiReply::Error(errors::IllegalArgument("enable_liveness"));

  auto outcome = app.recognition().Compare({{*image1, *image2}, *liveness});
  if (!outcome.ok()) return ApiReply::Error(outcome.error());
  json data = {{"score", outcome->score},
               {"compare_threshold", outcome->compare_threshold},
               {"liveness_threshold", outcome->liveness_threshold}};
  for (int i = 0; i < 2; ++i) {
    const std::string n = std::to_string(i + 1);
    const service::CompareFace& f = outcome->faces[i];
    data["detection_result_" + n] = {{"rect", RectJson(f.rect)}, {"pose", PoseJson(f.pose)}, {"blur", f.blur}};
    data["liveness_score_" + n] = f.liveness_score;
  }
  if (outcome->refusal) return ApiReply::Error(*outcome->refusal, std::move(data));
  return ApiReply::Ok(std::move(data));
}

}  // namespace facepass::api
