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
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "client/local_face.h"
#include "common/status.h"
#include "common/thread_annotations.h"
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
  int64_t last_local_edit_ms = 0; // device clock, the last local enrol/delete (0: none)
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

  // The sync format the device asks for (sync_codec.h; kLatestFormat until
  // set): 2 brings labels and float16 features, 1 is the spec's stream.
  // InvalidArgument for another value.
  Status SetSyncFormat(uint16_t format);
  // getSyncRequestData: the JSON request for POST /api/service/sync/v1.
  // With no model known yet it sends kUnknownSearchModel: the server then
  // answers clear-all + FULL, which is what an empty store needs.
  Result<sync::SyncRequest> MakeSyncRequest() const;
  // handleSyncResultData: decodes the server's answer and applies it
  // atomically. Nothing changes when it returns an error.
  Result<ApplyReport> ApplySyncResult(std::string_view bytes);
  // The same, for an already decoded answer.
  Result<ApplyReport> Apply(const sync::SyncResult& result);

  // Local edits (the spec's offline mode, 底库同步 point 9). Each one sets the
  // group's local_version to 0 in the transaction that makes the change (its
  // group_id is kept), so the next sync gets the group FULL and the cloud's
  // copy replaces the local one ("云端无条件覆盖本地"); a cloud without the group
  // answers KEEP_LOCAL and the edit stays.
  //
  // Adds a face with a new local id (local_face.h). `feature` is unit length,
  // made by the engine of `search_model`: refused (kFailedPrecondition) while
  // the store holds faces of another model or dimension; on an empty store it
  // sets the model and dimension. kNotFound when the group is not configured.
  Result<std::string> AddLocalFace(std::string_view group_name, std::string_view search_model,
                                   std::span<const float> feature);
  // Deletes a face (local or synced) from the local group; kNotFound when the
  // group or the face is not there (then nothing changes, version included).
  Status DeleteFace(std::string_view group_name, std::string_view face_token);
  // The label a format-2 sync stored for the face; none when it has none or
  // is not there.
  Result<std::optional<std::string>> LabelOf(std::string_view group_name, std::string_view face_token) const;
  // The faces of a local group, by token; kNotFound when not configured.
  Result<std::vector<LocalFace>> ListFaces(std::string_view group_name) const;

  // Visits every stored face (group order, then token order).
  using FaceVisitor = std::function<void(const std::string& group_name, const std::string& face_token,
                                         std::span<const float> feature)>;
  Status ForEachFace(const FaceVisitor& visit) const;

  // Test hook: called inside the apply transaction after each group is
  // written; an error aborts (rolls back) the apply. A process may also die
  // inside it to prove crash atomicity.
  void SetApplyHookForTesting(std::function<Status(size_t group_index)> hook);
  // Test hook: called inside a local edit's transaction after the face is
  // written and before the version is; a process may die inside it.
  void SetEditHookForTesting(std::function<void()> hook);

 private:
  explicit DeviceStore(std::unique_ptr<SQLite::Database> db);
  Status ApplyLocked(const sync::SyncResult& r, ApplyReport* report) REQUIRES(mu_);
  void MarkLocallyEdited(std::string_view group_name) REQUIRES(mu_);  // inside the edit's transaction
  // One meta row, in a statement of its own.
  Status WriteMeta(const char* key, const std::string& value) EXCLUDES(mu_);

  // Every statement (one connection) and the hooks.
  mutable Mutex mu_;
  std::unique_ptr<SQLite::Database> db_ PT_GUARDED_BY(mu_);
  std::function<Status(size_t)> apply_hook_ GUARDED_BY(mu_);
  std::function<void()> edit_hook_ GUARDED_BY(mu_);
};

inline constexpr char kUnknownSearchModel[] = "unknown";

using spec::IsValidGroupName;  // the spec rule: spec/group_name.h

}  // namespace facepass::client
