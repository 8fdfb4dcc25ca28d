// 1:N recognise against a group and 1:1 compare of two pictures.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "service/catalog.h"
#include "service/domain_result.h"
#include "service/event_sink.h"
#include "service/face_analyzer.h"
#include "service/image_archive.h"
#include "service/thresholds.h"
#include "vision/types.h"

namespace facepass::service {

struct RecognizeRequest {
  std::string group_name;
  bool liveness = false;  // measure liveness and require it for `passed`
  struct Track {
    int64_t track_id = 0;
    std::vector<std::string_view> images;  // at least one; the best match of them answers
  };
  std::vector<Track> tracks;  // distinct track ids, in request order
};

struct TrackOutcome {
  int64_t track_id = 0;
  std::optional<int64_t> image_id;  // the kept capture of the answering image
  std::optional<int64_t> face_id;   // the best match in the group
  std::optional<std::string> label;  // the best match's label, if it has one
  double score = 0;
  bool passed = false;
  std::optional<vision::Rect> rect;
  std::optional<double> liveness_score;  // when asked and measured
  // Why no image of the track could be matched: an image refusal
  // (UNSUPPORTED_IMAGE_FORMAT, ...) or FACE_NOT_FOUND. Not a failure of the call.
  std::optional<DomainError> error;
};

struct RecognizeOutcome {
  std::string group_name;
  double recognize_threshold = 0;
  double liveness_threshold = 0;
  std::vector<TrackOutcome> results;  // one per track, in order
};

struct CompareRequest {
  std::string_view images[2];
  bool liveness = false;
};

struct CompareFace {
  vision::Rect rect;
  vision::Pose pose;
  float blur = 0;
  double liveness_score = 0;  // 0 when not asked
};

struct CompareOutcome {
  float score = 0;
  double compare_threshold = 0;
  double liveness_threshold = 0;
  CompareFace faces[2];
  // COMPARE_LIVENESS_FAILED (asked for, and a picture is below the threshold);
  // the answer still carries every field above.
  std::optional<DomainError> refusal;
};

class Recognition {
 public:
  Recognition(Catalog& catalog, ImageArchive& images, const FaceAnalyzer& analyzer,
              const Thresholds& thresholds, EventSink& events = NoEvents())
      : catalog_(catalog), images_(images), analyzer_(analyzer), thresholds_(thresholds), events_(events) {}

  // ILLEGAL_ARGUMENT: group_name, GROUP_NAME_NOT_EXIST. Every readable capture is kept
  // (store::ImageKind::kCapture, purged after the retention period), and each
  // track answered with a kept capture becomes one history row (service/history.h),
  // written in one transaction and then announced to the event sink.
  DomainResult<RecognizeOutcome> Recognize(const RecognizeRequest& request);
  // IMAGE_VALIDATE_FAILED: image_N (size, resolution), UNSUPPORTED_IMAGE_FORMAT,
  // FACE_NOT_FOUND: image_N.
  DomainResult<CompareOutcome> Compare(const CompareRequest& request);

 private:
  Catalog& catalog_;  // non-const: a read may move the index forward (Catalog::CatchUp)
  ImageArchive& images_;
  const FaceAnalyzer& analyzer_;
  const Thresholds& thresholds_;
  EventSink& events_;
};

}  // namespace facepass::service
