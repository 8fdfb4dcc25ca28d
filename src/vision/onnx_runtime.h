// ONNX Runtime as a Runtime, through its C API on a library loaded at run time
// (dlopen): the binary starts without it and falls back to OpenCV.
#pragma once

#include <filesystem>
#include <memory>

#include "vision/runtime.h"

namespace facepass::vision {

// The C API level asked of the library: 16 = ONNX Runtime 1.16, the oldest library
// this code runs on. Every entry called exists at that level (the C API table is
// append-only, so a newer library serves it too).
inline constexpr unsigned kOrtApiLevel = 16;

// Loads the library at `library` (once per process and path), checks that it serves
// C API kOrtApiLevel, and returns a runtime whose sessions use `intra_op_threads`
// threads each and ORT_ENABLE_ALL graph optimisation.
Result<std::shared_ptr<const Runtime>> OpenOnnxRuntime(const std::filesystem::path& library, int intra_op_threads);

}  // namespace facepass::vision
