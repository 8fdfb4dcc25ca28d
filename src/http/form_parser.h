// Parsers for what browsers and devices put in a request: media types,
// percent-encoding, query strings / x-www-form-urlencoded, multipart/form-data.
// Pure functions over bytes; no I/O, no exceptions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "http/request.h"

namespace facepass::http {

using Pairs = std::vector<std::pair<std::string, std::string>>;

// A parsed Content-Type: lower-cased "type/subtype" and its parameters
// (names lower-cased, values unquoted, in order).
struct MediaType {
  std::string type;  // e.g. "multipart/form-data"; "" when unparsable
  Pairs params;
  const std::string* Param(std::string_view name) const;  // name lower-case
};
MediaType ParseMediaType(std::string_view header_value);

// Decodes %XX escapes; with plus_as_space also '+' -> ' '. A '%' not followed
// by two hex digits is kept as it is (lenient, like most servers).
std::string PercentDecode(std::string_view in, bool plus_as_space);

// "a=1&b=&c&a=2" -> {a,1},{b,""},{c,""},{a,2}: names and values decoded
// ('+' is a space), order kept, empty segments skipped.
Pairs ParseUrlEncoded(std::string_view in);

// Parses a multipart/form-data body with the given boundary (RFC 7578/2046,
// CRLF line ends). Parts without a Content-Disposition name are skipped.
//
// File or text: a part is a FilePart when its Content-Disposition has a
// `filename` (or `filename*`) parameter, even an empty one, or when it has a
// Content-Type other than text/* and application/json. Otherwise it is a text
// field (name -> bytes) in `form`.
//
// kInvalidArgument when the boundary is empty or longer than 70 bytes, the
// opening delimiter is missing, part headers are malformed, or the body ends
// before the closing delimiter (truncated).
Status ParseMultipart(std::string_view body, std::string_view boundary, Pairs* form,
                      std::vector<FilePart>* files);

}  // namespace facepass::http
