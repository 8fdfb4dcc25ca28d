#include "vision/fused_embedder.h"

#include <cmath>
#include <cstdio>

#include <opencv2/core.hpp>  // cv::Exception

#include "vision/side_task.h"

namespace facepass::vision {

std::vector<float> FuseFeatures(std::span<const float> a, std::span<const float> b, float w) {
  std::vector<float> f;
  f.reserve(a.size() + b.size());
  const float wa = std::sqrt(w), wb = std::sqrt(1.f - w);
  for (float x : a) f.push_back(wa * x);
  for (float x : b) f.push_back(wb * x);
  return f;
}

Result<std::unique_ptr<FusedEmbedder>> FusedEmbedder::Create(std::unique_ptr<Embedder> first,
                                                             std::unique_ptr<Embedder> second, float weight,
                                                             bool parallel) {
  if (!first) return Status::InvalidArgument("fused embedder: no first embedder");
  std::unique_ptr<FusedEmbedder> e(new FusedEmbedder());
  if (second) {
    if (!(weight > 0.f && weight < 1.f))
      return Status::InvalidArgument("fusion weight must be in (0, 1), got " + std::to_string(weight));
    e->weight_ = weight;
    e->same_crop_ = first->alignment() == second->alignment() && first->zoom() == second->zoom() &&
                    first->input_size() == second->input_size();
  }
  e->parallel_ = parallel;
  e->first_ = std::move(first);
  e->second_ = std::move(second);
  return e;
}

Result<std::vector<float>> FusedEmbedder::Embed(const cv::Mat& bgr, const DetectedFace& face,
                                                const std::vector<cv::Point2f>& mesh, cv::Mat* crop) const {
  cv::Mat own, other;
  try {
    own = first_->AlignedCrop(bgr, face, mesh);
    if (second_) other = same_crop_ ? own : second_->AlignedCrop(bgr, face, mesh);
  } catch (const cv::Exception& ex) {
    return Status::Internal(std::string("alignment: ") + ex.what());
  }
  if (crop) *crop = own;
  if (!second_) return first_->Embed(own);
  auto embed_second = [this, &other] { return second_->Embed(other); };
  auto later = StartBeside(parallel_, embed_second);
  auto a = first_->Embed(own);
  auto b = later.valid() ? later.get() : embed_second();  // always joined before `other` goes
  if (!a.ok()) return a.status();
  if (!b.ok()) return b.status();
  return FuseFeatures(a.value(), b.value(), weight_);
}

int FusedEmbedder::dim() const { return first_->dim() + (second_ ? second_->dim() : 0); }

namespace {
std::string WeightText(float w) {
  char s[16];
  std::snprintf(s, sizeof s, "%.2f", w);
  return s;
}
}  // namespace

std::string FusedEmbedder::id() const {
  if (!second_) return first_->id();
  return first_->id() + "+" + second_->id() + "-w" + WeightText(weight_);
}

std::string FusedEmbedder::content_id() const {
  if (!second_) return first_->network().content_id();
  return first_->network().content_id() + "+" + second_->network().content_id() + "-w" + WeightText(weight_);
}

std::filesystem::path FusedEmbedder::CalibrationFile(const std::filesystem::path& first_file,
                                                     const std::filesystem::path& second_file) const {
  auto f = first_file;
  if (!second_) return f.replace_extension(".score.json");
  return f.replace_filename(first_file.stem().string() + "+" + second_file.stem().string() + "-w" +
                            WeightText(weight_) + ".score.json");
}

}  // namespace facepass::vision
