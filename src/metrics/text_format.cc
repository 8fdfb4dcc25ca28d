#include "metrics/text_format.h"

#include <charconv>
#include <cmath>
#include <vector>

namespace facepass::metrics {

namespace {

std::string Escape(std::string_view v, bool quote) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (quote && c == '"') out += "\\\"";
    else out += c;
  }
  return out;
}

// {a="x",b="y"} with an optional extra label (le) last; "" when there are none.
void AppendLabels(std::string* out, const std::vector<std::string>& names, const std::vector<std::string>& values,
                  std::string_view extra_name = {}, std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return;
  *out += '{';
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) *out += ',';
    *out += names[i];
    *out += "=\"";
    *out += EscapeLabelValue(values[i]);
    *out += '"';
  }
  if (!extra_name.empty()) {
    if (!names.empty()) *out += ',';
    *out += extra_name;
    *out += "=\"";
    *out += extra_value;
    *out += '"';
  }
  *out += '}';
}

void AppendSample(std::string* out, const std::string& name, std::string_view suffix,
                  const std::vector<std::string>& names, const std::vector<std::string>& values,
                  const std::string& value, std::string_view extra_name = {}, std::string_view extra_value = {}) {
  *out += name;
  *out += suffix;
  AppendLabels(out, names, values, extra_name, extra_value);
  *out += ' ';
  *out += value;
  *out += '\n';
}

const char* TypeName(Kind k) {
  switch (k) {
    case Kind::kCounter: return "counter";
    case Kind::kGauge: return "gauge";
    case Kind::kHistogram: return "histogram";
  }
  return "untyped";
}

void EncodeFamily(const FamilyBase& f, std::string* out) {
  const std::string& n = f.name();
  const std::vector<std::string>& labels = f.label_names();
  *out += "# HELP " + n + " " + EscapeHelp(f.help()) + "\n";
  *out += "# TYPE " + n + " " + TypeName(f.kind()) + "\n";
  switch (f.kind()) {
    case Kind::kCounter:
      static_cast<const Family<Counter>&>(f).ForEach([&](const auto& values, const Counter& c) {
        AppendSample(out, n, "", labels, values, std::to_string(c.Value()));
      });
      break;
    case Kind::kGauge:
      static_cast<const Family<Gauge>&>(f).ForEach([&](const auto& values, const Gauge& g) {
        AppendSample(out, n, "", labels, values, std::to_string(g.Value()));
      });
      break;
    case Kind::kHistogram:
      static_cast<const Family<Histogram>&>(f).ForEach([&](const auto& values, const Histogram& h) {
        const Histogram::Snapshot s = h.Read();
        const std::vector<double>& bounds = h.bounds();
        for (size_t i = 0; i < bounds.size(); ++i) {
          AppendSample(out, n, "_bucket", labels, values, std::to_string(s.cumulative[i]), "le", FormatValue(bounds[i]));
        }
        const std::string count = std::to_string(s.cumulative.back());
        AppendSample(out, n, "_bucket", labels, values, count, "le", "+Inf");
        AppendSample(out, n, "_sum", labels, values, FormatValue(s.sum));
        AppendSample(out, n, "_count", labels, values, count);
      });
      break;
  }
}

}  // namespace

std::string EscapeLabelValue(std::string_view v) { return Escape(v, /*quote=*/true); }
std::string EscapeHelp(std::string_view v) { return Escape(v, /*quote=*/false); }

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general);  // 0.0005, not 5e-04
  return std::string(buf, end);
}

std::string EncodeText(const Registry& registry) {
  std::string out;
  registry.ForEach([&](const FamilyBase& f) { EncodeFamily(f, &out); });
  return out;
}

}  // namespace facepass::metrics
