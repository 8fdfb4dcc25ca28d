// The PostgreSQL backend (issue 27): every repository of domain::Storage in
// one database that all nodes of an installation share, images included (as
// bytea), the installation secret too. Thread-safe: a pool of connections,
// each call one transaction on one of them (with its audit row when given:
// domain/audited.h). No exception leaves; a lost or timed-out server is
// Unavailable within about 2 s, with the password never in a message.
//
// The same semantics as the SQLite backend (store/database.h), which the
// contract tests (tests/store/contract_*.cc) hold both to. Group versions
// stay gapless under concurrent writers on different connections or nodes:
// every change of a group takes the group's row lock (faces before groups,
// groups in id order, so writers do not deadlock), and create/delete of a
// name take a transaction-scoped advisory lock on the name.
#pragma once

#include <memory>
#include <string>

#include "domain/storage.h"
#include "store/pg/connection_pool.h"

namespace facepass::store::pg {

class PgStore final : public domain::Storage,
                      public domain::FaceRepository,
                      public domain::GroupRepository,
                      public domain::ImageRepository,
                      public domain::RecognitionRepository,
                      public domain::KeyRepository,
                      public domain::AuditRepository,
                      public domain::ConfigRepository,
                      public domain::DeviceRepository,
                      public domain::SecretRepository,
                      public domain::CatalogLog,
                      public domain::TaskLocks {
 public:
  struct Options {
    // Change-log entries kept per group (as Database::Options).
    int64_t change_log_keep = 10000;
    ConnectionPool::Options pool;
  };

  static constexpr int kSchemaVersion = 5;

  // Connects, and creates the schema on an empty database (the first node;
  // the others wait for it). FailedPrecondition for a newer schema;
  // InvalidArgument for a bad URI; Unavailable when the server is not there.
  static Result<std::unique_ptr<PgStore>> Open(const std::string& uri, const Options& options);
  static Result<std::unique_ptr<PgStore>> Open(const std::string& uri) { return Open(uri, Options()); }

  // "user@host:port/db", never the password.
  const std::string& target() const { return pool_->target(); }

  // --- domain::Storage
  domain::FaceRepository& faces() override { return *this; }
  domain::GroupRepository& groups() override { return *this; }
  domain::ImageRepository& images() override { return *this; }
  domain::RecognitionRepository& recognitions() override { return *this; }
  domain::KeyRepository& keys() override { return *this; }
  domain::AuditRepository& audit() override { return *this; }
  domain::ConfigRepository& config() override { return *this; }
  domain::DeviceRepository& devices() override { return *this; }
  domain::SecretRepository& secret() override { return *this; }
  domain::CatalogLog* catalog_log() override { return this; }
  domain::TaskLocks* task_locks() override { return this; }
  Status CheckIntegrity(domain::IntegrityCheck depth) override;  // integrity.cc

  // --- the catalogue's position (groups_repo.cc)
  Result<int64_t> CatalogSequence() override;
  Result<std::vector<domain::StampedGroup>> GroupsChangedSince(int64_t after) override;
  Result<int64_t> LoadSnapshot(size_t dim, domain::CatalogSnapshotSink& sink) override;  // snapshot_load.cc
  Result<std::string> ClaimSearchModel(const std::string& model) override;
  // LISTEN on a connection of its own (catalog_listener.h).
  std::unique_ptr<Watch> WatchChanges(std::function<void()> on_change) override;

  // --- background tasks (pg_store.cc): a session advisory lock on a
  // connection of its own, so a pass that uses the pool cannot starve it.
  Result<bool> RunAlone(std::string_view task, const std::function<void()>& fn) override;

  // --- images (images_repo.cc)
  Result<int64_t> AddImage(domain::ImageKind kind, const std::string& format, std::string_view bytes, int width,
                           int height, int64_t created_ms) override;
  Result<domain::ImageRecord> GetImage(int64_t id) override;
  Result<std::string> ReadImage(const domain::ImageRecord& image) override;
  Result<std::vector<domain::ImageRecord>> CapturesOlderThan(int64_t before_ms, int limit) override;
  Status DeleteCapture(int64_t id) override;
  Status DiscardImage(int64_t id) override;

  // --- faces (faces_repo.cc)
  using domain::FaceRepository::InsertFace;  // the one without a label
  Result<int64_t> InsertFace(int64_t image_id, const domain::Rect& rect, int64_t created_ms,
                             std::span<const float> feature, const std::optional<std::string>& label,
                             const domain::AuditOf<int64_t>& audit = {}) override;
  Result<domain::FaceRecord> GetFace(int64_t id) override;
  Status SetFaceLabel(int64_t id, const std::optional<std::string>& label,
                      const domain::AuditRow& audit = std::nullopt) override;
  Result<domain::LabelPage> SearchLabels(const std::string& prefix, int limit,
                                         const std::optional<domain::LabelCursor>& after) override;
  Result<std::map<int64_t, std::string>> LabelsOf(const std::vector<int64_t>& face_ids) override;
  Result<std::vector<int64_t>> DeleteFace(int64_t id, int64_t now_ms,
                                          const domain::AuditOf<std::vector<int64_t>>& audit = {}) override;
  Result<std::vector<domain::LiveFace>> ListLiveFaces() override;
  Result<int64_t> CountLiveFaces() override;
  Status ReplaceFeatures(const std::vector<std::pair<int64_t, std::vector<float>>>& features,
                         const std::vector<int64_t>& drop, int64_t now_ms) override;
  Result<std::vector<std::pair<int64_t, std::vector<float>>>> FeaturesOf(
      const std::vector<int64_t>& face_ids) override;

  // --- groups (groups_repo.cc) and sync reads (sync_repo.cc)
  Result<domain::GroupRecord> CreateGroup(const std::string& name, int64_t now_ms,
                                          const domain::AuditOf<domain::GroupRecord>& audit = {}) override;
  Result<domain::GroupRecord> DeleteGroup(const std::string& name, int64_t now_ms,
                                          const domain::AuditOf<domain::GroupRecord>& audit = {}) override;
  Result<domain::GroupRecord> GetGroupByName(const std::string& name) override;
  Result<domain::GroupRecord> GetGroupById(int64_t group_id) override;
  Result<std::vector<std::string>> ListGroupNames() override;
  Result<std::vector<domain::GroupRecord>> ListGroups() override;
  Result<std::vector<int64_t>> GroupFaceIds(int64_t group_id) override;
  Result<bool> Bind(int64_t group_id, int64_t face_id, int64_t now_ms, const domain::AuditOf<bool>& audit = {}) override;
  Result<int64_t> Unbind(int64_t group_id, int64_t face_id, int64_t now_ms,
                         const domain::AuditOf<int64_t>& audit = {}) override;
  Result<std::optional<std::vector<domain::GroupChange>>> ChangesSince(int64_t group_id, int64_t from_version) override;
  Result<domain::GroupDelta> SyncDelta(int64_t group_id, int64_t from_version) override;
  Status ForEachBinding(
      const std::function<void(int64_t group_id, int64_t face_id, std::span<const float> feature)>& fn) override;

  // --- recognition history (recognitions_repo.cc)
  Result<std::vector<domain::RecognitionRecord>> InsertRecognitions(
      std::vector<domain::RecognitionRecord> rows) override;
  Result<domain::RecognitionPage> QueryRecognitions(const domain::RecognitionQuery& query) override;

  // --- keys and audit (keys_repo.cc, audit_repo.cc)
  Result<int64_t> InsertKey(const std::string& name, const std::string& role, const std::string& hash,
                            int64_t now_ms, const domain::AuditOf<int64_t>& audit = {}) override;
  Result<domain::KeyRecord> FindKeyByHash(const std::string& hash) override;
  Result<std::vector<domain::KeyRecord>> ListKeys() override;
  Result<int64_t> CountActiveKeys() override;
  Status RevokeKey(const std::string& name, int64_t now_ms, const domain::AuditRow& audit = std::nullopt) override;
  Status TouchKey(int64_t id, int64_t now_ms) override;
  Result<int64_t> AppendAudit(const domain::AuditRecord& r) override;
  Result<domain::AuditPage> QueryAudit(int64_t from_ms, int64_t to_ms, int limit,
                                       domain::AuditCursor after = {}) override;
  Result<int64_t> PurgeAuditBefore(int64_t before_ms, int64_t max_rows = INT64_MAX) override;

  // --- config, devices, secret (pg_store.cc)
  Result<std::map<std::string, double>> LoadConfig() override;
  Status SaveConfig(const std::map<std::string, double>& values, const domain::AuditRow& audit = std::nullopt) override;
  Status UpsertDevice(const domain::DeviceRecord& d) override;
  Result<std::vector<domain::DeviceRecord>> ListDevices() override;
  Result<std::string> LoadOrCreateSecret() override;

 private:
  // DeleteCapture, or any unreferenced image with `enrol_too` (DiscardImage).
  Status DeleteImage(int64_t id, bool enrol_too);

  PgStore(std::unique_ptr<ConnectionPool> pool, const Options& options)
      : pool_(std::move(pool)), options_(options) {}

  const std::unique_ptr<ConnectionPool> pool_;
  const Options options_;
};

}  // namespace facepass::store::pg
