// The whole server minus the socket: opens the data directory (SQLite, image
// files, the installation secret), the vision engine and the 1:N index, and
// gives the route table. Also runs the capture-retention purge.
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/status.h"
#include "http/server.h"
#include "service/context.h"
#include "store/dir_lock.h"
#include "vision/engine.h"

namespace facepass::service {

struct AppOptions {
  std::filesystem::path data_dir;
  vision::EngineOptions engine;
  int capture_retention_days = 30;                  // recognise captures older than this are purged
  std::chrono::seconds purge_interval{3600};        // how often the purge runs
  int index_threads = 0;                            // 0: hardware concurrency
};

class FaceService;
class GroupService;
class RecognitionService;
class SyncService;
class ConfigService;

class App {
 public:
  static Result<std::unique_ptr<App>> Open(const AppOptions& options);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  std::vector<http::Route> Routes();

  // Deletes captures older than the retention period (files, then rows).
  // Returns how many went.
  Result<int> PurgeExpiredCaptures(int64_t now_ms);

  // The open store, for what the server wires around the routes (the
  // authorizer's keys and audit log); valid while the App lives.
  store::Database& db() { return *db_; }

 private:
  App() = default;
  Status CheckSearchModel();
  Status LoadIndex();
  void PurgeLoop();

  AppOptions options_;
  std::unique_ptr<store::DirLock> dir_lock_;  // first member: released after everything else closed
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<store::FileStore> files_;
  std::unique_ptr<store::TokenCipher> tokens_;
  std::unique_ptr<vision::Engine> engine_;
  std::unique_ptr<index::FaceIndex> index_;
  std::unique_ptr<Thresholds> thresholds_;
  std::mutex catalog_mu_;
  ServiceContext ctx_;

  std::unique_ptr<FaceService> faces_;
  std::unique_ptr<GroupService> groups_;
  std::unique_ptr<RecognitionService> recognition_;
  std::unique_ptr<SyncService> sync_;
  std::unique_ptr<ConfigService> config_;

  std::mutex purge_run_mu_;  // one purge at a time (the loop, or a caller)
  std::mutex purge_mu_;
  std::condition_variable purge_cv_;
  bool stopping_ = false;
  std::thread purge_thread_;
};

}  // namespace facepass::service
