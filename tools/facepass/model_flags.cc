#include "model_flags.h"

#include "vision/model_registry.h"

namespace facepass::cli {

void ModelFlags::AddTo(CLI::App* cmd) {
  cmd->add_option("--detector-model", detector_model, "ONNX detector file (default: models-dir/blazeface.onnx)");
  cmd->add_option("--detector-kind", detector_kind, "Detector family: blazeface (default) | rfb | scrfd")
      ->check(CLI::IsMember(vision::KindNameList(vision::DetectorSpecs())));
  cmd->add_option("--embedder-model", embedder_model, "ONNX embedder file (default: models-dir/arcface.onnx, or the kind's file)");
  cmd->add_option("--embedder-kind", embedder_kind, "Embedder family: arcface (default) | faceres | faceapi")
      ->check(CLI::IsMember(vision::KindNameList(vision::EmbedderSpecs())));
  cmd->add_option("--embedder-output", embedder_output, "Embedder output layer name");
  cmd->add_option("--fusion", fusion, "Score-level fusion with a second embedder: on | off (default: on for the default embedder)")
      ->check(CLI::IsMember({"on", "off"}));
  cmd->add_option("--fusion-model", fusion_model, "Second embedder's ONNX file, arcface kind (default: models-dir/mobilefacenet.onnx)");
  cmd->add_option("--fusion-weight", fusion_weight, "The first embedder's share of the fused cosine")
      ->check(CLI::Range(0.01, 0.99))
      ->capture_default_str();
  cmd->add_option("--runtime", runtime,
                  "Inference runtime: onnxruntime | opencv (default: onnxruntime when its library loads, else opencv)")
      ->check(CLI::IsMember({"onnxruntime", "opencv"}));
}

void ModelFlags::ApplyTo(vision::EngineOptions* o) const {
  o->detector.file = detector_model;
  o->detector.kind = detector_kind;
  o->embedder.file = embedder_model;
  o->embedder.kind = embedder_kind;
  o->embedder.output = embedder_output;
  o->fusion.mode = fusion;
  o->fusion.second.file = fusion_model;
  o->fusion.weight = fusion_weight;
  if (!runtime.empty()) o->runtime.kind = vision::ParseRuntimeKind(runtime).value();  // checked by the flag
}

}  // namespace facepass::cli
