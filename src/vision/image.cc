#include "vision/image.h"

#include <cstdint>
#include <cstring>
#include <vector>

#include <zlib.h>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace facepass::vision {
namespace {

const uint8_t* U(std::string_view b) { return reinterpret_cast<const uint8_t*>(b.data()); }
uint32_t Be16(const uint8_t* p) { return (uint32_t(p[0]) << 8) | p[1]; }
uint32_t Be32(const uint8_t* p) { return (Be16(p) << 16) | Be16(p + 2); }
uint32_t Le16(const uint8_t* p) { return (uint32_t(p[1]) << 8) | p[0]; }
uint32_t Le32(const uint8_t* p) { return (Le16(p + 2) << 16) | Le16(p); }

// Orientation tag (0x0112) of IFD0 in a TIFF block (the body of APP1 "Exif\0\0").
int ExifOrientation(const uint8_t* t, size_t n) {
  if (n < 8) return 1;
  bool le;
  if (t[0] == 'I' && t[1] == 'I') le = true;
  else if (t[0] == 'M' && t[1] == 'M') le = false;
  else return 1;
  auto r16 = [&](size_t o) { return le ? Le16(t + o) : Be16(t + o); };
  auto r32 = [&](size_t o) { return le ? Le32(t + o) : Be32(t + o); };
  if (r16(2) != 42) return 1;
  size_t ifd = r32(4);
  if (ifd + 2 > n) return 1;
  size_t count = r16(ifd);
  for (size_t i = 0; i < count; ++i) {
    size_t e = ifd + 2 + i * 12;
    if (e + 12 > n) break;
    if (r16(e) == 0x0112) {
      int v = int(r16(e + 8));  // SHORT value sits left-justified in the 4-byte field
      return (v >= 1 && v <= 8) ? v : 1;
    }
  }
  return 1;
}

bool IsSof(uint8_t m) {
  return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

bool ReadJpeg(std::string_view bytes, ImageHeader* h) {
  const uint8_t* p = U(bytes);
  size_t n = bytes.size(), i = 2;
  bool have_size = false;
  while (i + 4 <= n) {
    if (p[i] != 0xFF) return false;          // lost sync: not a well-formed header
    uint8_t m = p[i + 1];
    if (m == 0xFF) { ++i; continue; }        // fill byte
    if (m == 0xD8 || (m >= 0xD0 && m <= 0xD7) || m == 0x01) { i += 2; continue; }
    if (m == 0xD9) break;
    size_t len = Be16(p + i + 2);
    if (len < 2) return false;
    size_t body = i + 4, end = i + 2 + len;
    if (m == 0xE1 && end <= n && len >= 8 && std::memcmp(p + body, "Exif\0\0", 6) == 0) {
      if (h->orientation == 1) h->orientation = ExifOrientation(p + body + 6, end - body - 6);
    } else if (IsSof(m) && !have_size) {
      if (body + 5 > n) return false;
      h->height = int(Be16(p + body + 1));
      h->width = int(Be16(p + body + 3));
      have_size = true;
    } else if (m == 0xDA) {
      // Entropy-coded data follows. Data bytes FF are stuffed with 00, so from
      // here on FF DA can only be a further scan's SOS and FF D9 only the EOI;
      // no EOI means truncation.
      h->scans = 1;
      h->truncated = true;
      for (size_t k = end; k + 1 < n; ++k) {
        const void* f = std::memchr(p + k, 0xFF, n - 1 - k);
        if (!f) break;
        k = size_t(static_cast<const uint8_t*>(f) - p);
        if (p[k + 1] == 0xDA) ++h->scans;
        else if (p[k + 1] == 0xD9) h->truncated = false;
      }
      break;
    }
    i = end;
  }
  return have_size;
}

bool ReadPng(std::string_view bytes, ImageHeader* h) {
  const uint8_t* p = U(bytes);
  if (bytes.size() < 33 || std::memcmp(p + 12, "IHDR", 4) != 0) return false;
  uint32_t w = Be32(p + 16), ht = Be32(p + 20);
  if (w > 0x7FFFFFFF || ht > 0x7FFFFFFF) return false;
  h->width = int(w);
  h->height = int(ht);
  uint8_t colour = p[25];
  h->has_alpha = colour == 4 || colour == 6 || bytes.find("tRNS") != std::string_view::npos;
  h->truncated = bytes.rfind("IEND") == std::string_view::npos;
  return true;
}

bool ReadBmp(std::string_view bytes, ImageHeader* h) {
  const uint8_t* p = U(bytes);
  if (bytes.size() < 26) return false;
  uint32_t dib = Le32(p + 14);
  if (dib == 12) {
    h->width = int(Le16(p + 18));
    h->height = int(Le16(p + 20));
  } else if (dib >= 40 && bytes.size() >= 26) {
    int32_t w = int32_t(Le32(p + 18)), ht = int32_t(Le32(p + 22));
    if (w <= 0 || ht == INT32_MIN) return false;
    h->width = w;
    h->height = ht < 0 ? -ht : ht;  // negative height = top-down rows
  } else {
    return false;
  }
  return true;
}

// Raw IDAT bytes a PNG of this header inflates to: per row a filter byte and
// the packed samples, per Adam7 pass when interlaced.
uint64_t PngRawBytes(uint64_t w, uint64_t h, uint64_t bits_per_pixel, bool interlaced) {
  auto rows = [&](uint64_t pw, uint64_t ph) {
    return pw == 0 || ph == 0 ? 0 : ph * (1 + (pw * bits_per_pixel + 7) / 8);
  };
  if (!interlaced) return rows(w, h);
  static const int kPass[7][4] = {{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4},
                                  {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}};
  uint64_t total = 0;
  for (const auto& a : kPass)
    total += rows(w > uint64_t(a[0]) ? (w - a[0] + a[2] - 1) / a[2] : 0,
                  h > uint64_t(a[1]) ? (h - a[1] + a[3] - 1) / a[3] : 0);
  return total;
}

// Inflates the IDAT chunks into a counting sink and stops as soon as the
// stream passes what the header declares, so a zlib bomb costs at most the
// work of a real image of that size. False (with why) for such a stream or
// one zlib cannot inflate; a short stream is left to the decoder.
bool PngInflateWithinDeclared(std::string_view bytes, const ImageHeader& h, std::string* why) {
  const uint8_t* p = U(bytes);
  int channels = 4;
  switch (p[25]) {
    case 0: case 3: channels = 1; break;
    case 2: channels = 3; break;
    case 4: channels = 2; break;
  }
  int depth = (p[24] >= 1 && p[24] <= 16) ? p[24] : 16;
  uint64_t limit = PngRawBytes(uint64_t(h.width), uint64_t(h.height), uint64_t(channels) * depth, p[28] == 1);

  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) return true;  // no memory: let the decoder try
  std::vector<uint8_t> sink(64 * 1024);
  uint64_t out = 0;
  int rc = Z_OK;
  for (size_t i = 8; i + 12 <= bytes.size() && rc == Z_OK;) {
    uint64_t len = Be32(p + i);
    if (len > bytes.size() - i - 12) break;  // cut short: the decoder reports it
    if (std::memcmp(p + i + 4, "IDAT", 4) == 0) {
      zs.next_in = const_cast<Bytef*>(p + i + 8);
      zs.avail_in = uInt(len);
      while (zs.avail_in > 0 && rc == Z_OK) {
        zs.next_out = sink.data();
        zs.avail_out = uInt(sink.size());
        rc = inflate(&zs, Z_NO_FLUSH);
        out += sink.size() - zs.avail_out;
        if (out > limit) break;
        if (rc == Z_BUF_ERROR) rc = Z_OK;  // needs the next chunk
      }
    } else if (std::memcmp(p + i + 4, "IEND", 4) == 0) {
      break;
    }
    if (out > limit) break;
    i += 12 + size_t(len);
  }
  inflateEnd(&zs);
  if (out > limit) {
    *why = "png IDAT inflates past the declared " + std::to_string(limit) + " bytes";
    return false;
  }
  if (rc != Z_OK && rc != Z_STREAM_END) {
    *why = "png IDAT stream corrupt (zlib " + std::to_string(rc) + ")";
    return false;
  }
  return true;
}

}  // namespace

ImageLimits LimitsFor(Purpose p) {
  constexpr size_t kMiB = 1 << 20;
  switch (p) {
    case Purpose::kEnrol: return {4 * kMiB, false, 4096LL * 4096, 100};
    case Purpose::kCompare: return {4 * kMiB, true, 2560LL * 2560, 50};
    case Purpose::kRecognise: return {4 * kMiB, true, 4096LL * 4096, 32};
  }
  return {};
}

bool ReadImageHeader(std::string_view bytes, ImageHeader* h) {
  *h = ImageHeader();
  const uint8_t* p = U(bytes);
  size_t n = bytes.size();
  if (n >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF) {
    h->format = "jpeg";
    return ReadJpeg(bytes, h);
  }
  if (n >= 8 && std::memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0) {
    h->format = "png";
    return ReadPng(bytes, h);
  }
  if (n >= 2 && p[0] == 'B' && p[1] == 'M') {
    h->format = "bmp";
    return ReadBmp(bytes, h);
  }
  if (n >= 6 && (std::memcmp(p, "GIF87a", 6) == 0 || std::memcmp(p, "GIF89a", 6) == 0)) {
    h->format = "gif";
    return false;
  }
  if (n >= 12 && std::memcmp(p, "RIFF", 4) == 0 && std::memcmp(p + 8, "WEBP", 4) == 0) {
    h->format = "webp";
    return false;
  }
  return false;
}

ImageVerdict ValidateImage(std::string_view bytes, Purpose purpose, ImageHeader* header,
                           std::string* detail) {
  ImageLimits lim = LimitsFor(purpose);
  ImageHeader h;
  detail->clear();
  if (bytes.size() > lim.max_bytes) {
    *detail = "file size " + std::to_string(bytes.size()) + " > " + std::to_string(lim.max_bytes);
    return ImageVerdict::kFileTooLarge;
  }
  bool readable = ReadImageHeader(bytes, &h);
  if (header) *header = h;
  bool supported = h.format == "jpeg" || h.format == "png" || (h.format == "bmp" && lim.allow_bmp);
  if (!supported) {
    *detail = h.format.empty() ? "unknown format" : "format " + h.format + " not accepted";
    return ImageVerdict::kUnsupportedFormat;
  }
  if (!readable) {
    *detail = "unreadable " + h.format + " header";
    return ImageVerdict::kCorrupt;
  }
  long long area = (long long)h.width * h.height;
  if (area > lim.max_area || std::min(h.width, h.height) < lim.min_side) {
    *detail = "resolution " + std::to_string(h.upright_width()) + "x" +
              std::to_string(h.upright_height()) + " outside limits (area <= " +
              std::to_string(lim.max_area) + ", sides >= " + std::to_string(lim.min_side) + ")";
    return ImageVerdict::kBadResolution;
  }
  if (h.truncated) {
    *detail = "truncated " + h.format;
    return ImageVerdict::kCorrupt;
  }
  if (h.scans > kMaxJpegScans) {
    *detail = "jpeg has " + std::to_string(h.scans) + " scans (at most " +
              std::to_string(kMaxJpegScans) + " are decoded)";
    return ImageVerdict::kCorrupt;
  }
  if (h.format == "png" && !PngInflateWithinDeclared(bytes, h, detail)) return ImageVerdict::kCorrupt;
  return ImageVerdict::kOk;
}

cv::Mat ApplyOrientation(const cv::Mat& img, int o) {
  cv::Mat out;
  switch (o) {
    case 2: cv::flip(img, out, 1); break;
    case 3: cv::rotate(img, out, cv::ROTATE_180); break;
    case 4: cv::flip(img, out, 0); break;
    case 5: cv::transpose(img, out); break;
    case 6: cv::rotate(img, out, cv::ROTATE_90_CLOCKWISE); break;
    case 7: cv::transpose(img, out); cv::rotate(out, out, cv::ROTATE_180); break;
    case 8: cv::rotate(img, out, cv::ROTATE_90_COUNTERCLOCKWISE); break;
    default: out = img; break;
  }
  return out;
}

Result<cv::Mat> DecodeWithHeader(std::string_view bytes, const ImageHeader& h) {
  try {
    cv::Mat buf(1, int(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data()));
    // Orientation is applied here from our own EXIF parse, so the result does not
    // depend on whether this OpenCV build rotates in imdecode.
    int flags = h.has_alpha ? cv::IMREAD_UNCHANGED
                            : (cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
    cv::Mat img = cv::imdecode(buf, flags);
    if (img.empty()) return Status::InvalidArgument("cannot decode " + h.format);
    if (img.depth() == CV_16U) img.convertTo(img, CV_8U, 1.0 / 257);
    if (img.channels() == 2) {  // grey + alpha
      std::vector<cv::Mat> ch;
      cv::split(img, ch);
      cv::merge(std::vector<cv::Mat>{ch[0], ch[0], ch[0], ch[1]}, img);
    }
    if (img.channels() == 4) {
      // Composite over white: transparent pixels often hold black or garbage.
      cv::Mat bgr(img.size(), CV_8UC3);
      for (int y = 0; y < img.rows; ++y) {
        const cv::Vec4b* s = img.ptr<cv::Vec4b>(y);
        cv::Vec3b* d = bgr.ptr<cv::Vec3b>(y);
        for (int x = 0; x < img.cols; ++x) {
          int a = s[x][3];
          for (int c = 0; c < 3; ++c) d[x][c] = uchar((s[x][c] * a + 255 * (255 - a) + 127) / 255);
        }
      }
      img = bgr;
    } else if (img.channels() == 1) {
      cv::cvtColor(img, img, cv::COLOR_GRAY2BGR);
    }
    if (img.cols != h.width || img.rows != h.height)
      return Status::InvalidArgument("decoded size differs from header");
    return ApplyOrientation(img, h.orientation);
  } catch (const cv::Exception& e) {
    return Status::InvalidArgument(std::string("decode failed: ") + e.what());
  }
}

}  // namespace facepass::vision
