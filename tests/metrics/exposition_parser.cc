#include "metrics/exposition_parser.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <set>

namespace facepass::metrics::testing {

namespace {

bool NameChar(char c, bool first, bool colon) {
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
  return alpha || (!first && c >= '0' && c <= '9');
}

// Reads [a-zA-Z_:][a-zA-Z0-9_:]* (':' only when `colon`) at *pos.
bool ReadName(std::string_view s, size_t* pos, bool colon, std::string* out) {
  size_t i = *pos;
  while (i < s.size() && NameChar(s[i], i == *pos, colon)) ++i;
  if (i == *pos) return false;
  *out = std::string(s.substr(*pos, i - *pos));
  *pos = i;
  return true;
}

bool ParseFloat(std::string_view t, double* v) {
  if (t == "NaN") { *v = std::numeric_limits<double>::quiet_NaN(); return true; }
  if (t == "+Inf" || t == "Inf") { *v = std::numeric_limits<double>::infinity(); return true; }
  if (t == "-Inf") { *v = -std::numeric_limits<double>::infinity(); return true; }
  // [+-]? (d+ (. d*)? | . d+) ([eE] [+-]? d+)?
  size_t i = 0, digits = 0;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
  while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i, ++digits;
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    size_t exp = 0;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i, ++exp;
    if (exp == 0) return false;
  }
  if (i != t.size()) return false;
  *v = std::strtod(std::string(t).c_str(), nullptr);
  return true;
}

// Undoes the escapes of a HELP text (\\ \n) or a label value (also \"); any
// other backslash sequence, or (in a label value) a raw '"' or newline, is an error.
bool Unescape(std::string_view s, bool label, std::string* out) {
  out->clear();
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      if (label && (s[i] == '"' || s[i] == '\n')) return false;
      *out += s[i];
      continue;
    }
    if (++i == s.size()) return false;
    if (s[i] == '\\') *out += '\\';
    else if (s[i] == 'n') *out += '\n';
    else if (label && s[i] == '"') *out += '"';
    else return false;
  }
  return true;
}

// {name="value",...} at *pos (a trailing comma is allowed by the format).
bool ReadLabels(std::string_view s, size_t* pos, Labels* labels, std::string* why) {
  size_t i = *pos + 1;  // past '{'
  while (i < s.size() && s[i] != '}') {
    std::string name, value;
    if (!ReadName(s, &i, /*colon=*/false, &name)) return *why = "bad label name", false;
    if (i + 1 >= s.size() || s[i] != '=' || s[i + 1] != '"') return *why = "expected =\" after " + name, false;
    i += 2;
    const size_t start = i;
    while (i < s.size() && s[i] != '"') i += (s[i] == '\\') ? 2 : 1;
    if (i >= s.size()) return *why = "unterminated value of " + name, false;
    if (!Unescape(s.substr(start, i - start), /*label=*/true, &value)) return *why = "bad escape in " + name, false;
    if (!labels->emplace(name, value).second) return *why = "label " + name + " twice", false;
    ++i;  // closing quote
    if (i < s.size() && s[i] == ',') ++i;
    else if (i < s.size() && s[i] != '}') return *why = "expected , or } after " + name, false;
  }
  if (i >= s.size()) return *why = "unterminated label set", false;
  *pos = i + 1;
  return true;
}

std::string SplitWord(std::string_view* rest) {
  size_t end = rest->find(' ');
  std::string w(rest->substr(0, end));
  *rest = end == std::string_view::npos ? std::string_view() : rest->substr(end + 1);
  return w;
}

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() > suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

class Parser {
 public:
  Exposition Run(std::string_view text) {
    if (!text.empty() && text.back() != '\n') Fail(0, "the last line has no newline");
    size_t line_no = 0;
    while (out_.ok() && !text.empty()) {
      ++line_no;
      const size_t nl = text.find('\n');
      const std::string_view line = text.substr(0, nl);
      text.remove_prefix(nl + 1);
      if (line.empty()) continue;
      if (line[0] == '#') Comment(line_no, line);
      else SampleLine(line_no, line);
    }
    if (out_.ok()) CheckHistograms();
    return std::move(out_);
  }

 private:
  // Keeps the first error; line 0: a histogram check after the last line.
  void Fail(size_t line, const std::string& why) {
    if (out_.ok()) out_.error = "line " + std::to_string(line) + ": " + why;
  }

  void Comment(size_t n, std::string_view line) {
    std::string_view rest = line.substr(1);
    if (rest.empty() || rest[0] != ' ') return;  // a free comment
    rest.remove_prefix(1);
    const std::string keyword = SplitWord(&rest);
    if (keyword != "HELP" && keyword != "TYPE") return;
    const std::string name = SplitWord(&rest);
    size_t p = 0;
    std::string checked;
    if (!ReadName(name, &p, true, &checked) || p != name.size()) return void(Fail(n, "bad metric name '" + name + "'"));
    ParsedFamily& f = out_.families[name];
    if (!f.samples.empty()) return void(Fail(n, keyword + " of " + name + " after its samples"));
    if (keyword == "HELP") {
      if (!help_seen_.insert(name).second) return void(Fail(n, "second HELP for " + name));
      if (!Unescape(rest, /*label=*/false, &f.help)) return void(Fail(n, "bad escape in HELP of " + name));
    } else {
      static const std::set<std::string> kTypes = {"counter", "gauge", "histogram", "summary", "untyped"};
      if (!f.type.empty()) return void(Fail(n, "second TYPE for " + name));
      if (!kTypes.count(std::string(rest))) return void(Fail(n, "unknown type '" + std::string(rest) + "'"));
      f.type = rest;
    }
    current_ = name;
  }

  // The family a sample name belongs to: itself, or a histogram's base name.
  std::string FamilyOf(const std::string& sample) const {
    auto it = out_.families.find(sample);
    if (it != out_.families.end() && it->second.type != "histogram") return it->first;
    for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
      if (!EndsWith(sample, suffix)) continue;
      auto base = out_.families.find(sample.substr(0, sample.size() - suffix.size()));
      if (base != out_.families.end() && base->second.type == "histogram") return base->first;
    }
    return "";
  }

  void SampleLine(size_t n, std::string_view line) {
    Sample s;
    size_t p = 0;
    if (!ReadName(line, &p, true, &s.name)) return void(Fail(n, "bad metric name"));
    std::string why;
    if (p < line.size() && line[p] == '{' && !ReadLabels(line, &p, &s.labels, &why)) return void(Fail(n, why));
    if (p >= line.size() || line[p] != ' ') return void(Fail(n, "expected a space before the value"));
    std::string_view rest = line.substr(p + 1);
    const std::string value = SplitWord(&rest);
    if (!ParseFloat(value, &s.value)) return void(Fail(n, "bad value '" + value + "'"));
    if (!rest.empty()) {  // an optional timestamp: an integer of milliseconds
      double ts = 0;
      if (!ParseFloat(rest, &ts) || ts != std::floor(ts)) return void(Fail(n, "bad timestamp"));
    }
    const std::string family = FamilyOf(s.name);
    if (family.empty()) return void(Fail(n, "sample " + s.name + " has no TYPE line before it"));
    ParsedFamily& f = out_.families[family];
    if (family != current_) return void(Fail(n, "lines of " + family + " are not together"));
    if (!seen_.insert(s.name + "|" + [&] {
           std::string k;
           for (const auto& [a, b] : s.labels) k += a + "=" + b + ",";
           return k;
         }()).second) {
      return void(Fail(n, "sample " + s.name + " twice with the same labels"));
    }
    if (f.type == "counter" && !(s.value >= 0)) return void(Fail(n, "negative or NaN counter " + s.name));
    f.samples.push_back(std::move(s));
  }

  void CheckHistograms() {
    for (const auto& [name, f] : out_.families) {
      if (f.type != "histogram") continue;
      struct Child {
        std::vector<std::pair<double, double>> buckets;  // le, count
        bool has_sum = false, has_count = false;
        double count = 0;
      };
      std::map<Labels, Child> children;
      for (const Sample& s : f.samples) {
        Labels key = s.labels;
        key.erase("le");
        Child& c = children[key];
        if (s.name == name + "_bucket") {
          auto le = s.labels.find("le");
          double bound = 0;
          if (le == s.labels.end() || !ParseFloat(le->second, &bound)) return void(Fail(0, name + ": bucket without a valid le"));
          c.buckets.emplace_back(bound, s.value);
        } else if (s.labels.count("le")) {
          return void(Fail(0, name + ": le on " + s.name));
        } else if (s.name == name + "_sum") {
          c.has_sum = true;
        } else if (s.name == name + "_count") {
          c.has_count = true;
          c.count = s.value;
        } else {
          return void(Fail(0, name + ": sample " + s.name + " in a histogram"));
        }
      }
      for (const auto& [labels, c] : children) {
        if (c.buckets.empty() || !std::isinf(c.buckets.back().first)) return void(Fail(0, name + ": no +Inf bucket"));
        for (size_t i = 1; i < c.buckets.size(); ++i) {
          if (!(c.buckets[i].first > c.buckets[i - 1].first)) return void(Fail(0, name + ": le not ascending"));
          if (c.buckets[i].second < c.buckets[i - 1].second) return void(Fail(0, name + ": bucket counts decrease"));
        }
        if (!c.has_sum || !c.has_count) return void(Fail(0, name + ": _sum or _count missing"));
        if (c.count != c.buckets.back().second) return void(Fail(0, name + ": _count differs from the +Inf bucket"));
      }
    }
  }

  Exposition out_;
  std::string current_;  // the family of the last HELP/TYPE line
  std::set<std::string> help_seen_;
  std::set<std::string> seen_;  // name|labels of every sample
};

}  // namespace

double Exposition::Value(const std::string& name, const Labels& labels) const {
  for (const auto& [family, f] : families)
    for (const Sample& s : f.samples)
      if (s.name == name && s.labels == labels) return s.value;
  return std::numeric_limits<double>::quiet_NaN();
}

double Exposition::Sum(const std::string& name, const Labels& subset) const {
  double total = 0;
  for (const auto& [family, f] : families) {
    for (const Sample& s : f.samples) {
      if (s.name != name) continue;
      bool match = true;
      for (const auto& [k, v] : subset) {
        auto it = s.labels.find(k);
        match = match && it != s.labels.end() && it->second == v;
      }
      if (match) total += s.value;
    }
  }
  return total;
}

Exposition ParseExposition(std::string_view text) { return Parser().Run(text); }

}  // namespace facepass::metrics::testing
