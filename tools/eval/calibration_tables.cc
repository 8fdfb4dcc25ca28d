#include "calibration_tables.h"

#include <cmath>

namespace facepass::eval {

vision::CalibrationTables MeasureTables(const std::vector<float>& impostor, const std::vector<float>& genuine,
                                        const ScoreFn& score) {
  vision::CalibrationTables t;
  t.impostor_pairs = int64_t(impostor.size());
  t.genuine_pairs = int64_t(genuine.size());
  for (int s = 1; s <= 100 && !impostor.empty(); ++s) {
    const double far = FractionAtOrAbove(impostor, score, s);
    const int64_t pairs = std::llround(far * double(impostor.size()));
    if (pairs < kMinPairsForFar) break;
    t.far.push_back({double(s), far, pairs});
  }
  for (int s = 1; s <= 100 && !genuine.empty(); ++s)
    t.genuine_refused.push_back({double(s), 1.0 - FractionAtOrAbove(genuine, score, s)});
  return t;
}

nlohmann::json TablesJson(const vision::CalibrationTables& t) {
  nlohmann::json far = nlohmann::json::array(), refused = nlohmann::json::array();
  for (const auto& r : t.far) far.push_back({r.score, r.far, r.impostor_pairs});
  for (const auto& r : t.genuine_refused) refused.push_back({r.score, r.refused});
  return {{"far_by_score",
           {{"source", t.far_source},
            {"impostor_pairs", t.impostor_pairs},
            {"columns", {"score", "share of impostor pairs scoring >= score", "impostor pairs behind it"}},
            {"rows", far}}},
          {"genuine_refused_by_score",
           {{"source", t.genuine_source},
            {"genuine_pairs", t.genuine_pairs},
            {"columns", {"score", "share of genuine pairs scoring < score"}},
            {"rows", refused}}}};
}

}  // namespace facepass::eval
