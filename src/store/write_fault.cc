#include "store/write_fault.h"

#include <sys/stat.h>

#include <cstdlib>
#include <string>

namespace facepass::store {

bool InjectedNoSpace() {
  static const std::string path = [] {
    const char* p = std::getenv("FACEPASS_TEST_ENOSPC_FILE");
    return std::string(p ? p : "");
  }();
  if (path.empty()) return false;
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace facepass::store
