#include "store/integrity_rules.h"

#include "store/change_op.h"

namespace facepass::store::integrity {

Status CheckLogShape(const LogShape& g) {
  const std::string gid = "group " + std::to_string(g.group_id);
  if (g.log_floor < 0 || g.log_floor >= g.version)
    return Bad(gid + " log_floor " + std::to_string(g.log_floor) + " vs version " + std::to_string(g.version));
  if (g.entries != g.version - g.log_floor)
    return Bad(gid + " change log has " + std::to_string(g.entries) + " entries, expected " +
               std::to_string(g.version - g.log_floor));
  if (g.min_version != g.log_floor + 1 || g.max_version != g.version) return Bad(gid + " change log range");
  return Status::OK();
}

Status NameVersions::Next(const std::string& name, int64_t version) {
  if (name == last_name_ && version <= last_version_) return Bad("group name " + name + " versions not increasing");
  last_name_ = name;
  last_version_ = version;
  return Status::OK();
}

Status Replay::Change(int64_t group_id, int op, int64_t face_id, bool first_kept) {
  if (group_id != current_) {
    current_ = group_id;
    if (first_kept && op == kOpCreate) complete_.insert(group_id);
  }
  if (!complete_.count(group_id)) return Status::OK();
  std::set<int64_t>& s = replayed_[group_id];
  if (op == kOpBind && !s.insert(face_id).second) return Bad("group " + std::to_string(group_id) + " binds a bound face");
  if (op == kOpUnbind && s.erase(face_id) == 0)
    return Bad("group " + std::to_string(group_id) + " unbinds an unbound face");
  if (op == kOpDelete) s.clear();
  return Status::OK();
}

Status Replay::Finish() {
  for (int64_t gid : complete_) {
    if (replayed_[gid] != actual_[gid]) return Bad("group " + std::to_string(gid) + " bindings differ from its change log");
  }
  return Status::OK();
}

}  // namespace facepass::store::integrity
