// multipart/form-data as a browser or device sends it. Input: the Content-Type
// header value, a newline, then the body; the boundary comes from the header
// exactly as body_parser takes it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/form_parser.h"

using namespace facepass::http;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nl = in.find('\n');
  std::string_view header = nl == std::string_view::npos ? std::string_view() : in.substr(0, nl);
  std::string_view body = nl == std::string_view::npos ? in : in.substr(nl + 1);
  MediaType mt = ParseMediaType(header);
  const std::string* boundary = mt.Param("boundary");
  Pairs form;
  std::vector<FilePart> files;
  facepass::Status s = ParseMultipart(body, boundary ? std::string_view(*boundary) : std::string_view(), &form, &files);
  if (s.ok()) {
    // What the parser returns points into nothing it does not own.
    size_t total = 0;
    for (const auto& [k, v] : form) total += k.size() + v.size();
    for (const FilePart& f : files) total += f.data.size() + f.filename.size();
    if (total > 2 * size + 64) __builtin_trap();  // output bounded by the input
  }
  return 0;
}
