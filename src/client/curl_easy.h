// The libcurl plumbing that the device SDK's HttpClient and the tests'
// TestHttpClient (tests/http) share: process-wide init, the common options of
// one exchange, and one multipart part.
#pragma once

#include <string>

#include <curl/curl.h>

namespace facepass::client::curl {

// curl_global_init, once per process, from any thread.
void GlobalInit();

// URL, both timeouts, no signals, and the body appended to *body.
void SetExchange(CURL* c, const std::string& url, long connect_timeout_ms, long timeout_ms, std::string* body);

// One part of a multipart body: a field, or a file part when filename is not
// null ("" sends filename=""); content_type "" leaves libcurl's default.
void AddPart(curl_mime* mime, const std::string& name, const std::string& data, const std::string* filename,
             const std::string& content_type);

}  // namespace facepass::client::curl
