#include "vision/model_registry.h"

#include "vision/blazeface.h"
#include "vision/fp_liveness.h"
#include "vision/human_liveness_models.h"
#include "vision/landmarks.h"
#include "vision/rfb_detector.h"
#include "vision/scrfd.h"

namespace facepass::vision {
namespace {

template <typename Model>
Result<std::unique_ptr<DetectorModel>> MakeDetector(const std::filesystem::path& file, int input_size,
                                                    const LoadOptions& load) {
  FP_ASSIGN_OR_RETURN(auto model, Model::Create(file, input_size, load));
  return std::unique_ptr<DetectorModel>(std::move(model));
}

constexpr ModelSpec<DetectorKind, DetectorFactory> kDetectors[] = {
    {DetectorKind::kBlazeFace, "blazeface", "blazeface.onnx", 256, &MakeDetector<BlazeFace>},
    {DetectorKind::kRfb, "rfb", "rfb320.onnx", 320, &MakeDetector<RfbDetector>},
    {DetectorKind::kScrfd, "scrfd", "scrfd.onnx", 640, &MakeDetector<Scrfd>},
};
template <typename Model>
Result<std::unique_ptr<EmbedderModel>> MakeEmbedder(const std::filesystem::path& file, const LoadOptions& load) {
  FP_ASSIGN_OR_RETURN(auto model, Model::Create(file, load));
  return std::unique_ptr<EmbedderModel>(std::move(model));
}

constexpr ModelSpec<EmbedderKind, EmbedderFactory> kEmbedders[] = {
    {EmbedderKind::kArcFace, "arcface", "arcface.onnx", 112, &MakeEmbedder<ArcFaceNet>},
    {EmbedderKind::kFaceRes, "faceres", "faceres.onnx", 224, &MakeEmbedder<FaceResNet>},
    {EmbedderKind::kFaceApi, "faceapi", "faceapi_recognition.onnx", 150, &MakeEmbedder<DlibResNet>},
};
constexpr ModelSpec<LivenessKind> kLiveness[] = {
    {LivenessKind::kBlend, "blend", "", 0},
    {LivenessKind::kHuman, "human", "", 0},
    {LivenessKind::kFaceplugin, "faceplugin", "", 0},
};
constexpr ModelSpec<AuxModel> kAux[] = {
    {AuxModel::kFaceMesh, "facemesh", "facemesh.onnx", FaceMesh::kInput},
    {AuxModel::kMobileFaceNet, "mobilefacenet", "mobilefacenet.onnx", 112},  // an ArcFace-layout embedder
    {AuxModel::kAntispoof, "antispoof", "antispoof.onnx", HumanAntispoof::kInput},
    {AuxModel::kLiveness, "liveness", "liveness.onnx", HumanLiveness::kInput},
    {AuxModel::kFpLiveness, "fp_liveness", "fp_liveness.onnx", FpLiveness::kInput},
};

template <typename Kind, typename Factory>
const ModelSpec<Kind, Factory>& Find(std::span<const ModelSpec<Kind, Factory>> specs, Kind kind) {
  for (const auto& s : specs)
    if (s.kind == kind) return s;
  return specs.front();  // unreachable: every enumerator has a row
}

template <typename Kind, typename Factory>
Result<Kind> Parse(std::span<const ModelSpec<Kind, Factory>> specs, std::string_view name, const char* family) {
  if (name.empty()) return specs.front().kind;
  for (const auto& s : specs)
    if (name == s.name) return s.kind;
  return Status::InvalidArgument("unknown " + std::string(family) + " kind: " + std::string(name) + " (" +
                                 KindNames(specs) + ")");
}

}  // namespace

std::span<const ModelSpec<DetectorKind, DetectorFactory>> DetectorSpecs() { return kDetectors; }
std::span<const ModelSpec<EmbedderKind, EmbedderFactory>> EmbedderSpecs() { return kEmbedders; }
std::span<const ModelSpec<LivenessKind>> LivenessSpecs() { return kLiveness; }
std::span<const ModelSpec<AuxModel>> AuxModelSpecs() { return kAux; }

const ModelSpec<DetectorKind, DetectorFactory>& Spec(DetectorKind kind) { return Find(DetectorSpecs(), kind); }
const ModelSpec<EmbedderKind, EmbedderFactory>& Spec(EmbedderKind kind) { return Find(EmbedderSpecs(), kind); }
const ModelSpec<LivenessKind>& Spec(LivenessKind kind) { return Find(LivenessSpecs(), kind); }
const ModelSpec<AuxModel>& Spec(AuxModel model) { return Find(AuxModelSpecs(), model); }

Result<DetectorKind> ParseDetectorKind(std::string_view name) { return Parse(DetectorSpecs(), name, "detector"); }
Result<EmbedderKind> ParseEmbedderKind(std::string_view name) { return Parse(EmbedderSpecs(), name, "embedder"); }
Result<LivenessKind> ParseLivenessKind(std::string_view name) { return Parse(LivenessSpecs(), name, "liveness"); }

}  // namespace facepass::vision
