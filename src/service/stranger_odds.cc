#include "service/stranger_odds.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace facepass::service {

namespace {

const char* const kNoTable =
    "the embedder's calibration file has no per-pair FAR table (facepass-eval --write-calibration writes one)";

template <typename... Args>
std::string Format(const char* fmt, Args... args) {
  char buf[200];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

// 1 - (1 - far)^n without losing small values to rounding.
double AnyOf(double far, int64_t n) { return -std::expm1(double(n) * std::log1p(-std::min(far, 1.0))); }

}  // namespace

std::string StrangerOdds::Deepest() const {
  const auto& d = t_.far.back();
  return Format("FAR %.2g at score %.4g (%lld impostor pairs)", d.far, d.score, static_cast<long long>(d.impostor_pairs));
}

std::optional<double> StrangerOdds::PairFar(double threshold) const {
  const auto& rows = t_.far;
  if (rows.empty() || !std::isfinite(threshold) || threshold > rows.back().score) return std::nullopt;
  if (threshold <= rows.front().score) return 1.0;  // below every measured score: assume the worst
  auto hi = std::lower_bound(rows.begin(), rows.end(), threshold,
                             [](const vision::FarAtScore& r, double s) { return r.score < s; });
  if (hi->score == threshold) return hi->far;
  auto lo = hi - 1;
  if (lo->far <= 0 || hi->far <= 0) return hi->far;
  const double x = (threshold - lo->score) / (hi->score - lo->score);
  return std::exp(std::log(lo->far) + x * (std::log(hi->far) - std::log(lo->far)));
}

Odds StrangerOdds::PassRate(double threshold, int64_t faces) const {
  if (faces <= 0) return {0.0, {}};
  if (t_.far.empty()) return {std::nullopt, kNoTable};
  auto far = PairFar(threshold);
  if (!far) {
    return {std::nullopt, Format("threshold %.4g is above the deepest score the calibration measured (", threshold) +
                              Deepest() + Format("); there it is at most %.3g", AnyOf(t_.far.back().far, faces))};
  }
  return {AnyOf(*far, faces), {}};
}

Odds StrangerOdds::ThresholdFor(double rate, int64_t faces) const {
  if (faces <= 0) return {std::nullopt, "the group is empty: no stranger can pass at any threshold"};
  if (t_.far.empty()) return {std::nullopt, kNoTable};
  // The per-pair FAR that gives `rate` over `faces` independent comparisons.
  const double want = -std::expm1(std::log1p(-rate) / double(faces));
  const auto& rows = t_.far;
  auto hi = std::find_if(rows.begin(), rows.end(), [&](const vision::FarAtScore& r) { return r.far <= want; });
  if (hi == rows.end()) {
    return {std::nullopt, Format("%lld faces need a per-pair FAR of %.2g, below the deepest the calibration measured (",
                                 static_cast<long long>(faces), want) +
                              Deepest() + ")"};
  }
  double t = hi->score;
  if (hi != rows.begin()) {
    auto lo = hi - 1;
    if (lo->far > 0 && hi->far > 0 && lo->far > hi->far)
      t = lo->score + (hi->score - lo->score) * (std::log(lo->far) - std::log(want)) /
                          (std::log(lo->far) - std::log(hi->far));
  }
  t = std::min(std::ceil(t * 10.0 - 1e-9) / 10.0, hi->score);
  return {t, {}};
}

Odds StrangerOdds::GenuineRefused(double threshold) const {
  const auto& rows = t_.genuine_refused;
  if (rows.empty())
    return {std::nullopt, "the embedder's calibration file has no genuine refusal table (facepass-eval "
                          "--write-calibration writes one)"};
  if (threshold <= rows.front().score) return {rows.front().refused, {}};
  if (threshold >= rows.back().score) return {rows.back().refused, {}};
  auto hi = std::lower_bound(rows.begin(), rows.end(), threshold,
                             [](const vision::RefusedAtScore& r, double s) { return r.score < s; });
  auto lo = hi - 1;
  const double x = (threshold - lo->score) / (hi->score - lo->score);
  return {lo->refused + x * (hi->refused - lo->refused), {}};
}

}  // namespace facepass::service
