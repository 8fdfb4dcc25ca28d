// In-memory 1:N search over the features a DeviceStore holds: brute force
// over unit float vectors, one contiguous matrix per group. A device's group
// is small (thousands of faces); 10,000 x 1024-D is ~10 ms per query.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "client/device_store.h"
#include "common/status.h"

namespace facepass::client {

struct LocalMatch {
  std::string face_token;
  float similarity = 0;  // inner product of unit vectors (cosine)
};

class LocalIndex {
 public:
  // Loads every face of the store. Features must all have the same length.
  static Result<LocalIndex> Load(const DeviceStore& store);

  // Adds one face (used by Load and by tests).
  Status Add(std::string_view group_name, std::string_view face_token, std::span<const float> feature);

  // The best `k` faces of `group_name` for `query` (unit length), best first;
  // ties go to the smaller token. Empty when the group is unknown or empty.
  Result<std::vector<LocalMatch>> Search(std::string_view group_name, std::span<const float> query,
                                         size_t k = 1) const;

  uint32_t dim() const { return dim_; }
  size_t size(std::string_view group_name) const;

 private:
  struct Group {
    std::vector<std::string> tokens;
    std::vector<float> matrix;  // tokens.size() x dim_, row-major
  };
  uint32_t dim_ = 0;
  std::map<std::string, Group, std::less<>> groups_;
};

}  // namespace facepass::client
