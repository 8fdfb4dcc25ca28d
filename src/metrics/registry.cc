#include "metrics/registry.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace facepass::metrics {

namespace {

[[noreturn]] void Bug(const std::string& name, const char* what) {
  std::fprintf(stderr, "metrics: family '%s': %s\n", name.c_str(), what);
  std::abort();
}

bool NameChar(char c, bool first, bool colon) {
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
  return alpha || (!first && c >= '0' && c <= '9');
}

// Metric names: [a-zA-Z_:][a-zA-Z0-9_:]*; label names the same without ':'.
bool ValidName(const std::string& s, bool colon) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i)
    if (!NameChar(s[i], i == 0, colon)) return false;
  return true;
}

void Check(const FamilyBase& f) {
  if (!ValidName(f.name(), /*colon=*/true)) Bug(f.name(), "invalid metric name");
  for (const std::string& l : f.label_names()) {
    if (!ValidName(l, /*colon=*/false) || l.rfind("__", 0) == 0) Bug(f.name(), "invalid label name");
    if (f.kind() == Kind::kHistogram && l == "le") Bug(f.name(), "a histogram cannot have a label 'le'");
  }
  const std::vector<double>& b = f.bounds();
  if (f.kind() == Kind::kHistogram && b.empty()) Bug(f.name(), "a histogram needs buckets");
  for (size_t i = 0; i < b.size(); ++i) {
    if (!std::isfinite(b[i]) || (i > 0 && b[i] <= b[i - 1])) Bug(f.name(), "buckets must be finite and ascending");
  }
}

}  // namespace

namespace internal {
void LabelArityMismatch(const std::string& family, size_t want, size_t got) {
  std::fprintf(stderr, "metrics: family '%s' has %zu labels, got %zu values\n", family.c_str(), want, got);
  std::abort();
}
}  // namespace internal

FamilyBase& Registry::Add(std::unique_ptr<FamilyBase> f) {
  Check(*f);
  MutexLock lock(&mu_);
  auto [it, inserted] = families_.try_emplace(f->name(), nullptr);
  if (inserted) {
    it->second = std::move(f);
  } else if (it->second->kind() != f->kind() || it->second->label_names() != f->label_names() ||
             it->second->bounds() != f->bounds()) {
    Bug(f->name(), "registered twice with different kind, labels or buckets");
  }
  return *it->second;
}

Family<Counter>& Registry::AddCounter(const std::string& name, const std::string& help,
                                      std::vector<std::string> label_names) {
  return static_cast<Family<Counter>&>(Add(std::make_unique<Family<Counter>>(
      Kind::kCounter, name, help, std::move(label_names), [] { return std::make_unique<Counter>(); })));
}

Family<Gauge>& Registry::AddGauge(const std::string& name, const std::string& help,
                                  std::vector<std::string> label_names) {
  return static_cast<Family<Gauge>&>(Add(std::make_unique<Family<Gauge>>(
      Kind::kGauge, name, help, std::move(label_names), [] { return std::make_unique<Gauge>(); })));
}

Family<Histogram>& Registry::AddHistogram(const std::string& name, const std::string& help,
                                          std::vector<std::string> label_names, std::vector<double> bounds) {
  auto shared = std::make_shared<const std::vector<double>>(bounds);
  return static_cast<Family<Histogram>&>(Add(std::make_unique<Family<Histogram>>(
      Kind::kHistogram, name, help, std::move(label_names),
      [shared] { return std::make_unique<Histogram>(shared); }, std::move(bounds))));
}

void Registry::ForEach(const std::function<void(const FamilyBase&)>& fn) const {
  MutexLock lock(&mu_);
  for (const auto& [name, f] : families_) fn(*f);
}

Registry& DefaultRegistry() {
  static Registry* r = new Registry();  // never destroyed: threads may record during exit
  return *r;
}

std::vector<double> LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
}

}  // namespace facepass::metrics
