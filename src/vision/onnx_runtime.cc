#include "vision/onnx_runtime.h"

#include <dlfcn.h>

#include <map>
#include <vector>

#include <onnxruntime_c_api.h>

#include "common/thread_annotations.h"

namespace facepass::vision {
namespace {

// The loaded library: its API table and the process's one OrtEnv. Never unloaded
// (ONNX Runtime's threads and statics do not survive dlclose).
struct OrtLibrary {
  const OrtApi* api = nullptr;
  OrtEnv* env = nullptr;
  std::string version;
  std::string path;
};

// Releases what the C API handed out; one overload per type used here.
struct OrtRelease {
  const OrtApi* api;
  void operator()(OrtStatus* p) const { api->ReleaseStatus(p); }
  void operator()(OrtSession* p) const { api->ReleaseSession(p); }
  void operator()(OrtSessionOptions* p) const { api->ReleaseSessionOptions(p); }
  void operator()(OrtMemoryInfo* p) const { api->ReleaseMemoryInfo(p); }
  void operator()(OrtValue* p) const { api->ReleaseValue(p); }
  void operator()(OrtTensorTypeAndShapeInfo* p) const { api->ReleaseTensorTypeAndShapeInfo(p); }
};
template <typename T>
using OrtPtr = std::unique_ptr<T, OrtRelease>;

// A C API status as ours (and the C one released).
Status Check(const OrtApi* api, OrtStatus* raw, const char* what) {
  if (raw == nullptr) return Status::OK();
  OrtPtr<OrtStatus> s(raw, OrtRelease{api});
  return Status::Internal(std::string(what) + ": " + api->GetErrorMessage(raw));
}

// The name a SessionGet*Name call (`raw`, already made) wrote to *name, freed.
Result<std::string> TakeName(const OrtApi* api, OrtStatus* raw, char** name, OrtAllocator* alloc) {
  FP_RETURN_IF_ERROR(Check(api, raw, "reading a tensor name"));
  std::string out(*name);
  OrtPtr<OrtStatus> freed(api->AllocatorFree(alloc, *name), OrtRelease{api});  // a failed free leaks a name
  return out;
}

// A float tensor the runtime returned, copied into a cv::Mat of its shape.
Result<cv::Mat> ToMat(const OrtApi* api, OrtValue* value) {
  OrtTensorTypeAndShapeInfo* raw_info = nullptr;
  FP_RETURN_IF_ERROR(Check(api, api->GetTensorTypeAndShape(value, &raw_info), "output shape"));
  OrtPtr<OrtTensorTypeAndShapeInfo> info(raw_info, OrtRelease{api});
  ONNXTensorElementDataType type{};
  size_t rank = 0;
  FP_RETURN_IF_ERROR(Check(api, api->GetTensorElementType(info.get(), &type), "output type"));
  if (type != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT) return Status::Internal("model output is not float");
  FP_RETURN_IF_ERROR(Check(api, api->GetDimensionsCount(info.get(), &rank), "output rank"));
  std::vector<int64_t> dims(rank);
  FP_RETURN_IF_ERROR(Check(api, api->GetDimensions(info.get(), dims.data(), rank), "output dimensions"));
  std::vector<int> sizes;
  for (int64_t d : dims) {
    if (d < 0 || d > (1 << 30)) return Status::Internal("output dimension out of range");
    sizes.push_back(int(d));
  }
  if (sizes.empty()) sizes.push_back(1);                   // a scalar
  if (sizes.size() == 1) sizes.insert(sizes.begin(), 1);  // cv::Mat has 2 dimensions at least
  void* data = nullptr;
  FP_RETURN_IF_ERROR(Check(api, api->GetTensorMutableData(value, &data), "output data"));
  // The value is released after this call: keep a private copy.
  return cv::Mat(int(sizes.size()), sizes.data(), CV_32F, data).clone();
}

class OnnxSession final : public Session {
 public:
  static Result<std::unique_ptr<Session>> Load(const OrtLibrary& lib, const std::filesystem::path& file,
                                               int intra_op_threads) {
    const OrtApi* api = lib.api;
    OrtSessionOptions* raw_opts = nullptr;
    FP_RETURN_IF_ERROR(Check(api, api->CreateSessionOptions(&raw_opts), "session options"));
    OrtPtr<OrtSessionOptions> opts(raw_opts, OrtRelease{api});
    // ORT_ENABLE_ALL: the x86 layout transformations (NCHWc) are where the speed is
    // (docs/performance.md); one thread per session unless asked otherwise.
    FP_RETURN_IF_ERROR(Check(api, api->SetSessionGraphOptimizationLevel(opts.get(), ORT_ENABLE_ALL), "optimisation"));
    FP_RETURN_IF_ERROR(Check(api, api->SetIntraOpNumThreads(opts.get(), std::max(1, intra_op_threads)), "threads"));
    FP_RETURN_IF_ERROR(Check(api, api->SetInterOpNumThreads(opts.get(), 1), "threads"));
    FP_RETURN_IF_ERROR(Check(api, api->SetSessionExecutionMode(opts.get(), ORT_SEQUENTIAL), "execution mode"));
    std::unique_ptr<OnnxSession> s(new OnnxSession(api));
    OrtSession* raw = nullptr;
    FP_RETURN_IF_ERROR(Check(api, api->CreateSession(lib.env, file.c_str(), opts.get(), &raw),
                             ("cannot load " + file.string()).c_str()));
    s->session_.reset(raw);
    OrtAllocator* alloc = nullptr;
    FP_RETURN_IF_ERROR(Check(api, api->GetAllocatorWithDefaultOptions(&alloc), "allocator"));
    size_t inputs = 0, outputs = 0;
    FP_RETURN_IF_ERROR(Check(api, api->SessionGetInputCount(raw, &inputs), "inputs"));
    FP_RETURN_IF_ERROR(Check(api, api->SessionGetOutputCount(raw, &outputs), "outputs"));
    if (inputs != 1) return Status::InvalidArgument(file.string() + ": expected one input, the model has " +
                                                    std::to_string(inputs));
    char* name = nullptr;
    FP_ASSIGN_OR_RETURN(s->input_, TakeName(api, api->SessionGetInputName(raw, 0, alloc, &name), &name, alloc));
    for (size_t i = 0; i < outputs; ++i) {
      FP_ASSIGN_OR_RETURN(auto out, TakeName(api, api->SessionGetOutputName(raw, i, alloc, &name), &name, alloc));
      s->outputs_.push_back(std::move(out));
    }
    OrtMemoryInfo* mem = nullptr;
    FP_RETURN_IF_ERROR(Check(api, api->CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault, &mem), "memory"));
    s->cpu_.reset(mem);
    return std::unique_ptr<Session>(std::move(s));
  }

  // OrtApi::Run is thread-safe on one session: concurrent callers need no pool.
  Status Run(const cv::Mat& blob, const std::vector<std::string>& names,
             std::vector<cv::Mat>* outs) const override {
    if (blob.depth() != CV_32F || !blob.isContinuous() || blob.channels() != 1)
      return Status::InvalidArgument("expected a continuous float blob");
    std::vector<int64_t> shape(blob.size.p, blob.size.p + blob.dims);
    OrtValue* raw_in = nullptr;
    FP_RETURN_IF_ERROR(Check(api_,
                             api_->CreateTensorWithDataAsOrtValue(
                                 cpu_.get(), const_cast<float*>(blob.ptr<float>()), blob.total() * sizeof(float),
                                 shape.data(), shape.size(), ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, &raw_in),
                             "input tensor"));
    OrtPtr<OrtValue> in(raw_in, OrtRelease{api_});
    const std::vector<std::string>& wanted = names.empty() ? outputs_ : names;
    std::vector<const char*> out_names;
    for (const auto& n : wanted) out_names.push_back(n.c_str());
    std::vector<OrtValue*> raw_out(wanted.size(), nullptr);
    const char* in_name = input_.c_str();
    const OrtValue* in_value = in.get();
    OrtStatus* ran = api_->Run(session_.get(), nullptr, &in_name, &in_value, 1, out_names.data(), out_names.size(),
                               raw_out.data());
    std::vector<OrtPtr<OrtValue>> values;
    for (OrtValue* v : raw_out) values.emplace_back(v, OrtRelease{api_});
    FP_RETURN_IF_ERROR(Check(api_, ran, "inference failed"));
    outs->clear();
    for (const auto& v : values) {
      if (!v) return Status::Internal("inference returned no output");
      FP_ASSIGN_OR_RETURN(auto m, ToMat(api_, v.get()));
      outs->push_back(std::move(m));
    }
    return Status::OK();
  }

  const std::vector<std::string>& output_names() const override { return outputs_; }

 private:
  explicit OnnxSession(const OrtApi* api)
      : api_(api), session_(nullptr, OrtRelease{api}), cpu_(nullptr, OrtRelease{api}) {}

  const OrtApi* api_;
  OrtPtr<OrtSession> session_;
  OrtPtr<OrtMemoryInfo> cpu_;
  std::string input_;
  std::vector<std::string> outputs_;
};

class OnnxRuntime final : public Runtime {
 public:
  OnnxRuntime(const OrtLibrary* lib, int threads) : lib_(lib), threads_(threads) {}
  RuntimeKind kind() const override { return RuntimeKind::kOnnxRuntime; }
  const std::string& version() const override { return lib_->version; }
  const std::string& library() const override { return lib_->path; }
  Result<std::unique_ptr<Session>> Load(const std::filesystem::path& file, int /*concurrency*/) const override {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) return Status::NotFound("model file not found: " + file.string());
    return OnnxSession::Load(*lib_, file, threads_);
  }

 private:
  const OrtLibrary* lib_;  // process lifetime
  int threads_;
};

Result<const OrtLibrary*> LoadLibrary(const std::filesystem::path& path) {
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    return Status::NotFound("cannot load " + path.string() + ": " + (why ? why : "dlopen failed"));
  }
  using GetApiBase = const OrtApiBase* (*)();
  auto get_base = reinterpret_cast<GetApiBase>(dlsym(handle, "OrtGetApiBase"));
  const OrtApiBase* base = get_base ? get_base() : nullptr;
  if (base == nullptr) {
    dlclose(handle);
    return Status::FailedPrecondition(path.string() + " is not ONNX Runtime (no OrtGetApiBase)");
  }
  auto lib = std::make_unique<OrtLibrary>();
  lib->version = base->GetVersionString();
  lib->path = path.string();
  lib->api = base->GetApi(kOrtApiLevel);
  if (lib->api == nullptr) {
    dlclose(handle);
    return Status::FailedPrecondition("ONNX Runtime " + lib->version + " at " + path.string() +
                                      " lacks C API " + std::to_string(kOrtApiLevel) + " (1.16 or newer needed)");
  }
  FP_RETURN_IF_ERROR(Check(lib->api, lib->api->CreateEnv(ORT_LOGGING_LEVEL_ERROR, "facepass", &lib->env), "OrtEnv"));
  return lib.release();  // process lifetime, with the library
}

// One OrtEnv per process: each library is loaded once and kept.
struct LoadedLibraries {
  Mutex mu;
  std::map<std::string, const OrtLibrary*> by_path GUARDED_BY(mu);
};

LoadedLibraries& Loaded() {
  static auto* loaded = new LoadedLibraries();  // never destroyed, like the libraries
  return *loaded;
}

}  // namespace

Result<std::shared_ptr<const Runtime>> OpenOnnxRuntime(const std::filesystem::path& library, int intra_op_threads) {
  LoadedLibraries& loaded = Loaded();
  MutexLock lock(&loaded.mu);
  auto it = loaded.by_path.find(library.string());
  if (it == loaded.by_path.end()) {
    FP_ASSIGN_OR_RETURN(const OrtLibrary* lib, LoadLibrary(library));
    it = loaded.by_path.emplace(library.string(), lib).first;
  }
  return std::shared_ptr<const Runtime>(std::make_shared<OnnxRuntime>(it->second, intra_op_threads));
}

}  // namespace facepass::vision
