// The sync stream a device receives. Each input is decoded as it is and again
// with its CRC-32 trailer recomputed, so that mutations reach the fields
// behind the checksum. A decoded message re-encodes to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "sync/sync_codec.h"

using namespace facepass;
using namespace facepass::sync;

namespace {
void Check(std::string_view bytes) {
  Result<SyncResult> r = Decode(bytes);
  if (!r.ok()) return;
  Result<std::string> again = Encode(*r);
  if (!again.ok() || *again != bytes) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  Check(in);
  if (size >= 4) {
    uint32_t crc = Crc32(std::string_view(in).substr(0, size - 4));
    std::memcpy(in.data() + size - 4, &crc, 4);
    Check(in);
  }
  return 0;
}
