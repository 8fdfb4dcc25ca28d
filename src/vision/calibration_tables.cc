#include "vision/calibration_tables.h"

#include <nlohmann/json.hpp>

namespace facepass::vision {

namespace {

using nlohmann::json;

// {"source": "...", "<count_key>": N, "rows": [[score, value, ...], ...]}: rows by
// strictly increasing score in (0, 100], values in [0, 1] and monotonic in the
// direction `rising` says.
Status ReadRows(const json& t, const char* name, const char* count_key, size_t width, bool rising,
                std::vector<std::vector<double>>* rows, int64_t* count, std::string* source) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument(std::string("calibration: \"") + name + "\" " + why);
  };
  if (!t.is_object() || !t.contains("rows") || !t["rows"].is_array()) return bad("needs a \"rows\" array");
  *source = t.value("source", std::string());
  *count = t.contains(count_key) && t[count_key].is_number_integer() ? t[count_key].get<int64_t>() : 0;
  for (const json& r : t["rows"]) {
    if (!r.is_array() || r.size() != width) return bad("rows have " + std::to_string(width) + " numbers");
    std::vector<double> row;
    for (const json& v : r) {
      if (!v.is_number()) return bad("rows hold numbers only");
      row.push_back(v.get<double>());
    }
    if (!(row[0] > 0 && row[0] <= 100) || !(row[1] >= 0 && row[1] <= 1)) return bad("row outside (0,100] x [0,1]");
    if (!rows->empty()) {
      const auto& last = rows->back();
      if (!(row[0] > last[0])) return bad("scores must increase");
      if (rising ? row[1] < last[1] : row[1] > last[1]) return bad("rates must be monotonic in the score");
    }
    rows->push_back(std::move(row));
  }
  return Status::OK();
}

}  // namespace

Result<CalibrationTables> CalibrationTablesFromJson(const nlohmann::json& j) {
  CalibrationTables out;
  if (!j.is_object()) return out;
  if (j.contains("far_by_score")) {
    std::vector<std::vector<double>> rows;
    FP_RETURN_IF_ERROR(ReadRows(j["far_by_score"], "far_by_score", "impostor_pairs", 3, false, &rows,
                                &out.impostor_pairs, &out.far_source));
    for (const auto& r : rows) {
      if (r[2] < 0) return Status::InvalidArgument("calibration: \"far_by_score\" pair counts are >= 0");
      out.far.push_back({r[0], r[1], int64_t(r[2])});
    }
  }
  if (j.contains("genuine_refused_by_score")) {
    std::vector<std::vector<double>> rows;
    FP_RETURN_IF_ERROR(ReadRows(j["genuine_refused_by_score"], "genuine_refused_by_score", "genuine_pairs", 2, true,
                                &rows, &out.genuine_pairs, &out.genuine_source));
    for (const auto& r : rows) out.genuine_refused.push_back({r[0], r[1]});
  }
  return out;
}

}  // namespace facepass::vision
