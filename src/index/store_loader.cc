#include "index/store_loader.h"

namespace facepass::index {

namespace {

class IndexSink : public store::BindingSink {
 public:
  explicit IndexSink(FaceIndex& index) : index_(index) {}
  Status Reserve(int64_t group_id, size_t upper_bound) override { return index_.Reserve(group_id, upper_bound); }
  // BulkLoad is safe from several threads for disjoint faces.
  Status Take(int64_t group_id, std::span<const int64_t> face_ids, std::span<const float> features) override {
    return index_.BulkLoad(group_id, face_ids, features);
  }

 private:
  FaceIndex& index_;
};

}  // namespace

Status LoadFromStore(const store::Database& db, FaceIndex& index, store::BindingScanStats* stats,
                     int threads) {
  IndexSink sink(index);
  return store::ScanBindings(db, static_cast<size_t>(index.dim()), sink, stats, threads);
}

}  // namespace facepass::index
