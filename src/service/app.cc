#include "service/app.h"

#include <future>

#include <spdlog/spdlog.h>

#include "index/face_index.h"
#include "index/store_loader.h"
#include "service/capture_purge.h"
#include "service/catalog.h"
#include "service/change_feed.h"
#include "service/config.h"
#include "service/device_sync.h"
#include "service/event_sink.h"
#include "service/face_analyzer.h"
#include "service/faces.h"
#include "service/groups.h"
#include "service/history.h"
#include "service/image_archive.h"
#include "service/recognition.h"
#include "service/strangers.h"
#include "service/thresholds.h"
#include "store/database.h"
#include "store/pg/pg_store.h"
#include "store/sqlite_storage.h"
#include "store/dir_lock.h"
#include "store/search_model_file.h"
#include "store/token_cipher.h"

namespace facepass::service {

namespace {

std::unique_ptr<index::FaceIndex> EmptyIndex(int dim, int threads) {
  index::IndexOptions index_options;
  index_options.dim = dim;
  index_options.threads = threads;
  return std::make_unique<index::FaceIndex>(index_options);
}

// SQLite's binding scan reads the bindings->faces join on several read-only
// connections (1M faces in a few seconds).
Result<std::unique_ptr<index::FaceIndex>> LoadIndex(store::Database& sqlite, int dim, int threads) {
  auto index = EmptyIndex(dim, threads);
  store::BindingScanStats stats;
  Status s = index::LoadFromStore(sqlite, *index, &stats, threads);
  if (!s.ok()) {
    if (s.code() == StatusCode::kCorruption) {
      return Status::FailedPrecondition(s.message() + " (features made by another embedder? the engine makes " +
                                        std::to_string(dim) + "-D features)");
    }
    return s;
  }
  spdlog::info("index loaded: {} bindings in {} groups, {:.2f} s", stats.bindings, stats.groups, stats.seconds);
  if (stats.sorted) spdlog::warn("index load: SQLite sorted the bindings instead of reading them in key order");
  return index;
}

// The start-up log names the runtime the models run on, and why when the default fell back.
void LogRuntime(const vision::RuntimeInfo& r) {
  if (r.fallback.empty()) spdlog::info("inference runtime: {} {} {}", r.name, r.version, r.library);
  else spdlog::warn("inference runtime: {} {} (ONNX Runtime unavailable: {})", r.name, r.version, r.fallback);
}

// Features of one embedder are meaningless to another, even at the same
// dimension: remember which one made them and refuse to mix.
Status CheckSearchModel(domain::Storage& storage, const std::filesystem::path& data_dir, const std::string& current) {
  if (domain::CatalogLog* log = storage.catalog_log()) {  // nodes sharing a store: the installation's record
    FP_ASSIGN_OR_RETURN(const std::string stored, log->ClaimSearchModel(current));
    if (stored == current) return Status::OK();
    return Status::FailedPrecondition("the faces in the database were enrolled with model '" + stored +
                                      "' but this node's engine is '" + current +
                                      "': start every node with the models that made them");
  }
  const std::string stored = store::ReadSearchModelFile(data_dir);
  if (!stored.empty()) {
    if (stored == current) return Status::OK();
    return Status::FailedPrecondition("the faces in " + data_dir.string() + " were enrolled with model '" + stored +
                                      "' but the engine is now '" + current +
                                      "': start with the models that made them, or run `facepass reindex --data-dir " +
                                      data_dir.string() +
                                      "` (same model flags) to re-extract every stored original with the current models");
  }
  return store::WriteSearchModelFile(data_dir, current);
}

}  // namespace

App::App() = default;
App::~App() = default;

domain::KeyRepository& App::key_repository() { return storage_->keys(); }
domain::AuditRepository& App::audit_repository() { return storage_->audit(); }
domain::TaskLocks* App::task_locks() { return storage_->task_locks(); }

void App::SetEventSink(EventSink* sink) { events_->Set(sink); }

Result<int> App::PurgeExpiredCaptures(int64_t now_ms) { return purge_->Run(now_ms); }

Result<std::unique_ptr<App>> App::Open(const AppOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) return Status::IoError("cannot create data dir " + options.data_dir.string() + ": " + ec.message());
  // Before anything is read: `facepass reindex` may be rewriting the features.
  FP_ASSIGN_OR_RETURN(auto dir_lock, store::DirLock::Acquire(options.data_dir));
  // The models load while the store opens and checks itself (a third of a
  // second of a start-up; a failed open still waits for it, in the future's
  // destructor).
  auto engine_loading = std::async(std::launch::async | std::launch::deferred,
                                   [&options] { return vision::Engine::Create(options.engine); });

  std::unique_ptr<domain::Storage> storage;
  store::Database* sqlite = nullptr;  // the SQLite backend's database, for its fast index scan
  std::string where;
  if (options.database.empty()) {
    FP_ASSIGN_OR_RETURN(auto embedded, store::SqliteStorage::Open(options.data_dir));
    sqlite = &embedded->database();
    where = sqlite->file().string();
    storage = std::move(embedded);
  } else {
    FP_ASSIGN_OR_RETURN(auto shared, store::pg::PgStore::Open(options.database));
    where = "postgresql://" + shared->target();  // never the password
    spdlog::info("store: PostgreSQL {}", where);
    storage = std::move(shared);
  }
  Status sound = storage->CheckIntegrity(domain::IntegrityCheck::kQuick);
  if (!sound.ok()) {
    return Status::Corruption(where + " fails its start-up check (" + sound.message() +
                              "): restore a backup (facepass restore, or pg_restore for PostgreSQL)");
  }
  FP_ASSIGN_OR_RETURN(auto engine, engine_loading.get());
  LogRuntime(engine->Models().runtime);
  FP_RETURN_IF_ERROR(CheckSearchModel(*storage, options.data_dir, engine->search_model()));
  std::unique_ptr<index::FaceIndex> index;  // follow mode: the Catalog's first catch-up fills an empty one
  if (sqlite != nullptr) {
    FP_ASSIGN_OR_RETURN(index, LoadIndex(*sqlite, engine->feature_dim(), options.index_threads));
  }
  auto app = Compose(std::move(storage), std::make_unique<EngineAnalyzer>(*engine), std::move(index), options);
  if (!app.ok()) return app.status();
  // Members the App holds for Open's sake: the engine outlives the analyzer
  // (declared before it), the lock everything (first member).
  (*app)->engine_ = std::move(engine);
  (*app)->dir_lock_ = std::move(dir_lock);
  return app;
}

Result<std::unique_ptr<App>> App::Compose(std::unique_ptr<domain::Storage> storage,
                                          std::unique_ptr<FaceAnalyzer> analyzer,
                                          std::unique_ptr<index::FaceIndex> index, const AppOptions& options) {
  std::unique_ptr<App> app(new App());
  app->storage_ = std::move(storage);
  app->analyzer_ = std::move(analyzer);
  domain::Storage& storage_ref = *app->storage_;
  FaceAnalyzer& analyzer_ref = *app->analyzer_;
  FP_ASSIGN_OR_RETURN(auto secret, storage_ref.secret().LoadOrCreateSecret());
  FP_ASSIGN_OR_RETURN(auto tokens, store::TokenCipher::FromSecret(secret));
  app->tokens_ = std::make_unique<store::TokenCipher>(tokens);
  const bool shared = storage_ref.catalog_log() != nullptr;
  FP_ASSIGN_OR_RETURN(app->thresholds_, Thresholds::Load(storage_ref.config(), shared));
  if (index == nullptr) index = EmptyIndex(analyzer_ref.feature_dim(), options.index_threads);
  app->feed_ = std::make_unique<ChangeFeed>();
  app->catalog_ = std::make_unique<Catalog>(storage_ref, std::move(index),
                                            CatalogGauges(&metrics::DefaultRegistry()), app->feed_.get());

  Catalog& catalog = *app->catalog_;
  if (shared) {
    const auto start = std::chrono::steady_clock::now();
    Status loaded = catalog.CatchUp();
    if (!loaded.ok()) return Status::Unavailable("loading the index from the store: " + loaded.message());
    size_t bindings = 0;
    const auto groups = catalog.index().GroupIds();
    for (int64_t g : groups) bindings += catalog.index().GroupSize(g);
    spdlog::info("index loaded from the catalogue: {} bindings in {} groups, {:.2f} s", bindings, groups.size(),
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  app->images_ = std::make_unique<ImageArchive>(storage_ref.images());
  app->events_ = std::make_unique<EventRelay>();
  app->faces_ = std::make_unique<Faces>(catalog, *app->images_, analyzer_ref, *app->events_);
  app->groups_ = std::make_unique<Groups>(catalog);
  app->recognition_ =
      std::make_unique<Recognition>(catalog, *app->images_, analyzer_ref, *app->thresholds_, *app->events_);
  app->history_ = std::make_unique<History>(storage_ref.recognitions());
  app->sync_ = std::make_unique<DeviceSync>(catalog, analyzer_ref, *app->thresholds_);
  app->config_ = std::make_unique<Config>(*app->thresholds_, analyzer_ref);
  app->strangers_ = std::make_unique<Strangers>(catalog, *app->thresholds_, StrangerOdds(analyzer_ref.Models().score.tables));
  app->purge_ = std::make_unique<CapturePurge>(storage_ref.images(), options.capture_retention_days, storage_ref.task_locks());
  app->purge_->Start(options.purge_interval);
  if (shared) {
    // One line when the database goes away and one when it is back, not one per pass.
    app->follow_ = std::make_unique<PeriodicTask>([&catalog, failing = false]() mutable {
      Status s = catalog.CatchUp();
      if (!s.ok() && !failing) spdlog::warn("index catch-up: {} (retrying)", s.ToString());
      if (s.ok() && failing) spdlog::info("index catch-up: the database answers again");
      failing = !s.ok();
    });
    app->follow_->Start(options.follow_interval);
    // LISTEN wakes the pass as soon as another node commits; the interval stays as the safety net.
    app->watch_ = storage_ref.catalog_log()->WatchChanges([follow = app->follow_.get()] { follow->Wake(); });
  }
  return app;
}

}  // namespace facepass::service
