#include "service/app.h"

#include <fstream>

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
#include "store/dir_lock.h"
#include "store/file_store.h"
#include "store/posix_file.h"
#include "store/token_cipher.h"

namespace facepass::service {

namespace {

// The store's binding scan reads the bindings->faces join on several
// read-only connections (1M faces in a few seconds).
Result<std::unique_ptr<index::FaceIndex>> LoadIndex(store::Database& db, int dim, int threads) {
  index::IndexOptions index_options;
  index_options.dim = dim;
  index_options.threads = threads;
  auto index = std::make_unique<index::FaceIndex>(index_options);
  store::BindingScanStats stats;
  Status s = index::LoadFromStore(db, *index, &stats, threads);
  if (!s.ok()) {
    if (s.code() == StatusCode::kCorruption) {
      return Status::FailedPrecondition(s.message() + " (features made by another embedder? the engine makes " +
                                        std::to_string(dim) + "-D features)");
    }
    return s;
  }
  spdlog::info("index loaded: {} bindings in {} groups, {:.2f} s", stats.bindings, stats.groups, stats.seconds);
  return index;
}

// The start-up log names the runtime the models run on, and why when the default fell back.
void LogRuntime(const vision::RuntimeInfo& r) {
  if (r.fallback.empty()) spdlog::info("inference runtime: {} {} {}", r.name, r.version, r.library);
  else spdlog::warn("inference runtime: {} {} (ONNX Runtime unavailable: {})", r.name, r.version, r.fallback);
}

}  // namespace

App::App() = default;
App::~App() = default;

domain::KeyRepository& App::key_repository() { return catalog_->db(); }
domain::AuditRepository& App::audit_repository() { return catalog_->db(); }

void App::SetEventSink(EventSink* sink) { events_->Set(sink); }

Result<int> App::PurgeExpiredCaptures(int64_t now_ms) { return purge_->Run(now_ms); }

Result<std::unique_ptr<App>> App::Open(const AppOptions& options) {
  std::unique_ptr<App> app(new App());
  app->options_ = options;
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) return Status::IoError("cannot create data dir " + options.data_dir.string() + ": " + ec.message());
  // Before anything is read: `facepass reindex` may be rewriting the features.
  FP_ASSIGN_OR_RETURN(app->dir_lock_, store::DirLock::Acquire(options.data_dir));

  FP_ASSIGN_OR_RETURN(auto db, store::Database::Open(options.data_dir / "facepass.db"));
  Status sound = db->CheckIntegrity(store::Database::Check::kQuick);
  if (!sound.ok()) {
    return Status::Corruption(db->file().string() + " fails its start-up check (" + sound.message() +
                              "): restore a backup (facepass restore)");
  }
  FP_ASSIGN_OR_RETURN(app->files_, store::FileStore::Open(options.data_dir / "images"));
  FP_ASSIGN_OR_RETURN(auto tokens, store::TokenCipher::LoadOrCreate(options.data_dir));
  app->tokens_ = std::make_unique<store::TokenCipher>(tokens);
  FP_ASSIGN_OR_RETURN(app->engine_, vision::Engine::Create(options.engine));
  LogRuntime(app->engine_->Models().runtime);
  app->analyzer_ = std::make_unique<EngineAnalyzer>(*app->engine_);
  FP_ASSIGN_OR_RETURN(app->thresholds_, Thresholds::Load(db.get()));
  FP_RETURN_IF_ERROR(app->CheckSearchModel());
  FP_ASSIGN_OR_RETURN(auto index, LoadIndex(*db, app->engine_->feature_dim(), options.index_threads));
  app->feed_ = std::make_unique<ChangeFeed>();
  app->catalog_ = std::make_unique<Catalog>(std::move(db), std::move(index),
                                            CatalogGauges(&metrics::DefaultRegistry()), app->feed_.get());

  Catalog& catalog = *app->catalog_;
  app->images_ = std::make_unique<ImageArchive>(catalog.db(), *app->files_);
  app->events_ = std::make_unique<EventRelay>();
  app->faces_ = std::make_unique<Faces>(catalog, *app->images_, *app->analyzer_, *app->events_);
  app->groups_ = std::make_unique<Groups>(catalog);
  app->recognition_ =
      std::make_unique<Recognition>(catalog, *app->images_, *app->analyzer_, *app->thresholds_, *app->events_);
  app->history_ = std::make_unique<History>(catalog.db());
  app->sync_ = std::make_unique<DeviceSync>(catalog, *app->analyzer_, *app->thresholds_);
  app->config_ = std::make_unique<Config>(*app->thresholds_, *app->analyzer_);
  app->strangers_ =
      std::make_unique<Strangers>(catalog, *app->thresholds_, StrangerOdds(app->engine_->Models().score.tables));
  app->purge_ = std::make_unique<CapturePurge>(catalog.db(), *app->files_, options.capture_retention_days);
  app->purge_->Start(options.purge_interval);
  return app;
}

Status App::CheckSearchModel() {
  // Features of one embedder are meaningless to another, even at the same
  // dimension: remember which one made them and refuse to mix.
  const auto file = options_.data_dir / "search_model";
  const std::string current = engine_->search_model();
  std::ifstream in(file);
  std::string stored;
  if (in && std::getline(in, stored) && !stored.empty()) {
    if (stored == current) return Status::OK();
    return Status::FailedPrecondition("the faces in " + options_.data_dir.string() + " were enrolled with model '" +
                                      stored + "' but the engine is now '" + current +
                                      "': start with the models that made them, or run `facepass reindex --data-dir " +
                                      options_.data_dir.string() +
                                      "` (same model flags) to re-extract every stored original with the current models");
  }
  // Atomic and durable, like reindex's: a crash never leaves an empty or torn file.
  return store::ReplaceFileAtomically(file, current + "\n");
}

}  // namespace facepass::service
