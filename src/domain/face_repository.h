// Faces and their features (one per enrolment; deleted ones stay as history).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "domain/audited.h"
#include "domain/types.h"

namespace facepass::domain {

class FaceRepository {
 public:
  virtual ~FaceRepository() = default;

  // NotFound if no such image. The new face's id. `label` (issue 29) is
  // already checked by the caller (spec::NormalizeLabel).
  virtual Result<int64_t> InsertFace(int64_t image_id, const Rect& rect, int64_t created_ms,
                                     std::span<const float> feature, const std::optional<std::string>& label,
                                     const AuditOf<int64_t>& audit = {}) = 0;
  // The same without a label (an implementation adds
  // `using domain::FaceRepository::InsertFace;` to keep it visible).
  Result<int64_t> InsertFace(int64_t image_id, const Rect& rect, int64_t created_ms, std::span<const float> feature) {
    return InsertFace(image_id, rect, created_ms, feature, std::nullopt);
  }
  // NotFound if no row; deleted ones too (history).
  virtual Result<FaceRecord> GetFace(int64_t id) = 0;
  // Sets (nullopt: clears) a live face's label, already checked by the
  // caller. NotFound if absent or deleted.
  virtual Status SetFaceLabel(int64_t id, const std::optional<std::string>& label,
                              const AuditRow& audit = std::nullopt) = 0;
  // Live faces whose label starts with `prefix` (ASCII case-insensitive), in
  // (ASCII-folded label bytes, id) order after `after`, at most `limit`
  // (>= 1, else InvalidArgument).
  virtual Result<LabelPage> SearchLabels(const std::string& prefix, int limit,
                                         const std::optional<LabelCursor>& after) = 0;
  // The labels of those faces that have one (live faces only), by face id.
  virtual Result<std::map<int64_t, std::string>> LabelsOf(const std::vector<int64_t>& face_ids) = 0;
  // Marks the face deleted, clears its label and unbinds it from every group
  // (each: version+1, logged). Returns those group ids. NotFound if absent or
  // already deleted.
  virtual Result<std::vector<int64_t>> DeleteFace(int64_t id, int64_t now_ms,
                                                  const AuditOf<std::vector<int64_t>>& audit = {}) = 0;
  // Every live face with its enrol image, by face id.
  virtual Result<std::vector<LiveFace>> ListLiveFaces() = 0;
  virtual Result<int64_t> CountLiveFaces() = 0;
  // Re-extraction with another embedder, in ONE transaction (all or nothing):
  // replaces the feature of each face in `features` (all of one non-zero
  // dimension) and deletes each face in `drop` as DeleteFace does. NotFound
  // if any of them is absent or deleted.
  virtual Status ReplaceFeatures(const std::vector<std::pair<int64_t, std::vector<float>>>& features,
                                 const std::vector<int64_t>& drop, int64_t now_ms) = 0;
  // Features of the given faces, in the given order; absent or deleted faces are left out.
  virtual Result<std::vector<std::pair<int64_t, std::vector<float>>>> FeaturesOf(
      const std::vector<int64_t>& face_ids) = 0;
};

// ReplaceFeatures' precondition: every feature non-empty and of one
// dimension (the 1:N index loads them as one matrix). InvalidArgument naming
// the first face that breaks it.
inline Status CheckOneDimension(const std::vector<std::pair<int64_t, std::vector<float>>>& features) {
  const size_t dim = features.empty() ? 0 : features.front().second.size();
  for (const auto& [id, feature] : features) {
    if (feature.empty() || feature.size() != dim)
      return Status::InvalidArgument("face " + std::to_string(id) + ": feature of " + std::to_string(feature.size()) +
                                     " values, expected " + std::to_string(dim));
  }
  return Status::OK();
}

}  // namespace facepass::domain
