// The results file of `facepass enrol`: one row per attempt
// (file,face_token,image_id,outcome,reason,label), RFC 4180 quoting, appended and
// flushed row by row so an interrupted run loses nothing and a rerun with the
// same file skips what is done.
#pragma once

#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"

namespace facepass::enrol {

// "enrolled" and "refused" are final (the server judged the image); "failed"
// (network, 5xx, bind error) is tried again on a rerun.
struct Row {
  std::string file, face_token, image_id, outcome, reason;
  std::string label = "";  // sent with the photo (--label-from); "" for none (initialised: rows are often braced without it)
  bool done() const { return outcome == "enrolled" || outcome == "refused"; }
};

// A field quoted when it holds a comma, quote, CR or LF (quotes doubled).
std::string CsvField(const std::string& s);
std::string CsvLine(const Row& r);  // ends "\n"
// All records of a CSV text; quoted fields may hold newlines. A final record
// cut short (a crash mid-write) is dropped.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text);

class ResultsCsv {
 public:
  // Reads the rows already there (the last row per file wins), cuts a torn
  // last row, then opens for append; writes the header into a new or empty file.
  static Result<std::unique_ptr<ResultsCsv>> Open(const std::string& path);
  ~ResultsCsv();
  ResultsCsv(const ResultsCsv&) = delete;
  ResultsCsv& operator=(const ResultsCsv&) = delete;

  const std::map<std::string, Row>& previous() const { return previous_; }
  // Thread-safe; the row is on disk (flushed) when this returns OK.
  Status Append(const Row& r);

 private:
  ResultsCsv() = default;
  std::FILE* f_ = nullptr;
  std::mutex mu_;
  std::map<std::string, Row> previous_;
};

}  // namespace facepass::enrol
