// The whole server minus HTTP: opens the store (SQLite, image files and the
// installation secret in the data directory, or a PostgreSQL database that
// several nodes share), checks it, loads the vision engine and the 1:N index,
// and owns the domain services (src/api maps the routes onto them).
// Also runs the capture-retention purge.
//
// Two halves: Open makes the store, the engine and the index from the
// options; Compose, the composition root, wires the services over whatever
// store and analyzer it is handed (a test hands it a fake analyzer and calls
// the API's handlers with no server).
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>

#include "common/periodic_task.h"
#include "common/status.h"
#include "domain/catalog_log.h"
#include "vision/engine.h"

namespace facepass::index {
class FaceIndex;
}
namespace facepass::domain {
class AuditRepository;
class KeyRepository;
class Storage;
class TaskLocks;
}  // namespace facepass::domain

namespace facepass::store {
class DirLock;
class TokenCipher;
}  // namespace facepass::store

namespace facepass::service {

struct AppOptions {
  std::filesystem::path data_dir;  // this node's own files (its lock, the first admin key)
  // A libpq connection URI (issue 27): the store every node of an
  // installation shares. Empty: SQLite, images and the secret in data_dir.
  std::string database;
  vision::EngineOptions engine;
  int capture_retention_days = 30;                  // recognise captures older than this are purged
  std::chrono::seconds purge_interval{3600};        // how often the purge runs
  int index_threads = 0;                            // 0: hardware concurrency
  std::chrono::milliseconds follow_interval{500};   // PostgreSQL: how often a node looks for other nodes' changes
};

class CapturePurge;
class Catalog;
class ChangeFeed;
class Config;
class DeviceSync;
class FaceAnalyzer;
class Faces;
class EventRelay;
class EventSink;
class Groups;
class History;
class ImageArchive;
class Recognition;
class Strangers;
class Thresholds;

class App {
 public:
  static Result<std::unique_ptr<App>> Open(const AppOptions& options);
  // The services over `storage` and `analyzer`, which the App then owns.
  // `index`: the store's bindings already loaded (SQLite's scan), or null for
  // an empty one (follow mode's first catch-up fills it; an SQLite store must
  // then hold no binding). Does not check the store, the data directory's
  // lock or the search model (Open does, before loading the index). Uses
  // only the options' purge and follow settings.
  static Result<std::unique_ptr<App>> Compose(std::unique_ptr<domain::Storage> storage,
                                              std::unique_ptr<FaceAnalyzer> analyzer,
                                              std::unique_ptr<index::FaceIndex> index, const AppOptions& options);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // The domain services; valid while the App lives, thread-safe.
  Faces& faces() { return *faces_; }
  Groups& groups() { return *groups_; }
  Recognition& recognition() { return *recognition_; }
  History& history() { return *history_; }
  DeviceSync& device_sync() { return *sync_; }
  Config& config() { return *config_; }
  // How often strangers pass against a group (issue 30).
  Strangers& strangers() { return *strangers_; }
  // "group X is now at V" after each group change (the notify endpoint).
  ChangeFeed& change_feed() { return *feed_; }
  // face_token / image_id <-> ids, for the API layer.
  const store::TokenCipher& tokens() const { return *tokens_; }
  // Where recognise results and face adds/deletes are announced (the
  // webhooks); nullptr: nowhere. The sink must outlive its use: set nullptr
  // before destroying it.
  void SetEventSink(EventSink* sink);
  // The keys and the audit log, for what the server wires around the domain
  // services (the authorizer, auth::KeyAdmin, the audit purge).
  domain::KeyRepository& key_repository();
  domain::AuditRepository& audit_repository();
  // The installation-wide locks of background tasks; nullptr on SQLite (one process).
  domain::TaskLocks* task_locks();

  // One purge pass now (the background one runs every purge_interval).
  Result<int> PurgeExpiredCaptures(int64_t now_ms);

 private:
  App();

  std::unique_ptr<store::DirLock> dir_lock_;  // first member: released after everything else closed
  std::unique_ptr<domain::Storage> storage_;  // before catalog_ and the services: outlives them
  std::unique_ptr<store::TokenCipher> tokens_;
  std::unique_ptr<vision::Engine> engine_;  // null when composed around another analyzer
  std::unique_ptr<FaceAnalyzer> analyzer_;
  std::unique_ptr<ChangeFeed> feed_;  // before catalog_: outlives it
  std::unique_ptr<EventRelay> events_;  // before the services that announce to it
  std::unique_ptr<Catalog> catalog_;  // the database and the index
  std::unique_ptr<Thresholds> thresholds_;
  std::unique_ptr<ImageArchive> images_;
  std::unique_ptr<Faces> faces_;
  std::unique_ptr<Groups> groups_;
  std::unique_ptr<Recognition> recognition_;
  std::unique_ptr<History> history_;
  std::unique_ptr<DeviceSync> sync_;
  std::unique_ptr<Config> config_;
  std::unique_ptr<Strangers> strangers_;
  std::unique_ptr<CapturePurge> purge_;
  // PostgreSQL: moves the index forward now and then without requests, so a
  // device's notify stream hears other nodes' changes.
  std::unique_ptr<PeriodicTask> follow_;  // its thread stops before the services go
  // PostgreSQL: wakes follow_ when another node commits (may be null: polling alone).
  std::unique_ptr<domain::CatalogLog::Watch> watch_;  // last: stops before follow_
};

}  // namespace facepass::service
