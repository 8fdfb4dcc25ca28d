#include "api/json_codec.h"

#include <cmath>

namespace facepass::api {

using nlohmann::json;

namespace {

json Rect4(int left, int top, int right, int bottom) {
  return {{"left", left}, {"top", top}, {"right", right}, {"bottom", bottom}};
}

json ModelFileJson(const vision::ModelFileInfo& m) {
  json j = {{"kind", m.kind}, {"file", m.file}, {"id", m.id}};
  if (m.sha256) j["sha256"] = *m.sha256;
  if (m.source) j["source"] = *m.source;
  return j;
}

json ScoreMapJson(const vision::ScoreMapInfo& s) {
  json knots = json::array();
  auto r = [](float v) { return std::round(double(v) * 1e4) / 1e4; };  // short JSON numbers
  for (const auto& [c, v] : s.knots) knots.push_back({r(c), r(v)});
  return {{"mapping", "piecewise linear in cosine"}, {"knots", knots}, {"digest", s.digest},
          {"calibration", s.calibration}};
}

}  // namespace

json RectJson(const vision::Rect& r) { return Rect4(r.left, r.top, r.right, r.bottom); }
json RectJson(const store::Rect& r) { return Rect4(r.left, r.top, r.right, r.bottom); }

json PoseJson(const vision::Pose& p) { return {{"yaw", p.yaw}, {"pitch", p.pitch}, {"roll", p.roll}}; }

json QualityJson(const vision::Quality& q) {
  return {{"yaw", q.pose.yaw},         {"pitch", q.pose.pitch},
          {"roll", q.pose.roll},       {"blur", q.blur},
          {"brightness", q.brightness}, {"std_deviation", q.std_deviation},
          {"face_min", q.face_min}};
}

json ModelDetailsJson(const vision::ModelDetails& d) {
  json j;
  j["runtime"] = {{"name", d.runtime.name}, {"version", d.runtime.version}};
  j["detector"] = ModelFileJson(d.detector);
  if (d.landmarks) j["landmarks"] = ModelFileJson(*d.landmarks);
  j["embedder"] = ModelFileJson(d.embedder);
  j["embedder"]["dim"] = d.embedder_dim;
  j["embedder"]["alignment"] = d.embedder_alignment;
  j["embedder"]["search_model"] = d.embedder_search_model;
  if (d.fused_with) {  // score-level fusion: the cosine is weight * first + (1 - weight) * second
    j["embedder"]["fused_with"] = ModelFileJson(*d.fused_with);
    j["embedder"]["weight"] = d.fusion_weight;
  }
  if (d.liveness) j["liveness"] = {{"kind", d.liveness->kind}, {"id", d.liveness->id}};
  j["score"] = ScoreMapJson(d.score);
  j["search_model"] = d.search_model;
  return j;
}

std::string ContentTypeOf(const std::string& format) {
  if (format == "jpeg") return "image/jpeg";
  if (format == "png") return "image/png";
  if (format == "bmp") return "image/bmp";
  return "application/octet-stream";
}

}  // namespace facepass::api
