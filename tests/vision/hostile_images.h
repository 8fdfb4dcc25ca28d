// Files a hostile client sends to make one upload cost a worker seconds
// (issue 13, findings 1 and 2). Generated in the test, never stored.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

namespace facepass::vision::testing {

// A real progressive JPEG (w x h, flat grey: every scan is a few bytes) whose
// last scan is repeated until the file holds `scans` scans. libjpeg decodes it
// (warning on the bogus progression), paying for every scan.
inline std::string ProgressiveJpegWithScans(int w, int h, int scans) {
  cv::Mat img(h, w, CV_8UC1, cv::Scalar(128));
  std::vector<uchar> buf;
  cv::imencode(".jpg", img, buf, {cv::IMWRITE_JPEG_PROGRESSIVE, 1, cv::IMWRITE_JPEG_QUALITY, 90});
  std::string j(buf.begin(), buf.end());
  // The last SOS starts the last scan; it runs to the EOI at the end.
  size_t last = std::string::npos;
  for (size_t i = 2; i + 1 < j.size(); ++i)
    if (uint8_t(j[i]) == 0xFF && uint8_t(j[i + 1]) == 0xDA) last = i;
  if (last == std::string::npos || j.size() < 2) return j;
  std::string head = j.substr(0, last), scan = j.substr(last, j.size() - 2 - last);
  int have = 0;
  for (size_t i = 2; i + 1 < head.size(); ++i)
    if (uint8_t(head[i]) == 0xFF && uint8_t(head[i + 1]) == 0xDA) ++have;
  std::string out = head;
  for (int k = have; k < scans; ++k) out += scan;
  out += "\xFF\xD9";
  return out;
}

inline void PngChunk(std::string* out, const char* type, const std::string& data) {
  for (int k = 3; k >= 0; --k) *out += char((data.size() >> (8 * k)) & 0xFF);
  std::string body = std::string(type, 4) + data;
  *out += body;
  uint32_t crc = uint32_t(crc32(0, reinterpret_cast<const Bytef*>(body.data()), uInt(body.size())));
  for (int k = 3; k >= 0; --k) *out += char((crc >> (8 * k)) & 0xFF);
}

// A well-formed w x h 8-bit RGB PNG whose IDAT inflates to `inflated` zero
// bytes: far more than the h * (1 + 3w) its header declares when inflated is
// large. Deflated in pieces, so the test never holds the inflated bytes.
inline std::string PngZlibBomb(uint32_t w, uint32_t h, uint64_t inflated) {
  std::string ihdr;
  for (uint32_t v : {w, h}) for (int k = 3; k >= 0; --k) ihdr += char((v >> (8 * k)) & 0xFF);
  ihdr += std::string("\x08\x02\x00\x00\x00", 5);
  z_stream zs{};
  deflateInit(&zs, Z_BEST_COMPRESSION);
  std::vector<uint8_t> zeros(1 << 20, 0), out(1 << 16);
  std::string idat;
  for (uint64_t left = inflated; ;) {
    uInt n = uInt(std::min<uint64_t>(left, zeros.size()));
    left -= n;
    zs.next_in = zeros.data();
    zs.avail_in = n;
    int flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
    int rc;
    do {
      zs.next_out = out.data();
      zs.avail_out = uInt(out.size());
      rc = deflate(&zs, flush);
      idat.append(reinterpret_cast<char*>(out.data()), out.size() - zs.avail_out);
    } while (zs.avail_out == 0);
    if (flush == Z_FINISH && rc == Z_STREAM_END) break;
  }
  deflateEnd(&zs);
  std::string png("\x89PNG\r\n\x1a\n", 8);
  PngChunk(&png, "IHDR", ihdr);
  PngChunk(&png, "IDAT", idat);
  PngChunk(&png, "IEND", "");
  return png;
}

}  // namespace facepass::vision::testing
