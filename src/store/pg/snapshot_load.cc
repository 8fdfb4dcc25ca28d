// A node's first load (CatalogLog::LoadSnapshot): every live group and
// binding in one REPEATABLE READ snapshot, the features through COPY in its
// binary format on libpq connections of its own (several key ranges side by
// side for a large catalogue, all in the first one's exported snapshot).
// libpqxx 6.4 reads results as text only, which sends each 2.8 kB feature as
// 5.6 kB of hex and parses it back; binary COPY sends the bytes as stored,
// and the server streams while this side loads.
#include <libpq-fe.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "store/key_cuts.h"
#include "store/pg/pg_store.h"

namespace facepass::store::pg {

namespace {

struct ConnCloser {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultCloser {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Conn = std::unique_ptr<PGconn, ConnCloser>;
using Res = std::unique_ptr<PGresult, ResultCloser>;

// Network byte order, as binary COPY writes integers.
uint32_t Be32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | uint32_t{u[3]};
}
int64_t Be64(const char* p) { return static_cast<int64_t>((uint64_t{Be32(p)} << 32) | Be32(p + 4)); }
int16_t Be16(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return static_cast<int16_t>((u[0] << 8) | u[1]);
}

constexpr char kCopySignature[] = "PGCOPY\n\377\r\n";  // 11 bytes with its NUL
// Small enough to be in cache still when the index copies it.
constexpr size_t kBatchRows = 2048;
// Bindings from which the load reads several key ranges at once.
constexpr int64_t kParallelFrom = 100000;

using Key = BindingKey;

// Parses the COPY stream (header, then tuples of group_id int8, face_id int8,
// feature bytea) as its messages arrive, handing batches of one group on.
class CopyParser {
 public:
  CopyParser(size_t dim, domain::CatalogSnapshotSink& sink)
      : dim_(dim), sink_(sink), features_(new float[kBatchRows * dim]) {
    ids_.reserve(kBatchRows);
  }

  Status Feed(const char* data, size_t n) {
    buf_.append(data, n);
    size_t at = 0;
    if (!header_done_) {
      if (buf_.size() < 19) return Status::OK();
      if (std::memcmp(buf_.data(), kCopySignature, 11) != 0) return Status::Corruption("not a binary COPY stream");
      const size_t extension = Be32(buf_.data() + 15);
      if (buf_.size() < 19 + extension) return Status::OK();
      at = 19 + extension;
      header_done_ = true;
    }
    const size_t feature_bytes = dim_ * sizeof(float);
    for (;;) {
      if (buf_.size() - at < 2) break;
      const int16_t fields = Be16(buf_.data() + at);
      if (fields == -1) {  // the trailer
        ended_ = true;
        at = buf_.size();
        break;
      }
      if (fields != 3) return Status::Corruption("binding row of " + std::to_string(fields) + " fields");
      const size_t row = 2 + (4 + 8) * 2 + 4 + feature_bytes;
      if (buf_.size() - at < 2 + 4 + 8 + 4 + 8 + 4) break;
      const char* p = buf_.data() + at + 2;
      if (Be32(p) != 8 || Be32(p + 12) != 8) return Status::Corruption("binding ids are not int8");
      const uint32_t len = Be32(p + 24);
      if (len != feature_bytes) {
        return Status::Corruption("face " + std::to_string(Be64(p + 16)) + ": feature of " +
                                  std::to_string(static_cast<int32_t>(len)) + " bytes, expected " +
                                  std::to_string(feature_bytes));
      }
      if (buf_.size() - at < row) break;
      const int64_t group = Be64(p + 4);
      if (group != group_ || ids_.size() == kBatchRows) FP_RETURN_IF_ERROR(Flush());
      group_ = group;
      std::memcpy(features_.get() + ids_.size() * dim_, p + 28, feature_bytes);  // float32 LE, as stored
      ids_.push_back(Be64(p + 16));
      at += row;
    }
    buf_.erase(0, at);
    return Status::OK();
  }

  Status Finish() {
    if (!ended_ || !buf_.empty()) return Status::Corruption("binary COPY stream ended early");
    return Flush();
  }

 private:
  Status Flush() {
    if (ids_.empty()) return Status::OK();
    Status s = sink_.Faces(group_, ids_, {features_.get(), ids_.size() * dim_});
    ids_.clear();
    return s;
  }

  const size_t dim_;
  domain::CatalogSnapshotSink& sink_;
  std::string buf_;
  bool header_done_ = false;
  bool ended_ = false;
  int64_t group_ = -1;
  std::vector<int64_t> ids_;
  const std::unique_ptr<float[]> features_;  // kBatchRows rows, written in place
};

// One connection of the load, inside a REPEATABLE READ transaction: the
// first exports its snapshot, the others import it, so all read one state.
class SnapshotConn {
 public:
  explicit SnapshotConn(const ConnectionPool& pool) : pool_(pool), conn_(PQconnectdb(pool.conninfo().c_str())) {}

  Status Begin(const std::string& snapshot) {
    if (conn_ == nullptr || PQstatus(conn_.get()) != CONNECTION_OK) return Failed("connect");
    FP_RETURN_IF_ERROR(Exec("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", PGRES_COMMAND_OK).status());
    if (!snapshot.empty()) {  // the id is the server's own text ([0-9A-F-]), never user input
      FP_RETURN_IF_ERROR(Exec("SET TRANSACTION SNAPSHOT '" + snapshot + "'", PGRES_COMMAND_OK).status());
    }
    // A long read that the pool's 2 s per statement must not cut.
    FP_RETURN_IF_ERROR(Exec("SET LOCAL statement_timeout = 0", PGRES_COMMAND_OK).status());
    // A plain scan: compiling it (JIT, for its cost estimate) takes longer than it saves.
    FP_RETURN_IF_ERROR(Exec("SET LOCAL jit = off", PGRES_COMMAND_OK).status());
    // The ranges are the parallelism: workers would only pass every feature
    // through the leader's queue once more (a third slower in one stream).
    return Exec("SET LOCAL max_parallel_workers_per_gather = 0", PGRES_COMMAND_OK).status();
  }

  Result<Res> Exec(const std::string& sql, ExecStatusType want) {
    Res r(PQexec(conn_.get(), sql.c_str()));
    if (r == nullptr || PQresultStatus(r.get()) != want) return Failed(sql);
    return r;
  }

  // The live bindings with keys in [lo, hi) (unbounded where absent), in key order.
  Status Copy(std::optional<Key> lo, std::optional<Key> hi, size_t dim, domain::CatalogSnapshotSink& sink) {
    std::string sql =
        "COPY (SELECT b.group_id, b.face_id, f.feature FROM bindings b "
        "JOIN faces f ON f.id = b.face_id WHERE NOT f.deleted";
    auto key = [](const Key& k) { return "(" + std::to_string(k.first) + ", " + std::to_string(k.second) + ")"; };
    if (lo) sql += " AND (b.group_id, b.face_id) >= " + key(*lo);
    if (hi) sql += " AND (b.group_id, b.face_id) < " + key(*hi);
    sql += " ORDER BY b.group_id, b.face_id) TO STDOUT (FORMAT binary)";
    FP_RETURN_IF_ERROR(Exec(sql, PGRES_COPY_OUT).status());
    CopyParser parser(dim, sink);
    Status parsed;
    for (;;) {
      char* data = nullptr;
      const int n = PQgetCopyData(conn_.get(), &data, 0);
      if (n == -1) break;  // done: the COPY's result follows
      if (n < 0) return Failed("reading the bindings");
      if (parsed.ok()) parsed = parser.Feed(data, static_cast<size_t>(n));
      PQfreemem(data);  // on a parse error the rest is drained, then reported
    }
    Res done(PQgetResult(conn_.get()));
    if (done == nullptr || PQresultStatus(done.get()) != PGRES_COMMAND_OK) return Failed("reading the bindings");
    while (Res more{PQgetResult(conn_.get())}) {
    }
    FP_RETURN_IF_ERROR(parsed);
    return parser.Finish();
  }

 private:
  Status Failed(const std::string& what) {
    return Status::Unavailable("database " + pool_.target() + ": " + what + ": " +
                               pool_.Redact(PQerrorMessage(conn_.get())));
  }

  const ConnectionPool& pool_;
  Conn conn_;
};

int64_t Int(const Res& r, int row, int col) { return std::stoll(PQgetvalue(r.get(), row, col)); }

}  // namespace

Result<int64_t> PgStore::LoadSnapshot(size_t dim, domain::CatalogSnapshotSink& sink) {
  SnapshotConn first(*pool_);
  FP_RETURN_IF_ERROR(first.Begin(""));
  FP_ASSIGN_OR_RETURN(Res state, first.Exec("SELECT seq, pg_export_snapshot() FROM catalog_state", PGRES_TUPLES_OK));
  if (PQntuples(state.get()) != 1) return Status::Corruption("catalog_state holds no row");
  const int64_t seq = Int(state, 0, 0);
  const std::string snapshot = PQgetvalue(state.get(), 0, 1);
  FP_ASSIGN_OR_RETURN(Res groups, first.Exec("SELECT g.id, g.name, g.version, "
                                             "(SELECT count(*) FROM bindings b WHERE b.group_id = g.id) "
                                             "FROM face_groups g WHERE NOT g.deleted ORDER BY g.id",
                                             PGRES_TUPLES_OK));
  std::vector<std::pair<int64_t, int64_t>> sizes;  // (group, bindings)
  int64_t total = 0;
  for (int i = 0; i < PQntuples(groups.get()); ++i) {
    const domain::GroupRecord g{Int(groups, i, 0), PQgetvalue(groups.get(), i, 1), Int(groups, i, 2), false};
    sizes.emplace_back(g.id, Int(groups, i, 3));
    total += sizes.back().second;
    FP_RETURN_IF_ERROR(sink.Group(g, static_cast<size_t>(sizes.back().second)));
  }
  // One stream is one server process detoasting while this side indexes: a
  // large catalogue is cut into key ranges read side by side in the snapshot.
  const unsigned hardware = std::clamp(std::thread::hardware_concurrency(), 2u, 4u);
  int streams = total < kParallelFrom ? 1 : static_cast<int>(hardware);
  auto key_at = [&first](int64_t group, int64_t offset) -> Result<std::optional<int64_t>> {
    FP_ASSIGN_OR_RETURN(Res key, first.Exec("SELECT face_id FROM bindings WHERE group_id = " + std::to_string(group) +
                                                " ORDER BY face_id OFFSET " + std::to_string(offset) + " LIMIT 1",
                                            PGRES_TUPLES_OK));
    if (PQntuples(key.get()) != 1) return std::optional<int64_t>();
    return std::optional<int64_t>(Int(key, 0, 0));
  };
  FP_ASSIGN_OR_RETURN(const std::vector<std::optional<Key>> cuts, CutBindingKeys(sizes, streams, key_at));
  streams = static_cast<int>(cuts.size()) - 1;
  std::vector<Status> results(static_cast<size_t>(streams));
  std::vector<std::thread> others;
  for (int i = 1; i < streams; ++i) {
    const size_t at = static_cast<size_t>(i);
    try {
      others.emplace_back([&, at] {
        SnapshotConn conn(*pool_);
        Status s = conn.Begin(snapshot);
        if (s.ok()) s = conn.Copy(cuts[at], cuts[at + 1], dim, sink);
        results[at] = s;
      });
    } catch (const std::system_error& e) {
      results[at] = Status::Unavailable(std::string("no thread for a range of the load: ") + e.what());
    }
  }
  results[0] = first.Copy(cuts[0], cuts[1], dim, sink);
  for (std::thread& t : others) t.join();
  for (const Status& s : results) FP_RETURN_IF_ERROR(s);
  return seq;
}

}  // namespace facepass::store::pg
