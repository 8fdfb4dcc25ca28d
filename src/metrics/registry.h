// The set of metric families a process exports on GET /metrics.
//
// Layers register their families once (at construction) and keep the
// references: registration takes the registry's mutex, recording never does.
// Adding a name that exists returns the existing family when kind, labels and
// buckets match, so two servers or engines in one process share it. A
// mismatch, or a name or label that the format forbids, is a bug at the call
// site: it aborts, naming the family (the names are compile-time constants).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/thread_annotations.h"
#include "metrics/family.h"
#include "metrics/instruments.h"

namespace facepass::metrics {

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  Family<Counter>& AddCounter(const std::string& name, const std::string& help,
                              std::vector<std::string> label_names = {});
  Family<Gauge>& AddGauge(const std::string& name, const std::string& help,
                          std::vector<std::string> label_names = {});
  // `bounds`: bucket upper bounds, finite and strictly ascending (+Inf is implied).
  Family<Histogram>& AddHistogram(const std::string& name, const std::string& help,
                                  std::vector<std::string> label_names, std::vector<double> bounds);

  // Every family, by name. `fn` must not register families.
  void ForEach(const std::function<void(const FamilyBase&)>& fn) const EXCLUDES(mu_);

 private:
  FamilyBase& Add(std::unique_ptr<FamilyBase> f) EXCLUDES(mu_);

  // The map; each family locks its own children.
  mutable Mutex mu_;
  std::map<std::string, std::unique_ptr<FamilyBase>> families_ GUARDED_BY(mu_);
};

// The registry of this process: what the server's layers record into unless
// told otherwise, and what `facepass serve` exports.
Registry& DefaultRegistry();

// Seconds, 0.5 ms to 30 s: request and inference latencies.
std::vector<double> LatencyBuckets();

}  // namespace facepass::metrics
