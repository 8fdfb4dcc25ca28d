// Device sync: what each group of a device needs (NONE, FULL, INCREMENTAL,
// KEEP_LOCAL; docs/sync-protocol.md), and the per-device sync status.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "service/catalog.h"
#include "service/change_feed.h"
#include "service/domain_result.h"
#include "service/face_analyzer.h"
#include "service/thresholds.h"
#include "store/types.h"
#include "sync/sync_types.h"

namespace facepass::service {

struct SyncGroupPlan {
  std::string group_name;
  int64_t group_id = 0;       // the cloud's (the device's own for KEEP_LOCAL)
  int64_t local_version = 0;  // as the device sent it
  int64_t cloud_version = 0;
  sync::GroupAction action = sync::GroupAction::kNone;
  std::vector<std::pair<int64_t, std::vector<float>>> added;  // face id, feature
  std::map<int64_t, std::string> labels;                      // of those added faces that have one
  std::vector<int64_t> deleted;                               // face ids
};

struct SyncPlan {
  std::string search_model;
  uint32_t dim = 0;
  bool clear_all = false;  // the device's model differs: it drops everything first
  float recognize_threshold = 0;
  int64_t server_time_ms = 0;
  std::vector<SyncGroupPlan> groups;  // in request order
};

class DeviceSync {
 public:
  DeviceSync(const Catalog& catalog, const FaceAnalyzer& analyzer, const Thresholds& thresholds)
      : catalog_(catalog), analyzer_(analyzer), thresholds_(thresholds) {}

  // Plans the answer and records the device's sync status (by `device_ip`).
  // ILLEGAL_ARGUMENT: groups[i].group_name for a name outside the spec's rule.
  DomainResult<SyncPlan> Sync(const sync::SyncRequest& request, const std::string& device_ip);
  DomainResult<std::vector<store::DeviceRecord>> DeviceStatus();  // by ip
  // Each group's live id and version now (0 and 0 for a name without a live
  // group), in order: what a notify stream starts with. Internal errors only.
  DomainResult<std::vector<GroupVersion>> CurrentVersions(const std::vector<std::string>& groups) const;

 private:
  const Catalog& catalog_;
  const FaceAnalyzer& analyzer_;
  const Thresholds& thresholds_;
};

}  // namespace facepass::service
