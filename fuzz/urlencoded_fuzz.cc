// Query strings and application/x-www-form-urlencoded bodies.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/form_parser.h"

using namespace facepass::http;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  Pairs pairs = ParseUrlEncoded(in);
  size_t total = 0;
  for (const auto& [k, v] : pairs) total += k.size() + v.size();
  if (total > size) __builtin_trap();  // decoding never grows the text
  if (PercentDecode(in, false).size() > size || PercentDecode(in, true).size() > size) __builtin_trap();
  return 0;
}
