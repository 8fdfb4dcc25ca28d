#include "http/form_parser.h"

#include <cctype>

namespace facepass::http {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Parses `; name=value; name="quoted"` after the main token of a header
// (Content-Type, Content-Disposition). Returns the main token (trimmed, not
// lower-cased) and fills params (names lower-cased).
std::string_view ParseParams(std::string_view in, Pairs* params) {
  size_t i = 0;
  while (i < in.size() && in[i] != ';') ++i;
  std::string_view main = Trim(in.substr(0, i));
  while (i < in.size()) {
    ++i;  // skip ';'
    size_t name_start = i;
    while (i < in.size() && in[i] != '=' && in[i] != ';') ++i;
    std::string name = Lower(Trim(in.substr(name_start, i - name_start)));
    std::string value;
    if (i < in.size() && in[i] == '=') {
      ++i;
      while (i < in.size() && (in[i] == ' ' || in[i] == '\t')) ++i;
      if (i < in.size() && in[i] == '"') {
        ++i;
        while (i < in.size() && in[i] != '"') {
          // Only \" and \\ are unescaped: browsers send Windows paths raw.
          if (in[i] == '\\' && i + 1 < in.size() && (in[i + 1] == '"' || in[i + 1] == '\\')) ++i;
          value.push_back(in[i]);
          ++i;
        }
        if (i < in.size()) ++i;  // closing quote
        while (i < in.size() && in[i] != ';') ++i;
      } else {
        size_t v_start = i;
        while (i < in.size() && in[i] != ';') ++i;
        value = std::string(Trim(in.substr(v_start, i - v_start)));
      }
    }
    if (!name.empty()) params->emplace_back(std::move(name), std::move(value));
  }
  return main;
}

const std::string* FindParam(const Pairs& params, std::string_view name) {
  for (const auto& [k, v] : params) {
    if (k == name) return &v;
  }
  return nullptr;
}

// RFC 5987 ext-value: charset'lang'percent-encoded. The bytes are kept as
// they are (UTF-8 expected).
std::string DecodeExtValue(std::string_view v) {
  size_t q1 = v.find('\'');
  if (q1 == std::string_view::npos) return PercentDecode(v, false);
  size_t q2 = v.find('\'', q1 + 1);
  if (q2 == std::string_view::npos) return PercentDecode(v.substr(q1 + 1), false);
  return PercentDecode(v.substr(q2 + 1), false);
}

struct PartHeaders {
  bool has_disposition = false;
  std::string name;
  bool has_filename = false;
  std::string filename;
  std::string content_type;
};

Status ParsePartHeaders(std::string_view block, PartHeaders* out) {
  while (!block.empty()) {
    size_t eol = block.find("\r\n");
    std::string_view line = block.substr(0, eol);
    block = eol == std::string_view::npos ? std::string_view() : block.substr(eol + 2);
    if (line.empty()) continue;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return Status::InvalidArgument("multipart part header without ':'");
    }
    std::string name = Lower(Trim(line.substr(0, colon)));
    std::string_view value = Trim(line.substr(colon + 1));
    if (name == "content-disposition") {
      Pairs params;
      ParseParams(value, &params);
      out->has_disposition = true;
      if (const std::string* n = FindParam(params, "name")) out->name = *n;
      if (const std::string* f = FindParam(params, "filename*")) {
        out->has_filename = true;
        out->filename = DecodeExtValue(*f);
      } else if (const std::string* f2 = FindParam(params, "filename")) {
        out->has_filename = true;
        out->filename = *f2;
      }
    } else if (name == "content-type") {
      out->content_type = std::string(value);
    }
  }
  return Status::OK();
}

bool IsTextType(const std::string& content_type) {
  if (content_type.empty()) return true;
  MediaType mt = ParseMediaType(content_type);
  return mt.type.rfind("text/", 0) == 0 || mt.type == "application/json";
}

Status Truncated() { return Status::InvalidArgument("multipart body truncated"); }

}  // namespace

const std::string* MediaType::Param(std::string_view name) const { return FindParam(params, name); }

MediaType ParseMediaType(std::string_view header_value) {
  MediaType mt;
  std::string_view main = ParseParams(header_value, &mt.params);
  mt.type = Lower(main);
  return mt;
}

std::string PercentDecode(std::string_view in, bool plus_as_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%' && i + 2 < in.size()) {
      int hi = HexValue(in[i + 1]), lo = HexValue(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_as_space && c == '+' ? ' ' : c);
  }
  return out;
}

Pairs ParseUrlEncoded(std::string_view in) {
  Pairs out;
  while (!in.empty()) {
    size_t amp = in.find('&');
    std::string_view seg = in.substr(0, amp);
    in = amp == std::string_view::npos ? std::string_view() : in.substr(amp + 1);
    if (seg.empty()) continue;
    size_t eq = seg.find('=');
    if (eq == std::string_view::npos) {
      out.emplace_back(PercentDecode(seg, true), std::string());
    } else {
      out.emplace_back(PercentDecode(seg.substr(0, eq), true), PercentDecode(seg.substr(eq + 1), true));
    }
  }
  return out;
}

Status ParseMultipart(std::string_view body, std::string_view boundary, Pairs* form,
                      std::vector<FilePart>* files) {
  if (boundary.empty() || boundary.size() > 70) {
    return Status::InvalidArgument("multipart boundary missing or too long");
  }
  const std::string delim = "--" + std::string(boundary);
  const std::string crlf_delim = "\r\n" + delim;

  size_t pos;
  if (body.substr(0, delim.size()) == delim) {
    pos = delim.size();
  } else {
    size_t p = body.find(crlf_delim);  // a preamble before the first part
    if (p == std::string_view::npos) return Status::InvalidArgument("multipart opening boundary missing");
    pos = p + crlf_delim.size();
  }

  while (true) {
    // Just after a delimiter: "--" closes, else padding + CRLF opens a part.
    if (body.substr(pos, 2) == "--") return Status::OK();  // epilogue ignored
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;
    if (pos >= body.size()) return Truncated();
    if (body.substr(pos, 2) != "\r\n") return Status::InvalidArgument("multipart delimiter not followed by CRLF");
    pos += 2;

    size_t content_start;
    std::string_view header_block;
    if (body.substr(pos, 2) == "\r\n") {
      content_start = pos + 2;  // a part without headers
    } else {
      size_t end = body.find("\r\n\r\n", pos);
      if (end == std::string_view::npos) return Truncated();
      header_block = body.substr(pos, end - pos);
      content_start = end + 4;
    }
    size_t next = body.find(crlf_delim, content_start);
    if (next == std::string_view::npos) return Truncated();

    PartHeaders h;
    FP_RETURN_IF_ERROR(ParsePartHeaders(header_block, &h));
    std::string_view content = body.substr(content_start, next - content_start);
    pos = next + crlf_delim.size();

    if (!h.has_disposition || h.name.empty()) continue;
    if (h.has_filename || !IsTextType(h.content_type)) {
      files->push_back(FilePart{std::move(h.name), std::move(h.filename), std::move(h.content_type),
                                std::string(content)});
    } else {
      form->emplace_back(std::move(h.name), std::string(content));
    }
  }
}

}  // namespace facepass::http
