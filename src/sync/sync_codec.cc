#include "sync/sync_codec.h"

#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "sync/half.h"

namespace facepass::sync {

static_assert(std::endian::native == std::endian::little,
              "the codec copies floats as-is; add byte swapping for big-endian hosts");

const char* GroupActionName(GroupAction a) {
  switch (a) {
    case GroupAction::kNone: return "NONE";
    case GroupAction::kFull: return "FULL";
    case GroupAction::kIncremental: return "INCREMENTAL";
    case GroupAction::kKeepLocal: return "KEEP_LOCAL";
  }
  return "UNKNOWN";
}

namespace {

// Slicing-by-8: kCrc[0] is the classic byte table, kCrc[k][b] the CRC of b
// followed by k zero bytes, so eight input bytes cost eight independent
// lookups instead of a chain of eight (a FULL answer is tens of MB).
using CrcTables = std::array<std::array<uint32_t, 256>, 8>;
constexpr CrcTables MakeCrcTables() {
  CrcTables t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[0][i] = c;
  }
  for (size_t k = 1; k < 8; ++k) {
    for (uint32_t i = 0; i < 256; ++i) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFF];
  }
  return t;
}
constexpr CrcTables kCrc = MakeCrcTables();

// Fixed sizes (bytes) of the parts; see docs/sync-protocol.md.
constexpr size_t kHeaderFixed = 4 + 2 + 2 + 4 + 4 + 8 + 2;  // up to search_model length
constexpr size_t kGroupFixed = 2 + 8 + 8 + 8 + 1 + 4 + 4;   // name length .. deleted count
constexpr size_t kTrailer = 4;
constexpr uint16_t kFlagClearAll = 1u << 0;

class Writer {
 public:
  explicit Writer(std::string* out) : out_(out) {}
  void U8(uint8_t v) { out_->push_back(static_cast<char>(v)); }
  void U16(uint16_t v) { Raw(&v, 2); }
  void U32(uint32_t v) { Raw(&v, 4); }
  void I64(int64_t v) { Raw(&v, 8); }
  void F32(float v) { Raw(&v, 4); }
  void Floats(const std::vector<float>& v) { Raw(v.data(), v.size() * sizeof(float)); }
  void Halves(const std::vector<float>& v) {
    const size_t at = out_->size();
    out_->resize(at + v.size() * 2);
    scratch_.resize(v.size());
    HalvesFromFloats(v, scratch_.data());
    std::memcpy(out_->data() + at, scratch_.data(), v.size() * 2);
  }
  void Str(std::string_view s) {
    U16(static_cast<uint16_t>(s.size()));
    out_->append(s);
  }
  void Raw(const void* p, size_t n) { out_->append(static_cast<const char*>(p), n); }

 private:
  std::string* out_;
  std::vector<uint16_t> scratch_;
};

// Every read checks the remaining length first; a failed read latches.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  size_t left() const { return in_.size() - pos_; }
  bool Take(void* dst, size_t n) {
    if (n > left()) return false;
    std::memcpy(dst, in_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  bool U8(uint8_t* v) { return Take(v, 1); }
  bool U16(uint16_t* v) { return Take(v, 2); }
  bool U32(uint32_t* v) { return Take(v, 4); }
  bool I64(int64_t* v) { return Take(v, 8); }
  bool F32(float* v) { return Take(v, 4); }
  bool Str(std::string* s) {
    uint16_t n = 0;
    if (!U16(&n) || n > left()) return false;
    s->assign(in_.data() + pos_, n);
    pos_ += n;
    return true;
  }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

Status Bad(const std::string& what) { return Status::Corruption("sync stream: " + what); }

bool ValidAction(uint8_t a) { return a <= static_cast<uint8_t>(GroupAction::kKeepLocal); }

bool KnownFormat(uint16_t v) { return v == kFormatV1 || v == kFormatV2; }

// Bytes of one feature value on the wire.
size_t ValueBytes(uint16_t format) { return format == kFormatV1 ? 4 : 2; }

}  // namespace

uint32_t Crc32(std::string_view bytes, uint32_t crc) {
  crc = ~crc;
  const char* p = bytes.data();
  size_t n = bytes.size();
  for (; n >= 8; p += 8, n -= 8) {
    uint32_t lo = 0, hi = 0;
    std::memcpy(&lo, p, 4);  // little-endian (asserted above)
    std::memcpy(&hi, p + 4, 4);
    lo ^= crc;
    crc = kCrc[7][lo & 0xFF] ^ kCrc[6][(lo >> 8) & 0xFF] ^ kCrc[5][(lo >> 16) & 0xFF] ^ kCrc[4][lo >> 24] ^
          kCrc[3][hi & 0xFF] ^ kCrc[2][(hi >> 8) & 0xFF] ^ kCrc[1][(hi >> 16) & 0xFF] ^ kCrc[0][hi >> 24];
  }
  for (; n > 0; ++p, --n) crc = kCrc[0][(crc ^ static_cast<unsigned char>(*p)) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

Result<std::string> Encode(const SyncResult& r) {
  if (!KnownFormat(r.format)) return Status::InvalidArgument("sync encode: unknown format " + std::to_string(r.format));
  if (r.dim > kMaxDim) return Status::InvalidArgument("sync encode: dim too large");
  const bool v2 = r.format == kFormatV2;
  if (r.search_model.size() > kMaxStringBytes) return Status::InvalidArgument("sync encode: search_model too long");
  if (r.groups.size() > UINT32_MAX) return Status::InvalidArgument("sync encode: too many groups");
  size_t total = kHeaderFixed + r.search_model.size() + 4 + kTrailer;
  for (const GroupPayload& g : r.groups) {
    if (g.group_name.size() > kMaxStringBytes) return Status::InvalidArgument("sync encode: group_name too long");
    if (!ValidAction(static_cast<uint8_t>(g.action))) return Status::InvalidArgument("sync encode: bad action");
    bool may_add = g.action == GroupAction::kFull || g.action == GroupAction::kIncremental;
    bool may_delete = g.action == GroupAction::kIncremental;
    if (!may_add && !g.added.empty()) return Status::InvalidArgument("sync encode: faces added under " + std::string(GroupActionName(g.action)));
    if (!may_delete && !g.deleted.empty()) return Status::InvalidArgument("sync encode: faces deleted under " + std::string(GroupActionName(g.action)));
    if (g.added.size() > UINT32_MAX || g.deleted.size() > UINT32_MAX) return Status::InvalidArgument("sync encode: too many faces");
    total += kGroupFixed + g.group_name.size();
    for (const FaceEntry& f : g.added) {
      if (f.face_token.size() > kMaxStringBytes) return Status::InvalidArgument("sync encode: face_token too long");
      if (f.feature.size() != r.dim) return Status::InvalidArgument("sync encode: feature size != dim for " + f.face_token);
      if (v2 && f.label.size() > kMaxStringBytes) return Status::InvalidArgument("sync encode: label too long");
      total += 2 + f.face_token.size() + ValueBytes(r.format) * r.dim + (v2 ? 2 + f.label.size() : 0);
    }
    for (const std::string& t : g.deleted) {
      if (t.size() > kMaxStringBytes) return Status::InvalidArgument("sync encode: face_token too long");
      total += 2 + t.size();
    }
  }

  std::string out;
  out.reserve(total);
  Writer w(&out);
  w.Raw(kMagic, 4);
  w.U16(r.format);
  w.U16(r.clear_all ? kFlagClearAll : 0);
  w.U32(r.dim);
  w.F32(r.recognize_threshold);
  w.I64(r.server_time_ms);
  w.Str(r.search_model);
  w.U32(static_cast<uint32_t>(r.groups.size()));
  for (const GroupPayload& g : r.groups) {
    w.Str(g.group_name);
    w.I64(g.group_id);
    w.I64(g.local_version);
    w.I64(g.cloud_version);
    w.U8(static_cast<uint8_t>(g.action));
    w.U32(static_cast<uint32_t>(g.added.size()));
    w.U32(static_cast<uint32_t>(g.deleted.size()));
    for (const FaceEntry& f : g.added) {
      w.Str(f.face_token);
      if (v2) {
        w.Str(f.label);
        w.Halves(f.feature);
      } else {
        w.Floats(f.feature);
      }
    }
    for (const std::string& t : g.deleted) w.Str(t);
  }
  w.U32(Crc32(out));
  return out;
}

Result<SyncResult> Decode(std::string_view bytes) {
  if (bytes.size() < kHeaderFixed + 4 + kTrailer) return Bad("too short");
  if (std::memcmp(bytes.data(), kMagic, 4) != 0) return Bad("bad magic");
  // CRC first: a damaged stream is reported as such, not as whatever field it hit.
  std::string_view body = bytes.substr(0, bytes.size() - kTrailer);
  uint32_t stored_crc = 0;
  std::memcpy(&stored_crc, bytes.data() + body.size(), 4);

  Reader in(body);
  char magic[4];
  uint16_t version = 0, flags = 0;
  SyncResult r;
  if (!in.Take(magic, 4) || !in.U16(&version)) return Bad("truncated header");
  if (!KnownFormat(version)) return Bad("unsupported format version " + std::to_string(version));
  r.format = version;
  const bool v2 = version == kFormatV2;
  if (stored_crc != Crc32(body)) return Bad("checksum mismatch");
  uint32_t group_count = 0;
  if (!in.U16(&flags) || !in.U32(&r.dim) || !in.F32(&r.recognize_threshold) ||
      !in.I64(&r.server_time_ms) || !in.Str(&r.search_model) || !in.U32(&group_count)) {
    return Bad("truncated header");
  }
  if (flags & ~kFlagClearAll) return Bad("unknown flags");
  r.clear_all = (flags & kFlagClearAll) != 0;
  if (r.dim > kMaxDim) return Bad("dim too large");
  if (!std::isfinite(r.recognize_threshold)) return Bad("threshold not finite");
  // Each group needs at least kGroupFixed bytes: bound the count before reserving.
  if (group_count > in.left() / kGroupFixed) return Bad("group count exceeds stream");
  r.groups.reserve(group_count);

  const size_t feature_bytes = ValueBytes(version) * r.dim;
  const size_t entry_min = 2 + (v2 ? 2 : 0) + feature_bytes;
  std::vector<uint16_t> halves(v2 ? r.dim : 0);
  for (uint32_t gi = 0; gi < group_count; ++gi) {
    GroupPayload g;
    uint8_t action = 0;
    uint32_t n_added = 0, n_deleted = 0;
    if (!in.Str(&g.group_name) || !in.I64(&g.group_id) || !in.I64(&g.local_version) ||
        !in.I64(&g.cloud_version) || !in.U8(&action) || !in.U32(&n_added) || !in.U32(&n_deleted)) {
      return Bad("truncated group " + std::to_string(gi));
    }
    if (!ValidAction(action)) return Bad("unknown action " + std::to_string(action));
    g.action = static_cast<GroupAction>(action);
    bool may_add = g.action == GroupAction::kFull || g.action == GroupAction::kIncremental;
    bool may_delete = g.action == GroupAction::kIncremental;
    if ((!may_add && n_added) || (!may_delete && n_deleted)) {
      return Bad(std::string("faces listed under ") + GroupActionName(g.action));
    }
    if (n_added > 0 && r.dim == 0) return Bad("faces with dim 0");
    if (n_added > in.left() / entry_min) return Bad("added count exceeds stream");
    g.added.reserve(n_added);
    for (uint32_t i = 0; i < n_added; ++i) {
      FaceEntry f;
      if (!in.Str(&f.face_token)) return Bad("truncated face token");
      if (v2 && !in.Str(&f.label)) return Bad("truncated label");
      if (in.left() < feature_bytes) return Bad("truncated feature");
      f.feature.resize(r.dim);
      if (v2) {
        if (!in.Take(halves.data(), feature_bytes)) return Bad("truncated feature");
        FloatsFromHalves(halves.data(), f.feature);
      } else if (!in.Take(f.feature.data(), feature_bytes)) {
        return Bad("truncated feature");
      }
      for (float v : f.feature) {
        if (!std::isfinite(v)) return Bad("feature not finite");
      }
      g.added.push_back(std::move(f));
    }
    if (n_deleted > in.left() / 2) return Bad("deleted count exceeds stream");
    g.deleted.reserve(n_deleted);
    for (uint32_t i = 0; i < n_deleted; ++i) {
      std::string t;
      if (!in.Str(&t)) return Bad("truncated deleted token");
      g.deleted.push_back(std::move(t));
    }
    r.groups.push_back(std::move(g));
  }
  if (in.left() != 0) return Bad("trailing bytes");
  return r;
}

nlohmann::json ToJson(const SyncRequest& r) {
  nlohmann::json groups = nlohmann::json::array();
  for (const SyncRequest::Group& g : r.groups) {
    groups.push_back({{"group_name", g.group_name}, {"group_id", g.group_id}, {"local_version", g.local_version}});
  }
  nlohmann::json info = {{"search_model", r.search_model}, {"version", r.client_version}};
  if (r.format != kFormatV1) info["format"] = r.format;
  return {{"info", std::move(info)}, {"groups", std::move(groups)}};
}

}  // namespace facepass::sync
