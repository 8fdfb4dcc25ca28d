// The request a route handler sees: method, path, decoded query, headers and
// the body already parsed according to the route's BodyKind.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace facepass::http {

// One multipart part that carries a file.
//
// A multipart part is a *file part* when its Content-Disposition has a
// `filename` (or `filename*`) parameter, even an empty one, or when it has a
// Content-Type other than text/* and application/json (e.g. image/jpeg,
// application/octet-stream). Every other part (no filename, and no
// Content-Type or a text/* or application/json one) is a *text field* and
// goes into Request::form.
struct FilePart {
  std::string field_name;    // the part's `name`
  std::string filename;      // "" when the part had no filename parameter
  std::string content_type;  // "" when the part had no Content-Type header
  std::string data;          // the raw bytes
};

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query string, as sent (percent-decoded)
  std::vector<std::pair<std::string, std::string>> query;    // decoded, in order
  std::vector<std::pair<std::string, std::string>> headers;  // as received, in order
  std::string content_type;  // the Content-Type header, "" if absent
  std::string body;          // the raw body (kept for every body kind)
  nlohmann::json json;       // parsed object when the route's body kind is kJson
  // Text fields in request order: multipart text parts, or urlencoded pairs.
  std::vector<std::pair<std::string, std::string>> form;
  std::vector<FilePart> files;  // multipart file parts in request order
  std::string remote_ip;        // peer address, without port
  int64_t arrival_ms = 0;       // ms since epoch when the request arrived
  std::string auth_role;        // set by the Authorizer; "" without one
  std::string auth_key_name;    // the key's name (never the key); "" if none

  // Header value by case-insensitive name (first one wins); nullptr if absent.
  const std::string* Header(std::string_view name) const;
  // First query parameter with this exact name; nullptr if absent.
  const std::string* Query(std::string_view name) const;
  // First text form field with this exact name; nullptr if absent.
  const std::string* Form(std::string_view name) const;
  // First file part with this exact field name; nullptr if absent.
  const FilePart* File(std::string_view field_name) const;
};

}  // namespace facepass::http
