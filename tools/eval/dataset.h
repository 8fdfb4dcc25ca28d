// Labelled photo sets for facepass-eval and their extraction through the engine.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"
#include "vision/engine.h"

namespace facepass::eval {

// One photo as the enrol path sees it: decoded and validated like an upload
// (Engine::Analyze, Purpose::kEnrol), the largest face embedded.
struct Photo {
  std::string path;      // relative to the set's root
  std::string identity;  // the folder (lfw) or the faces.csv column
  int expected_faces = 1;
  bool found = false;    // a face was found (and embedded)
  std::string refusal;   // why enrol would refuse it ("" = accepted): a verdict, "no_face" or a gate
  float liveness = -1;   // [0,100], -1 when not measured
  int faces = 0;         // faces the detector found
  vision::Rect rect;     // the embedded (largest) face
  std::vector<float> feature;
};

// Cosine of two found photos' unit features (their dot product).
inline float Cosine(const Photo& a, const Photo& b) {
  float c = 0;
  for (size_t k = 0; k < a.feature.size() && k < b.feature.size(); ++k) c += a.feature[k] * b.feature[k];
  return c;
}

// The whole file ("" when it cannot be read).
std::string ReadFile(const std::filesystem::path& path);

// `root/<Name>/<Name>_NNNN.jpg`, sorted by identity then file name.
Result<std::vector<Photo>> ListLfw(const std::filesystem::path& root);
// `root/faces.csv`: path,identity,faces.
Result<std::vector<Photo>> ListFaces(const std::filesystem::path& root);

// Runs every photo through `engine` on `threads` threads, or reads the results from
// `cache` when it was written for the same photos and the same search_model.
Status Extract(const vision::Engine& engine, const std::filesystem::path& root, std::vector<Photo>* photos,
               int threads, const std::filesystem::path& cache);

}  // namespace facepass::eval
