#include "api/stranger_json.h"

#include <cmath>
#include <string>

namespace facepass::api {

namespace {
// Four significant digits: a rate of 0.002996 reads better than 0.0029955136.
double Short(double v) {
  if (v == 0 || !std::isfinite(v)) return v;
  const double scale = std::pow(10.0, 3 - std::floor(std::log10(std::fabs(v))));
  return std::round(v * scale) / scale;
}
}  // namespace

void AddOdds(const char* field, const service::Odds& odds, nlohmann::json* out) {
  if (odds.value) {
    (*out)[field] = Short(*odds.value);
  } else {
    (*out)[field] = nullptr;
    (*out)[std::string(field) + "_reason"] = odds.reason;
  }
}

void AddGroupOdds(const service::GroupOdds& odds, nlohmann::json* out) {
  (*out)["face_count"] = odds.face_count;
  AddOdds("stranger_pass_rate", odds.stranger_pass_rate, out);
  AddOdds("threshold_for_1_in_1000", odds.threshold_for_1_in_1000, out);
}

}  // namespace facepass::api
