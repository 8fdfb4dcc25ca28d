// Faces and their pictures: enrol a face from a photo through the quality
// gates, delete one, read one, download the original or the face crop.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "service/catalog.h"
#include "service/domain_result.h"
#include "service/event_sink.h"
#include "service/face_analyzer.h"
#include "service/image_archive.h"
#include "store/types.h"
#include "vision/types.h"

namespace facepass::service {

struct AddOutcome {
  int64_t image_id = 0;                   // the kept original (set whenever the image was readable)
  std::optional<vision::Rect> rect;       // the face found, if any
  std::optional<vision::Quality> quality;
  int64_t face_id = 0;                    // the new face, when there is no refusal
  std::optional<std::string> label;       // as stored (trimmed)
  // FACE_NOT_FOUND or BAD_QUALITY: the original is kept, no face is made; the
  // answer still carries image_id (and rect, quality for BAD_QUALITY).
  std::optional<DomainError> refusal;
};

struct FaceInfo {
  int64_t image_id = 0;
  store::Rect rect;
  int64_t created_ms = 0;
  std::optional<std::string> label;
};

// A page of the label search (issue 29).
struct LabelSearch {
  static constexpr int kDefaultLimit = 50;
  static constexpr int kMaxLimit = 500;
  std::string prefix;  // "" lists every labelled face
  int limit = kDefaultLimit;
  std::optional<store::LabelCursor> after;
};

struct ImageFile {
  std::string bytes;
  std::string format;  // "jpeg" | "png" | "bmp"
};

// The audit row of a face add names the image and the face it made: the
// caller's function of both ids, run in the face's transaction.
using FaceAddAudit = std::function<domain::AuditRecord(int64_t image_id, int64_t face_id)>;

// Each change commits its `audit` row with it (service/catalog.h); a refused
// one writes none.
class Faces {
 public:
  // `events` hears each enrolled and each deleted face, after the commit.
  Faces(Catalog& catalog, ImageArchive& images, const FaceAnalyzer& analyzer, EventSink& events = NoEvents())
      : catalog_(catalog), images_(images), analyzer_(analyzer), events_(events) {}

  // An image the engine refuses: UNSUPPORTED_IMAGE_FORMAT, INVALID_IMAGE_RESOLUTION, INVALID_IMAGE_FILE_SIZE.
  // A label breaking spec::NormalizeLabel: ILLEGAL_ARGUMENT label, nothing stored.
  DomainResult<AddOutcome> Add(std::string_view image, std::optional<std::string_view> label = std::nullopt,
                               const FaceAddAudit& audit = {});
  // Sets the label of a live face; nullopt or "" clears it. ILLEGAL_ARGUMENT
  // label, FACE_TOKEN_NOT_EXIST. Returns the label as stored.
  DomainResult<std::optional<std::string>> Relabel(int64_t face_id, std::optional<std::string_view> label,
                                                   const domain::AuditHook& audit = {});
  // Live faces whose label starts with the prefix (ASCII case-insensitive).
  // ILLEGAL_ARGUMENT label (a prefix that no label could start with), limit.
  DomainResult<store::LabelPage> Search(const LabelSearch& request);
  DomainResult<Done> Delete(int64_t face_id, const domain::AuditHook& audit = {});  // FACE_TOKEN_NOT_EXIST
  DomainResult<FaceInfo> Query(int64_t face_id);    // FACE_TOKEN_NOT_EXIST (deleted ones too)
  DomainResult<ImageFile> Original(int64_t image_id);  // IMAGE_ID_NOT_EXIST (a purged capture too)
  // The spec's crop around the face as JPEG; deleted faces too (history).
  DomainResult<ImageFile> FaceCrop(int64_t face_id);

 private:
  Catalog& catalog_;
  ImageArchive& images_;
  const FaceAnalyzer& analyzer_;
  EventSink& events_;
};

// The spec's crop around a face: twice the width (centred), twice the height
// (3/5 of the growth above, 2/5 below), clipped to the image.
store::Rect CropAround(const store::Rect& face, int image_width, int image_height);

}  // namespace facepass::service
