// The device's local copy of its groups: a SQLite file (WAL) holding, per
// configured group, group_name, group_id, local_version and the face tokens
// with their features, plus what the last sync said (search_model, feature
// dimension, recognise threshold). Every sync answer is applied in one
// transaction: a crash mid-apply leaves the previous copy.
//
// The two functions of the spec's SDK (getSyncRequestData /
// handleSyncResultData) are MakeSyncRequest() and ApplySyncResult().
// Thread-safe (one internal mutex); several processes may open the same file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "spec/group_name.h"
#include "sync/sync_codec.h"

namespace SQLite {
class Database;
}

namespace facepass::client {

struct LocalGroup {
  std::string group_name;
  int64_t group_id = 0;       // 0 until the first FULL sync
  int64_t local_version = 0;  // the cloud_version last applied
  int64_t face_count = 0;
};

// What the last applied sync answer said (empty before the first sync).
struct StoreInfo {
  std::string search_model;       // the model the stored features belong to
  uint32_t dim = 0;
  float recognize_threshold = 78;
  int64_t last_sync_ms = 0;       // device clock, when the last answer was applied
  int64_t server_time_ms = 0;     // server clock, from that answer
};

// What ApplySyncResult() did, group by group.
struct ApplyReport {
  bool clear_all = false;
  struct Group {
    std::string group_name;
    sync::GroupAction action = sync::GroupAction::kNone;
    int64_t group_id = 0;       // after the apply
    int64_t local_version = 0;  // after the apply
    int64_t added = 0;
    int64_t deleted = 0;
    bool skipped = false;       // not applied: not configured here, or a stale INCREMENTAL
    std::string note;           // why it was skipped
  };
  std::vector<Group> groups;
  int64_t total_added() const;
  int64_t total_deleted() const;
};

class DeviceStore {
 public:
  static Result<std::unique_ptr<DeviceStore>> Open(const std::filesystem::path& file);
  ~DeviceStore();
  DeviceStore(const DeviceStore&) = delete;
  DeviceStore& operator=(const DeviceStore&) = delete;

  // Configuration (the spec's setLocalGroup): a new group starts with
  // group_id 0 and local_version 0, so the next sync fetches it FULL.
  // Adding a configured group changes nothing. Names: ^[A-Za-z0-9_]{4,16}$.
  Status AddGroup(std::string_view group_name);
  Status RemoveGroup(std::string_view group_name);  // drops its faces too

  Result<std::vector<LocalGroup>> Groups() const;  // in configuration order
  Result<StoreInfo> Info() const;

  // The model id the device's features are (to be) made with. Used by
  // MakeSyncRequest() while the store has no synced features yet; once a sync
  // was applied the store reports the answer's search_model instead.
  Status SetDefaultSearchModel(std::string_view search_model);
  // For tests and upgrades: pretend the stored features are of this model.
  Status OverrideSearchModelForTesting(std::string_view search_model);

  // getSyncRequestData: the JSON request for POST /api/service/sync/v1.
  // With no model known yet it sends kUnknownSearchModel: the server then
  // answers clear-all + FULL, which is what an empty store needs.
  Result<sync::SyncRequest> MakeSyncRequest() const;
  // handleSyncResultData: decodes the server's answer and applies it
  // atomically. Nothing changes when it returns an error.
  Result<ApplyReport> ApplySyncResult(std::string_view bytes);
  // The same, for an already decoded answer.
  Result<ApplyReport> Apply(const sync::SyncResult& result);

  // Visits every stored face (group order, then token order).
  using FaceVisitor = std::function<void(const std::string& group_name, const std::string& face_token,
                                         std::span<const float> feature)>;
  Status ForEachFace(const FaceVisitor& visit) const;

  // Test hook: called inside the apply transaction after each group is
  // written; an error aborts (rolls back) the apply. A process may also die
  // inside it to prove crash atomicity.
  void SetApplyHookForTesting(std::function<Status(size_t group_index)> hook);

 private:
  explicit DeviceStore(std::unique_ptr<SQLite::Database> db);
  Status ApplyLocked(const sync::SyncResult& r, ApplyReport* report);

  mutable std::mutex mu_;
  std::unique_ptr<SQLite::Database> db_;
  std::function<Status(size_t)> apply_hook_;
};

inline constexpr char kUnknownSearchModel[] = "unknown";

using spec::IsValidGroupName;  // the spec rule: spec/group_name.h

}  // namespace facepass::client
