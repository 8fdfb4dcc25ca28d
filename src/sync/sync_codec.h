// The sync wire format: the binary body of POST /api/service/sync/v1 (server ->
// device) and the JSON request (device -> server). Byte-by-byte description in
// docs/sync-protocol.md. Little-endian, magic "FPSY", a format version, CRC-32
// trailer. Format 1 carries features as float32; format 2 (asked for by the
// device, issue 29) adds each face's label and carries features as float16
// (sync/half.h), which the decoder widens back to float32. Decode() is strict: it never reads out of bounds, never allocates
// more than the input can hold, and rejects anything that is not exactly one
// well-formed message.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "sync/sync_types.h"

namespace facepass::sync {

inline constexpr char kMagic[4] = {'F', 'P', 'S', 'Y'};
inline constexpr uint16_t kFormatV1 = 1;
inline constexpr uint16_t kFormatV2 = 2;
inline constexpr uint16_t kLatestFormat = kFormatV2;  // what this SDK asks for
inline constexpr uint32_t kMaxDim = 8192;          // feature dimension limit
inline constexpr size_t kMaxStringBytes = 65535;   // every string: u16 length

// Serialises r in r.format (1: the labels are left out, the bytes are exactly
// format 1's). Precondition (checked by the encoder, returns an error): a
// known format, every feature has r.dim floats, strings fit in 65535 bytes,
// NONE/KEEP_LOCAL carry no faces, FULL carries no deletions.
Result<std::string> Encode(const SyncResult& r);

// Parses exactly one message of either format. kCorruption on any malformation.
Result<SyncResult> Decode(std::string_view bytes);

// CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320), as in the trailer.
uint32_t Crc32(std::string_view bytes, uint32_t crc = 0);

// ---- Request (device -> server), JSON as in the spec ----
// {"info":{"search_model":..,"version":..[,"format":2]},"groups":[{"group_name":..,"group_id":..,"local_version":..}]}
// (info.format only when it is not 1, so a format-1 request is the spec's).
// The server reads it with api::ParseSyncRequest (api/sync_request.h).
nlohmann::json ToJson(const SyncRequest& r);

}  // namespace facepass::sync
