#include "metrics.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <thread>

namespace facepass::eval {

PairSet AllPairs(const std::vector<Photo>& photos, int threads, const std::function<bool(const Photo&)>& keep) {
  std::vector<const Photo*> use;
  for (const Photo& p : photos)
    if (p.found && p.expected_faces == 1 && (!keep || keep(p))) use.push_back(&p);
  const size_t n = use.size();
  threads = std::max(1, threads);
  std::vector<PairSet> parts(threads);
  auto work = [&](int t) {
    PairSet& out = parts[t];
    // Rows interleaved across threads: row i has n-i-1 pairs, so this balances.
    for (size_t i = t; i < n; i += threads) {
      const float* a = use[i]->feature.data();
      const size_t dim = use[i]->feature.size();
      for (size_t j = i + 1; j < n; ++j) {
        if (use[j]->feature.size() != dim) continue;
        const float* b = use[j]->feature.data();
        float dot = 0;
        for (size_t k = 0; k < dim; ++k) dot += a[k] * b[k];
        (use[i]->identity == use[j]->identity ? out.genuine : out.impostor).push_back(dot);
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(work, t);
  for (auto& t : pool) t.join();
  PairSet all;
  for (auto& p : parts) {
    all.genuine.insert(all.genuine.end(), p.genuine.begin(), p.genuine.end());
    all.impostor.insert(all.impostor.end(), p.impostor.begin(), p.impostor.end());
  }
  std::sort(all.genuine.begin(), all.genuine.end());
  std::sort(all.impostor.begin(), all.impostor.end());
  return all;
}

double FractionAtOrAbove(const std::vector<float>& sorted, const ScoreFn& score, double threshold) {
  if (sorted.empty()) return 0;
  // The score is monotonic in the cosine: binary search the first value that reaches it.
  auto it = std::partition_point(sorted.begin(), sorted.end(), [&](float c) { return score(c) < threshold; });
  return double(sorted.end() - it) / double(sorted.size());
}

OneToOne MeasureOneToOne(const PairSet& p, const ScoreFn& score, double threshold) {
  OneToOne r;
  r.genuine = p.genuine.size();
  r.impostor = p.impostor.size();
  if (p.genuine.empty() || p.impostor.empty()) return r;
  // AUC = P(genuine > impostor) + P(tie) / 2, by merging the sorted lists.
  double wins = 0;
  size_t lo = 0, hi = 0;
  for (float g : p.genuine) {
    while (lo < p.impostor.size() && p.impostor[lo] < g) ++lo;
    hi = std::max(hi, lo);
    while (hi < p.impostor.size() && p.impostor[hi] == g) ++hi;
    wins += double(lo) + 0.5 * double(hi - lo);
  }
  r.auc = wins / (double(p.genuine.size()) * double(p.impostor.size()));
  r.far = FractionAtOrAbove(p.impostor, score, threshold);
  r.frr = 1.0 - FractionAtOrAbove(p.genuine, score, threshold);
  const double fars[3] = {1e-3, 1e-4, 1e-5};
  for (int i = 0; i < 3; ++i) {
    size_t above = size_t(std::floor(fars[i] * double(p.impostor.size())));
    if (above == 0) { r.tar_at_far[i] = -1; continue; }  // too few impostor pairs to say
    float thr = p.impostor[p.impostor.size() - above];  // `above` impostors are >= thr
    auto it = std::upper_bound(p.genuine.begin(), p.genuine.end(), thr);
    r.tar_at_far[i] = double(p.genuine.end() - it) / double(p.genuine.size());
  }
  return r;
}

OpenSet MeasureOpenSet(const std::vector<Photo>& photos, const ScoreFn& score, double threshold, int gallery,
                       int strangers, int draws) {
  std::map<std::string, std::vector<const Photo*>> by_id;
  for (const Photo& p : photos)
    if (p.expected_faces == 1) by_id[p.identity].push_back(&p);
  struct Person {
    const Photo* enrol = nullptr;
    const Photo* probe = nullptr;
  };
  std::vector<Person> multi;
  std::vector<const Photo*> singles;
  OpenSet r;
  for (auto& [id, list] : by_id) {
    if (list.size() == 1) {
      singles.push_back(list[0]);
      continue;
    }
    ++r.identities_multi;
    Person person;
    for (const Photo* p : list)
      if (p->found && p->refusal.empty()) { person.enrol = p; break; }
    if (!person.enrol) { ++r.identities_refused; continue; }
    for (const Photo* p : list)
      if (p != person.enrol) { person.probe = p; break; }
    multi.push_back(person);
  }
  auto search = [&](const std::vector<const Person*>& g, const Photo* probe, int* best) {
    float top = -2.f;
    *best = -1;
    if (!probe->found) return top;
    for (size_t i = 0; i < g.size(); ++i) {
      const auto& a = g[i]->enrol->feature;
      const auto& b = probe->feature;
      if (a.size() != b.size()) continue;
      float dot = 0;
      for (size_t k = 0; k < a.size(); ++k) dot += a[k] * b[k];
      if (dot > top) top = dot, *best = int(i);
    }
    return top;
  };
  for (int d = 0; d < draws; ++d) {
    std::mt19937 rng(1000 + d);
    std::vector<const Person*> g;
    for (const Person& p : multi) g.push_back(&p);
    std::shuffle(g.begin(), g.end(), rng);
    g.resize(std::min<size_t>(g.size(), gallery));
    std::vector<const Photo*> s = singles;
    std::shuffle(s.begin(), s.end(), rng);
    s.resize(std::min<size_t>(s.size(), strangers));
    OpenSetDraw out;
    out.enrolled = int(g.size());
    out.genuine_probes = int(g.size());
    out.strangers = int(s.size());
    int tp = 0, r1 = 0, fp = 0;
    for (size_t i = 0; i < g.size(); ++i) {
      int best;
      float c = search(g, g[i]->probe, &best);
      if (best == int(i)) {
        ++r1;
        if (score(c) >= threshold) ++tp;
      }
    }
    for (const Photo* p : s) {
      int best;
      float c = search(g, p, &best);
      if (best >= 0 && score(c) >= threshold) ++fp;
    }
    out.tpir = g.empty() ? 0 : double(tp) / g.size();
    out.rank1 = g.empty() ? 0 : double(r1) / g.size();
    out.fpir = s.empty() ? 0 : double(fp) / s.size();
    r.draws.push_back(out);
  }
  return r;
}

double ScoreForFar(double far) { return 38.0 + 8.0 * std::log10(1.0 / far); }

std::vector<std::pair<float, float>> FitKnots(const std::vector<float>& impostor) {
  std::vector<std::pair<float, float>> knots = {{-1.f, 0.01f}};
  if (impostor.empty()) return {{-1.f, 0.01f}, {1.f, 100.f}};
  const double n = double(impostor.size());
  std::vector<double> fars = {0.5};
  for (double k = 1.0; k <= 6.0 + 1e-9; k += 0.5) fars.push_back(std::pow(10.0, -k));
  for (double far : fars) {
    size_t above = size_t(std::llround(far * n));
    if (above < 5) break;  // too few impostor pairs behind this point to place it
    float c = impostor[impostor.size() - above];
    float s = float(ScoreForFar(far));
    if (c > knots.back().first + 1e-6f && c < 1.f && s > knots.back().second) knots.emplace_back(c, s);
  }
  knots.emplace_back(1.f, 100.f);
  return knots;
}

}  // namespace facepass::eval
