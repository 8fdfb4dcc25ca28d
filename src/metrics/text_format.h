// The Prometheus text exposition format, version 0.0.4:
//   # HELP <name> <help, \ and newline escaped>
//   # TYPE <name> counter|gauge|histogram
//   <name>{<label>="<value, \ " and newline escaped>",...} <value>
// A histogram child writes <name>_bucket{...,le="<bound>"} (cumulative, then
// le="+Inf"), <name>_sum and <name>_count. Families by name, children by label values.
#pragma once

#include <string>
#include <string_view>

#include "metrics/registry.h"

namespace facepass::metrics {

inline constexpr char kTextContentType[] = "text/plain; version=0.0.4; charset=utf-8";

std::string EncodeText(const Registry& registry);

// Exposed for the tests.
std::string EscapeLabelValue(std::string_view v);  // \ -> \\, " -> \", newline -> \n
std::string EscapeHelp(std::string_view v);        // \ -> \\, newline -> \n
std::string FormatValue(double v);                 // shortest round-trip; NaN, +Inf, -Inf

}  // namespace facepass::metrics
