#include "open_set_sweep.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <thread>

namespace facepass::eval {

namespace {

struct Person {
  int enrol = -1;  // photo index of the enrolled photo, -1: none passes the gates
  int probe = -1;  // photo index of the capture, -1: one photo only
  std::vector<int> photos;
};

// cos[p * e_count + e]: found photo p against enrollable person e's enrolled photo.
std::vector<float> CosineMatrix(const std::vector<Photo>& photos, const std::vector<int>& found,
                                const std::vector<int>& enrol_photo, int threads) {
  const size_t cols = enrol_photo.size();
  std::vector<float> m(found.size() * cols, -1.f);
  auto work = [&](int t) {
    for (size_t r = t; r < found.size(); r += threads)
      for (size_t e = 0; e < cols; ++e) m[r * cols + e] = Cosine(photos[found[r]], photos[enrol_photo[e]]);
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(work, t);
  for (auto& t : pool) t.join();
  return m;
}

// Best, second best and the cohort z of one row over the gallery's columns.
ProbeOutcome Search(const float* row, const std::vector<int>& gallery, const ScoreFn& score, int* best) {
  float c1 = -2.f, c2 = -2.f;
  double sum = 0, sum2 = 0;
  *best = -1;
  for (int e : gallery) {
    const float c = row[e];
    sum += c, sum2 += double(c) * c;
    if (c > c1) c2 = c1, c1 = c, *best = e;
    else if (c > c2) c2 = c;
  }
  ProbeOutcome o;
  if (*best < 0) return o;
  o.s1 = score(c1);
  o.s2 = gallery.size() > 1 ? score(c2) : 0.01f;
  const double n = double(gallery.size()) - 1;  // the others: the best one left out
  if (n >= 2) {
    const double mean = (sum - c1) / n, var = std::max(1e-12, (sum2 - double(c1) * c1) / n - mean * mean);
    o.z = float((c1 - mean) / std::sqrt(var));
  }
  return o;
}

struct Stats {
  double mean = 0, min = 0, max = 0;
};
Stats Spread(const std::vector<double>& v) {
  Stats s{0, v.empty() ? 0 : v[0], v.empty() ? 0 : v[0]};
  for (double x : v) s.mean += x, s.min = std::min(s.min, x), s.max = std::max(s.max, x);
  if (!v.empty()) s.mean /= double(v.size());
  return s;
}

std::string Pct(double v) {
  char b[32];
  std::snprintf(b, sizeof b, v < 0.001 && v > 0 ? "%.3f %%" : "%.2f %%", v * 100);
  return b;
}
std::string PctSpread(const Stats& s) { return Pct(s.mean) + " (" + Pct(s.min) + "–" + Pct(s.max) + ")"; }

// A rule: a number per probe; the probe passes when it is >= the rule's threshold
// (and, genuine, its own face is on top).
struct Rule {
  const char* name;
  std::function<double(const ProbeOutcome&)> stat;
};

// The rule's threshold at which its pooled TPIR first reaches `tpir`.
double ThresholdAtTpir(const SweepSize& size, const Rule& rule, double tpir) {
  std::vector<double> v;
  size_t total = 0;
  for (const auto& d : size.draws) {
    total += d.genuine.size();
    for (const auto& o : d.genuine)
      if (o.right) v.push_back(rule.stat(o));
  }
  std::sort(v.begin(), v.end(), std::greater<>());
  const size_t k = size_t(std::ceil(tpir * double(total) - 1e-9));
  if (k == 0 || v.empty()) return HUGE_VAL;
  return v[std::min(k, v.size()) - 1];
}

// TPIR of `rule` at `threshold` over every draw's genuine probes together.
double PooledTpir(const SweepSize& size, const Rule& rule, double threshold) {
  size_t tp = 0, total = 0;
  for (const auto& d : size.draws) {
    total += d.genuine.size();
    for (const auto& o : d.genuine) tp += o.right && rule.stat(o) >= threshold;
  }
  return total ? double(tp) / double(total) : 0;
}

// Per draw: TPIR and FPIR of `rule` at `threshold`.
void Rates(const SweepSize& size, const Rule& rule, double threshold, std::vector<double>* tpir,
           std::vector<double>* fpir, size_t* passes = nullptr, size_t* strangers = nullptr) {
  for (const auto& d : size.draws) {
    size_t tp = 0, fp = 0;
    for (const auto& o : d.genuine) tp += o.right && rule.stat(o) >= threshold;
    for (const auto& o : d.strangers) fp += rule.stat(o) >= threshold;
    tpir->push_back(d.genuine.empty() ? 0 : double(tp) / double(d.genuine.size()));
    fpir->push_back(d.strangers.empty() ? 0 : double(fp) / double(d.strangers.size()));
    if (passes) *passes += fp;
    if (strangers) *strangers += d.strangers.size();
  }
}

}  // namespace

Sweep MeasureSweep(const std::vector<Photo>& photos, const ScoreFn& score, const SweepOptions& options) {
  std::map<std::string, Person> by_id;
  for (int i = 0; i < int(photos.size()); ++i)
    if (photos[i].expected_faces == 1) by_id[photos[i].identity].photos.push_back(i);
  std::vector<Person> people;
  for (auto& [id, p] : by_id) {
    for (int i : p.photos)
      if (photos[i].found && photos[i].refusal.empty()) { p.enrol = i; break; }
    if (p.enrol >= 0)
      for (int i : p.photos)
        if (i != p.enrol) { p.probe = i; break; }
    people.push_back(std::move(p));
  }
  Sweep out;
  std::vector<int> enrollable, enrol_photo;  // person index, and his enrolled photo, per column
  for (int k = 0; k < int(people.size()); ++k) {
    if (people[k].enrol < 0) { ++out.never_enrollable; continue; }
    enrollable.push_back(k), enrol_photo.push_back(people[k].enrol);
    out.enrollable_probed += people[k].probe >= 0;
  }
  out.enrollable = int(enrollable.size());
  // Rows: every found photo; the photo -> row map, and each row's person.
  std::vector<int> found, row_of(photos.size(), -1), person_of_row;
  for (int k = 0; k < int(people.size()); ++k)
    for (int i : people[k].photos)
      if (photos[i].found) row_of[i] = int(found.size()), found.push_back(i), person_of_row.push_back(k);
  const std::vector<float> cos = CosineMatrix(photos, found, enrol_photo, std::max(1, options.threads));
  const size_t cols = enrollable.size();

  int last = -1;
  for (int requested : options.sizes) {
    SweepSize size{requested, {}};
    const int n = std::min<int>(requested, int(cols));
    if (n == last) continue;  // clipped to the same gallery as the size before
    last = n;
    // Every enrollable person enrolled: each draw would be the same one.
    const int draws = n == int(cols) ? 1 : options.draws;
    for (int d = 0; d < draws; ++d) {
      std::vector<int> order(cols);
      for (size_t e = 0; e < cols; ++e) order[e] = int(e);
      std::mt19937 rng(1000 + d);
      std::shuffle(order.begin(), order.end(), rng);
      std::vector<int> gallery(order.begin(), order.begin() + n);
      std::vector<char> enrolled(people.size(), 0);
      for (int e : gallery) enrolled[enrollable[e]] = 1;
      SweepDraw draw;
      draw.faces = n;
      for (int e : gallery) {
        const Person& p = people[enrollable[e]];
        if (p.probe < 0) continue;
        ProbeOutcome o;  // a capture without a face is a miss
        if (row_of[p.probe] >= 0) {
          int best;
          o = Search(&cos[row_of[p.probe] * cols], gallery, score, &best);
          o.right = best == e;
        }
        draw.genuine.push_back(o);
      }
      for (size_t r = 0; r < found.size(); ++r) {
        if (enrolled[person_of_row[r]]) continue;
        int best;
        draw.strangers.push_back(Search(&cos[r * cols], gallery, score, &best));
      }
      size.draws.push_back(std::move(draw));
    }
    out.sizes.push_back(std::move(size));
  }
  return out;
}

void PrintSweep(const Sweep& sweep, const SweepOptions& options, const PredictFn& predict) {
  std::printf("enrollable people (a photo passes the enrol gates) %d, %d of them with another photo to "
              "recognise; people never enrollable (strangers in every draw) %d\n",
              sweep.enrollable, sweep.enrollable_probed, sweep.never_enrollable);
  const Rule plain{"plain", [](const ProbeOutcome& o) { return double(o.s1); }};
  std::printf("\n| faces | strangers per draw | threshold | TPIR mean (min–max) | FPIR mean (min–max) | predicted "
              "1-(1-FAR)^N | strangers passing / expected (all draws) |\n|---|---|---|---|---|---|---|\n");
  for (const SweepSize& size : sweep.sizes) {
    if (size.draws.empty()) continue;
    const int faces = size.draws[0].faces;
    for (double t : options.thresholds) {
      std::vector<double> tpir, fpir;
      size_t passes = 0, strangers = 0;
      Rates(size, plain, t, &tpir, &fpir, &passes, &strangers);
      const auto p = predict(t, faces);
      char expected[32] = "n/a";
      if (p) std::snprintf(expected, sizeof expected, "%.0f", *p * double(strangers));
      std::printf("| %d | %zu | %.0f | %s | %s | %s | %zu / %s |\n", faces, strangers / size.draws.size(), t,
                  PctSpread(Spread(tpir)).c_str(), PctSpread(Spread(fpir)).c_str(),
                  p ? Pct(*p).c_str() : "beyond the calibration", passes, expected);
    }
  }
  std::printf("\n| faces | rank-1 mean (min–max) | genuine probes per draw |\n|---|---|---|\n");
  for (const SweepSize& size : sweep.sizes) {
    if (size.draws.empty()) continue;
    std::vector<double> r1;
    for (const auto& d : size.draws) {
      size_t right = 0;
      for (const auto& o : d.genuine) right += o.right;
      r1.push_back(d.genuine.empty() ? 0 : double(right) / double(d.genuine.size()));
    }
    std::printf("| %d | %s | %zu |\n", size.draws[0].faces, PctSpread(Spread(r1)).c_str(), size.draws[0].genuine.size());
  }

  // Point 3: at the plain threshold's pooled TPIR, each rule's FPIR.
  const std::vector<Rule> rules = {
      plain,
      {"gap 0.5: s1 + 0.5(s1-s2)", [](const ProbeOutcome& o) { return o.s1 + 0.5 * (o.s1 - o.s2); }},
      {"gap 1: s1 + (s1-s2)", [](const ProbeOutcome& o) { return o.s1 + 1.0 * (o.s1 - o.s2); }},
      {"gap 2: s1 + 2(s1-s2)", [](const ProbeOutcome& o) { return o.s1 + 2.0 * (o.s1 - o.s2); }},
      {"cohort z of the best cosine", [](const ProbeOutcome& o) { return double(o.z); }},
      {"s1 + 2z", [](const ProbeOutcome& o) { return o.s1 + 2.0 * o.z; }},
  };
  for (double at : {70.0, 78.0}) {
    std::printf("\nAt the TPIR of the plain threshold %.0f (pooled over the draws), FPIR mean (min–max) per rule\n| "
                "faces | TPIR |", at);
    for (const Rule& r : rules) std::printf(" %s |", r.name);
    std::printf("\n|---|---|");
    for (size_t i = 0; i < rules.size(); ++i) std::printf("---|");
    std::printf("\n");
    for (const SweepSize& size : sweep.sizes) {
      if (size.draws.empty()) continue;
      const double target = PooledTpir(size, plain, at);
      std::printf("| %d | %s |", size.draws[0].faces, Pct(target).c_str());
      for (const Rule& r : rules) {
        const double thr = &r == &rules[0] ? at : ThresholdAtTpir(size, r, target);
        std::vector<double> rt, rf;
        Rates(size, r, thr, &rt, &rf);
        std::printf(" %s (TPIR %s) |", PctSpread(Spread(rf)).c_str(), Pct(PooledTpir(size, r, thr)).c_str());
      }
      std::printf("\n");
    }
  }
}

}  // namespace facepass::eval
