// The flags that choose the vision models, one set for `serve` and `reindex`:
// reindex must extract features with exactly the models the server will run.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "vision/engine.h"

namespace facepass::cli {

struct ModelFlags {
  std::string detector_model, detector_kind;
  std::string embedder_model, embedder_kind, embedder_output;
  std::string fusion, fusion_model;
  float fusion_weight = vision::FusionConfig{}.weight;
  std::string runtime;  // "": ONNX Runtime when its library loads, else OpenCV

  // --detector-model, --detector-kind, --embedder-model, --embedder-kind,
  // --embedder-output, --fusion, --fusion-model, --fusion-weight, --runtime.
  void AddTo(CLI::App* cmd);
  void ApplyTo(vision::EngineOptions* o) const;
};

}  // namespace facepass::cli
