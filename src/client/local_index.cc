#include "client/local_index.h"

#include <algorithm>

namespace facepass::client {

Result<LocalIndex> LocalIndex::Load(const DeviceStore& store) {
  LocalIndex index;
  Status st;
  Status visit = store.ForEachFace([&](const std::string& group, const std::string& token, std::span<const float> f) {
    if (st.ok()) st = index.Add(group, token, f);
  });
  if (!visit.ok()) return visit;
  if (!st.ok()) return st;
  return index;
}

Status LocalIndex::Add(std::string_view group_name, std::string_view face_token, std::span<const float> feature) {
  if (feature.empty()) return Status::InvalidArgument("empty feature for " + std::string(face_token));
  if (dim_ == 0) dim_ = static_cast<uint32_t>(feature.size());
  if (feature.size() != dim_) {
    return Status::Corruption("feature of " + std::string(face_token) + " has " + std::to_string(feature.size()) +
                              " floats, index has " + std::to_string(dim_));
  }
  auto it = groups_.find(group_name);
  if (it == groups_.end()) it = groups_.emplace(std::string(group_name), Group{}).first;
  it->second.tokens.emplace_back(face_token);
  it->second.matrix.insert(it->second.matrix.end(), feature.begin(), feature.end());
  return Status::OK();
}

Result<std::vector<LocalMatch>> LocalIndex::Search(std::string_view group_name, std::span<const float> query,
                                                   size_t k) const {
  std::vector<LocalMatch> out;
  auto it = groups_.find(group_name);
  if (it == groups_.end() || it->second.tokens.empty() || k == 0) return out;
  if (query.size() != dim_) {
    return Status::InvalidArgument("query has " + std::to_string(query.size()) + " floats, synced features have " +
                                   std::to_string(dim_));
  }
  const Group& g = it->second;
  std::vector<std::pair<float, size_t>> scored(g.tokens.size());
  for (size_t r = 0; r < g.tokens.size(); ++r) {
    const float* row = g.matrix.data() + r * dim_;
    float dot = 0;
    for (uint32_t d = 0; d < dim_; ++d) dot += row[d] * query[d];
    scored[r] = {dot, r};
  }
  auto better = [&g](const std::pair<float, size_t>& a, const std::pair<float, size_t>& b) {
    return a.first != b.first ? a.first > b.first : g.tokens[a.second] < g.tokens[b.second];
  };
  k = std::min(k, scored.size());
  std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(k), scored.end(), better);
  for (size_t i = 0; i < k; ++i) out.push_back({g.tokens[scored[i].second], scored[i].first});
  return out;
}

size_t LocalIndex::size(std::string_view group_name) const {
  auto it = groups_.find(group_name);
  return it == groups_.end() ? 0 : it->second.tokens.size();
}

}  // namespace facepass::client
