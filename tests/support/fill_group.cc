#include "support/fill_group.h"

#include <cmath>
#include <random>
#include <vector>

#include "store/database.h"

namespace facepass::testing {

Status FillGroup(const std::filesystem::path& data_dir, const std::string& group, int faces, int dim,
                 uint32_t seed) {
  std::filesystem::create_directories(data_dir);
  store::Database::Options options;
  options.durable = false;  // a throw-away test store: no fsync per row
  FP_ASSIGN_OR_RETURN(auto db, store::Database::Open(data_dir / "facepass.db", options));
  const int64_t now = 1'700'000'000'000;
  auto g = db->GetGroupByName(group);
  if (!g.ok()) {
    FP_ASSIGN_OR_RETURN(auto created, db->CreateGroup(group, now));
    g = created;
  }
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::vector<float> feature(dim);
  for (int i = 0; i < faces; ++i) {
    double norm = 0;
    for (float& x : feature) x = normal(rng), norm += double(x) * x;
    for (float& x : feature) x = float(x / std::sqrt(norm));
    FP_ASSIGN_OR_RETURN(int64_t image, db->InsertImage(store::ImageKind::kEnrol, "jpeg",
                                                       "filled/" + std::to_string(i) + ".jpg", 0, 112, 112, now));
    FP_ASSIGN_OR_RETURN(int64_t face, db->InsertFace(image, store::Rect{0, 0, 112, 112}, now, feature));
    FP_ASSIGN_OR_RETURN(bool bound, db->Bind(g->id, face, now));
    (void)bound;
  }
  return Status::OK();
}

}  // namespace facepass::testing
