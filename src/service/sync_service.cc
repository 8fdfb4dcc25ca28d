#include "service/sync_service.h"

#include "service/params.h"
#include "service/thresholds.h"
#include "store/database.h"
#include "store/token_cipher.h"
#include "sync/sync_codec.h"
#include "vision/engine.h"

namespace facepass::service {

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
  if (!it->is_number_integer() || it->get<int64_t>() < 0) {
    check.Illegal(name);
    return 0;
  }
  return it->get<int64_t>();
}

std::optional<sync::SyncRequest> ParseRequest(const json& body, ParamCheck& check) {
  sync::SyncRequest r;
  auto info = body.find("info");
  if (info == body.end() || info->is_null()) {
    check.Missing("info");
  } else if (!info->is_object()) {
    check.Illegal("info");
  } else {
    r.search_model = check.JsonString(*info, "search_model", "info.search_model").value_or("");
    r.client_version = check.JsonString(*info, "version", "info.version").value_or("");
  }
  auto groups = body.find("groups");
  if (groups == body.end() || groups->is_null()) {
    check.Missing("groups");
  } else if (!groups->is_array()) {
    check.Illegal("groups");
  } else {
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
      r.groups.push_back(std::move(group));
    }
  }
  if (!check.ok()) return std::nullopt;
  return r;
}

}  // namespace

ApiReply SyncService::Sync(const http::Request& req) {
  ParamCheck check;
  auto request = ParseRequest(req.json, check);
  if (auto e = check.Error()) return ApiReply::Error(*e);

  const int64_t now = NowMs();
  sync::SyncResult result;
  result.search_model = ctx_.engine->search_model();
  result.dim = static_cast<uint32_t>(ctx_.engine->feature_dim());
  result.clear_all = request->search_model != result.search_model;
  result.recognize_threshold = static_cast<float>(ctx_.thresholds->Get().recognize);
  result.server_time_ms = now;

  store::DeviceRecord device;
  device.ip = req.remote_ip;
  device.client_version = request->client_version;
  device.search_model = request->search_model;
  device.sync_time_ms = now;

  for (const auto& g : request->groups) {
    sync::GroupPayload p;
    p.group_name = g.group_name;
    p.local_version = g.local_version;
    store::DeviceGroupStatus st;
    st.group_name = g.group_name;
    st.local_version = g.local_version;

    auto live = ctx_.db->GetGroupByName(g.group_name);
    if (!live.ok() && live.status().code() != StatusCode::kNotFound) return Internal("sync: group", live.status());
    if (!live.ok()) {  // the cloud has no such group: the device keeps its copy
      p.action = sync::GroupAction::kKeepLocal;
      st.group_id = g.group_id;
      st.result_code = 1;
      st.result_version = g.local_version;
    } else if (!result.clear_all && g.group_id == live->id && g.local_version == live->version) {
      p.action = sync::GroupAction::kNone;
      p.group_id = st.group_id = live->id;
      p.cloud_version = st.cloud_version = st.result_version = live->version;
    } else {
      const bool same_group = !result.clear_all && g.group_id == live->id;
      auto delta = ctx_.db->SyncDelta(live->id, same_group ? g.local_version : 0);
      if (!delta.ok() && delta.status().code() != StatusCode::kNotFound) return Internal("sync: delta", delta.status());
      if (!delta.ok() || delta->group.deleted) {  // deleted since the lookup above
        p.action = sync::GroupAction::kKeepLocal;
        st.group_id = g.group_id;
        st.result_code = 1;
        st.result_version = g.local_version;
        device.groups.push_back(std::move(st));
        result.groups.push_back(std::move(p));
        continue;
      }
      p.action = delta->full ? sync::GroupAction::kFull : sync::GroupAction::kIncremental;
      p.group_id = st.group_id = delta->group.id;
      p.cloud_version = st.cloud_version = st.result_version = delta->group.version;
      for (auto& [face_id, feature] : delta->added) {
        p.added.push_back({ctx_.tokens->Encode(store::TokenKind::kFace, face_id), std::move(feature)});
      }
      for (int64_t face_id : delta->deleted) {
        p.deleted.push_back(ctx_.tokens->Encode(store::TokenKind::kFace, face_id));
      }
      st.added = static_cast<int64_t>(p.added.size());
      st.deleted = static_cast<int64_t>(p.deleted.size());
    }
    device.groups.push_back(std::move(st));
    result.groups.push_back(std::move(p));
  }

  auto bytes = sync::Encode(result);
  if (!bytes.ok()) return Internal("sync: encode", bytes.status());
  Status recorded = ctx_.db->UpsertDevice(device);
  if (!recorded.ok()) return Internal("sync: record device", recorded);
  return ApiReply::Bytes(std::move(*bytes), "application/octet-stream");
}

ApiReply SyncService::DeviceStatus(const http::Request&) {
  auto devices = ctx_.db->ListDevices();
  if (!devices.ok()) return Internal("sync status", devices.status());
  json list = json::array();
  for (const auto& d : *devices) {
    json groups = json::array();
    for (const auto& g : d.groups) {
      groups.push_back({{"group_name", g.group_name},
                        {"group_id", g.group_id},
                        {"local_version", g.local_version},
                        {"cloud_version", g.cloud_version},
                        {"result_code", g.result_code},
                        {"result_version", g.result_version},
                        {"result", {{"facetoken_added", g.added}, {"facetoken_deleted", g.deleted}}}});
    }
    list.push_back({{"ip", d.ip},
                    {"version", d.client_version},
                    {"sync_status", {{"sync_time", d.sync_time_ms},
                                     {"info", {{"search_model", d.search_model}}},
                                     {"groups", std::move(groups)}}}});
  }
  return ApiReply::Ok({{"devices", std::move(list)}});
}

}  // namespace facepass::service
