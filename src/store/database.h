// The metadata database: one SQLite file in WAL mode (synchronous=FULL,
// foreign_keys=ON). Thread-safe: one connection behind a mutex. Every mutating
// call is one transaction (with its audit row when given: domain/audited.h);
// no exception leaves this class. It implements the domain's repositories
// except images (bytes in files: store/sqlite_images.h) and the secret
// (store/secret_file.h); store/sqlite_storage.h puts the four together.
//
// Group versions: every event (create, bind of an unbound face, unbind, the
// unbind done by a face delete, group delete) adds exactly 1 and is written to
// the group's change log. Creating a name that existed before continues from
// that name's last version, with a new group_id.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/thread_annotations.h"
#include "domain/audit_repository.h"
#include "domain/config_repository.h"
#include "domain/device_repository.h"
#include "domain/face_repository.h"
#include "domain/group_repository.h"
#include "domain/key_repository.h"
#include "domain/recognition_repository.h"
#include "domain/storage.h"
#include "store/auth_types.h"
#include "store/recognition_types.h"
#include "store/types.h"

namespace SQLite {
class Database;
}

namespace facepass::store {

class Database final : public domain::FaceRepository,
                       public domain::GroupRepository,
                       public domain::RecognitionRepository,
                       public domain::KeyRepository,
                       public domain::AuditRepository,
                       public domain::ConfigRepository,
                       public domain::DeviceRepository {
 public:
  struct Options {
    // Change-log entries kept per group; older ones are pruned and a client
    // that is further behind gets a FULL sync.
    int64_t change_log_keep = 10000;
    int busy_timeout_ms = 5000;
    // false: synchronous=OFF, commits are not fsynced. Only for benches that
    // build large throw-away stores; the server never sets it.
    bool durable = true;
  };

  static constexpr int kSchemaVersion = 5;

  // Creates or migrates the schema. FailedPrecondition if the file comes from
  // a newer schema; Corruption/IoError if SQLite cannot read it.
  static Result<std::unique_ptr<Database>> Open(const std::filesystem::path& file);
  static Result<std::unique_ptr<Database>> Open(const std::filesystem::path& file, const Options& options);
  ~Database() override;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // The SQLite file (for read-only scans on their own connections: binding_scan.h).
  const std::filesystem::path& file() const { return file_; }

  // --- images
  Result<int64_t> InsertImage(ImageKind kind, const std::string& format, const std::string& path,
                              int64_t size, int width, int height, int64_t created_ms);
  Result<ImageRecord> GetImage(int64_t id);  // NotFound
  // Captures with created_ms < before_ms, oldest first. Captures a face was
  // enrolled from are left out: they cannot be purged (see DeleteImage).
  Result<std::vector<ImageRecord>> CapturesOlderThan(int64_t before_ms, int limit);
  // Captures only (retention purge), or enrol images too when `enrol_too`
  // (an image kept ahead of an analysis that refused it): FailedPrecondition
  // for an enrol image otherwise, or one a face still refers to; NotFound if
  // absent. The caller removes the file.
  Status DeleteImage(int64_t id, bool enrol_too = false);

  // --- faces
  using domain::FaceRepository::InsertFace;  // the one without a label
  Result<int64_t> InsertFace(int64_t image_id, const Rect& rect, int64_t created_ms, std::span<const float> feature,
                             const std::optional<std::string>& label,
                             const domain::AuditOf<int64_t>& audit = {}) override;  // NotFound if no such image
  Result<FaceRecord> GetFace(int64_t id) override;  // NotFound if no row; deleted ones too (history)
  Status SetFaceLabel(int64_t id, const std::optional<std::string>& label,
                      const domain::AuditRow& audit = std::nullopt) override;
  // Over faces_label: the column is NOCASE, so the order is the ASCII-folded label's.
  Result<LabelPage> SearchLabels(const std::string& prefix, int limit,
                                 const std::optional<LabelCursor>& after) override;
  Result<std::map<int64_t, std::string>> LabelsOf(const std::vector<int64_t>& face_ids) override;
  // Marks the face deleted, clears its label and unbinds it from every group (each: version+1,
  // logged). Returns those group ids. NotFound if absent or already deleted.
  Result<std::vector<int64_t>> DeleteFace(int64_t id, int64_t now_ms,
                                          const domain::AuditOf<std::vector<int64_t>>& audit = {}) override;
  // Every live face with its enrol image, by face id.
  Result<std::vector<LiveFace>> ListLiveFaces() override;
  Result<int64_t> CountLiveFaces() override;
  // Re-extraction with another embedder, in ONE transaction (all or nothing):
  // replaces the feature of each face in `features` (all of one non-zero
  // dimension) and deletes each face in `drop` as DeleteFace does. NotFound
  // if any of them is absent or deleted.
  Status ReplaceFeatures(const std::vector<std::pair<int64_t, std::vector<float>>>& features,
                         const std::vector<int64_t>& drop, int64_t now_ms) override;

  // --- groups
  Result<GroupRecord> CreateGroup(const std::string& name, int64_t now_ms,
                                  const domain::AuditOf<GroupRecord>& audit = {}) override;  // AlreadyExists
  // Bumps the version, marks deleted, removes bindings; returns the final record.
  Result<GroupRecord> DeleteGroup(const std::string& name, int64_t now_ms,
                                  const domain::AuditOf<GroupRecord>& audit = {}) override;  // NotFound
  Result<GroupRecord> GetGroupByName(const std::string& name) override;  // live only; NotFound
  Result<GroupRecord> GetGroupById(int64_t group_id) override;           // deleted ones too; NotFound
  Result<std::vector<std::string>> ListGroupNames() override;            // live, by name
  Result<std::vector<GroupRecord>> ListGroups() override;                // live, by name
  Result<std::vector<int64_t>> GroupFaceIds(int64_t group_id) override;  // bound faces, by face id
  // true: newly bound (version+1, logged); false: already bound, nothing
  // changes. NotFound if the face is absent/deleted or the group absent/deleted.
  Result<bool> Bind(int64_t group_id, int64_t face_id, int64_t now_ms, const domain::AuditOf<bool>& audit = {}) override;
  // Returns the new version. NotFound if the pair is not bound.
  Result<int64_t> Unbind(int64_t group_id, int64_t face_id, int64_t now_ms,
                         const domain::AuditOf<int64_t>& audit = {}) override;

  // --- sync
  // Bind/unbind changes with version in (from_version, current], oldest first.
  // nullopt when the log does not reach back that far (pruned, or
  // from_version is older than this group_id's creation or newer than its
  // current version) => the caller sends FULL. NotFound if no such group.
  Result<std::optional<std::vector<GroupChange>>> ChangesSince(int64_t group_id, int64_t from_version) override;
  // Features of the given faces, in the given order; absent or deleted faces are left out.
  Result<std::vector<std::pair<int64_t, std::vector<float>>>> FeaturesOf(
      const std::vector<int64_t>& face_ids) override;
  // Everything a sync of one group needs, read in one snapshot: the group
  // record and either the net changes since from_version or (when the log
  // does not reach back, or from_version <= 0) the full face list. Nothing
  // to send when from_version is current. A group deleted meanwhile comes
  // back with group.deleted set and nothing else (the caller keeps local).
  Result<GroupDelta> SyncDelta(int64_t group_id, int64_t from_version) override;

  // Start-up: every live binding with its feature, ordered by group_id.
  // `fn` runs under the database lock and must not call back into it.
  Status ForEachBinding(
      const std::function<void(int64_t group_id, int64_t face_id, std::span<const float> feature)>& fn) override;

  // --- config (thresholds)
  Result<std::map<std::string, double>> LoadConfig() override;
  // Upserts the given keys in one transaction (all or nothing); other keys stay.
  Status SaveConfig(const std::map<std::string, double>& values,
                    const domain::AuditRow& audit = std::nullopt) override;

  // --- devices (sync status), key = ip
  Status UpsertDevice(const DeviceRecord& d) override;  // replaces the device's group list
  Result<std::vector<DeviceRecord>> ListDevices() override;  // by ip

  // --- API keys (keys_repo.cc): only the hash is ever stored
  Result<int64_t> InsertKey(const std::string& name, const std::string& role, const std::string& hash,
                            int64_t now_ms,
                            const domain::AuditOf<int64_t>& audit = {}) override;  // AlreadyExists for a used name
  Result<KeyRecord> FindKeyByHash(const std::string& hash) override;  // revoked ones too; NotFound
  Result<std::vector<KeyRecord>> ListKeys() override;                 // by name, revoked ones too
  Result<int64_t> CountActiveKeys() override;
  Status RevokeKey(const std::string& name, int64_t now_ms,
                   const domain::AuditRow& audit = std::nullopt) override;  // NotFound if absent or revoked
  Status TouchKey(int64_t id, int64_t now_ms) override;  // last_used_ms, never backwards

  // --- audit log (audit_repo.cc)
  Result<int64_t> AppendAudit(const AuditRecord& r) override;  // returns the row id
  // At most `limit` rows with from_ms <= at_ms < to_ms after `after` in
  // (at_ms, id) order, oldest first. InvalidArgument for limit < 1.
  Result<AuditPage> QueryAudit(int64_t from_ms, int64_t to_ms, int limit, AuditCursor after = {}) override;
  // Removes up to max_rows of the oldest rows with at_ms < before_ms; how
  // many went. A purge in batches keeps each write transaction short.
  Result<int64_t> PurgeAuditBefore(int64_t before_ms, int64_t max_rows = INT64_MAX) override;

  // --- recognition history (recognitions_repo.cc, issue 11)
  // All rows in one transaction (a row naming no image fails them all); the
  // rows back with their ids.
  Result<std::vector<RecognitionRecord>> InsertRecognitions(std::vector<RecognitionRecord> rows) override;
  // At most query.limit rows matching every filter, newest first ((at_ms, id)
  // descending). InvalidArgument for limit < 1.
  Result<RecognitionPage> QueryRecognitions(const RecognitionQuery& query) override;

  // Consistency check. kFull (crash tests, backup restore): SQLite integrity
  // and foreign keys, no binding to a missing/deleted face or deleted group,
  // well-formed faces, each group's change log contiguous up to its version
  // and, where unpruned, replaying to its bindings. kQuick (every server
  // start): only what costs time in the bindings and the change logs, not in
  // the faces or the file: no binding to a deleted face or group, the log
  // shapes, name versions. Corruption with the first problem found.
  using Check = domain::IntegrityCheck;
  Status CheckIntegrity(Check depth = Check::kFull);

 private:
  Database(std::unique_ptr<SQLite::Database> db, std::filesystem::path file, const Options& options);

  // Every statement: the connection is not shared between threads
  // (SQLITE_OPEN_NOMUTEX). Each public call takes it inside its Guard.
  Mutex mu_;
  std::unique_ptr<SQLite::Database> db_ PT_GUARDED_BY(mu_);
  const Options options_;
  const std::filesystem::path file_;
};

}  // namespace facepass::store
