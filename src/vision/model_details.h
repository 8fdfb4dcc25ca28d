// Which models the engine runs, as data (GET /api/version/v1 shows it; the API
// layer writes the JSON).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "vision/calibration_tables.h"

namespace facepass::vision {

struct ModelFileInfo {
  std::string kind;                   // "blazeface", "arcface", "facemesh", ...
  std::string file;                   // file name in the models directory
  std::string id;                     // content id (hash of the ONNX bytes)
  std::optional<std::string> sha256;  // from fetch-models.sh's manifest, when it lists the file
  std::optional<std::string> source;  // npm package@version, when known
};

struct LivenessModelInfo {
  std::string kind;  // "blend" | "human" | "faceplugin"
  std::string id;
};

struct ScoreMapInfo {
  std::vector<std::pair<float, float>> knots;  // (cosine, score)
  std::string digest;
  std::string calibration;  // the calibration's "fitted_on", or "none (uncalibrated default)"
  CalibrationTables tables;  // measured FAR and genuine refusals by score (issue 30)
};

// The inference runtime the models run on.
struct RuntimeInfo {
  std::string name;      // "onnxruntime" | "opencv"
  std::string version;   // the library's, e.g. "1.16.3"
  std::string library;   // where the runtime was loaded from (ONNX Runtime), for the log
  std::string fallback;  // why the default is not ONNX Runtime ("" when it is, or asked for)
};

struct ModelDetails {
  RuntimeInfo runtime;
  ModelFileInfo detector;
  std::optional<ModelFileInfo> landmarks;
  ModelFileInfo embedder;
  // The second embedder of a fused pair and the first one's share of the cosine.
  std::optional<ModelFileInfo> fused_with;
  float fusion_weight = 1.f;
  int embedder_dim = 0;  // of the (fused) feature
  std::string embedder_alignment;
  std::string embedder_search_model;
  std::string calibration_model_id;  // what the embedder's calibration file must name
  std::optional<LivenessModelInfo> liveness;
  ScoreMapInfo score;
  std::string search_model;
};

}  // namespace facepass::vision
