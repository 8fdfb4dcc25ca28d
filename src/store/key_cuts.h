// Cutting the bindings key space, (group_id, face_id) in order, into ranges of
// about equal rows, for the loads that read ranges side by side (SQLite's
// binding scan, PostgreSQL's first load).
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "common/status.h"

namespace facepass::store {

using BindingKey = std::pair<int64_t, int64_t>;  // (group_id, face_id)

// `sizes`: (group, bindings) in group order. `key_at(group, offset)` answers
// Result<std::optional<int64_t>>: the face id at that offset of the group's
// bindings in face order. Returns parts + 1 bounds, range i being
// [bounds[i], bounds[i + 1]) with the ends unbounded. A cut that cannot be
// found (never, when the sizes and the keys come from one snapshot) gives one
// range over everything rather than overlapping ones.
template <typename KeyAt>
Result<std::vector<std::optional<BindingKey>>> CutBindingKeys(const std::vector<std::pair<int64_t, int64_t>>& sizes,
                                                              int parts, KeyAt&& key_at) {
  int64_t total = 0;
  for (const auto& [group, n] : sizes) total += n;
  std::vector<std::optional<BindingKey>> bounds(static_cast<size_t>(std::max(parts, 1)) + 1);
  for (size_t i = 1; i + 1 < bounds.size(); ++i) {
    const int64_t target = total * static_cast<int64_t>(i) / static_cast<int64_t>(bounds.size() - 1);
    int64_t seen = 0;
    for (const auto& [group, n] : sizes) {
      if (seen + n > target) {
        FP_ASSIGN_OR_RETURN(const std::optional<int64_t> face, key_at(group, target - seen));
        if (face) bounds[i] = BindingKey{group, *face};
        break;
      }
      seen += n;
    }
    if (!bounds[i]) return std::vector<std::optional<BindingKey>>(2);
  }
  return bounds;
}

}  // namespace facepass::store
