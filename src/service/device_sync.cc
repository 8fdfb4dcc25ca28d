#include "service/device_sync.h"

#include "common/clock.h"
#include "service/arg_errors.h"
#include "spec/group_name.h"
#include "domain/storage.h"

namespace facepass::service {

namespace {

// The device keeps its copy: the cloud has no live group of that name.
void KeepLocal(const sync::SyncRequest::Group& g, SyncGroupPlan* p, store::DeviceGroupStatus* st) {
  p->action = sync::GroupAction::kKeepLocal;
  st->group_id = g.group_id;
  st->result_code = 1;
  st->result_version = g.local_version;
}

}  // namespace

DomainResult<SyncPlan> DeviceSync::Sync(const sync::SyncRequest& request, const std::string& device_ip) {
  ArgErrors check;
  for (size_t i = 0; i < request.groups.size(); ++i) {
    if (!spec::IsValidGroupName(request.groups[i].group_name)) check.Illegal("groups[" + std::to_string(i) + "].group_name");
  }
  if (auto e = check.Error()) return *e;

  const int64_t now = NowMs();
  SyncPlan plan;
  plan.search_model = analyzer_.search_model();
  plan.dim = static_cast<uint32_t>(analyzer_.feature_dim());
  plan.clear_all = request.search_model != plan.search_model;
  plan.recognize_threshold = static_cast<float>(thresholds_.Get().recognize);
  plan.server_time_ms = now;

  store::DeviceRecord device;
  device.ip = device_ip;
  device.client_version = request.client_version;
  device.search_model = request.search_model;
  device.sync_time_ms = now;

  domain::Storage& db = catalog_.storage();
  for (const auto& g : request.groups) {
    SyncGroupPlan p;
    p.group_name = g.group_name;
    p.local_version = g.local_version;
    store::DeviceGroupStatus st;
    st.group_name = g.group_name;
    st.local_version = g.local_version;

    auto live = db.groups().GetGroupByName(g.group_name);
    if (!live.ok() && live.status().code() != StatusCode::kNotFound) return Internal("sync: group", live.status());
    if (!live.ok()) {
      KeepLocal(g, &p, &st);
    } else if (!plan.clear_all && g.group_id == live->id && g.local_version == live->version) {
      p.action = sync::GroupAction::kNone;
      p.group_id = st.group_id = live->id;
      p.cloud_version = st.cloud_version = st.result_version = live->version;
    } else {
      const bool same_group = !plan.clear_all && g.group_id == live->id;
      auto delta = db.groups().SyncDelta(live->id, same_group ? g.local_version : 0);
      if (!delta.ok() && delta.status().code() != StatusCode::kNotFound) return Internal("sync: delta", delta.status());
      if (!delta.ok() || delta->group.deleted) {  // deleted since the lookup above
        KeepLocal(g, &p, &st);
      } else {
        p.action = delta->full ? sync::GroupAction::kFull : sync::GroupAction::kIncremental;
        p.group_id = st.group_id = delta->group.id;
        p.cloud_version = st.cloud_version = st.result_version = delta->group.version;
        p.added = std::move(delta->added);
        p.labels = std::move(delta->labels);
        p.deleted = std::move(delta->deleted);
        st.added = static_cast<int64_t>(p.added.size());
        st.deleted = static_cast<int64_t>(p.deleted.size());
      }
    }
    device.groups.push_back(std::move(st));
    plan.groups.push_back(std::move(p));
  }
  Status recorded = db.devices().UpsertDevice(device);
  if (!recorded.ok()) return Internal("sync: record device", recorded);
  return plan;
}

DomainResult<std::vector<GroupVersion>> DeviceSync::CurrentVersions(const std::vector<std::string>& groups) const {
  std::vector<GroupVersion> out;
  for (const std::string& name : groups) {
    GroupVersion v;
    v.group_name = name;
    auto live = catalog_.storage().groups().GetGroupByName(name);
    if (!live.ok() && live.status().code() != StatusCode::kNotFound) return Internal("notify: group", live.status());
    if (live.ok()) {
      v.group_id = live->id;
      v.version = live->version;
    }
    out.push_back(std::move(v));
  }
  return out;
}

DomainResult<std::vector<store::DeviceRecord>> DeviceSync::DeviceStatus() {
  auto devices = catalog_.storage().devices().ListDevices();
  if (!devices.ok()) return Internal("sync status", devices.status());
  return std::move(*devices);
}

}  // namespace facepass::service
