#include "api/sync_request.h"

#include "api/params.h"
#include "sync/sync_codec.h"

namespace facepass::api {

using nlohmann::json;

namespace {

// An optional non-negative integer field; records `name` as illegal otherwise.
int64_t NonNegativeInt(const json& obj, const char* key, const std::string& name, bool required,
                       ParamCheck& check) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required) check.Missing(name);
    return 0;
  }
  std::optional<int64_t> v = JsonInt64(*it);
  if (!v || *v < 0) {
    check.Illegal(name);
    return 0;
  }
  return *v;
}

// The required member `key` when it has the wanted type; records it missing or illegal otherwise.
const json* Required(const json& body, const char* key, bool (json::*is_type)() const noexcept, ParamCheck& check) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) {
    check.Missing(key);
    return nullptr;
  }
  if (!((*it).*is_type)()) {
    check.Illegal(key);
    return nullptr;
  }
  return &*it;
}

}  // namespace

std::optional<DomainError> ParseSyncRequest(const json& body, sync::SyncRequest* r) {
  ParamCheck check;
  if (const json* info = Required(body, "info", &json::is_object, check)) {
    r->search_model = check.JsonString(*info, "search_model", "info.search_model").value_or("");
    r->client_version = check.JsonString(*info, "version", "info.version").value_or("");
    // The answer's format (an extension; absent: 1, the spec's stream).
    if (auto it = info->find("format"); it != info->end() && !it->is_null()) {
      const std::optional<int64_t> format = JsonInt64(*it);
      if (format == sync::kFormatV1 || format == sync::kFormatV2) {
        r->format = static_cast<uint16_t>(*format);
      } else {
        check.Illegal("info.format");
      }
    }
  }
  if (const json* groups = Required(body, "groups", &json::is_array, check)) {
    for (size_t i = 0; i < groups->size(); ++i) {
      const json& g = (*groups)[i];
      const std::string at = "groups[" + std::to_string(i) + "]";
      if (!g.is_object()) {
        check.Illegal(at);
        continue;
      }
      sync::SyncRequest::Group group;
      group.group_name = check.JsonGroupName(g, "group_name", at + ".group_name").value_or("");
      group.group_id = NonNegativeInt(g, "group_id", at + ".group_id", false, check);
      group.local_version = NonNegativeInt(g, "local_version", at + ".local_version", true, check);
      r->groups.push_back(std::move(group));
    }
  }
  return check.Error();
}

}  // namespace facepass::api
