#include "service/recognition.h"

#include <future>

#include "common/clock.h"
#include "index/face_index.h"
#include "spec/group_name.h"
#include "face_rules/image_verdict_error.h"
#include "face_rules/recognise_rule.h"
#include "domain/storage.h"

namespace facepass::service {

namespace {

// One image of a track, analysed, its capture (if readable) being written.
struct AnalysedImage {
  vision::Analysis analysis;
  std::optional<PendingImage> capture;
};

}  // namespace

DomainResult<RecognizeOutcome> Recognition::Recognize(const RecognizeRequest& req) {
  if (!spec::IsValidGroupName(req.group_name)) return errors::IllegalArgument("group_name");
  // A missing group is refused before any pixel is analysed.
  auto found = catalog_.storage().groups().GetGroupByName(req.group_name);
  if (!found.ok()) return LookupFailed(found.status(), errors::GroupNameNotExist(), "recognize: group");
  const store::GroupRecord group = *std::move(found);
  // The index catches up with every change acknowledged before this request
  // (by any node) and the thresholds in force are read (on PostgreSQL two
  // round trips) while the pixels are analysed; the matching waits for both.
  auto ready = std::async(std::launch::async | std::launch::deferred, [&]() -> DomainResult<ThresholdValues> {
    if (Status fresh = catalog_.CatchUp(); !fresh.ok()) return Internal("recognize: index catch-up", fresh);
    return thresholds_.Get();
  });
  const int64_t now = NowMs();
  std::vector<std::vector<AnalysedImage>> analysed(req.tracks.size());
  for (size_t t = 0; t < req.tracks.size(); ++t) {
    for (std::string_view bytes : req.tracks[t].images) {
      // The capture is written while the pixels are analysed (PendingImage).
      std::optional<PendingImage> capture = images_.KeepAhead(
          bytes, analyzer_.Inspect(bytes, vision::Purpose::kRecognise), store::ImageKind::kCapture, now);
      auto a = analyzer_.Analyze(bytes, vision::Purpose::kRecognise, {.embed = true, .liveness = req.liveness});
      if (!a.ok()) return Internal("recognize: analyze", a.status());
      analysed[t].push_back({*std::move(a), std::move(capture)});
    }
  }
  const DomainResult<ThresholdValues> in_force = ready.get();
  if (!in_force.ok()) return in_force.error();  // the captures written meanwhile go again (PendingImage)
  const ThresholdValues& th = *in_force;

  RecognizeOutcome out{group.name, th.recognize, th.liveness, {}};
  for (size_t t = 0; t < req.tracks.size(); ++t) {
    const RecognizeRequest::Track& track = req.tracks[t];
    TrackOutcome best;
    best.track_id = track.track_id;
    double best_score = -1;  // -1: nothing matched yet
    for (size_t i = 0; i < track.images.size(); ++i) {
      const vision::Analysis& a = analysed[t][i].analysis;
      std::optional<PendingImage>& capture = analysed[t][i].capture;
      TrackOutcome entry;
      entry.track_id = track.track_id;
      entry.error = face_rules::RecogniseImageError(a);
      // The track answers its best-scoring image; without one its last face-less
      // capture, else its first refused image.
      if (a.verdict != vision::ImageVerdict::kOk) {
        if (best_score < 0 && !best.error) best = std::move(entry);
        continue;
      }
      auto image_id = capture ? capture->Take()
                              : images_.Keep(track.images[i], a.format, store::ImageKind::kCapture, a.width,
                                             a.height, now);
      if (!image_id.ok()) return Internal("recognize: archive", image_id.status());
      entry.image_id = *image_id;
      if (entry.error) {
        if (best_score < 0) best = std::move(entry);
        continue;
      }
      const vision::FaceResult& face = *a.best;
      entry.rect = face.face.rect;
      auto matches = catalog_.index().Search(group.id, face.feature, 1);
      if (!matches.ok()) return Internal("recognize: search", matches.status());
      std::optional<double> candidate;
      if (!matches->empty()) {
        candidate = analyzer_.ScoreFromSimilarity(matches->front().score);
        entry.face_id = matches->front().face_id;
      }
      const face_rules::RecogniseMatch m = face_rules::JudgeMatch(candidate, face, req.liveness, {th.recognize, th.liveness});
      entry.score = m.score;
      entry.liveness_score = m.liveness;
      entry.passed = m.passed;
      if (entry.score > best_score) {
        best_score = entry.score;
        best = std::move(entry);
      }
    }
    out.results.push_back(std::move(best));
  }
  // The matches' labels, in one read after the searches.
  std::vector<int64_t> matched;
  for (const TrackOutcome& t : out.results)
    if (t.face_id) matched.push_back(*t.face_id);
  if (!matched.empty()) {
    auto labels = catalog_.storage().faces().LabelsOf(matched);
    if (!labels.ok()) return Internal("recognize: labels", labels.status());
    for (TrackOutcome& t : out.results) {
      auto it = t.face_id ? labels->find(*t.face_id) : labels->end();
      if (it != labels->end()) t.label = it->second;
    }
  }
  // The history: one row per track that kept a capture.
  std::vector<store::RecognitionRecord> rows;
  for (const TrackOutcome& t : out.results) {
    if (!t.image_id) continue;
    store::RecognitionRecord r;
    r.image_id = *t.image_id;
    r.at_ms = now;
    r.group_name = out.group_name;
    r.track_id = t.track_id;
    r.face_id = t.face_id;
    r.score = t.score;
    r.passed = t.passed;
    if (t.rect) r.rect = store::Rect{t.rect->left, t.rect->top, t.rect->right, t.rect->bottom};
    r.liveness_score = t.liveness_score;
    r.label = t.label;
    rows.push_back(std::move(r));
  }
  auto stored = catalog_.storage().recognitions().InsertRecognitions(rows);
  if (!stored.ok()) return Internal("recognize: history", stored.status());
  for (const store::RecognitionRecord& r : *stored) events_.Recognized(r);
  return out;
}

DomainResult<CompareOutcome> Recognition::Compare(const CompareRequest& req) {
  vision::FaceResult faces[2];
  for (int i = 0; i < 2; ++i) {
    const std::string name = "image_" + std::to_string(i + 1);
    auto a = analyzer_.Analyze(req.images[i], vision::Purpose::kCompare, {.embed = true, .liveness = req.liveness});
    if (!a.ok()) return Internal("compare: analyze", a.status());
    if (a->verdict != vision::ImageVerdict::kOk) return face_rules::CompareImageVerdictError(a->verdict, name);
    if (!a->best) return errors::FaceNotFound(name);
    faces[i] = std::move(*a->best);
  }
  const ThresholdValues th = thresholds_.Get();
  CompareOutcome out;
  out.score = analyzer_.Score(faces[0].feature, faces[1].feature);
  out.compare_threshold = th.compare;
  out.liveness_threshold = th.liveness;
  bool live = true;
  for (int i = 0; i < 2; ++i) {
    const double score = faces[i].liveness.value_or(0.0f);
    out.faces[i] = {faces[i].face.rect, faces[i].quality.pose, faces[i].quality.blur, score};
    if (req.liveness && score < th.liveness) live = false;
  }
  if (!live) out.refusal = errors::CompareLivenessFailed();
  return out;
}

}  // namespace facepass::service
