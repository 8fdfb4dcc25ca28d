#include "index/sqlite_loader.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace facepass::index {

namespace {

struct GroupBatch {
  int64_t group_id = 0;
  std::vector<int64_t> ids;
  std::vector<float> features;
};

// Single-producer single-consumer hand-off with a small bound (memory cap).
class BatchQueue {
 public:
  void Push(GroupBatch b) {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [&] { return q_.size() < 2; });
    q_.push_back(std::move(b));
    cv_.notify_all();
  }
  bool Pop(GroupBatch* b) {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [&] { return !q_.empty() || closed_; });
    if (q_.empty()) return false;
    *b = std::move(q_.front());
    q_.pop_front();
    cv_.notify_all();
    return true;
  }
  void Close() {
    std::lock_guard<std::mutex> lk(mu_);
    closed_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<GroupBatch> q_;
  bool closed_ = false;
};

// Group batches larger than this are split so the queue never holds huge buffers.
constexpr size_t kMaxBatchRows = 1 << 17;

}  // namespace

Status LoadFromSqlite(SQLite::Database& db, FaceIndex& index, LoadStats* stats) {
  const size_t dim = static_cast<size_t>(index.dim());
  const int blob_bytes = static_cast<int>(dim * sizeof(float));
  BatchQueue queue;
  Status load_status;  // written by the loader thread only
  size_t groups = 0, bindings = 0;
  std::thread loader([&] {
    GroupBatch b;
    while (queue.Pop(&b)) {
      if (!load_status.ok()) continue;
      load_status = index.BulkLoad(b.group_id, b.ids, b.features);
    }
  });
  const auto t0 = std::chrono::steady_clock::now();
  Status read_status;
  try {
    SQLite::Statement st(db,
                         "SELECT b.group_id, b.face_id, f.feature FROM bindings b "
                         "JOIN faces f ON f.id = b.face_id WHERE f.deleted = 0 "
                         "ORDER BY b.group_id");
    GroupBatch cur;
    bool have = false;
    while (st.executeStep()) {
      const int64_t gid = st.getColumn(0).getInt64();
      if (!have || gid != cur.group_id || cur.ids.size() >= kMaxBatchRows) {
        if (have) queue.Push(std::move(cur));
        if (!have || gid != cur.group_id) ++groups;
        cur = GroupBatch{};
        cur.group_id = gid;
        cur.ids.reserve(4096);
        cur.features.reserve(4096 * dim);
        have = true;
      }
      SQLite::Column blob = st.getColumn(2);
      if (blob.getBytes() != blob_bytes) {
        read_status = Status::Corruption("face " + std::to_string(st.getColumn(1).getInt64()) + ": feature of " +
                                         std::to_string(blob.getBytes()) + " bytes, expected " +
                                         std::to_string(blob_bytes));
        break;
      }
      cur.ids.push_back(st.getColumn(1).getInt64());
      const size_t off = cur.features.size();
      cur.features.resize(off + dim);
      std::memcpy(cur.features.data() + off, blob.getBlob(), static_cast<size_t>(blob_bytes));
      ++bindings;
    }
    if (have && read_status.ok()) queue.Push(std::move(cur));
  } catch (const std::exception& e) {
    read_status = Status::IoError(std::string("loading features: ") + e.what());
  }
  const auto t1 = std::chrono::steady_clock::now();
  queue.Close();
  loader.join();
  const auto t2 = std::chrono::steady_clock::now();
  if (stats != nullptr) {
    stats->groups = groups;
    stats->bindings = bindings;
    stats->read_seconds = std::chrono::duration<double>(t1 - t0).count();
    stats->index_seconds = std::chrono::duration<double>(t2 - t1).count();
  }
  FP_RETURN_IF_ERROR(read_status);
  return load_status;
}

}  // namespace facepass::index
