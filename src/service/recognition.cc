#include "service/recognition.h"

#include "common/clock.h"
#include "index/face_index.h"
#include "spec/group_name.h"
#include "face_rules/image_verdict_error.h"
#include "face_rules/recognise_rule.h"
#include "domain/storage.h"

namespace facepass::service {

DomainResult<RecognizeOutcome> Recognition::Recognize(const RecognizeRequest& req) {
  if (!spec::IsValidGroupName(req.group_name)) return errors::IllegalArgument("group_name");
  auto group = catalog_.storage().groups().GetGroupByName(req.group_name);
  if (!group.ok()) return LookupFailed(group.status(), errors::GroupNameNotExist(), "recognize: group");
  // Every change acknowledged before this request, by any node, is in the index.
  if (Status fresh = catalog_.CatchUp(); !fresh.ok()) return Internal("recognize: index catch-up", fresh);
  const ThresholdValues th = thresholds_.Get();
  const int64_t now = NowMs();

  RecognizeOutcome out{group->name, th.recognize, th.liveness, {}};
  for (const RecognizeRequest::Track& track : req.tracks) {
    TrackOutcome best;
    best.track_id = track.track_id;
    double best_score = -1;  // -1: nothing matched yet
    for (std::string_view bytes : track.images) {
      // The capture is written while the pixels are analysed (PendingImage).
      const vision::Analysis header = analyzer_.Inspect(bytes, vision::Purpose::kRecognise);
      std::optional<PendingImage> capture;
      if (header.verdict == vision::ImageVerdict::kOk)
        capture.emplace(images_.KeepAhead(bytes, header.format, store::ImageKind::kCapture, header.width,
                                          header.height, now));
      auto a = analyzer_.Analyze(bytes, vision::Purpose::kRecognise, {.embed = true, .liveness = req.liveness});
      if (!a.ok()) return Internal("recognize: analyze", a.status());
      TrackOutcome entry;
      entry.track_id = track.track_id;
      entry.error = face_rules::RecogniseImageError(*a);
      // The track answers its best-scoring image; without one its last face-less
      // capture, else its first refused image.
      if (a->verdict != vision::ImageVerdict::kOk) {
        if (best_score < 0 && !best.error) best = std::move(entry);
        continue;
      }
      auto image_id = capture ? capture->Take()
                              : images_.Keep(bytes, a->format, store::ImageKind::kCapture, a->width, a->height, now);
      if (!image_id.ok()) return Internal("recognize: archive", image_id.status());
      entry.image_id = *image_id;
      if (entry.error) {
        if (best_score < 0) best = std::move(entry);
        continue;
      }
      const vision::FaceResult& face = *a->best;
      entry.rect = face.face.rect;
      auto matches = catalog_.index().Search(group->id, face.feature, 1);
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
