// A node's first load (CatalogLog::LoadSnapshot): every live group and
// binding in one REPEATABLE READ snapshot, the features through COPY in its
// binary format on a libpq connection of its own. libpqxx 6.4 reads results
// as text only, which sends each 2.8 kB feature as 5.6 kB of hex and parses
// it back; binary COPY sends the bytes as stored, and the server streams
// while this side loads.
#include <libpq-fe.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

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
constexpr size_t kBatchRows = 8192;

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

}  // namespace

Result<int64_t> PgStore::LoadSnapshot(size_t dim, domain::CatalogSnapshotSink& sink) {
  Conn conn(PQconnectdb(pool_->conninfo().c_str()));
  auto failed = [&](const std::string& what) {
    return Status::Unavailable("database " + pool_->target() + ": " + what + ": " +
                               pool_->Redact(PQerrorMessage(conn.get())));
  };
  if (conn == nullptr || PQstatus(conn.get()) != CONNECTION_OK) return failed("connect");
  auto exec = [&](const char* sql, ExecStatusType want) -> Result<Res> {
    Res r(PQexec(conn.get(), sql));
    if (r == nullptr || PQresultStatus(r.get()) != want) return failed(sql);
    return r;
  };
  // One snapshot for the sequence, the groups and the bindings; a long read
  // that the pool's 2 s per statement must not cut.
  FP_RETURN_IF_ERROR(exec("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", PGRES_COMMAND_OK).status());
  FP_RETURN_IF_ERROR(exec("SET LOCAL statement_timeout = 0", PGRES_COMMAND_OK).status());
  // A plain scan: compiling it (JIT, for its cost estimate) takes longer than it saves.
  FP_RETURN_IF_ERROR(exec("SET LOCAL jit = off", PGRES_COMMAND_OK).status());
  FP_ASSIGN_OR_RETURN(Res seq_row, exec("SELECT seq FROM catalog_state", PGRES_TUPLES_OK));
  if (PQntuples(seq_row.get()) != 1) return Status::Corruption("catalog_state holds no row");
  const int64_t seq = std::stoll(PQgetvalue(seq_row.get(), 0, 0));
  FP_ASSIGN_OR_RETURN(Res groups, exec("SELECT g.id, g.name, g.version, "
                                       "(SELECT count(*) FROM bindings b WHERE b.group_id = g.id) "
                                       "FROM face_groups g WHERE NOT g.deleted ORDER BY g.id",
                                       PGRES_TUPLES_OK));
  for (int i = 0; i < PQntuples(groups.get()); ++i) {
    const domain::GroupRecord g{std::stoll(PQgetvalue(groups.get(), i, 0)), PQgetvalue(groups.get(), i, 1),
                                std::stoll(PQgetvalue(groups.get(), i, 2)), false};
    FP_RETURN_IF_ERROR(sink.Group(g, static_cast<size_t>(std::stoll(PQgetvalue(groups.get(), i, 3)))));
  }
  FP_RETURN_IF_ERROR(exec("COPY (SELECT b.group_id, b.face_id, f.feature FROM bindings b "
                          "JOIN faces f ON f.id = b.face_id WHERE NOT f.deleted "
                          "ORDER BY b.group_id, b.face_id) TO STDOUT (FORMAT binary)",
                          PGRES_COPY_OUT)
                         .status());
  CopyParser parser(dim, sink);
  Status parsed;
  for (;;) {
    char* data = nullptr;
    const int n = PQgetCopyData(conn.get(), &data, 0);
    if (n == -1) break;  // done: the COPY's result follows
    if (n < 0) return failed("reading the bindings");
    if (parsed.ok()) parsed = parser.Feed(data, static_cast<size_t>(n));
    PQfreemem(data);  // on a parse error the rest is drained, then reported
  }
  Res done(PQgetResult(conn.get()));
  if (done == nullptr || PQresultStatus(done.get()) != PGRES_COMMAND_OK) return failed("reading the bindings");
  while (Res more{PQgetResult(conn.get())}) {
  }
  FP_RETURN_IF_ERROR(parsed);
  FP_RETURN_IF_ERROR(parser.Finish());
  return seq;
}

}  // namespace facepass::store::pg
