#include "service/context.h"

#include <spdlog/spdlog.h>

namespace facepass::service {

nlohmann::json PoseJson(const vision::Pose& p) {
  return {{"yaw", p.yaw}, {"pitch", p.pitch}, {"roll", p.roll}};
}

nlohmann::json QualityJson(const vision::Quality& q) {
  return {{"yaw", q.pose.yaw},         {"pitch", q.pose.pitch},
          {"roll", q.pose.roll},       {"blur", q.blur},
          {"brightness", q.brightness}, {"std_deviation", q.std_deviation},
          {"face_min", q.face_min}};
}

ApiReply Internal(const char* where, const Status& s) {
  spdlog::error("{}: {}", where, s.ToString());
  return ApiReply::Error(api_error::InternalError());
}

ApiReply LookupFailed(const Status& s, const ApiError& not_found, const char* where) {
  if (s.code() == StatusCode::kNotFound) return ApiReply::Error(not_found);
  return Internal(where, s);
}

}  // namespace facepass::service
