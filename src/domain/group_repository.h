// Groups, their bindings and the per-group version / change log.
//
// Every event (create, bind of an unbound face, unbind, the unbind done by a
// face delete, group delete) adds exactly 1 to the group's version and is
// written to its change log, in the transaction of the change. Versions are
// gapless and the same for every reader, also under concurrent writers on
// different connections or nodes. Creating a name that existed before
// continues from that name's last version, with a new group_id.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "domain/audited.h"
#include "domain/types.h"

namespace facepass::domain {

class GroupRepository {
 public:
  virtual ~GroupRepository() = default;

  virtual Result<GroupRecord> CreateGroup(const std::string& name, int64_t now_ms,
                                          const AuditOf<GroupRecord>& audit = {}) = 0;  // AlreadyExists
  // Bumps the version, marks deleted, removes bindings; returns the final record. NotFound.
  virtual Result<GroupRecord> DeleteGroup(const std::string& name, int64_t now_ms,
                                          const AuditOf<GroupRecord>& audit = {}) = 0;
  virtual Result<GroupRecord> GetGroupByName(const std::string& name) = 0;  // live only; NotFound
  virtual Result<GroupRecord> GetGroupById(int64_t group_id) = 0;           // deleted ones too; NotFound
  virtual Result<std::vector<std::string>> ListGroupNames() = 0;            // live, by name
  virtual Result<std::vector<GroupRecord>> ListGroups() = 0;                // live, by name
  virtual Result<std::vector<int64_t>> GroupFaceIds(int64_t group_id) = 0;  // bound faces, by face id
  // true: newly bound (version+1, logged); false: already bound, nothing
  // changes (the audit row is still written). NotFound if the face is
  // absent/deleted or the group absent/deleted.
  virtual Result<bool> Bind(int64_t group_id, int64_t face_id, int64_t now_ms, const AuditOf<bool>& audit = {}) = 0;
  // Returns the new version. NotFound if the pair is not bound.
  virtual Result<int64_t> Unbind(int64_t group_id, int64_t face_id, int64_t now_ms,
                                 const AuditOf<int64_t>& audit = {}) = 0;

  // Bind/unbind changes with version in (from_version, current], oldest first.
  // nullopt when the log does not reach back that far (pruned, or
  // from_version is older than this group_id's creation or newer than its
  // current version) => the caller sends FULL. NotFound if no such group.
  virtual Result<std::optional<std::vector<GroupChange>>> ChangesSince(int64_t group_id, int64_t from_version) = 0;
  // Everything a sync of one group needs, read in one snapshot: the group
  // record and either the net changes since from_version or (when the log
  // does not reach back, or from_version <= 0) the full face list. Nothing
  // to send when from_version is current. A group deleted meanwhile comes
  // back with group.deleted set and nothing else (the caller keeps local).
  virtual Result<GroupDelta> SyncDelta(int64_t group_id, int64_t from_version) = 0;
  // Start-up: every live binding with its feature, ordered by group_id, then
  // face_id. `fn` runs while the store reads and must not call back into it.
  virtual Status ForEachBinding(
      const std::function<void(int64_t group_id, int64_t face_id, std::span<const float> feature)>& fn) = 0;
};

}  // namespace facepass::domain
