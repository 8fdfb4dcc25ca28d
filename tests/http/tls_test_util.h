// For HTTPS tests: a self-signed certificate for 127.0.0.1 and shell commands
// (openssl s_client, curl) run with their output captured.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace facepass::http::testing_util {

// Writes dir/key.pem and dir/cert.pem with the openssl command; false if it failed.
inline bool MakeSelfSignedCert(const std::filesystem::path& dir) {
  const std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
                          "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout '" +
                          (dir / "key.pem").string() + "' -out '" + (dir / "cert.pem").string() + "' 2>/dev/null";
  return std::system(cmd.c_str()) == 0;
}

// The command's standard output; *rc gets its exit status as pclose returns it.
inline std::string RunShell(const std::string& cmd, int* rc) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  *rc = ::pclose(p);
  return out;
}

}  // namespace facepass::http::testing_util
