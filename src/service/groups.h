// Groups and bindings. Names follow the spec's rule (spec/group_name.h):
// anything else is ILLEGAL_ARGUMENT: group_name. Each change commits its
// `audit` row with it (service/catalog.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "service/catalog.h"
#include "service/domain_result.h"

namespace facepass::service {

struct GroupFaces {
  std::string name;
  std::vector<int64_t> face_ids;  // by face id
};

class Groups {
 public:
  explicit Groups(Catalog& catalog) : catalog_(catalog) {}

  DomainResult<Done> Create(const std::string& name, const domain::AuditHook& audit = {});  // GROUP_NAME_CONFLICT
  DomainResult<Done> Delete(const std::string& name, const domain::AuditHook& audit = {});  // GROUP_NAME_NOT_EXIST
  DomainResult<GroupFaces> Query(const std::string& name);  // GROUP_NAME_NOT_EXIST
  DomainResult<std::vector<std::string>> List();       // live groups, by name
  // GROUP_NAME_NOT_EXIST, FACE_TOKEN_NOT_EXIST; binding a bound face is a no-op.
  DomainResult<Done> Bind(const std::string& name, int64_t face_id, const domain::AuditHook& audit = {});
  // GROUP_NAME_NOT_EXIST, GROUP_BINDING_NOT_EXIST.
  DomainResult<Done> Unbind(const std::string& name, int64_t face_id, const domain::AuditHook& audit = {});

 private:
  Catalog& catalog_;
};

}  // namespace facepass::service
