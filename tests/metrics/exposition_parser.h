// A strict reader of the Prometheus text format 0.0.4 for tests: every line
// must be a well-formed HELP, TYPE or sample line; every sample belongs to a
// family declared by TYPE before it, with its lines together; label values
// use only the format's escapes; a histogram's buckets per label set have
// ascending le ending with +Inf, non-decreasing counts, a _sum and a _count
// equal to the +Inf bucket. Stricter than Prometheus (which allows untyped
// samples), since our encoder always writes TYPE.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace facepass::metrics::testing {

using Labels = std::map<std::string, std::string>;

struct Sample {
  std::string name;  // as written: x_bucket, x_sum, ...
  Labels labels;     // unescaped
  double value = 0;
};

struct ParsedFamily {
  std::string type;  // counter | gauge | histogram | summary | untyped
  std::string help;  // unescaped
  std::vector<Sample> samples;
};

struct Exposition {
  std::map<std::string, ParsedFamily> families;
  std::string error;  // "line N: why"; empty when the text is valid

  bool ok() const { return error.empty(); }
  // The sample `name` with exactly these labels; NaN when absent.
  double Value(const std::string& name, const Labels& labels = {}) const;
  // Sum over the samples `name` whose labels include `subset`.
  double Sum(const std::string& name, const Labels& subset = {}) const;
};

Exposition ParseExposition(std::string_view text);

}  // namespace facepass::metrics::testing
