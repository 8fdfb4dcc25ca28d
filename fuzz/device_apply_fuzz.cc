// The device store applying a sync answer: decode, then one SQLite
// transaction on a store in a temp dir that lives for the whole run. The CRC
// trailer is recomputed so that mutations reach the apply. After an apply the
// store is still readable and its groups are still the configured ones.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "client/device_store.h"

using namespace facepass;

namespace {
client::DeviceStore* Store() {
  static client::DeviceStore* store = [] {
    static char tmpl[] = "/tmp/fp-fuzz-device-XXXXXX";
    const char* dir = mkdtemp(tmpl);
    if (!dir) std::abort();
    std::atexit([] {  // libFuzzer ends a run with exit()
      std::error_code ec;
      std::filesystem::remove_all(tmpl, ec);
    });
    auto opened = client::DeviceStore::Open(std::filesystem::path(dir) / "device.db");
    if (!opened.ok()) std::abort();
    client::DeviceStore* s = opened->release();
    for (const char* g : {"gate_one", "gate_two", "lobby"})
      if (!s->AddGroup(g).ok()) std::abort();
    return s;
  }();
  return store;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  if (size >= 4) {
    uint32_t crc = sync::Crc32(std::string_view(in).substr(0, size - 4));
    std::memcpy(in.data() + size - 4, &crc, 4);
  }
  client::DeviceStore* store = Store();
  (void)store->ApplySyncResult(in);
  auto groups = store->Groups();
  if (!groups.ok() || groups->size() != 3) __builtin_trap();
  int64_t faces = 0;
  if (!store->ForEachFace([&](const std::string&, const std::string&, std::span<const float>) { ++faces; }).ok())
    __builtin_trap();
  return 0;
}
