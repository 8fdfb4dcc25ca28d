// The device SDK's handler (the spec's FacePassHandler in cloud-offline mode):
// a local store of synced groups, its search index, the device's own vision
// engine, and the calls a gate makes: sync, recognise offline (local 1:N) and
// recognise online (the server's endpoint), and local edits of the groups (the
// spec's offline mode; the next sync overwrites them).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "client/device_store.h"
#include "client/http_client.h"
#include "client/local_enrol.h"
#include "client/local_face.h"
#include "client/local_index.h"
#include "client/recognize_client.h"
#include "client/sync_client.h"
#include "common/status.h"
#include "common/thread_annotations.h"
#include "spec/pass_rule.h"
#include "sync/sync_codec.h"

namespace facepass::vision {
class Engine;
}

namespace facepass::client {

// Offline recognition with the server's enable_liveness: liveness is measured on each
// capture and `passed` then also needs it. The sync stream carries no liveness
// threshold, so a device that is not told uses the spec's default.
struct OfflineOptions {
  bool liveness = false;
  double liveness_threshold = spec::kDefaultLivenessThreshold;
};

class Device {
 public:
  // `engine` may be null (sync and status only); it must outlive the Device.
  static Result<std::unique_ptr<Device>> Open(const std::filesystem::path& store_file,
                                              const vision::Engine* engine);

  DeviceStore& store() { return *store_; }

  // getSyncRequestData / handleSyncResultData; the index follows every apply.
  Result<sync::SyncRequest> MakeSyncRequest() const { return store_->MakeSyncRequest(); }
  Result<ApplyReport> ApplySyncResult(std::string_view bytes);
  Result<SyncOutcome> Sync(const HttpClient& http, const std::string& base_url);

  // Detects the faces of a frame (JPEG/PNG/BMP bytes) and cuts captures.
  Result<std::vector<Capture>> Captures(std::string_view frame_bytes) const;

  // Local 1:N search of every capture in a synced group, scored like the
  // server (Engine::ScoreFromSimilarity) against the synced threshold, passed by
  // the server's rule (spec/pass_rule.h).
  // kFailedPrecondition when the synced features are of another model.
  Result<RecognizeAnswer> RecognizeOffline(const std::string& group_name, const std::vector<Capture>& captures,
                                           const OfflineOptions& opts = {}) const;
  // Local edits (DeviceStore::AddLocalFace / DeleteFace: the group's
  // local_version becomes 0 with the change); the index follows at once.
  // EnrolLocal runs the server's face add rules (local_enrol.h) on the photo.
  struct Enrolled {
    std::string face_token;  // a local id (local_face.h)
    EnrolFace face;
  };
  Result<Enrolled> EnrolLocal(const std::string& group_name, std::string_view photo);
  Status DeleteLocal(const std::string& group_name, const std::string& face_token);
  Result<std::vector<LocalFace>> ListLocal(const std::string& group_name) const {
    return store_->ListFaces(group_name);
  }

  Result<RecognizeAnswer> RecognizeOnline(const HttpClient& http, const std::string& base_url,
                                          const std::string& group_name, const std::vector<Capture>& captures,
                                          bool liveness = false) const;

  // Online while the server answers; on the synced copy of the group when it
  // cannot (Unavailable: unreachable, or 502/503/504 such as its database
  // down or a balancer with no node left), so the gate keeps deciding. Any
  // other refusal (a bad key, an unknown group) is the answer: a gate must
  // not hide it behind a stale copy.
  struct Recognized {
    RecognizeAnswer answer;
    bool offline = false;
    Status online_error;  // why it went offline
  };
  Result<Recognized> Recognize(const HttpClient& http, const std::string& base_url, const std::string& group_name,
                               const std::vector<Capture>& captures, const OfflineOptions& opts = {}) const;

 private:
  Device(std::unique_ptr<DeviceStore> store, const vision::Engine* engine);
  Status ReloadIndex() EXCLUDES(mu_);

  std::unique_ptr<DeviceStore> store_;
  const vision::Engine* engine_;
  mutable Mutex mu_;
  LocalIndex index_ GUARDED_BY(mu_);  // replaced whole after every change of the store
};

}  // namespace facepass::client
