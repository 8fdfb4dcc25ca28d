#include "service/catalog.h"

#include <spdlog/spdlog.h>

#include "index/face_index.h"
#include "service/change_feed.h"
#include "store/database.h"

namespace facepass::service {

namespace {
void AddTo(metrics::Gauge* g, int64_t d) {
  if (g != nullptr) g->Add(d);
}
}  // namespace

Catalog::Catalog(std::unique_ptr<store::Database> db, std::unique_ptr<index::FaceIndex> index,
                 CatalogGauges gauges, ChangeFeed* feed)
    : db_(std::move(db)),
      index_(std::move(index)),
      db_writes_(db_.get()),
      index_writes_(index_.get()),
      gauges_(gauges),
      feed_(feed) {
  MutexLock lock(&mu_);
  // Counted once at open; every write below keeps them.
  auto faces = db_writes_->CountLiveFaces();
  auto groups = db_writes_->ListGroupNames();
  if (!faces.ok() || !groups.ok()) spdlog::warn("catalog: the face and group gauges start at 0 (count failed)");
  live_faces_ = faces.ok() ? *faces : 0;
  live_groups_ = groups.ok() ? static_cast<int64_t>(groups->size()) : 0;
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

void Catalog::CountGroups(int64_t d) {
  live_groups_ += d;
  AddTo(gauges_.groups, d);
}

void Catalog::Notify(const store::GroupRecord& group) {
  if (feed_ == nullptr) return;
  feed_->Publish(GroupVersion{group.name, group.deleted ? 0 : group.id, group.version, group.deleted});
}

Result<int64_t> Catalog::AddFace(int64_t image_id, const store::Rect& rect, std::span<const float> feature,
                                 int64_t now_ms, const std::optional<std::string>& label) {
  MutexLock lock(&mu_);
  auto id = db_writes_->InsertFace(image_id, rect, now_ms, feature, label);
  if (id.ok()) CountFaces(+1);
  return id;
}

DomainResult<Done> Catalog::SetLabel(int64_t face_id, const std::optional<std::string>& label) {
  MutexLock lock(&mu_);
  Status s = db_writes_->SetFaceLabel(face_id, label);
  if (!s.ok()) return LookupFailed(s, errors::FaceTokenNotExist(), "face update");
  return Done{};
}

DomainResult<Done> Catalog::DeleteFace(int64_t face_id, int64_t now_ms) {
  MutexLock lock(&mu_);
  auto groups = db_writes_->DeleteFace(face_id, now_ms);
  if (!groups.ok()) return LookupFailed(groups.status(), errors::FaceTokenNotExist(), "face delete");
  for (int64_t g : *groups) index_writes_->Remove(g, face_id);
  CountFaces(-1);
  // Committed: a failed read only costs the notice (the devices' safety poll catches up).
  for (int64_t g : feed_ != nullptr ? *groups : std::vector<int64_t>()) {
    if (auto record = db_writes_->GetGroupById(g); record.ok()) Notify(*record);
  }
  return Done{};
}

DomainResult<Done> Catalog::CreateGroup(const std::string& name, int64_t now_ms) {
  MutexLock lock(&mu_);
  auto group = db_writes_->CreateGroup(name, now_ms);
  if (!group.ok()) {
    if (group.status().code() == StatusCode::kAlreadyExists) return errors::GroupNameConflict();
    return Internal("group create", group.status());
  }
  CountGroups(+1);
  Notify(*group);
  return Done{};
}

DomainResult<Done> Catalog::DeleteGroup(const std::string& name, int64_t now_ms) {
  MutexLock lock(&mu_);
  auto group = db_writes_->DeleteGroup(name, now_ms);
  if (!group.ok()) return LookupFailed(group.status(), errors::GroupNameNotExist(), "group delete");
  index_writes_->DropGroup(group->id);
  CountGroups(-1);
  Notify(*group);
  return Done{};
}

DomainResult<Done> Catalog::Bind(const std::string& group_name, int64_t face_id, int64_t now_ms) {
  MutexLock lock(&mu_);
  auto group = db_writes_->GetGroupByName(group_name);
  if (!group.ok()) return LookupFailed(group.status(), errors::GroupNameNotExist(), "group bind: group");
  auto face = db_writes_->GetFace(face_id);
  if (!face.ok() && face.status().code() != StatusCode::kNotFound) return Internal("group bind: face", face.status());
  if (!face.ok() || face->deleted) return errors::FaceTokenNotExist();
  auto added = db_writes_->Bind(group->id, face_id, now_ms);
  if (!added.ok()) return LookupFailed(added.status(), errors::FaceTokenNotExist(), "group bind");
  if (*added) {
    store::GroupRecord bound = *group;
    ++bound.version;  // a new binding adds exactly 1 (store/database.h), and mu_ keeps others out
    Notify(bound);
    Status s = index_writes_->Add(group->id, face_id, face->feature);
    if (!s.ok()) return Internal("group bind: index", s);
  }
  return Done{};
}

DomainResult<Done> Catalog::Unbind(const std::string& group_name, int64_t face_id, int64_t now_ms) {
  MutexLock lock(&mu_);
  auto group = db_writes_->GetGroupByName(group_name);
  if (!group.ok()) return LookupFailed(group.status(), errors::GroupNameNotExist(), "group unbind: group");
  auto version = db_writes_->Unbind(group->id, face_id, now_ms);
  if (!version.ok()) return LookupFailed(version.status(), errors::GroupBindingNotExist(), "group unbind");
  index_writes_->Remove(group->id, face_id);
  store::GroupRecord unbound = *group;
  unbound.version = *version;
  Notify(unbound);
  return Done{};
}

}  // namespace facepass::service
