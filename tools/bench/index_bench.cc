// 1:N search benchmark: FaceIndex (float32 and int8+exact re-rank) against FAISS
// IndexFlatIP on the same vectors, single queries and batches of 16.
// Prints a markdown table (see docs/performance.md, "1:N search").
#include <faiss/IndexFlat.h>
#include <omp.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bandwidth.h"
#include "datasets.h"
#include "index/face_index.h"

namespace facepass::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Ms(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); }

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// Float brute force top-1 (double accumulation) for recall, on two threads.
struct Truth {
  std::vector<int64_t> id;
  std::vector<double> score;
};

double DotD(const float* a, const float* b, int d) {
  double s[4] = {0, 0, 0, 0};
  int i = 0;
  for (; i + 4 <= d; i += 4)
    for (int j = 0; j < 4; ++j) s[j] += double{a[i + j]} * b[i + j];
  for (; i < d; ++i) s[0] += double{a[i]} * b[i];
  return (s[0] + s[1]) + (s[2] + s[3]);
}

// Only the first `nq` queries are solved (those the measurement uses).
Truth BruteForce(const Dataset& ds, size_t n, size_t nq) {
  Truth t{std::vector<int64_t>(ds.nq, -1), std::vector<double>(ds.nq, -1e9)};
  std::vector<std::thread> ts;
  for (size_t w = 0; w < 2; ++w) {
    ts.emplace_back([&, w] {
      for (size_t q = w; q < nq; q += 2) {
        const float* qv = ds.queries.data() + q * ds.dim;
        for (size_t r = 0; r < n; ++r) {
          double s = DotD(ds.base.data() + r * ds.dim, qv, ds.dim);
          if (s > t.score[q]) t.score[q] = s, t.id[q] = static_cast<int64_t>(r);
        }
      }
    });
  }
  for (auto& x : ts) x.join();
  return t;
}

struct Engine {
  std::string name;
  double bytes_per_face = 0;      // resident
  double scan_bytes_per_face = 0; // read by one scan
  std::function<int64_t(const float*)> search1;                     // top-1 id
  std::function<void(const float*, int, std::vector<int64_t>*)> search16;
};

struct Row {
  std::string dataset, engine;
  int dim;
  size_t n;
  double single_ms, batch_ms, recall, bytes_per_face, single_gbs, batch_gbs;
};

Row Measure(const Dataset& ds, size_t n, Engine& e, const Truth& truth, int single_q, int batches) {
  Row row{ds.name, e.name, ds.dim, n, 0, 0, 0, e.bytes_per_face, 0, 0};
  const size_t d = static_cast<size_t>(ds.dim);
  (void)e.search1(ds.queries.data());  // warm-up (page faults, thread start)
  std::vector<double> t1;
  size_t hits = 0, checked = 0;
  for (int i = 0; i < single_q; ++i) {
    const size_t q = static_cast<size_t>(i) % ds.nq;
    auto a = Clock::now();
    int64_t id = e.search1(ds.queries.data() + q * d);
    t1.push_back(Ms(a, Clock::now()));
    // A different id counts as a hit only if its score ties the best (|diff| <= 1e-6).
    bool hit = id == truth.id[q] ||
               (id >= 0 && std::fabs(DotD(ds.base.data() + id * d, ds.queries.data() + q * d, ds.dim) -
                                     truth.score[q]) <= 1e-6);
    hits += hit;
    ++checked;
  }
  std::vector<double> tb;
  std::vector<int64_t> ids;
  for (int b = 0; b < batches; ++b) {
    const size_t q0 = (static_cast<size_t>(b) * 16) % (ds.nq - 15);
    auto a = Clock::now();
    e.search16(ds.queries.data() + q0 * d, 16, &ids);
    tb.push_back(Ms(a, Clock::now()) / 16);
    for (int j = 0; j < 16; ++j) {
      const size_t q = q0 + j;
      int64_t id = ids[j];
      bool hit = id == truth.id[q] ||
                 (id >= 0 && std::fabs(DotD(ds.base.data() + id * d, ds.queries.data() + q * d, ds.dim) -
                                       truth.score[q]) <= 1e-6);
      hits += hit;
      ++checked;
    }
  }
  row.single_ms = Median(t1);
  row.batch_ms = Median(tb);
  row.recall = checked ? 100.0 * hits / checked : 0;
  const double scan = e.scan_bytes_per_face * n;
  row.single_gbs = scan / (row.single_ms * 1e-3) / 1e9;
  row.batch_gbs = scan / (row.batch_ms * 16 * 1e-3) / 1e9;
  return row;
}

Engine MakeFaceIndex(const Dataset& ds, size_t n, index::Storage storage, int threads,
                     std::unique_ptr<index::FaceIndex>* holder, double* build_s) {
  index::IndexOptions o;
  o.dim = ds.dim;
  o.threads = threads;
  o.storage = storage;
  auto idx = std::make_unique<index::FaceIndex>(o);
  std::vector<int64_t> ids(n);
  for (size_t i = 0; i < n; ++i) ids[i] = static_cast<int64_t>(i);
  auto a = Clock::now();
  auto st = idx->BulkLoad(1, ids, {ds.base.data(), n * ds.dim});
  *build_s = Ms(a, Clock::now()) / 1e3;
  if (!st.ok()) std::fprintf(stderr, "BulkLoad: %s\n", st.ToString().c_str());
  Engine e;
  e.name = storage == index::Storage::kFloat32 ? "facepass f32" : "facepass int8+rerank";
  e.bytes_per_face = static_cast<double>(idx->MemoryBytes()) / n;
  e.scan_bytes_per_face = storage == index::Storage::kFloat32 ? 4.0 * ds.dim : ds.dim + 4.0;
  index::FaceIndex* p = idx.get();
  e.search1 = [p, d = ds.dim](const float* q) {
    auto r = p->Search(1, {q, static_cast<size_t>(d)}, 1);
    return r.ok() && !r->empty() ? (*r)[0].face_id : -1;
  };
  e.search16 = [p](const float* q, int nq, std::vector<int64_t>* out) {
    auto r = p->SearchBatch(1, q, nq, 1);
    out->assign(static_cast<size_t>(nq), -1);
    if (!r.ok()) return;
    for (int j = 0; j < nq; ++j)
      if (!(*r)[j].empty()) (*out)[j] = (*r)[j][0].face_id;
  };
  *holder = std::move(idx);
  return e;
}

Engine MakeFaiss(const Dataset& ds, size_t n, std::unique_ptr<faiss::IndexFlatIP>* holder, double* build_s) {
  auto idx = std::make_unique<faiss::IndexFlatIP>(ds.dim);
  auto a = Clock::now();
  idx->add(static_cast<faiss::Index::idx_t>(n), ds.base.data());
  *build_s = Ms(a, Clock::now()) / 1e3;
  Engine e;
  e.name = "faiss IndexFlatIP";
  e.bytes_per_face = static_cast<double>(idx->codes.size()) / n;
  e.scan_bytes_per_face = 4.0 * ds.dim;
  faiss::IndexFlatIP* p = idx.get();
  e.search1 = [p](const float* q) {
    float dist;
    faiss::Index::idx_t label = -1;
    p->search(1, q, 1, &dist, &label);
    return static_cast<int64_t>(label);
  };
  e.search16 = [p](const float* q, int nq, std::vector<int64_t>* out) {
    std::vector<float> dist(static_cast<size_t>(nq));
    std::vector<faiss::Index::idx_t> labels(static_cast<size_t>(nq), -1);
    p->search(nq, q, 1, dist.data(), labels.data());
    out->assign(labels.begin(), labels.end());
  };
  *holder = std::move(idx);
  return e;
}

std::vector<size_t> ParseList(const std::string& s) {
  std::vector<size_t> v;
  std::stringstream ss(s);
  for (std::string t; std::getline(ss, t, ',');) v.push_back(std::stoull(t));
  return v;
}

}  // namespace
}  // namespace facepass::bench

int main(int argc, char** argv) {
  using namespace facepass::bench;
  CLI::App app{"FacePass 1:N search benchmark (FaceIndex vs FAISS IndexFlatIP)"};
  std::string sizes = "10000,100000,1000000", dims = "128,512", datasets = "random,face-like", file;
  int queries = 40, batches = 6, threads = 0, file_dim = 0;
  bool no_faiss = false, no_f32 = false;
  app.add_option("--sizes", sizes, "comma-separated group sizes");
  app.add_option("--dims", dims, "comma-separated dimensions");
  app.add_option("--datasets", datasets, "random,face-like and/or file");
  app.add_option("--features", file, "raw float32 features for the 'file' dataset");
  app.add_option("--features-dim", file_dim, "dimension of --features rows");
  app.add_option("--queries", queries, "single queries timed per row");
  app.add_option("--batches", batches, "batches of 16 timed per row");
  app.add_option("--threads", threads, "FaceIndex and FAISS threads (0 = hardware)");
  app.add_flag("--no-faiss", no_faiss, "skip FAISS");
  app.add_flag("--no-f32", no_f32, "skip FaceIndex float32 storage");
  CLI11_PARSE(app, argc, argv);
  const int hw = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  omp_set_num_threads(hw);

  auto loadavg = [] {
    std::FILE* f = std::fopen("/proc/loadavg", "r");
    char buf[64] = "?";
    if (f != nullptr) {
      if (std::fgets(buf, sizeof buf, f) == nullptr) buf[0] = 0;
      std::fclose(f);
    }
    std::string s(buf);
    return s.substr(0, s.find(' ', s.find(' ', s.find(' ') + 1) + 1));
  };
  std::printf("load average at start: %s\n", loadavg().c_str());
  const double bw1 = StreamingReadGBs(size_t{1} << 30, 1, 3), bw = StreamingReadGBs(size_t{1} << 30, hw, 3);
  std::printf("SIMD target: %s; threads: %d; streaming read: %.1f GB/s (1 thread), %.1f GB/s (%d threads)\n\n",
              facepass::index::FaceIndex::SimdTarget(), hw, bw1, bw, hw);
  std::printf("| data | D | faces | engine | ms/query (1) | ms/query (16) | recall@1 | bytes/face | "
              "scan GB/s (1) | BW now GB/s | %% of BW (1) | scan GB/s (16) |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  std::fflush(stdout);

  std::vector<std::string> dsnames;
  {
    std::stringstream ss(datasets);
    for (std::string t; std::getline(ss, t, ',');) dsnames.push_back(t);
  }
  const auto size_list = ParseList(sizes);
  const size_t nmax = *std::max_element(size_list.begin(), size_list.end());
  const size_t nq = static_cast<size_t>(std::max(queries, 16 * batches + 16));
  for (const std::string& dsn : dsnames) {
    for (size_t dim : ParseList(dims)) {
      Dataset ds;
      if (dsn == "random") {
        ds = RandomUnit(nmax, nq, static_cast<int>(dim), 1);
      } else if (dsn == "face-like") {
        ds = FaceLike(nmax, nq, static_cast<int>(dim), 2);
      } else if (dsn == "file") {
        if (file_dim != 0 && static_cast<size_t>(file_dim) != dim) continue;
        std::string err;
        if (!FromFile(file, nmax, nq, static_cast<int>(dim), 3, &ds, &err)) {
          std::fprintf(stderr, "%s\n", err.c_str());
          return 1;
        }
      } else {
        std::fprintf(stderr, "unknown dataset %s\n", dsn.c_str());
        return 1;
      }
      for (size_t n : size_list) {
        // Bigger groups: fewer timed queries keep the run short.
        const int sq = n >= 1000000 ? std::max(10, queries / 2) : queries;
        const int nb = n >= 1000000 ? std::max(3, batches / 2) : batches;
        const Truth truth = BruteForce(ds, n, std::min(ds.nq, static_cast<size_t>(std::max(sq, 16 * nb + 16))));
        // The box is shared: measure the streaming read again right before the
        // groups that do not fit in cache, so "% of BW" compares like with like.
        const double bw_now = n >= 100000 ? StreamingReadGBs(size_t{512} << 20, hw, 3) : bw;
        for (int which = 0; which < 3; ++which) {
          if (which == 0 && no_f32) continue;
          if (which == 2 && no_faiss) continue;
          double build_s = 0;
          std::unique_ptr<facepass::index::FaceIndex> fi;
          std::unique_ptr<faiss::IndexFlatIP> fa;
          Engine e = which == 2 ? MakeFaiss(ds, n, &fa, &build_s)
                                : MakeFaceIndex(ds, n,
                                                which == 0 ? facepass::index::Storage::kFloat32
                                                           : facepass::index::Storage::kInt8Rerank,
                                                threads, &fi, &build_s);
          Row r = Measure(ds, n, e, truth, sq, nb);
          (void)build_s;
          std::printf("| %s | %d | %zu | %s | %.3f | %.3f | %.1f%% | %.0f | %.1f | %.1f | %.0f%% | %.1f |\n",
                      r.dataset.c_str(), r.dim, r.n, r.engine.c_str(), r.single_ms, r.batch_ms, r.recall,
                      r.bytes_per_face, r.single_gbs, bw_now, 100 * r.single_gbs / bw_now, r.batch_gbs);
          std::fflush(stdout);
        }
      }
    }
  }
  std::printf("\nload average at end: %s\n", loadavg().c_str());
  std::printf("\nms/query (16) = time of one batch of 16 / 16. scan GB/s = bytes the scan must read "
              "(float: 4*D per face, int8: D+4) / time; %% of BW against the %d-thread streaming read measured "
              "just before each row group of >= 100k faces (above 100%%: the group fits in cache).\n",
              hw);
  return 0;
}
