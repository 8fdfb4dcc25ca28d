#include "enrol/results_csv.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace facepass::enrol {

namespace {
constexpr char kHeader[] = "file,face_token,image_id,outcome,reason,label\n";
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

std::string CsvLine(const Row& r) {
  return CsvField(r.file) + "," + CsvField(r.face_token) + "," + CsvField(r.image_id) + "," + CsvField(r.outcome) +
         "," + CsvField(r.reason) + "," + CsvField(r.label) + "\n";
}

std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> rec;
  std::string field;
  bool quoted = false, any = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c != '"') {
        field += c;
      } else if (i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else {
        quoted = false;
      }
      continue;
    }
    if (c == '"') {
      quoted = any = true;
    } else if (c == ',') {
      rec.push_back(std::move(field));
      field.clear();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (any || !field.empty()) {
        rec.push_back(std::move(field));
        records.push_back(std::move(rec));
      }
      rec.clear();
      field.clear();
      any = false;
    } else {
      field += c;
      any = true;
    }
  }
  // No final newline: the writer always ends a row with one, so this is a torn
  // write and not trusted.
  return records;
}

Result<std::unique_ptr<ResultsCsv>> ResultsCsv::Open(const std::string& path) {
  std::string text;
  {
    std::ifstream in(path, std::ios::binary);
    if (in) {
      std::ostringstream ss;
      ss << in.rdbuf();
      text = ss.str();
    }
  }
  // A torn last row (a crash mid-write): cut it so the next row parses.
  if (!text.empty() && text.back() != '\n') {
    text.resize(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);
    std::error_code ec;
    std::filesystem::resize_file(path, text.size(), ec);
    if (ec) return Status::IoError("cannot repair " + path + ": " + ec.message());
  }
  std::unique_ptr<ResultsCsv> csv(new ResultsCsv());
  for (const auto& rec : ParseCsv(text)) {
    // Five columns: a file from before labels (issue 29).
    if ((rec.size() != 5 && rec.size() != 6) || rec[0] == "file") continue;  // the header, or not ours
    csv->previous_[rec[0]] = Row{rec[0], rec[1], rec[2], rec[3], rec[4], rec.size() == 6 ? rec[5] : ""};
  }
  csv->f_ = std::fopen(path.c_str(), "ab");
  if (!csv->f_) {
    return Status::IoError("cannot open " + path + " for append");
  }
  if (text.empty()) std::fputs(kHeader, csv->f_);
  std::fflush(csv->f_);
  return csv;
}

ResultsCsv::~ResultsCsv() {
  if (f_) std::fclose(f_);
}

Status ResultsCsv::Append(const Row& r) {
  const std::string line = CsvLine(r);
  std::lock_guard<std::mutex> lock(mu_);
  if (std::fwrite(line.data(), 1, line.size(), f_) != line.size() || std::fflush(f_) != 0) {
    return Status::IoError("cannot write the results CSV");
  }
  return Status::OK();
}

}  // namespace facepass::enrol
