// The inference runtime every model runs on: ONNX Runtime (the default, when its
// library loads) or OpenCV's DNN module. A model class hands a Session an NCHW
// float blob and reads back the named outputs; nothing else of the runtime shows.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "common/status.h"

namespace facepass::vision {

enum class RuntimeKind { kOnnxRuntime, kOpenCv };

const char* RuntimeName(RuntimeKind kind);  // "onnxruntime" | "opencv"
// "onnxruntime" | "opencv"; parsed once, at flag parsing.
Result<RuntimeKind> ParseRuntimeKind(std::string_view name);

// One ONNX file loaded on a runtime. Run() is thread-safe: concurrent callers run
// at once up to the concurrency the session was loaded with, and wait beyond.
class Session {
 public:
  virtual ~Session() = default;
  // Feeds `blob` (float, 4-D NCHW) to the model's only input and returns the
  // outputs named in `names` in that order (every graph output when empty), each
  // a private float cv::Mat of the output's shape.
  virtual Status Run(const cv::Mat& blob, const std::vector<std::string>& names,
                     std::vector<cv::Mat>* outs) const = 0;
  virtual const std::vector<std::string>& output_names() const = 0;
};

class Runtime {
 public:
  virtual ~Runtime() = default;
  virtual RuntimeKind kind() const = 0;
  virtual const std::string& version() const = 0;  // e.g. "1.16.3", "4.6.0"
  virtual const std::string& library() const = 0;  // the file loaded at run time ("" when linked)
  // `concurrency`: how many Run() calls may compute at once (instances or slots).
  virtual Result<std::unique_ptr<Session>> Load(const std::filesystem::path& file, int concurrency) const = 0;
};

struct RuntimeOptions {
  std::optional<RuntimeKind> kind;  // nullopt: ONNX Runtime when its library loads, else OpenCV
  // Threads inside one inference. 1 (the default): the request pool gives the
  // parallelism, one core per concurrent inference, no oversubscription.
  int intra_op_threads = 1;
  // ONNX Runtime's library; empty: $FACEPASS_ONNXRUNTIME, the installed copy beside
  // the binary, then the one scripts/fetch-onnxruntime.sh extracted (build tree).
  std::filesystem::path onnxruntime_library;
};

struct RuntimeChoice {
  std::shared_ptr<const Runtime> runtime;
  // Why the default fell back to OpenCV ("" when it did not): for the start-up log.
  std::string fallback_reason;
};

// The runtime `options` ask for. An explicit kind that cannot load is an error;
// the default falls back to OpenCV with the reason.
Result<RuntimeChoice> OpenRuntime(const RuntimeOptions& options);

}  // namespace facepass::vision
