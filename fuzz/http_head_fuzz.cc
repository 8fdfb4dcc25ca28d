// Raw HTTP request bytes as a client sends them (http/request_head_guard.h),
// fed whole and then split at a point the input chooses: both must give the
// same verdict, and what passes is never more than what came.
#include <cstddef>
#include <cstdint>

#include "http/request_head_guard.h"

using namespace facepass::http;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const HeadLimits limits{8 << 10, 16 << 10, 16 << 10, 100, 16 << 20};
  const size_t split = data[0] % size;
  const char* in = reinterpret_cast<const char*>(data + 1);
  const size_t n = size - 1;

  RequestHeadGuard whole(limits);
  const auto w = whole.Feed(in, n);
  if (w.pass_bytes > n) __builtin_trap();
  if (w.refusal) (void)RefusalResponse(*w.refusal, 0);

  RequestHeadGuard parts(limits);
  const size_t cut = split < n ? split : n;
  const auto a = parts.Feed(in, cut);
  auto b = a.refusal ? a : parts.Feed(in + cut, n - cut);
  if (a.pass_bytes > cut || (!a.refusal && b.pass_bytes > n - cut)) __builtin_trap();
  if (w.refusal.has_value() != b.refusal.has_value() && !whole.passthrough() && !parts.passthrough()) __builtin_trap();
  if (w.refusal && b.refusal && w.refusal->http_status != b.refusal->http_status) __builtin_trap();
  return 0;
}
