#include "service/groups.h"

#include "common/clock.h"
#include "spec/group_name.h"
#include "domain/storage.h"

namespace facepass::service {

namespace {
std::optional<DomainError> CheckName(const std::string& name) {
  if (name.empty()) return errors::MissingArgument("group_name");
  if (!spec::IsValidGroupName(name)) return errors::IllegalArgument("group_name");
  return std::nullopt;
}
}  // namespace

DomainResult<Done> Groups::Create(const std::string& name, const domain::AuditHook& audit) {
  if (auto e = CheckName(name)) return *e;
  return catalog_.CreateGroup(name, NowMs(), audit);
}

DomainResult<Done> Groups::Delete(const std::string& name, const domain::AuditHook& audit) {
  if (auto e = CheckName(name)) return *e;
  return catalog_.DeleteGroup(name, NowMs(), audit);
}

DomainResult<GroupFaces> Groups::Query(const std::string& name) {
  if (auto e = CheckName(name)) return *e;
  auto group = catalog_.storage().groups().GetGroupByName(name);
  if (!group.ok()) return LookupFailed(group.status(), errors::GroupNameNotExist(), "group query");
  auto ids = catalog_.storage().groups().GroupFaceIds(group->id);
  if (!ids.ok()) return Internal("group query: faces", ids.status());
  return GroupFaces{group->name, std::move(*ids)};
}

DomainResult<std::vector<std::string>> Groups::List() {
  auto names = catalog_.storage().groups().ListGroupNames();
  if (!names.ok()) return Internal("group list", names.status());
  return std::move(*names);
}

DomainResult<Done> Groups::Bind(const std::string& name, int64_t face_id, const domain::AuditHook& audit) {
  if (auto e = CheckName(name)) return *e;
  return catalog_.Bind(name, face_id, NowMs(), audit);
}

DomainResult<Done> Groups::Unbind(const std::string& name, int64_t face_id, const domain::AuditHook& audit) {
  if (auto e = CheckName(name)) return *e;
  return catalog_.Unbind(name, face_id, NowMs(), audit);
}

}  // namespace facepass::service
