// Where an ONNX model's forward spends its time in OpenCV's DNN, one thread: the
// per-layer timings of cv::dnn::Net::getPerfProfile summed by layer type, and the
// slowest layers. Finds what to change in a model or its conversion.
//
//   layer_profile --model models/blazeface.onnx --shape 1,3,256,256 [--runs 50] [--top 15] [--int8]
//
// --int8 profiles the model as OpenCV 4.6's own Net::quantize turns it into int8
// (calibrated on random inputs: enough for its speed, not for its accuracy), and
// prints how far its output is from the float model's on the same input.
#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

namespace {
std::vector<int> ParseShape(const std::string& text) {
  std::vector<int> shape;
  std::stringstream ss(text);
  for (std::string part; std::getline(ss, part, ',');) shape.push_back(std::stoi(part));
  return shape;
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"per-layer forward time of an ONNX model in OpenCV DNN"};
  std::string model, shape_text = "1,3,112,112";
  int runs = 50, top = 15;
  bool int8 = false;
  app.add_option("--model", model, "ONNX file")->required()->check(CLI::ExistingFile);
  app.add_option("--shape", shape_text, "input shape, comma separated");
  app.add_option("--runs", runs, "forwards to sum")->check(CLI::PositiveNumber);
  app.add_option("--top", top, "slowest layers to list");
  app.add_flag("--int8", int8, "profile the int8 model of Net::quantize instead");
  CLI11_PARSE(app, argc, argv);

  cv::setNumThreads(1);
  cv::dnn::Net net;
  std::vector<int> shape;
  try {
    net = cv::dnn::readNetFromONNX(model);
    shape = ParseShape(shape_text);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "layer_profile: %s\n", e.what());
    return 1;
  }
  cv::Mat input(static_cast<int>(shape.size()), shape.data(), CV_32F);
  cv::randu(input, -1.f, 1.f);
  if (int8) {
    std::vector<int> batch_shape = shape;
    batch_shape[0] = 8;
    cv::Mat calibration(static_cast<int>(batch_shape.size()), batch_shape.data(), CV_32F);
    cv::randu(calibration, -1.f, 1.f);
    try {
      net.setInput(input);
      const cv::Mat reference = net.forward().clone();
      net = net.quantize(std::vector<cv::Mat>{calibration}, CV_32F, CV_32F);
      net.setInput(input);
      const cv::Mat out = net.forward();
      std::printf("int8 (Net::quantize): first output's cosine to the float model's %.4f\n",
                  reference.reshape(1, 1).dot(out.reshape(1, 1)) / (cv::norm(reference) * cv::norm(out)));
    } catch (const cv::Exception& e) {
      std::fprintf(stderr, "layer_profile: quantize: %s\n", e.what());
      return 1;
    }
  }
  net.setInput(input);
  net.forward();  // warm-up: allocation and weight packing

  const std::vector<cv::String> names = net.getLayerNames();
  std::vector<double> per_layer(names.size(), 0.0);
  double total_ms = 0;
  const double tick_ms = 1000.0 / cv::getTickFrequency();
  for (int r = 0; r < runs; ++r) {
    net.setInput(input);
    net.forward();
    std::vector<double> t;
    total_ms += net.getPerfProfile(t) * tick_ms;
    for (size_t i = 0; i < t.size() && i < per_layer.size(); ++i) per_layer[i] += t[i] * tick_ms;
  }

  std::map<std::string, std::pair<double, int>> by_type;
  struct Row { double ms; std::string name, type; };
  std::vector<Row> rows;
  for (size_t i = 0; i < names.size(); ++i) {
    const auto layer = net.getLayer(net.getLayerId(names[i]));
    auto& agg = by_type[layer->type];
    agg.first += per_layer[i] / runs;
    agg.second += 1;
    rows.push_back({per_layer[i] / runs, names[i], layer->type});
  }
  std::printf("%s, input %s, %d runs: %.2f ms per forward\n\n", model.c_str(), shape_text.c_str(), runs,
              total_ms / runs);
  std::printf("| layer type | layers | ms | share |\n|---|---|---|---|\n");
  std::vector<std::pair<std::string, std::pair<double, int>>> types(by_type.begin(), by_type.end());
  std::sort(types.begin(), types.end(), [](auto& a, auto& b) { return a.second.first > b.second.first; });
  for (const auto& [type, agg] : types)
    std::printf("| %s | %d | %.3f | %.1f %% |\n", type.c_str(), agg.second, agg.first,
                100.0 * agg.first * runs / total_ms);
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.ms > b.ms; });
  std::printf("\n| slowest layer | type | ms |\n|---|---|---|\n");
  for (int i = 0; i < top && i < static_cast<int>(rows.size()); ++i)
    std::printf("| %s | %s | %.3f |\n", rows[i].name.c_str(), rows[i].type.c_str(), rows[i].ms);
  return 0;
}
