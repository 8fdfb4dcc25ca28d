#include "client/device.h"

#include <algorithm>

#include "face_rules/recognise_rule.h"
#include "vision/engine.h"

namespace facepass::client {

Device::Device(std::unique_ptr<DeviceStore> store, const vision::Engine* engine)
    : store_(std::move(store)), engine_(engine) {}

Result<std::unique_ptr<Device>> Device::Open(const std::filesystem::path& store_file, const vision::Engine* engine) {
  FP_ASSIGN_OR_RETURN(std::unique_ptr<DeviceStore> store, DeviceStore::Open(store_file));
  if (engine != nullptr) FP_RETURN_IF_ERROR(store->SetDefaultSearchModel(engine->search_model()));
  std::unique_ptr<Device> d(new Device(std::move(store), engine));
  FP_RETURN_IF_ERROR(d->ReloadIndex());
  return d;
}

Status Device::ReloadIndex() {
  FP_ASSIGN_OR_RETURN(LocalIndex index, LocalIndex::Load(*store_));
  MutexLock lock(&mu_);
  index_ = std::move(index);
  return Status::OK();
}

Result<ApplyReport> Device::ApplySyncResult(std::string_view bytes) {
  FP_ASSIGN_OR_RETURN(ApplyReport r, store_->ApplySyncResult(bytes));
  FP_RETURN_IF_ERROR(ReloadIndex());
  return r;
}

Result<SyncOutcome> Device::Sync(const HttpClient& http, const std::string& base_url) {
  FP_ASSIGN_OR_RETURN(SyncOutcome r, SyncOnce(*store_, http, base_url));
  FP_RETURN_IF_ERROR(ReloadIndex());
  return r;
}

Result<std::vector<Capture>> Device::Captures(std::string_view frame_bytes) const {
  if (engine_ == nullptr) return Status::FailedPrecondition("no vision engine (--models-dir)");
  FP_ASSIGN_OR_RETURN(vision::Analysis a, engine_->Analyze(frame_bytes, vision::Purpose::kRecognise, {.embed = false}));
  if (a.verdict != vision::ImageVerdict::kOk) {
    return Status::InvalidArgument(std::string("frame: ") + vision::VerdictName(a.verdict) +
                                   (a.verdict_detail.empty() ? "" : " (" + a.verdict_detail + ")"));
  }
  FP_ASSIGN_OR_RETURN(cv::Mat bgr, vision::DecodeUpright(frame_bytes));
  return CutCaptures(bgr, a.faces);
}

Result<RecognizeAnswer> Device::RecognizeOffline(const std::string& group_name, const std::vector<Capture>& captures,
                                                 const OfflineOptions& opts) const {
  if (engine_ == nullptr) return Status::FailedPrecondition("no vision engine (--models-dir)");
  FP_ASSIGN_OR_RETURN(StoreInfo info, store_->Info());
  if (info.last_sync_ms == 0 && info.last_local_edit_ms == 0) {
    return Status::FailedPrecondition("the store was never synced nor edited locally");
  }
  if (info.search_model != engine_->search_model()) {
    return Status::FailedPrecondition("synced features are of model " + info.search_model + ", this device runs " +
                                      engine_->search_model());
  }
  RecognizeAnswer answer;
  answer.group_name = group_name;
  answer.recognize_threshold = info.recognize_threshold;
  answer.liveness_threshold = static_cast<float>(opts.liveness_threshold);
  for (const Capture& c : captures) {
    TrackResult t;
    t.track_id = c.track_id;
    t.face = c.face;
    // The same input the server gets: the capture's JPEG, its largest face.
    Result<vision::Analysis> a = engine_->Analyze(c.jpeg, vision::Purpose::kRecognise,
                                                  {.embed = true, .liveness = opts.liveness});
    if (!a.ok()) return a.status();
    if (auto error = face_rules::RecogniseImageError(*a)) {
      t.error = error->message;
      answer.results.push_back(std::move(t));
      continue;
    }
    Result<std::vector<LocalMatch>> m = [&] {
      MutexLock lock(&mu_);
      return index_.Search(group_name, a->best->feature, 1);
    }();
    if (!m.ok()) return m.status();
    std::optional<double> candidate;
    if (!m->empty()) {
      t.face_token = (*m)[0].face_token;
      FP_ASSIGN_OR_RETURN(t.label, store_->LabelOf(group_name, *t.face_token));
      candidate = engine_->ScoreFromSimilarity((*m)[0].similarity);
    }
    const face_rules::RecogniseMatch match =
        face_rules::JudgeMatch(candidate, *a->best, opts.liveness, {answer.recognize_threshold, opts.liveness_threshold});
    t.score = static_cast<float>(match.score);
    if (match.liveness) t.liveness_score = static_cast<float>(*match.liveness);
    t.passed = match.passed;
    answer.results.push_back(std::move(t));
  }
  return answer;
}

Result<Device::Enrolled> Device::EnrolLocal(const std::string& group_name, std::string_view photo) {
  if (engine_ == nullptr) return Status::FailedPrecondition("no vision engine (--models-dir)");
  FP_ASSIGN_OR_RETURN(EnrolFace face, AnalyzeForEnrol(*engine_, photo));
  FP_ASSIGN_OR_RETURN(std::string token, store_->AddLocalFace(group_name, engine_->search_model(), face.feature));
  FP_RETURN_IF_ERROR(ReloadIndex());
  return Enrolled{std::move(token), std::move(face)};
}

Status Device::DeleteLocal(const std::string& group_name, const std::string& face_token) {
  FP_RETURN_IF_ERROR(store_->DeleteFace(group_name, face_token));
  return ReloadIndex();
}

Result<RecognizeAnswer> Device::RecognizeOnline(const HttpClient& http, const std::string& base_url,
                                                const std::string& group_name,
                                                const std::vector<Capture>& captures, bool liveness) const {
  return client::RecognizeOnline(http, base_url, group_name, captures, liveness);
}

Result<Device::Recognized> Device::Recognize(const HttpClient& http, const std::string& base_url,
                                             const std::string& group_name, const std::vector<Capture>& captures,
                                             const OfflineOptions& opts) const {
  Recognized out;
  Result<RecognizeAnswer> online = RecognizeOnline(http, base_url, group_name, captures, opts.liveness);
  if (online.ok() || online.status().code() != StatusCode::kUnavailable) {
    if (!online.ok()) return online.status();
    out.answer = std::move(online).value();
    return out;
  }
  out.online_error = online.status();
  // A group this device does not hold would answer "nobody" offline: say why instead.
  FP_ASSIGN_OR_RETURN(std::vector<LocalGroup> groups, store_->Groups());
  if (std::none_of(groups.begin(), groups.end(), [&](const LocalGroup& g) { return g.group_name == group_name; }))
    return Status::Unavailable("server unavailable (" + out.online_error.message() + ") and group " + group_name +
                               " is not synced on this device");
  Result<RecognizeAnswer> offline = RecognizeOffline(group_name, captures, opts);
  if (!offline.ok())
    return Status::Unavailable("server unavailable (" + out.online_error.message() +
                               ") and offline recognition failed: " + offline.status().message());
  out.answer = std::move(offline).value();
  out.offline = true;
  return out;
}

}  // namespace facepass::client
