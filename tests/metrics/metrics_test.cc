// fp_metrics: the instruments, the registry's rules, and the text encoder
// checked line by line by the strict parser (which is itself tested on
// broken inputs, so it can fail).
#include <gtest/gtest.h>

#include <cmath>
#include <thread>
#include <vector>

#include "metrics/exposition_parser.h"
#include "metrics/registry.h"
#include "metrics/text_format.h"

namespace facepass::metrics {
namespace {

using testing::Exposition;
using testing::ParseExposition;

TEST(Instruments, CounterGaugeHistogram) {
  Registry r;
  Counter& c = r.AddCounter("c_total", "C.").With({});
  c.Inc();
  c.Inc(4);
  EXPECT_EQ(c.Value(), 5u);
  Gauge& g = r.AddGauge("g", "G.").With({});
  g.Set(10);
  g.Add(-3);
  EXPECT_EQ(g.Value(), 7);

  Histogram& h = r.AddHistogram("h_seconds", "H.", {}, {0.1, 1}).With({});
  for (double v : {0.05, 0.1, 0.5, 2.0, std::nan("")}) h.Observe(v);  // NaN is dropped
  Histogram::Snapshot s = h.Read();
  ASSERT_EQ(s.cumulative.size(), 3u);
  EXPECT_EQ(s.cumulative[0], 2u);  // le is inclusive: 0.1 counts in le="0.1"
  EXPECT_EQ(s.cumulative[1], 3u);
  EXPECT_EQ(s.cumulative[2], 4u);
  EXPECT_DOUBLE_EQ(s.sum, 2.65);
}

TEST(Registry, ChildrenByLabelsAndSharedFamilies) {
  Registry r;
  Family<Counter>& f = r.AddCounter("req_total", "Requests.", {"code"});
  Counter& ok = f.With({"200"});
  EXPECT_EQ(&ok, &f.With({"200"}));
  EXPECT_NE(&ok, &f.With({"404"}));
  // The same name again (a second server in the process): the same family.
  EXPECT_EQ(&r.AddCounter("req_total", "Requests.", {"code"}), &f);
}

TEST(Registry, ConcurrentRecordingLosesNothing) {
  Registry r;
  Family<Counter>& f = r.AddCounter("n_total", "N.", {"t"});
  Histogram& h = r.AddHistogram("d_seconds", "D.", {}, LatencyBuckets()).With({});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20000; ++i) {
        f.With({std::to_string(i % 7)}).Inc();  // new children appear while others record
        h.Observe(0.001 * t);
      }
    });
  }
  for (auto& t : threads) t.join();
  uint64_t total = 0;
  f.ForEach([&](const auto&, const Counter& c) { total += c.Value(); });
  EXPECT_EQ(total, 80000u);
  EXPECT_EQ(h.Read().cumulative.back(), 80000u);
}

TEST(RegistryDeathTest, RefusesWhatTheFormatForbids) {
  EXPECT_DEATH({ Registry r; r.AddCounter("9starts_with_digit", "x"); }, "invalid metric name");
  EXPECT_DEATH({ Registry r; r.AddCounter("ok_total", "x", {"bad-label"}); }, "invalid label name");
  EXPECT_DEATH({ Registry r; r.AddCounter("ok_total", "x", {"__reserved"}); }, "invalid label name");
  EXPECT_DEATH({ Registry r; r.AddHistogram("h", "x", {"le"}, {1}); }, "label 'le'");
  EXPECT_DEATH({ Registry r; r.AddHistogram("h", "x", {}, {1, 1}); }, "ascending");
  EXPECT_DEATH({ Registry r; r.AddCounter("x", "x"); r.AddGauge("x", "x"); }, "registered twice");
  EXPECT_DEATH({ Registry r; r.AddCounter("x", "x", {"a"}).With({"1", "2"}); }, "has 1 labels, got 2");
}

TEST(TextFormat, Escapes) {
  EXPECT_EQ(EscapeLabelValue(R"(a\b"c)" "\n" "d"), R"(a\\b\"c\nd)");
  EXPECT_EQ(EscapeHelp(R"(a\b"c)" "\n"), R"(a\\b"c\n)");
  EXPECT_EQ(FormatValue(0.005), "0.005");
  EXPECT_EQ(FormatValue(0.0005), "0.0005");
  EXPECT_EQ(FormatValue(2.65), "2.65");
  EXPECT_EQ(FormatValue(30), "30");
  EXPECT_EQ(FormatValue(1e-7), "1e-07");
  EXPECT_EQ(FormatValue(INFINITY), "+Inf");
  EXPECT_EQ(FormatValue(-INFINITY), "-Inf");
  EXPECT_EQ(FormatValue(NAN), "NaN");
}

TEST(TextFormat, ExactTextOfASmallRegistry) {
  Registry r;
  r.AddCounter("a_total", "Line one\nback\\slash.", {"path", "code"}).With({"/x", "200"}).Inc(3);
  r.AddGauge("b", "B.").With({}).Set(-2);
  r.AddHistogram("c_seconds", "C.", {"stage"}, {0.5, 1}).With({"detect"}).Observe(0.7);
  EXPECT_EQ(EncodeText(r),
            "# HELP a_total Line one\\nback\\\\slash.\n"
            "# TYPE a_total counter\n"
            "a_total{path=\"/x\",code=\"200\"} 3\n"
            "# HELP b B.\n"
            "# TYPE b gauge\n"
            "b -2\n"
            "# HELP c_seconds C.\n"
            "# TYPE c_seconds histogram\n"
            "c_seconds_bucket{stage=\"detect\",le=\"0.5\"} 0\n"
            "c_seconds_bucket{stage=\"detect\",le=\"1\"} 1\n"
            "c_seconds_bucket{stage=\"detect\",le=\"+Inf\"} 1\n"
            "c_seconds_sum{stage=\"detect\"} 0.7\n"
            "c_seconds_count{stage=\"detect\"} 1\n");
}

TEST(TextFormat, EveryLineParsesAndValuesRoundTrip) {
  Registry r;
  const std::vector<std::string> nasty = {"plain", "quote\"d", "back\\slash", "new\nline", "ünïcødé", "", "{}=,"};
  Family<Counter>& c = r.AddCounter("facepass_x_total", "X with \"quotes\" and a \\ and\na newline.", {"v"});
  Family<Histogram>& h = r.AddHistogram("facepass_y_seconds", "Y.", {"v"}, LatencyBuckets());
  for (size_t i = 0; i < nasty.size(); ++i) {
    c.With({nasty[i]}).Inc(i + 1);
    for (size_t k = 0; k <= i; ++k) h.With({nasty[i]}).Observe(0.0003 * std::pow(4.0, double(k)));
  }
  r.AddGauge("facepass_z", "Z.");  // an unlabelled family exports 0 before any use
  r.AddCounter("facepass_unused_total", "Nothing yet.", {"a"});  // HELP/TYPE only

  const std::string text = EncodeText(r);
  const Exposition e = ParseExposition(text);
  ASSERT_TRUE(e.ok()) << e.error << "\n" << text;
  EXPECT_EQ(e.families.at("facepass_x_total").help, "X with \"quotes\" and a \\ and\na newline.");
  EXPECT_EQ(e.families.at("facepass_x_total").type, "counter");
  EXPECT_EQ(e.families.at("facepass_y_seconds").type, "histogram");
  EXPECT_TRUE(e.families.at("facepass_unused_total").samples.empty());
  EXPECT_EQ(e.Value("facepass_z"), 0);
  for (size_t i = 0; i < nasty.size(); ++i) {
    SCOPED_TRACE(nasty[i]);
    EXPECT_EQ(e.Value("facepass_x_total", {{"v", nasty[i]}}), double(i + 1));
    EXPECT_EQ(e.Value("facepass_y_seconds_count", {{"v", nasty[i]}}), double(i + 1));
    EXPECT_EQ(e.Value("facepass_y_seconds_bucket", {{"v", nasty[i]}, {"le", "+Inf"}}), double(i + 1));
    EXPECT_EQ(e.Value("facepass_y_seconds_bucket", {{"v", nasty[i]}, {"le", "0.0005"}}), 1);
  }
}

// The parser is what the format checks rest on: each broken input must be caught.
TEST(ExpositionParser, CatchesBrokenText) {
  const std::string type = "# TYPE x counter\n";
  const std::string hist = "# TYPE h histogram\n";
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"x 1\n", "no TYPE"},
      {type + "x 1", "no newline"},
      {type + "x{a=\"1\"}1\n", "space before the value"},
      {type + "x{a=\"q\"q\"} 1\n", "expected , or }"},
      {type + "x{a=\"\\t\"} 1\n", "bad escape"},
      {type + "x{a=\"1\",a=\"2\"} 1\n", "twice"},
      {type + "x{a=1} 1\n", "expected =\""},
      {type + "x{a=\"1\" 1\n", "expected , or }"},
      {type + "x one\n", "bad value"},
      {type + "x -1\n", "negative"},
      {type + "x 1\nx 2\n", "twice with the same labels"},
      {type + "# TYPE x gauge\n", "second TYPE"},
      {"# TYPE x countr\n", "unknown type"},
      {"# HELP x a\\tb\n", "bad escape in HELP"},
      {type + "# TYPE y gauge\ny 1\nx 2\n", "not together"},
      {hist + "h_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n", "+Inf"},
      {hist + "h_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n", "ascending"},
      {hist + "h_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n", "decrease"},
      {hist + "h_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 1\n", "_count differs"},
      {hist + "h_bucket{le=\"+Inf\"} 1\nh_count 1\n", "_sum or _count missing"},
      {hist + "h 1\n", "no TYPE"},
  };
  for (const auto& [text, why] : bad) {
    SCOPED_TRACE(text);
    const Exposition e = ParseExposition(text);
    EXPECT_FALSE(e.ok());
    EXPECT_NE(e.error.find(why), std::string::npos) << e.error;
  }
  EXPECT_TRUE(ParseExposition(type + "x{a=\"1\",} 1 1700000000000\n\n# a free comment\n").ok());
}

}  // namespace
}  // namespace facepass::metrics
