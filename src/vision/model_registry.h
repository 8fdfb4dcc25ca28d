// The model kinds the engine knows, each with its default file, input size and (for
// detectors and embedders) the class that runs it, in one table: flags are checked against these names once, at parsing, and vision/engine.cc
// and tools/bench_vision pick default files here instead of spelling them out.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "vision/detector_model.h"
#include "vision/embedder_models.h"
#include "vision/network.h"

namespace facepass::vision {

enum class DetectorKind { kBlazeFace, kScrfd, kRfb };
enum class EmbedderKind { kArcFace, kFaceRes, kFaceApi };
// Which liveness models score (EngineOptions::liveness_kind): the blend of all three,
// human's pair, or faceplugin's alone.
enum class LivenessKind { kBlend, kHuman, kFaceplugin };
// The single-file models: facemesh, the fused default's second embedder and the three
// liveness classifiers.
enum class AuxModel { kFaceMesh, kMobileFaceNet, kAntispoof, kLiveness, kFpLiveness };

// A detector model from its file and input side.
using DetectorFactory = Result<std::unique_ptr<DetectorModel>> (*)(const std::filesystem::path& file, int input_size,
                                                                   const LoadOptions& load);

// An embedder model from its file.
using EmbedderFactory = Result<std::unique_ptr<EmbedderModel>> (*)(const std::filesystem::path& file,
                                                                   const LoadOptions& load);

template <typename Kind, typename Factory = std::nullptr_t>
struct ModelSpec {
  Kind kind;
  const char* name;          // what flags and EngineOptions spell
  const char* default_file;  // in the models folder
  int input_size;            // the network's input side (rfb: its width; 240 high)
  Factory create = nullptr;
};

// Every kind of each family, the default first.
std::span<const ModelSpec<DetectorKind, DetectorFactory>> DetectorSpecs();
std::span<const ModelSpec<EmbedderKind, EmbedderFactory>> EmbedderSpecs();
std::span<const ModelSpec<LivenessKind>> LivenessSpecs();  // file and size: "" and 0 (several models)
std::span<const ModelSpec<AuxModel>> AuxModelSpecs();

// The spec of a kind, and a name parsed into one ("" is the family's default).
const ModelSpec<DetectorKind, DetectorFactory>& Spec(DetectorKind kind);
const ModelSpec<EmbedderKind, EmbedderFactory>& Spec(EmbedderKind kind);
const ModelSpec<LivenessKind>& Spec(LivenessKind kind);
const ModelSpec<AuxModel>& Spec(AuxModel model);
Result<DetectorKind> ParseDetectorKind(std::string_view name);
Result<EmbedderKind> ParseEmbedderKind(std::string_view name);
Result<LivenessKind> ParseLivenessKind(std::string_view name);

// The names of a family, default first (for a flag's check).
template <typename Kind, typename Factory>
std::vector<std::string> KindNameList(std::span<const ModelSpec<Kind, Factory>> specs) {
  std::vector<std::string> out;
  for (const auto& s : specs) out.emplace_back(s.name);
  return out;
}

// "a, b or c": the names of a family, for messages and flag help.
template <typename Kind, typename Factory>
std::string KindNames(std::span<const ModelSpec<Kind, Factory>> specs) {
  std::string out;
  for (size_t i = 0; i < specs.size(); ++i)
    out += (i == 0 ? "" : i + 1 == specs.size() ? " or " : ", ") + std::string(specs[i].name);
  return out;
}

}  // namespace facepass::vision
