#include "service/recognition_service.h"

#include <algorithm>
#include <map>

#include "index/face_index.h"
#include "service/image_archive.h"
#include "service/image_verdict_error.h"
#include "service/params.h"
#include "service/thresholds.h"
#include "spec/pass_rule.h"
#include "store/database.h"
#include "store/token_cipher.h"
#include "vision/engine.h"

namespace facepass::service {

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
    if (id == f.end() || !id->is_number_integer()) return std::nullopt;
    ids.push_back(id->get<int64_t>());
  }
  return ids;
}

// Every image part of one track: file parts named image_<id>, or text fields.
std::vector<const std::string*> TrackImages(const http::Request& req, int64_t track_id) {
  const std::string name = "image_" + std::to_string(track_id);
  std::vector<const std::string*> out;
  for (const auto& f : req.files) {
    if (f.field_name == name && !f.data.empty()) out.push_back(&f.data);
  }
  for (const auto& [k, v] : req.form) {
    if (k == name && !v.empty()) out.push_back(&v);
  }
  return out;
}

struct TrackResult {
  json entry;
  double score = -1;  // -1: nothing usable yet
};

}  // namespace

ApiReply RecognitionService::Recognize(const http::Request& req) {
  ParamCheck check;
  auto group_name = check.FormString(req, "group_name");
  auto face_data = check.FormString(req, "face_data");
  bool liveness = false;
  if (const std::string* v = req.Form("enable_liveness"); v && !v->empty()) {
    auto b = ParseBool(*v);
    if (!b) check.Illegal("enable_liveness");
    liveness = b.value_or(false);
  }
  if (auto e = check.Error()) return ApiReply::Error(*e);
  if (!IsValidGroupName(*group_name)) check.Illegal("group_name");
  auto tracks = ParseTracks(*face_data);
  if (!tracks) check.Illegal("face_data");
  if (auto e = check.Error()) return ApiReply::Error(*e);

  std::map<int64_t, std::vector<const std::string*>> images;
  for (int64_t t : *tracks) {
    if (images.count(t)) continue;
    images[t] = TrackImages(req, t);
    if (images[t].empty()) check.Missing("image_" + std::to_string(t));
  }
  if (auto e = check.Error()) return ApiReply::Error(*e);

  auto group = ctx_.db->GetGroupByName(*group_name);
  if (!group.ok()) return LookupFailed(group.status(), api_error::GroupNameNotExist(), "recognize: group");
  const ThresholdValues th = ctx_.thresholds->Get();
  const int64_t now = NowMs();

  json results = json::array();
  std::vector<int64_t> seen;
  for (int64_t t : *tracks) {
    if (std::find(seen.begin(), seen.end(), t) != seen.end()) continue;
    seen.push_back(t);
    TrackResult best;
    best.entry = {{"track_id", t}, {"image_id", nullptr}, {"face_token", nullptr},
                  {"score", 0.0},  {"passed", false}};
    for (const std::string* bytes : images[t]) {
      auto a = ctx_.engine->Analyze(*bytes, vision::Purpose::kRecognise, {.embed = true, .liveness = liveness});
      if (!a.ok()) return Internal("recognize: analyze", a.status());
      json entry = {{"track_id", t}, {"image_id", nullptr}, {"face_token", nullptr},
                    {"score", 0.0},  {"passed", false}};
      if (a->verdict != vision::ImageVerdict::kOk) {
        entry["error"] = ImageVerdictError(a->verdict).message;
        if (best.score < 0 && !best.entry.contains("error")) best.entry = entry;
        continue;
      }
      auto archived = ArchiveImage(ctx_, *bytes, a->format, store::ImageKind::kCapture, a->width, a->height, now);
      if (!archived.ok()) return Internal("recognize: archive", archived.status());
      entry["image_id"] = archived->token;
      if (!a->best) {
        entry["error"] = "FACE_NOT_FOUND";
        if (best.score < 0) best.entry = entry;
        continue;
      }
      const vision::FaceResult& face = *a->best;
      entry["rect"] = RectJson(face.face.rect);
      double score = 0;
      auto matches = ctx_.index->Search(group->id, face.feature, 1);
      if (!matches.ok()) return Internal("recognize: search", matches.status());
      if (!matches->empty()) {
        score = ctx_.engine->ScoreFromSimilarity(matches->front().score);
        entry["face_token"] = ctx_.tokens->Encode(store::TokenKind::kFace, matches->front().face_id);
      }
      entry["score"] = score;
      std::optional<double> live;
      if (liveness && face.liveness) {
        entry["liveness_score"] = *face.liveness;
        live = *face.liveness;
      }
      entry["passed"] = spec::PassesRecognition(!matches->empty(), score, th.recognize, live, th.liveness);
      if (score > best.score) best = {std::move(entry), score};
    }
    results.push_back(std::move(best.entry));
  }
  json data = {{"group_name", group->name},
               {"recognize_threshold", th.recognize},
               {"liveness_threshold", th.liveness},
               {"results", std::move(results)}};
  return ApiReply::Ok(std::move(data));
}

ApiReply RecognitionService::Compare(const http::Request& req) {
  ParamCheck check;
  const std::string* image1 = check.FormFile(req, "image_1");
  const std::string* image2 = check.FormFile(req, "image_2");
  auto flag = check.FormString(req, "enable_liveness");
  if (auto e = check.Error()) return ApiReply::Error(*e);
  auto liveness = ParseBool(*flag);
  if (!liveness) return ApiReply::Error(api_error::IllegalArgument("enable_liveness"));

  const std::string* images[2] = {image1, image2};
  vision::FaceResult faces[2];
  for (int i = 0; i < 2; ++i) {
    const std::string name = "image_" + std::to_string(i + 1);
    auto a = ctx_.engine->Analyze(*images[i], vision::Purpose::kCompare, {.embed = true, .liveness = *liveness});
    if (!a.ok()) return Internal("compare: analyze", a.status());
    if (a->verdict != vision::ImageVerdict::kOk) return ApiReply::Error(CompareImageVerdictError(a->verdict, name));
    if (!a->best) return ApiReply::Error(api_error::FaceNotFound(name));
    faces[i] = std::move(*a->best);
  }

  const ThresholdValues th = ctx_.thresholds->Get();
  json data = {{"score", ctx_.engine->Score(faces[0].feature, faces[1].feature)},
               {"compare_threshold", th.compare},
               {"liveness_threshold", th.liveness}};
  bool live = true;
  for (int i = 0; i < 2; ++i) {
    const std::string n = std::to_string(i + 1);
    data["detection_result_" + n] = {{"rect", RectJson(faces[i].face.rect)},
                                     {"pose", PoseJson(faces[i].quality.pose)},
                                     {"blur", faces[i].quality.blur}};
    const double score = faces[i].liveness.value_or(0.0f);
    data["liveness_score_" + n] = score;
    if (*liveness && score < th.liveness) live = false;
  }
  if (!live) return ApiReply::Error(api_error::CompareLivenessFailed(), std::move(data));
  return ApiReply::Ok(std::move(data));
}

}  // namespace facepass::service
