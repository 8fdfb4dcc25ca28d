#include "service/app.h"

#include <fstream>

#include <spdlog/spdlog.h>

#include "index/face_index.h"
#include "index/store_loader.h"
#include "service/config_service.h"
#include "service/face_service.h"
#include "service/group_service.h"
#include "service/recognition_service.h"
#include "service/sync_service.h"
#include "service/thresholds.h"
#include "store/database.h"
#include "store/file_store.h"
#include "store/posix_file.h"
#include "store/token_cipher.h"

namespace facepass::service {

Result<std::unique_ptr<App>> App::Open(const AppOptions& options) {
  std::unique_ptr<App> app(new App());
  app->options_ = options;
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) return Status::IoError("cannot create data dir " + options.data_dir.string() + ": " + ec.message());
  // Before anything is read: `facepass reindex` may be rewriting the features.
  FP_ASSIGN_OR_RETURN(auto lock, store::DirLock::Acquire(options.data_dir));
  app->dir_lock_ = std::move(lock);

  FP_ASSIGN_OR_RETURN(auto db, store::Database::Open(options.data_dir / "facepass.db"));
  app->db_ = std::move(db);
  FP_ASSIGN_OR_RETURN(auto files, store::FileStore::Open(options.data_dir / "images"));
  app->files_ = std::move(files);
  FP_ASSIGN_OR_RETURN(auto tokens, store::TokenCipher::LoadOrCreate(options.data_dir));
  app->tokens_ = std::make_unique<store::TokenCipher>(tokens);
  FP_ASSIGN_OR_RETURN(auto engine, vision::Engine::Create(options.engine));
  app->engine_ = std::move(engine);
  FP_ASSIGN_OR_RETURN(auto thresholds, Thresholds::Load(app->db_.get()));
  app->thresholds_ = std::move(thresholds);

  index::IndexOptions index_options;
  index_options.dim = app->engine_->feature_dim();
  index_options.threads = options.index_threads;
  app->index_ = std::make_unique<index::FaceIndex>(index_options);
  FP_RETURN_IF_ERROR(app->CheckSearchModel());
  FP_RETURN_IF_ERROR(app->LoadIndex());

  app->ctx_ = ServiceContext{app->db_.get(),     app->files_.get(),      app->tokens_.get(),
                             app->engine_.get(), app->index_.get(),      app->thresholds_.get(),
                             &app->catalog_mu_};
  app->faces_ = std::make_unique<FaceService>(app->ctx_);
  app->groups_ = std::make_unique<GroupService>(app->ctx_);
  app->recognition_ = std::make_unique<RecognitionService>(app->ctx_);
  app->sync_ = std::make_unique<SyncService>(app->ctx_);
  app->config_ = std::make_unique<ConfigService>(app->ctx_);
  app->purge_thread_ = std::thread([a = app.get()] { a->PurgeLoop(); });
  return app;
}

App::~App() {
  {
    std::lock_guard<std::mutex> lock(purge_mu_);
    stopping_ = true;
  }
  purge_cv_.notify_all();
  if (purge_thread_.joinable()) purge_thread_.join();
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

Status App::LoadIndex() {
  // The store's binding scan reads the bindings->faces join on several
  // read-only connections (1M faces in a few seconds).
  store::BindingScanStats stats;
  Status s = index::LoadFromStore(*db_, *index_, &stats, options_.index_threads);
  if (!s.ok()) {
    if (s.code() == StatusCode::kCorruption) {
      return Status::FailedPrecondition(s.message() + " (features made by another embedder? the engine makes " +
                                        std::to_string(engine_->feature_dim()) + "-D features)");
    }
    return s;
  }
  spdlog::info("index loaded: {} bindings in {} groups, {:.2f} s", stats.bindings, stats.groups, stats.seconds);
  return Status::OK();
}

Result<int> App::PurgeExpiredCaptures(int64_t now_ms) {
  const int64_t cutoff = now_ms - static_cast<int64_t>(options_.capture_retention_days) * 86400000LL;
  std::lock_guard<std::mutex> one_at_a_time(purge_run_mu_);
  int purged = 0;
  for (;;) {
    FP_ASSIGN_OR_RETURN(auto batch, db_->CapturesOlderThan(cutoff, 500));
    if (batch.empty()) break;
    for (const auto& image : batch) {
      // Row first: a crash after it leaves an unnamed file, never a dangling id.
      Status row = db_->DeleteImage(image.id);
      if (!row.ok() && row.code() != StatusCode::kNotFound) return row;
      FP_RETURN_IF_ERROR(files_->Remove(image.path));
      ++purged;
    }
  }
  return purged;
}

void App::PurgeLoop() {
  std::unique_lock<std::mutex> lock(purge_mu_);
  while (!stopping_) {
    lock.unlock();
    auto purged = PurgeExpiredCaptures(NowMs());
    if (!purged.ok()) spdlog::warn("capture purge: {}", purged.status().ToString());
    else if (*purged > 0) spdlog::info("capture purge: {} images removed", *purged);
    lock.lock();
    purge_cv_.wait_for(lock, options_.purge_interval, [this] { return stopping_; });
  }
}

std::vector<http::Route> App::Routes() {
  using http::BodyKind;
  using http::Request;
  auto bind = [](auto* service, ApiReply (std::remove_pointer_t<decltype(service)>::*fn)(const Request&)) {
    return [service, fn](const Request& r) { return (service->*fn)(r); };
  };
  return {
      {"POST", "/api/face/v1/add", BodyKind::kForm, bind(faces_.get(), &FaceService::Add)},
      {"POST", "/api/face/v1/delete", BodyKind::kJson, bind(faces_.get(), &FaceService::Delete)},
      {"POST", "/api/face/v1/query", BodyKind::kJson, bind(faces_.get(), &FaceService::Query)},
      {"GET", "/api/image/v1/query", BodyKind::kNone, bind(faces_.get(), &FaceService::ImageQuery)},
      {"POST", "/api/group/v1/create", BodyKind::kJson, bind(groups_.get(), &GroupService::Create)},
      {"POST", "/api/group/v1/delete", BodyKind::kJson, bind(groups_.get(), &GroupService::Delete)},
      {"POST", "/api/group/v1/query", BodyKind::kJson, bind(groups_.get(), &GroupService::Query)},
      {"GET", "/api/group/v1/list", BodyKind::kNone, bind(groups_.get(), &GroupService::List)},
      {"POST", "/api/group/v1/bind", BodyKind::kJson, bind(groups_.get(), &GroupService::Bind)},
      {"POST", "/api/group/v1/unbind", BodyKind::kJson, bind(groups_.get(), &GroupService::Unbind)},
      {"POST", "/api/service/recognize/v1", BodyKind::kForm, bind(recognition_.get(), &RecognitionService::Recognize)},
      {"POST", "/api/service/compare/v1", BodyKind::kForm, bind(recognition_.get(), &RecognitionService::Compare)},
      {"POST", "/api/service/sync/v1", BodyKind::kJson, bind(sync_.get(), &SyncService::Sync)},
      {"GET", "/api/service/sync/v1/status", BodyKind::kNone, bind(sync_.get(), &SyncService::DeviceStatus)},
      {"POST", "/api/service/config/v1", BodyKind::kForm, bind(config_.get(), &ConfigService::Update)},
      {"GET", "/api/service/config/v1", BodyKind::kNone, bind(config_.get(), &ConfigService::Get)},
      {"GET", "/api/version/v1", BodyKind::kNone, bind(config_.get(), &ConfigService::Version)},
  };
}

}  // namespace facepass::service
