#include "service/catalog.h"

#include <spdlog/spdlog.h>

#include "index/face_index.h"
#include "service/change_feed.h"
#include "domain/storage.h"

namespace facepass::service {

namespace {
void AddTo(metrics::Gauge* g, int64_t d) {
  if (g != nullptr) g->Add(d);
}

// A whole group into the index (a node's first sight of it, or a log that no
// longer reaches back), in batches so the copy stays small next to the index.
Status LoadWhole(index::FaceIndex& index, int64_t group_id,
                 const std::vector<std::pair<int64_t, std::vector<float>>>& faces) {
  if (faces.empty()) return Status::OK();
  FP_RETURN_IF_ERROR(index.Reserve(group_id, faces.size()));
  constexpr size_t kBatch = 8192;
  std::vector<int64_t> ids;
  std::vector<float> features;
  for (size_t i = 0; i < faces.size(); i += kBatch) {
    ids.clear();
    features.clear();
    for (size_t j = i; j < std::min(faces.size(), i + kBatch); ++j) {
      ids.push_back(faces[j].first);
      features.insert(features.end(), faces[j].second.begin(), faces[j].second.end());
    }
    FP_RETURN_IF_ERROR(index.BulkLoad(group_id, ids, features));
  }
  return Status::OK();
}

// A node's first load (follow mode): the store's snapshot straight into the
// index, the groups it named kept for their versions.
class SnapshotInto final : public domain::CatalogSnapshotSink {
 public:
  explicit SnapshotInto(index::FaceIndex& index) : index_(index) {}
  Status Group(const store::GroupRecord& group, size_t upper_bound) override {
    groups_.push_back(group);
    return upper_bound > 0 ? index_.Reserve(group.id, upper_bound) : Status::OK();
  }
  Status Faces(int64_t group_id, std::span<const int64_t> face_ids, std::span<const float> features) override {
    return index_.BulkLoad(group_id, face_ids, features);
  }
  const std::vector<store::GroupRecord>& groups() const { return groups_; }

 private:
  index::FaceIndex& index_;
  std::vector<store::GroupRecord> groups_;
};

// The store's half of each catalogue write, its refusals as the spec's
// errors. The same in both modes: SQLite calls it under mu_, follow mode
// (the store orders concurrent writers, only CatchUp changes the index)
// without it.
DomainResult<Done> WriteLabel(domain::Storage& s, int64_t face_id, const std::optional<std::string>& label,
                              const domain::AuditHook& audit) {
  Status st = s.faces().SetFaceLabel(face_id, label, domain::AuditRowOf(audit));
  if (!st.ok()) return LookupFailed(st, errors::FaceTokenNotExist(), "face update");
  return Done{};
}

DomainResult<std::vector<int64_t>> WriteDeleteFace(domain::Storage& s, int64_t face_id, int64_t now_ms,
                                                   const domain::AuditHook& audit) {
  auto groups = s.faces().DeleteFace(face_id, now_ms, domain::AuditFor<std::vector<int64_t>>(audit));
  if (!groups.ok()) return LookupFailed(groups.status(), errors::FaceTokenNotExist(), "face delete");
  return *std::move(groups);
}

DomainResult<store::GroupRecord> WriteCreateGroup(domain::Storage& s, const std::string& name, int64_t now_ms,
                                                  const domain::AuditHook& audit) {
  auto group = s.groups().CreateGroup(name, now_ms, domain::AuditFor<store::GroupRecord>(audit));
  if (group.ok()) return *std::move(group);
  if (group.status().code() == StatusCode::kAlreadyExists) return errors::GroupNameConflict();
  return Internal("group create", group.status());
}

DomainResult<store::GroupRecord> WriteDeleteGroup(domain::Storage& s, const std::string& name, int64_t now_ms,
                                                  const domain::AuditHook& audit) {
  auto group = s.groups().DeleteGroup(name, now_ms, domain::AuditFor<store::GroupRecord>(audit));
  if (!group.ok()) return LookupFailed(group.status(), errors::GroupNameNotExist(), "group delete");
  return *std::move(group);
}

DomainResult<store::GroupRecord> LiveGroup(domain::Storage& s, const std::string& name, const char* where) {
  auto group = s.groups().GetGroupByName(name);
  if (!group.ok()) return LookupFailed(group.status(), errors::GroupNameNotExist(), where);
  return *std::move(group);
}

DomainResult<bool> WriteBind(domain::Storage& s, int64_t group_id, int64_t face_id, int64_t now_ms,
                             const domain::AuditHook& audit) {
  auto added = s.groups().Bind(group_id, face_id, now_ms, domain::AuditFor<bool>(audit));
  if (!added.ok()) return LookupFailed(added.status(), errors::FaceTokenNotExist(), "group bind");
  return *added;
}

DomainResult<int64_t> WriteUnbind(domain::Storage& s, int64_t group_id, int64_t face_id, int64_t now_ms,
                                  const domain::AuditHook& audit) {
  auto version = s.groups().Unbind(group_id, face_id, now_ms, domain::AuditFor<int64_t>(audit));
  if (!version.ok()) return LookupFailed(version.status(), errors::GroupBindingNotExist(), "group unbind");
  return *version;
}
}  // namespace

Catalog::Catalog(domain::Storage& storage, std::unique_ptr<index::FaceIndex> index, CatalogGauges gauges,
                 ChangeFeed* feed)
    : storage_(storage),
      index_(std::move(index)),
      store_writes_(&storage),
      index_writes_(index_.get()),
      gauges_(gauges),
      feed_(feed),
      log_(storage.catalog_log()) {
  MutexLock lock(&mu_);
  // Counted once at open; every write below keeps them.
  auto faces = store_writes_->faces().CountLiveFaces();
  auto groups = store_writes_->groups().ListGroupNames();
  if (!faces.ok() || !groups.ok()) spdlog::warn("catalog: the face and group gauges start at 0 (count failed)");
  live_faces_ = faces.ok() ? *faces : 0;
  // Follow mode counts the groups as its catch-up indexes them.
  live_groups_ = groups.ok() && log_ == nullptr ? static_cast<int64_t>(groups->size()) : 0;
  AddTo(gauges_.faces, live_faces_);
  AddTo(gauges_.groups, live_groups_);
}

Catalog::~Catalog() {
  MutexLock lock(&mu_);
  AddTo(gauges_.faces, -live_faces_);
  AddTo(gauges_.groups, -live_groups_);
}

void Catalog::CountFaces(int64_t d) {
  live_faces_ += d;
  AddTo(gauges_.faces, d);
}

void Catalog::CountFacesAlone(int64_t d) {
  MutexLock lock(&mu_);
  CountFaces(d);
}

void Catalog::CountGroups(int64_t d) {
  live_groups_ += d;
  AddTo(gauges_.groups, d);
}

void Catalog::Notify(const store::GroupRecord& group) {
  if (feed_ == nullptr) return;
  feed_->Publish(GroupVersion{group.name, group.deleted ? 0 : group.id, group.version, group.deleted});
}

Result<int64_t> Catalog::AddFace(int64_t image_id, const store::Rect& rect, std::span<const float> feature,
                                 int64_t now_ms, const std::optional<std::string>& label,
                                 const domain::AuditOf<int64_t>& audit) {
  if (log_ != nullptr) {  // follow mode: no index change, the store orders writers
    auto id = storage_.faces().InsertFace(image_id, rect, now_ms, feature, label, audit);
    if (id.ok()) CountFacesAlone(+1);
    return id;
  }
  MutexLock lock(&mu_);
  auto id = store_writes_->faces().InsertFace(image_id, rect, now_ms, feature, label, audit);
  if (id.ok()) CountFaces(+1);
  return id;
}

DomainResult<Done> Catalog::SetLabel(int64_t face_id, const std::optional<std::string>& label,
                                     const domain::AuditHook& audit) {
  if (log_ != nullptr) return WriteLabel(storage_, face_id, label, audit);  // follow mode: no index change
  MutexLock lock(&mu_);
  return WriteLabel(*store_writes_, face_id, label, audit);
}

DomainResult<Done> Catalog::DeleteFace(int64_t face_id, int64_t now_ms, const domain::AuditHook& audit) {
  if (log_ != nullptr) {
    auto groups = WriteDeleteFace(storage_, face_id, now_ms, audit);
    if (!groups.ok()) return groups.error();
    CountFacesAlone(-1);
    Follow("face delete");
    return Done{};
  }
  MutexLock lock(&mu_);
  auto groups = WriteDeleteFace(*store_writes_, face_id, now_ms, audit);
  if (!groups.ok()) return groups.error();
  for (int64_t g : *groups) index_writes_->Remove(g, face_id);
  CountFaces(-1);
  // Committed: a failed read only costs the notice (the devices' safety poll catches up).
  for (int64_t g : feed_ != nullptr ? *groups : std::vector<int64_t>()) {
    if (auto record = store_writes_->groups().GetGroupById(g); record.ok()) Notify(*record);
  }
  return Done{};
}

DomainResult<Done> Catalog::CreateGroup(const std::string& name, int64_t now_ms, const domain::AuditHook& audit) {
  if (log_ != nullptr) {
    auto group = WriteCreateGroup(storage_, name, now_ms, audit);
    if (!group.ok()) return group.error();
    Follow("group create");
    return Done{};
  }
  MutexLock lock(&mu_);
  auto group = WriteCreateGroup(*store_writes_, name, now_ms, audit);
  if (!group.ok()) return group.error();
  CountGroups(+1);
  Notify(*group);
  return Done{};
}

DomainResult<Done> Catalog::DeleteGroup(const std::string& name, int64_t now_ms, const domain::AuditHook& audit) {
  if (log_ != nullptr) {
    auto group = WriteDeleteGroup(storage_, name, now_ms, audit);
    if (!group.ok()) return group.error();
    Follow("group delete");
    return Done{};
  }
  MutexLock lock(&mu_);
  auto group = WriteDeleteGroup(*store_writes_, name, now_ms, audit);
  if (!group.ok()) return group.error();
  index_writes_->DropGroup(group->id);
  CountGroups(-1);
  Notify(*group);
  return Done{};
}

DomainResult<Done> Catalog::Bind(const std::string& group_name, int64_t face_id, int64_t now_ms,
                                 const domain::AuditHook& audit) {
  if (log_ != nullptr) {  // the store checks the face itself: no feature read
    auto group = LiveGroup(storage_, group_name, "group bind: group");
    if (!group.ok()) return group.error();
    auto added = WriteBind(storage_, group->id, face_id, now_ms, audit);
    if (!added.ok()) return added.error();
    if (*added) Follow("group bind");  // a bound face changed nothing: nothing to catch up
    return Done{};
  }
  MutexLock lock(&mu_);
  auto group = LiveGroup(*store_writes_, group_name, "group bind: group");
  if (!group.ok()) return group.error();
  auto face = store_writes_->faces().GetFace(face_id);  // its feature, for the index
  if (!face.ok() && face.status().code() != StatusCode::kNotFound) return Internal("group bind: face", face.status());
  if (!face.ok() || face->deleted) return errors::FaceTokenNotExist();
  auto added = WriteBind(*store_writes_, group->id, face_id, now_ms, audit);
  if (!added.ok()) return added.error();
  if (*added) {
    store::GroupRecord bound = *group;
    ++bound.version;  // a new binding adds exactly 1 (domain/group_repository.h), and mu_ keeps others out
    Notify(bound);
    Status s = index_writes_->Add(group->id, face_id, face->feature);
    if (!s.ok()) return Internal("group bind: index", s);
  }
  return Done{};
}

DomainResult<Done> Catalog::Unbind(const std::string& group_name, int64_t face_id, int64_t now_ms,
                                   const domain::AuditHook& audit) {
  if (log_ != nullptr) {
    auto group = LiveGroup(storage_, group_name, "group unbind: group");
    if (!group.ok()) return group.error();
    auto version = WriteUnbind(storage_, group->id, face_id, now_ms, audit);
    if (!version.ok()) return version.error();
    Follow("group unbind");
    return Done{};
  }
  MutexLock lock(&mu_);
  auto group = LiveGroup(*store_writes_, group_name, "group unbind: group");
  if (!group.ok()) return group.error();
  auto version = WriteUnbind(*store_writes_, group->id, face_id, now_ms, audit);
  if (!version.ok()) return version.error();
  index_writes_->Remove(group->id, face_id);
  store::GroupRecord unbound = *group;
  unbound.version = *version;
  Notify(unbound);
  return Done{};
}

// --- follow mode

Status Catalog::CatchUp() {
  if (log_ == nullptr) return Status::OK();
  FP_ASSIGN_OR_RETURN(int64_t seq, log_->CatalogSequence());
  if (seq <= applied_seq_.load(std::memory_order_acquire)) return Status::OK();
  MutexLock lock(&mu_);
  return CatchUpLocked(seq);
}

void Catalog::Follow(const char* what) {
  Status s = CatchUp();
  if (!s.ok()) spdlog::warn("catalog: {} committed, index catch-up deferred: {}", what, s.ToString());
}

Status Catalog::CatchUpLocked(int64_t seq) {
  int64_t applied = applied_seq_.load(std::memory_order_relaxed);
  if (applied < 0) {  // never loaded: every group from one snapshot, then the log from there
    FP_ASSIGN_OR_RETURN(applied, LoadSnapshotLocked());
    applied_seq_.store(applied, std::memory_order_release);
  }
  if (seq <= applied) return Status::OK();  // another caller got here first
  FP_ASSIGN_OR_RETURN(auto changed, log_->GroupsChangedSince(applied));
  for (const domain::StampedGroup& g : changed) {
    FP_RETURN_IF_ERROR(ApplyGroupLocked(g.group));
    // Commit order is sequence order: everything up to this stamp is applied.
    applied = std::max(applied, g.seq);
    applied_seq_.store(applied, std::memory_order_release);
  }
  // Transactions that changed no group (a bind of a bound face) move it too.
  applied_seq_.store(std::max(applied, seq), std::memory_order_release);
  return Status::OK();
}

Result<int64_t> Catalog::LoadSnapshotLocked() {
  SnapshotInto into(*index_writes_);
  Result<int64_t> seq = log_->LoadSnapshot(static_cast<size_t>(index_writes_->dim()), into);
  if (!seq.ok()) {  // part of it may be in: the next try starts from nothing again
    for (const store::GroupRecord& g : into.groups()) index_writes_->DropGroup(g.id);
    return seq.status();
  }
  for (const store::GroupRecord& g : into.groups()) {
    versions_[g.id] = g.version;
    Notify(g);
  }
  CountGroups(static_cast<int64_t>(into.groups().size()));
  return seq;
}

Status Catalog::ApplyGroupLocked(const store::GroupRecord& group) {
  auto known = versions_.find(group.id);
  if (group.deleted) {
    if (known == versions_.end()) return Status::OK();  // never indexed here (created and deleted meanwhile)
    index_writes_->DropGroup(group.id);
    versions_.erase(known);
    CountGroups(-1);
    Notify(group);
    return Status::OK();
  }
  const int64_t from = known == versions_.end() ? 0 : known->second;
  if (group.version <= from) return Status::OK();
  // Record, and the net change or the whole face list, from one snapshot.
  FP_ASSIGN_OR_RETURN(domain::GroupDelta delta, store_writes_->groups().SyncDelta(group.id, from));
  if (delta.group.deleted) return ApplyGroupLocked(delta.group);  // deleted since the stamp was read
  if (delta.full) {
    index_writes_->DropGroup(group.id);
    FP_RETURN_IF_ERROR(LoadWhole(*index_writes_, group.id, delta.added));
  } else {
    for (int64_t face_id : delta.deleted) index_writes_->Remove(group.id, face_id);
    for (const auto& [face_id, feature] : delta.added)
      FP_RETURN_IF_ERROR(index_writes_->Add(group.id, face_id, feature));
  }
  if (known == versions_.end()) CountGroups(+1);
  versions_[group.id] = delta.group.version;
  Notify(delta.group);
  return Status::OK();
}

}  // namespace facepass::service
