#include "service/catalog.h"

#include "index/face_index.h"
#include "store/database.h"

namespace facepass::service {

Catalog::Catalog(std::unique_ptr<store::Database> db, std::unique_ptr<index::FaceIndex> index)
    : db_(std::move(db)), index_(std::move(index)), db_writes_(db_.get()), index_writes_(index_.get()) {}

Catalog::~Catalog() = default;

Result<int64_t> Catalog::AddFace(int64_t image_id, const store::Rect& rect, std::span<const float> feature,
                                 int64_t now_ms) {
  MutexLock lock(&mu_);
  return db_writes_->InsertFace(image_id, rect, now_ms, feature);
}

DomainResult<Done> Catalog::DeleteFace(int64_t face_id, int64_t now_ms) {
  MutexLock lock(&mu_);
  auto groups = db_writes_->DeleteFace(face_id, now_ms);
  if (!groups.ok()) return LookupFailed(groups.status(), errors::FaceTokenNotExist(), "face delete");
  for (int64_t g : *groups) index_writes_->Remove(g, face_id);
  return Done{};
}

DomainResult<Done> Catalog::CreateGroup(const std::string& name, int64_t now_ms) {
  MutexLock lock(&mu_);
  auto group = db_writes_->CreateGroup(name, now_ms);
  if (!group.ok()) {
    if (group.status().code() == StatusCode::kAlreadyExists) return errors::GroupNameConflict();
    return Internal("group create", group.status());
  }
  return Done{};
}

DomainResult<Done> Catalog::DeleteGroup(const std::string& name, int64_t now_ms) {
  MutexLock lock(&mu_);
  auto group = db_writes_->DeleteGroup(name, now_ms);
  if (!group.ok()) return LookupFailed(group.status(), errors::GroupNameNotExist(), "group delete");
  index_writes_->DropGroup(group->id);
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
  return Done{};
}

}  // namespace facepass::service
