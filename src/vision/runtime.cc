#include "vision/runtime.h"

#include <unistd.h>

#include <cstdlib>

#include "vision/opencv_runtime.h"
#ifdef FACEPASS_WITH_ONNXRUNTIME
#include "vision/onnx_runtime.h"
#endif

namespace facepass::vision {
namespace {

// Where ONNX Runtime's library is looked for, in order.
std::vector<std::filesystem::path> LibraryCandidates(const RuntimeOptions& o) {
  if (!o.onnxruntime_library.empty()) return {o.onnxruntime_library};
  std::vector<std::filesystem::path> out;
  if (const char* env = std::getenv("FACEPASS_ONNXRUNTIME"); env != nullptr && *env != '\0') return {env};
#ifdef FACEPASS_ONNXRUNTIME_LIBRARY_NAME
  // Installed (the .deb): /usr/bin/facepass -> /usr/lib/facepass/<library>.
  char exe[4096];
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    const std::filesystem::path bin = std::filesystem::path(std::string(exe, size_t(n))).parent_path();
    out.push_back(bin.parent_path() / "lib" / "facepass" / FACEPASS_ONNXRUNTIME_LIBRARY_NAME);
  }
#endif
#ifdef FACEPASS_ONNXRUNTIME_BUILD_LIBRARY
  out.push_back(FACEPASS_ONNXRUNTIME_BUILD_LIBRARY);  // scripts/fetch-onnxruntime.sh's copy
#endif
  return out;
}

Result<std::shared_ptr<const Runtime>> OpenOrt(const RuntimeOptions& o) {
#ifdef FACEPASS_WITH_ONNXRUNTIME
  const auto candidates = LibraryCandidates(o);
  if (candidates.empty()) return Status::NotFound("no ONNX Runtime library configured");
  std::string tried;
  for (const auto& path : candidates) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      tried += (tried.empty() ? "" : ", ") + path.string();
      continue;
    }
    return OpenOnnxRuntime(path, o.intra_op_threads);  // present: its error is the answer
  }
  return Status::NotFound("ONNX Runtime library not found (tried " + tried +
                          "; scripts/fetch-onnxruntime.sh fetches it, $FACEPASS_ONNXRUNTIME names another)");
#else
  (void)o;
  return Status::Unavailable("built without ONNX Runtime's header (run scripts/fetch-onnxruntime.sh and reconfigure)");
#endif
}

}  // namespace

const char* RuntimeName(RuntimeKind kind) {
  switch (kind) {
    case RuntimeKind::kOnnxRuntime: return "onnxruntime";
    case RuntimeKind::kOpenCv: return "opencv";
  }
  return "?";
}

Result<RuntimeKind> ParseRuntimeKind(std::string_view name) {
  if (name == "onnxruntime") return RuntimeKind::kOnnxRuntime;
  if (name == "opencv") return RuntimeKind::kOpenCv;
  return Status::InvalidArgument("unknown runtime: " + std::string(name) + " (onnxruntime or opencv)");
}

Result<RuntimeChoice> OpenRuntime(const RuntimeOptions& options) {
  if (options.kind == RuntimeKind::kOpenCv) return RuntimeChoice{OpenCvRuntime(options.intra_op_threads), ""};
  auto ort = OpenOrt(options);
  if (ort.ok()) return RuntimeChoice{std::move(ort.value()), ""};
  if (options.kind == RuntimeKind::kOnnxRuntime) return ort.status();  // asked for explicitly
  return RuntimeChoice{OpenCvRuntime(options.intra_op_threads), ort.status().message()};
}

}  // namespace facepass::vision
