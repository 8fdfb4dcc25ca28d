// A metric family: one name, help text and label names, and one child
// instrument per distinct list of label values, made on first use.
//
//   Family<Counter>& f = registry.AddCounter("x_total", "Xs.", {"code"});
//   f.With({"200"}).Inc();
//
// With() takes a shared (reader) lock for the lookup; only the first use of a
// label list takes the lock exclusively. Children live as long as the family
// (never removed), so a caller may keep the reference With() returns.
#pragma once

#include <algorithm>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/thread_annotations.h"
#include "metrics/instruments.h"

namespace facepass::metrics {

enum class Kind { kCounter, kGauge, kHistogram };

class FamilyBase {
 public:
  FamilyBase(Kind kind, std::string name, std::string help, std::vector<std::string> label_names,
             std::vector<double> bounds = {})
      : kind_(kind),
        name_(std::move(name)),
        help_(std::move(help)),
        label_names_(std::move(label_names)),
        bounds_(std::move(bounds)) {}
  virtual ~FamilyBase() = default;
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;

  Kind kind() const { return kind_; }
  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  const std::vector<double>& bounds() const { return bounds_; }  // histograms; else empty

 private:
  const Kind kind_;
  const std::string name_;
  const std::string help_;
  const std::vector<std::string> label_names_;
  const std::vector<double> bounds_;
};

namespace internal {
// Orders label-value lists; transparent, so a lookup needs no std::string.
struct LabelsLess {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                        [](std::string_view x, std::string_view y) { return x < y; });
  }
};
// A wrong number of label values is a bug at the call site: it aborts, naming the family.
[[noreturn]] void LabelArityMismatch(const std::string& family, size_t want, size_t got);
}  // namespace internal

template <typename T>
class Family : public FamilyBase {
 public:
  using Make = std::function<std::unique_ptr<T>()>;
  Family(Kind kind, std::string name, std::string help, std::vector<std::string> label_names, Make make,
         std::vector<double> bounds = {})
      : FamilyBase(kind, std::move(name), std::move(help), std::move(label_names), std::move(bounds)),
        make_(std::move(make)) {
    if (this->label_names().empty()) With({});  // an unlabelled family exports 0 from the start
  }

  // One value per label name, in order.
  T& With(std::initializer_list<std::string_view> values) { return With(std::span(values.begin(), values.size())); }
  T& With(std::span<const std::string_view> values) EXCLUDES(mu_) {
    if (values.size() != label_names().size()) internal::LabelArityMismatch(name(), label_names().size(), values.size());
    {
      ReaderMutexLock read(&mu_);
      if (auto it = children_.find(values); it != children_.end()) return *it->second;
    }
    WriterMutexLock write(&mu_);
    auto it = children_.find(values);
    if (it == children_.end()) {
      it = children_.emplace(std::vector<std::string>(values.begin(), values.end()), make_()).first;
    }
    return *it->second;
  }

  // Every child, ordered by label values; `fn` must not call With() on this family.
  void ForEach(const std::function<void(const std::vector<std::string>& values, const T& child)>& fn) const
      EXCLUDES(mu_) {
    ReaderMutexLock read(&mu_);
    for (const auto& [values, child] : children_) fn(values, *child);
  }

 private:
  const Make make_;
  // The map, not the children: a child's atomics need no lock.
  mutable SharedMutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<T>, internal::LabelsLess> children_ GUARDED_BY(mu_);
};

}  // namespace facepass::metrics
