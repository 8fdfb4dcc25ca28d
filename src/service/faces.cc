#include "service/faces.h"

#include "common/clock.h"
#include "face_rules/enrol_rule.h"
#include "spec/face_crop.h"
#include "spec/label.h"
#include "face_rules/image_verdict_error.h"
#include "domain/storage.h"
#include "vision/engine.h"

namespace facepass::service {

store::Rect CropAround(const store::Rect& f, int image_width, int image_height) {
  const spec::Box c = spec::FaceCropBox({f.left, f.top, f.right, f.bottom}, image_width, image_height);
  return {c.left, c.top, c.right, c.bottom};
}

namespace {

// The label as it will be stored, or ILLEGAL_ARGUMENT label.
DomainResult<std::string> CheckedLabel(std::string_view raw) {
  std::optional<std::string> label = spec::NormalizeLabel(raw);
  if (!label) return errors::IllegalArgument("label");
  return *std::move(label);
}

}  // namespace

DomainResult<AddOutcome> Faces::Add(std::string_view image, std::optional<std::string_view> raw_label,
                                    const FaceAddAudit& audit) {
  std::optional<std::string> label;
  if (raw_label) {  // checked before anything is kept
    auto checked = CheckedLabel(*raw_label);
    if (!checked.ok()) return checked.error();
    label = std::move(*checked);
  }
  const int64_t now = NowMs();
  // The original is written while the pixels are analysed (PendingImage).
  std::optional<PendingImage> original =
      images_.KeepAhead(image, analyzer_.Inspect(image, vision::Purpose::kEnrol), store::ImageKind::kEnrol, now);
  auto analysis = analyzer_.Analyze(image, vision::Purpose::kEnrol, {.embed = true, .liveness = false});
  if (!analysis.ok()) return Internal("face add: analyze", analysis.status());
  const vision::Analysis& a = *analysis;
  if (a.verdict != vision::ImageVerdict::kOk) return face_rules::ImageVerdictError(a.verdict);

  auto image_id = original ? original->Take()
                           : images_.Keep(image, a.format, store::ImageKind::kEnrol, a.width, a.height, now);
  if (!image_id.ok()) return Internal("face add: archive", image_id.status());
  AddOutcome out;
  out.image_id = *image_id;
  if (a.best) {
    out.rect = a.best->face.rect;
    out.quality = a.best->quality;
  }
  if ((out.refusal = face_rules::EnrolFaceRefusal(a))) return out;
  const vision::FaceResult& face = *a.best;
  if (face.feature.empty()) return Internal("face add", Status::Internal("no feature for the face"));
  const store::Rect rect{face.face.rect.left, face.face.rect.top, face.face.rect.right, face.face.rect.bottom};
  domain::AuditOf<int64_t> face_audit;
  if (audit) face_audit = [&](const int64_t& face_id) { return audit(out.image_id, face_id); };
  auto face_id = catalog_.AddFace(out.image_id, rect, face.feature, now, label, face_audit);
  if (!face_id.ok()) return Internal("face add: insert", face_id.status());
  out.face_id = *face_id;
  out.label = label;
  events_.FaceChanged({FaceEvent::Kind::kAdd, out.face_id, out.image_id, now, std::move(label)});
  return out;
}

DomainResult<Done> Faces::Delete(int64_t face_id, const domain::AuditHook& audit) {
  const int64_t now = NowMs();
  // Read first: the delete clears the label, and the event still names it
  // once so a receiver can forget it too.
  auto face = catalog_.storage().faces().GetFace(face_id);
  DomainResult<Done> done = catalog_.DeleteFace(face_id, now, audit);
  if (!done.ok()) return done;
  events_.FaceChanged({FaceEvent::Kind::kDelete, face_id, face.ok() ? face->image_id : 0, now,
                       face.ok() ? face->label : std::nullopt});
  return done;
}

DomainResult<std::optional<std::string>> Faces::Relabel(int64_t face_id, std::optional<std::string_view> raw,
                                                       const domain::AuditHook& audit) {
  std::optional<std::string> label;
  if (raw && !raw->empty()) {
    auto checked = CheckedLabel(*raw);
    if (!checked.ok()) return checked.error();
    label = std::move(*checked);
  }
  DomainResult<Done> done = catalog_.SetLabel(face_id, label, audit);
  if (!done.ok()) return done.error();
  return label;
}

DomainResult<store::LabelPage> Faces::Search(const LabelSearch& request) {
  if (request.limit < 1 || request.limit > LabelSearch::kMaxLimit) return errors::IllegalArgument("limit");
  std::string prefix;
  if (!request.prefix.empty()) {
    auto checked = CheckedLabel(request.prefix);
    if (!checked.ok()) return checked.error();
    prefix = std::move(*checked);
  }
  auto page = catalog_.storage().faces().SearchLabels(prefix, request.limit, request.after);
  if (!page.ok()) return Internal("face search", page.status());
  return *std::move(page);
}

DomainResult<FaceInfo> Faces::Query(int64_t face_id) {
  auto face = catalog_.storage().faces().GetFace(face_id);
  if (!face.ok()) return LookupFailed(face.status(), errors::FaceTokenNotExist(), "face query");
  if (face->deleted) return errors::FaceTokenNotExist();
  return FaceInfo{face->image_id, face->rect, face->created_ms, face->label};
}

DomainResult<ImageFile> Faces::Original(int64_t image_id) {
  auto image = images_.Find(image_id);
  if (!image.ok()) return LookupFailed(image.status(), errors::ImageIdNotExist(), "image query");
  // A capture purged between the two reads is simply gone.
  auto bytes = images_.Read(*image);
  if (!bytes.ok()) return LookupFailed(bytes.status(), errors::ImageIdNotExist(), "image query: read");
  return ImageFile{std::move(*bytes), image->format};
}

DomainResult<ImageFile> Faces::FaceCrop(int64_t face_id) {
  auto face = catalog_.storage().faces().GetFace(face_id);  // deleted faces too: history
  if (!face.ok()) return LookupFailed(face.status(), errors::FaceTokenNotExist(), "image query: face");
  auto image = images_.Find(face->image_id);
  if (!image.ok()) return LookupFailed(image.status(), errors::ImageIdNotExist(), "image query: image");
  auto bytes = images_.Read(*image);
  if (!bytes.ok()) return Internal("image query: read", bytes.status());
  auto pixels = vision::DecodeUpright(*bytes);
  if (!pixels.ok()) return Internal("image query: decode", pixels.status());
  const store::Rect c = CropAround(face->rect, pixels->cols, pixels->rows);
  auto jpeg = vision::EncodeJpegRegion(*pixels, {c.left, c.top, c.right, c.bottom});
  if (!jpeg.ok()) return Internal("image query: crop", jpeg.status());
  return ImageFile{std::move(*jpeg), "jpeg"};
}

}  // namespace facepass::service
