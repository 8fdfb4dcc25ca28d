#include "store/change_log.h"

#include <map>
#include <utility>

namespace facepass::store::change_log {

NetEffect Net(const std::vector<domain::GroupChange>& changes) {
  // A face's first change tells whether it was bound before them, its last
  // whether it is bound now.
  std::map<int64_t, std::pair<bool, bool>> first_last;
  for (const domain::GroupChange& c : changes) {
    auto [it, inserted] = first_last.try_emplace(c.face_id, c.bound, c.bound);
    if (!inserted) it->second.second = c.bound;
  }
  NetEffect out;
  for (const auto& [face_id, fl] : first_last) {
    const bool was_bound = !fl.first, is_bound = fl.second;
    if (was_bound && !is_bound) out.deleted.push_back(face_id);
    if (!was_bound && is_bound) out.added.push_back(face_id);
  }
  return out;
}

}  // namespace facepass::store::change_log
