// Dev-pair accuracy: every pair of single-identity photos in ../shared/faces (same
// identity = genuine, else impostor). Asserts ROC AUC and that the default compare
// threshold 70 separates genuine from impostor pairs of good photos; prints the table.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "dataset.h"
#include "vision/engine.h"
#include "vision/pair_metrics.h"
#include "vision_test_util.h"

namespace facepass::vision {
namespace {

struct Photo {
  std::string path, identity;
  int faces = 0;
  Analysis a;
  bool good = false;
};

TEST(DevAccuracy, PairsSeparateAtTheDefaultThreshold) {
  FP_REQUIRE_FACES();
  FP_REQUIRE_MODELS();
  const Engine* engine = testing::SharedEngine();
  ASSERT_NE(engine, nullptr);
  auto listed = eval::ListFaces(testing::FacesDir());
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  std::vector<Photo> photos;
  int expected = 0, found = 0;
  for (const eval::Photo& row : *listed) {
    Photo p;
    p.path = row.path;
    p.identity = row.identity;
    p.faces = row.expected_faces;
    auto a = engine->Analyze(testing::Photo(p.path), Purpose::kRecognise, {});
    ASSERT_TRUE(a.ok()) << p.path << ": " << a.status().ToString();
    p.a = std::move(a.value());
    expected += p.faces;
    found += std::min<int>(p.faces, int(p.a.faces.size()));
    EXPECT_TRUE(p.a.best.has_value()) << p.path;
    if (p.a.best) {
      // Good = enrol-sized, sharp, wholly inside the picture (docs/models.md).
      const Rect& r = p.a.best->face.rect;
      bool inside = r.left > 0 && r.top > 0 && r.right < p.a.width && r.bottom < p.a.height;
      p.good = p.a.best->quality.face_min >= 100 && p.a.best->quality.blur <= 0.2f && inside;
    }
    photos.push_back(std::move(p));
  }
  ASSERT_GE(photos.size(), 20u);
  EXPECT_GE(found, expected - 1) << "faces found";

  std::vector<double> gen, imp, gen_good, imp_good;
  for (size_t i = 0; i < photos.size(); ++i) {
    for (size_t j = i + 1; j < photos.size(); ++j) {
      const Photo &a = photos[i], &b = photos[j];
      if (a.faces != 1 || b.faces != 1 || !a.a.best || !b.a.best) continue;
      double s = engine->Score(a.a.best->feature, b.a.best->feature);
      bool genuine = a.identity == b.identity;
      (genuine ? gen : imp).push_back(s);
      if (a.good && b.good) (genuine ? gen_good : imp_good).push_back(s);
    }
  }
  PairMetrics all = ComputePairMetrics(gen, imp, 70), good = ComputePairMetrics(gen_good, imp_good, 70);
  for (auto [name, m] : {std::pair{"all", all}, std::pair{"good", good}})
    std::printf("DEV_ACCURACY %-4s genuine=%d impostor=%d auc=%.4f acc@70=%.4f min_genuine=%.2f max_impostor=%.2f\n",
                name, m.genuine, m.impostor, m.auc, m.accuracy, m.min_genuine, m.max_impostor);
  std::printf("DEV_ACCURACY faces found %d of %d\n", found, expected);
  EXPECT_GE(all.auc, 0.99);
  EXPECT_GE(all.accuracy, 0.98);
  EXPECT_GE(good.genuine, 20);
  EXPECT_GE(good.impostor, 100);
  EXPECT_DOUBLE_EQ(good.auc, 1.0);
  EXPECT_GE(good.min_genuine, 70.0);
  EXPECT_LT(good.max_impostor, 70.0);
}

}  // namespace
}  // namespace facepass::vision
