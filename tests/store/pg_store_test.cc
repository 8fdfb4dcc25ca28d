// What only the PostgreSQL backend has: the connection string and its
// redaction, a server that is not there, reconnection, statement timeouts,
// the schema's version and its creation by nodes starting together.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <pqxx/pqxx>
#include <thread>

#include "store/pg/conninfo.h"
#include "store/pg/pg_store.h"
#include "store/pg_schema.h"
#include "support/skip_or_fail.h"

namespace facepass::store::pg {
namespace {

using Clock = std::chrono::steady_clock;
using testing_util::PgSchema;

double SecondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

TEST(PgConnInfo, UriPasswordIsKeptOutOfEverythingShown) {
  auto info = ParseConnInfo("postgresql://alice:s3cret%21pw@db.example:6543/fp?sslmode=verify-full");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->target, "alice@db.example:6543/fp");
  EXPECT_NE(info->conninfo.find("password='s3cret!pw'"), std::string::npos);  // libpq gets it, decoded
  EXPECT_NE(info->conninfo.find("sslmode='verify-full'"), std::string::npos);
  EXPECT_NE(info->conninfo.find("connect_timeout='2'"), std::string::npos);
  const std::string shown = Redact("auth failed for s3cret!pw (s3cret%21pw)", info->secrets);
  EXPECT_EQ(shown, "auth failed for *** (***)");
}

TEST(PgConnInfo, SettingsTheUriGivesAreKept) {
  auto info = ParseConnInfo("postgresql:///fp?host=/run/pg&connect_timeout=7&application_name=gate");
  ASSERT_TRUE(info.ok());
  EXPECT_NE(info->conninfo.find("connect_timeout='7'"), std::string::npos);
  EXPECT_NE(info->conninfo.find("application_name='gate'"), std::string::npos);
  EXPECT_EQ(info->conninfo.find("password"), std::string::npos);  // PGPASSFILE / service file supply it
}

TEST(PgConnInfo, KeyValueStringsAndQuoting) {
  auto info = ParseConnInfo("host=db user=bob password='it\\'s x' dbname=fp");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->target, "bob@db:5432/fp");
  EXPECT_EQ(Redact("bad it's x here", info->secrets), "bad *** here");
  EXPECT_EQ(GuessPassword("host=db password=plain user=u"), "plain");
  EXPECT_EQ(GuessPassword("postgres://u:pw@h/db"), "pw");
  EXPECT_EQ(GuessPassword("postgres://u@h/db"), "");
}

TEST(PgConnInfo, ParseErrorsAreRedactedToo) {
  // libpq quotes the whole URI in this error.
  auto info = ParseConnInfo("postgresql://u:hunter2@[::1/db");
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(info.status().message().find("hunter2"), std::string::npos) << info.status().message();
}

TEST(PgStoreOffline, AServerThatIsNotThereIsUnavailableQuicklyAndRedacted) {
  for (const char* uri : {"postgresql://u:hunter2@127.0.0.1:1/db", "postgresql://u:hunter2@10.255.255.1:5432/db"}) {
    const auto start = Clock::now();
    auto store = PgStore::Open(uri);
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.status().code(), StatusCode::kUnavailable) << store.status().ToString();
    EXPECT_EQ(store.status().message().find("hunter2"), std::string::npos) << store.status().message();
    EXPECT_LT(SecondsSince(start), 4.0) << uri;
  }
}

class PgStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    schema_ = PgSchema::Create();
    if (!schema_) FP_SKIP_OR_FAIL_IN_CI(testing_util::kNoPgCluster);
    // Its own application_name: the reconnect test ends only these connections.
    options_.pool.conn.application_name = "facepass-test-" + schema_->name();
    options_.pool.statement_timeout_ms = 500;
  }

  // A statement on the test cluster outside the store, in the test's schema.
  void Admin(pqxx::connection& c, const std::string& sql) {
    pqxx::nontransaction w(c);
    w.exec("SET search_path = " + schema_->name());
    w.exec(sql);
  }

  // Opens store_ with one group and one live face in it (unbound).
  void OpenWithGroupAndFace(const std::string& group) {
    auto store = PgStore::Open(schema_->uri(), options_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    auto g = store_->CreateGroup(group, 1);
    auto image = store_->AddImage(domain::ImageKind::kEnrol, "jpeg", "x", 1, 1, 1);
    const std::vector<float> f = {1, 2};
    auto face = store_->InsertFace(*image, {}, 1, f);
    ASSERT_TRUE(g.ok() && face.ok());
    group_id_ = g->id;
    face_id_ = *face;
  }

  std::unique_ptr<PgSchema> schema_;
  PgStore::Options options_;
  std::unique_ptr<PgStore> store_;
  int64_t group_id_ = 0, face_id_ = 0;
};

TEST_F(PgStoreTest, ReconnectsAfterItsConnectionsAreKilled) {
  auto store = PgStore::Open(schema_->uri(), options_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE((*store)->CreateGroup("before", 1).ok());
  {
    pqxx::connection admin(schema_->base_uri());
    pqxx::nontransaction w(admin);
    const pqxx::result killed = w.exec_params(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
        options_.pool.conn.application_name);
    EXPECT_GE(killed.size(), 1u);
  }
  // The pooled connection is dead; the call runs again on a fresh one.
  auto after = (*store)->CreateGroup("after", 2);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(*(*store)->ListGroupNames(), (std::vector<std::string>{"after", "before"}));
}

TEST_F(PgStoreTest, AHeldLockIsUnavailableAfterTheStatementTimeout) {
  ASSERT_NO_FATAL_FAILURE(OpenWithGroupAndFace("locked"));
  pqxx::connection admin(schema_->base_uri());
  pqxx::work holder(admin);
  holder.exec("SET LOCAL search_path = " + schema_->name());
  holder.exec("SELECT 1 FROM face_groups WHERE id = " + std::to_string(group_id_) + " FOR UPDATE");
  const auto start = Clock::now();
  auto bind = store_->Bind(group_id_, face_id_, 2);
  EXPECT_EQ(bind.status().code(), StatusCode::kUnavailable) << bind.status().ToString();
  EXPECT_LT(SecondsSince(start), 2.0);
  holder.abort();
  auto again = store_->Bind(group_id_, face_id_, 3);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(*again);
  EXPECT_EQ(store_->GetGroupById(group_id_)->version, 2);  // the timed-out bind left no trace
}

// Two nodes' purges: while one runs a task, the other's pass of that task is
// skipped; another task, or the same one afterwards, runs.
TEST_F(PgStoreTest, ATaskRunsOnOneNodeAtATime) {
  auto a = PgStore::Open(schema_->uri(), options_);
  auto b = PgStore::Open(schema_->uri(), options_);
  ASSERT_TRUE(a.ok() && b.ok());
  int ran_b = 0, ran_other = 0;
  auto first = (*a)->RunAlone("capture_purge", [&] {
    auto second = (*b)->RunAlone("capture_purge", [&] { ++ran_b; });
    ASSERT_TRUE(second.ok()) << second.status().ToString();
    EXPECT_FALSE(*second);
    auto other = (*b)->RunAlone("audit_purge", [&] { ++ran_other; });
    ASSERT_TRUE(other.ok()) << other.status().ToString();
    EXPECT_TRUE(*other);
  });
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(*first);
  EXPECT_EQ(ran_b, 0);
  EXPECT_EQ(ran_other, 1);
  auto after = (*b)->RunAlone("capture_purge", [&] { ++ran_b; });
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(*after);
  EXPECT_EQ(ran_b, 1);
  // The shared helper runs at once without a store's locks (SQLite: one process).
  int alone = 0;
  EXPECT_TRUE(*domain::RunAlone(nullptr, "capture_purge", [&] { ++alone; }));
  EXPECT_EQ(alone, 1);
}

// LISTEN: a change committed through one store wakes a watcher of another
// soon, and the watcher keeps hearing after its connection was killed.
TEST_F(PgStoreTest, AWatcherHearsAnotherNodesChangesAndSurvivesItsConnectionsDeath) {
  auto writer = PgStore::Open(schema_->uri(), options_);
  auto reader = PgStore::Open(schema_->uri(), options_);
  ASSERT_TRUE(writer.ok() && reader.ok());
  std::mutex mu;
  std::condition_variable cv;
  int wakes = 0;
  auto watch = (*reader)->WatchChanges([&] {
    std::lock_guard<std::mutex> lock(mu);
    ++wakes;
    cv.notify_all();
  });
  ASSERT_NE(watch, nullptr);
  auto wait_past = [&](int n) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(10), [&] { return wakes > n; });
  };
  ASSERT_TRUE(wait_past(0)) << "no wake-up after connecting";
  int seen;
  {
    std::lock_guard<std::mutex> lock(mu);
    seen = wakes;
  }
  ASSERT_TRUE((*writer)->CreateGroup("watched", 1).ok());
  EXPECT_TRUE(wait_past(seen)) << "the commit woke nobody";
  {
    std::lock_guard<std::mutex> lock(mu);
    seen = wakes;
  }
  {
    pqxx::connection admin(schema_->base_uri());
    pqxx::nontransaction w(admin);
    w.exec_params("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
                  options_.pool.conn.application_name);
  }
  ASSERT_TRUE(wait_past(seen)) << "the listener did not reconnect";  // it wakes once it listens again
  {
    std::lock_guard<std::mutex> lock(mu);
    seen = wakes;
  }
  ASSERT_TRUE((*writer)->CreateGroup("watched_again", 2).ok());
  EXPECT_TRUE(wait_past(seen)) << "no wake-up after the listener's connection was killed";
  watch.reset();  // ends at once, not after a poll interval
}

TEST_F(PgStoreTest, ANewerSchemaIsRefused) {
  ASSERT_TRUE(PgStore::Open(schema_->uri(), options_).ok());
  pqxx::connection admin(schema_->base_uri());
  Admin(admin, "UPDATE schema_version SET version = 99");
  auto store = PgStore::Open(schema_->uri(), options_);
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition) << store.status().ToString();
}

TEST_F(PgStoreTest, IntegrityFindsWhatAWriteBehindItsBackBroke) {
  ASSERT_NO_FATAL_FAILURE(OpenWithGroupAndFace("checked"));
  ASSERT_TRUE(store_->Bind(group_id_, face_id_, 2).ok());
  ASSERT_TRUE(store_->CheckIntegrity(domain::IntegrityCheck::kFull).ok());

  pqxx::connection admin(schema_->base_uri());
  Admin(admin, "DELETE FROM group_changes WHERE version = 2");
  Status quick = store_->CheckIntegrity(domain::IntegrityCheck::kQuick);
  EXPECT_EQ(quick.code(), StatusCode::kCorruption) << quick.ToString();
  Admin(admin, "INSERT INTO group_changes VALUES(" + std::to_string(group_id_) + ", 2, 2, " + std::to_string(face_id_) + ", 2)");
  Status full = store_->CheckIntegrity(domain::IntegrityCheck::kFull);  // the log says unbound, the binding is there
  EXPECT_EQ(full.code(), StatusCode::kCorruption) << full.ToString();
  EXPECT_TRUE(store_->CheckIntegrity(domain::IntegrityCheck::kQuick).ok());  // the shape alone is fine
}

// A schema-1 database (before issues 29 and 27's catalogue sequence) gains the
// label column and the sequence in place; its groups count as changed at 1.
TEST_F(PgStoreTest, Version1GainsLabelsAndTheCatalogueSequence) {
  ASSERT_NO_FATAL_FAILURE(OpenWithGroupAndFace("upgraded"));
  store_.reset();
  pqxx::connection admin(schema_->base_uri());
  Admin(admin,
        "DROP INDEX faces_label; ALTER TABLE faces DROP COLUMN label; DROP TABLE catalog_state; "
        "DROP INDEX face_groups_seq; ALTER TABLE face_groups DROP COLUMN seq; DROP TABLE installation_info; "
        "UPDATE schema_version SET version = 1");
  auto store = PgStore::Open(schema_->uri(), options_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_FALSE((*store)->GetFace(face_id_)->label);
  ASSERT_TRUE((*store)->SetFaceLabel(face_id_, "Alice").ok());
  EXPECT_EQ((*store)->SearchLabels("a", 10, std::nullopt).value().rows.size(), 1u);
  EXPECT_EQ((*store)->CatalogSequence().value(), 1);
  auto changed = (*store)->GroupsChangedSince(0);
  ASSERT_TRUE(changed.ok());
  ASSERT_EQ(changed->size(), 1u);
  EXPECT_EQ(changed->front().group.name, "upgraded");
  // The next change moves both on.
  ASSERT_TRUE((*store)->Bind(changed->front().group.id, face_id_, 1).ok());
  EXPECT_EQ((*store)->CatalogSequence().value(), 2);
  EXPECT_EQ((*store)->GroupsChangedSince(1).value().size(), 1u);
  EXPECT_EQ((*store)->ClaimSearchModel("arcface").value(), "arcface");  // version 4's table
}

// The installation's embedder: the first node records it, the others read it
// back (and App refuses to start on another).
TEST_F(PgStoreTest, TheFirstNodeRecordsTheSearchModel) {
  auto a = PgStore::Open(schema_->uri(), options_);
  auto b = PgStore::Open(schema_->uri(), options_);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ((*a)->ClaimSearchModel("arcface+mobilefacenet").value(), "arcface+mobilefacenet");
  EXPECT_EQ((*b)->ClaimSearchModel("faceres").value(), "arcface+mobilefacenet");
  EXPECT_EQ((*b)->ClaimSearchModel("arcface+mobilefacenet").value(), "arcface+mobilefacenet");
}

// The catalogue sequence: +1 per group-changing transaction, each changed
// group stamped with it; a bind of a bound face moves the sequence only.
TEST_F(PgStoreTest, TheCatalogueSequenceStampsEachChange) {
  ASSERT_NO_FATAL_FAILURE(OpenWithGroupAndFace("seq_a"));
  ASSERT_TRUE(store_->Bind(group_id_, face_id_, 1).ok());
  const int64_t start = store_->CatalogSequence().value();
  auto b = store_->CreateGroup("seq_b", 1);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(store_->CatalogSequence().value(), start + 1);
  ASSERT_TRUE(store_->Bind(b->id, face_id_, 1).ok());
  auto changed = store_->GroupsChangedSince(start);
  ASSERT_TRUE(changed.ok());
  ASSERT_EQ(changed->size(), 1u);  // seq_b only, at its last change
  EXPECT_EQ(changed->front().group.name, "seq_b");
  EXPECT_EQ(changed->front().seq, start + 2);
  EXPECT_EQ(changed->front().group.version, 2);
  // A face delete unbinds it from both groups in one transaction: one step, both stamped.
  ASSERT_TRUE(store_->DeleteFace(face_id_, 2).ok());
  EXPECT_EQ(store_->CatalogSequence().value(), start + 3);
  auto both = store_->GroupsChangedSince(start + 2);
  ASSERT_TRUE(both.ok());
  ASSERT_EQ(both->size(), 2u);
  for (const auto& g : *both) EXPECT_EQ(g.seq, start + 3) << g.group.name;
}

// Records what a node's first load hands its index.
class RecordingSink : public domain::CatalogSnapshotSink {
 public:
  Status Group(const domain::GroupRecord& group, size_t upper_bound) override {
    groups.push_back({group.name, group.version, upper_bound});
    ids_of[group.id] = group.name;
    return Status::OK();
  }
  Status Faces(int64_t group_id, std::span<const int64_t> face_ids, std::span<const float> features) override {
    EXPECT_TRUE(ids_of.count(group_id)) << "faces before their group";
    for (size_t i = 0; i < face_ids.size(); ++i) {
      const size_t dim = features.size() / face_ids.size();
      faces.push_back({ids_of[group_id], face_ids[i], {features.begin() + i * dim, features.begin() + (i + 1) * dim}});
    }
    return Status::OK();
  }
  struct G {
    std::string name;
    int64_t version;
    size_t upper_bound;
  };
  struct F {
    std::string group;
    int64_t face_id;
    std::vector<float> feature;
  };
  std::vector<G> groups;
  std::vector<F> faces;
  std::map<int64_t, std::string> ids_of;
};

// A node's first load (snapshot_load.cc): the live groups with their
// versions, then their live bindings in (group, face) order with the features
// as stored, from one snapshot whose catalogue sequence it answers.
TEST_F(PgStoreTest, TheFirstLoadIsOneSnapshotOfLiveGroupsAndBindings) {
  ASSERT_NO_FATAL_FAILURE(OpenWithGroupAndFace("load_a"));
  auto image = store_->AddImage(domain::ImageKind::kEnrol, "jpeg", "y", 1, 1, 1);
  const std::vector<float> f2 = {3.5f, -4}, f3 = {5, 6};
  auto second = store_->InsertFace(*image, {}, 1, f2);
  auto third = store_->InsertFace(*image, {}, 1, f3);
  auto b = store_->CreateGroup("load_b", 1);
  auto gone = store_->CreateGroup("load_gone", 1);
  ASSERT_TRUE(second.ok() && third.ok() && b.ok() && gone.ok());
  for (int64_t face : {*second, face_id_, *third}) ASSERT_TRUE(store_->Bind(group_id_, face, 1).ok());
  ASSERT_TRUE(store_->Bind(b->id, *second, 1).ok());
  ASSERT_TRUE(store_->Bind(gone->id, face_id_, 1).ok());
  ASSERT_TRUE(store_->DeleteFace(*third, 2).ok());
  ASSERT_TRUE(store_->DeleteGroup("load_gone", 2).ok());

  RecordingSink sink;
  auto seq = store_->LoadSnapshot(2, sink);
  ASSERT_TRUE(seq.ok()) << seq.status().ToString();
  EXPECT_EQ(*seq, store_->CatalogSequence().value());
  ASSERT_EQ(sink.groups.size(), 2u);
  EXPECT_EQ(sink.groups[0].name, "load_a");
  EXPECT_EQ(sink.groups[0].version, store_->GetGroupById(group_id_)->version);
  EXPECT_GE(sink.groups[0].upper_bound, 2u);
  EXPECT_EQ(sink.groups[1].name, "load_b");
  ASSERT_EQ(sink.faces.size(), 3u);
  EXPECT_EQ(sink.faces[0].group, "load_a");
  EXPECT_EQ(sink.faces[0].face_id, std::min(face_id_, *second));
  EXPECT_EQ(sink.faces[1].face_id, std::max(face_id_, *second));
  EXPECT_EQ(sink.faces[face_id_ < *second ? 1 : 0].feature, f2);
  EXPECT_EQ(sink.faces[2].group, "load_b");
  EXPECT_EQ(sink.faces[2].face_id, *second);
  EXPECT_EQ(sink.faces[2].feature, f2);

  RecordingSink wrong;
  EXPECT_EQ(store_->LoadSnapshot(3, wrong).status().code(), StatusCode::kCorruption);
}

// A catalogue past 100k bindings is read as several key ranges side by side,
// each on its own connection in the first one's exported snapshot: every live
// binding arrives once, with its feature.
TEST_F(PgStoreTest, ALargeFirstLoadReadsKeyRangesInOneSnapshot) {
  ASSERT_NO_FATAL_FAILURE(OpenWithGroupAndFace("big_a"));
  auto b = store_->CreateGroup("big_b", 1);
  ASSERT_TRUE(b.ok());
  pqxx::connection admin(schema_->base_uri());
  // 120k faces straight in SQL (the store's API would take minutes): face i
  // has created_ms i and the feature {i, -1} (float32 little-endian: the big-
  // endian float4send reversed), every 1000th is deleted, all are bound to
  // big_a and every third also to big_b.
  Admin(admin,
        "INSERT INTO faces(image_id, rect_left, rect_top, rect_right, rect_bottom, created_ms, feature, deleted, "
        "deleted_ms) SELECT (SELECT image_id FROM faces WHERE id = " + std::to_string(face_id_) + "), 0, 0, 1, 1, i, "
        "substr(x.be, 4, 1) || substr(x.be, 3, 1) || substr(x.be, 2, 1) || substr(x.be, 1, 1) || '\\x000080bf', "
        "i % 1000 = 0, CASE WHEN i % 1000 = 0 THEN 2 END "
        "FROM generate_series(1, 120000) i, LATERAL (SELECT float4send(i::real) AS be) x");
  Admin(admin, "INSERT INTO bindings(group_id, face_id) SELECT " + std::to_string(group_id_) +
                   ", id FROM faces WHERE id <> " + std::to_string(face_id_));
  Admin(admin, "INSERT INTO bindings(group_id, face_id) SELECT " + std::to_string(b->id) +
                   ", id FROM faces WHERE id <> " + std::to_string(face_id_) + " AND id % 3 = 0");
  Admin(admin, "ANALYZE");
  std::map<int64_t, std::map<int64_t, float>> want;  // group -> live face id -> the feature's first value
  pqxx::work w(admin);
  w.exec("SET LOCAL search_path = " + schema_->name());
  for (const auto& row : w.exec("SELECT b.group_id, f.id, f.created_ms FROM bindings b JOIN faces f ON f.id = b.face_id "
                                "WHERE NOT f.deleted AND f.id <> " + std::to_string(face_id_)))
    want[row[0].as<int64_t>()][row[1].as<int64_t>()] = static_cast<float>(row[2].as<int64_t>());
  w.commit();
  ASSERT_GT(want[group_id_].size() + want[b->id].size(), 150000u);

  // Faces() may come from several threads at once.
  class Collect : public domain::CatalogSnapshotSink {
   public:
    Status Group(const domain::GroupRecord&, size_t) override { return Status::OK(); }
    Status Faces(int64_t group_id, std::span<const int64_t> ids, std::span<const float> features) override {
      std::lock_guard<std::mutex> lock(mu);
      for (size_t i = 0; i < ids.size(); ++i) {
        if (!seen[group_id].emplace(ids[i], features[2 * i]).second) ++twice;
        if (features[2 * i + 1] != -1.0f) ++wrong;
      }
      return Status::OK();
    }
    std::mutex mu;
    std::map<int64_t, std::map<int64_t, float>> seen;
    int twice = 0, wrong = 0;
  } sink;
  auto seq = store_->LoadSnapshot(2, sink);
  ASSERT_TRUE(seq.ok()) << seq.status().ToString();
  EXPECT_EQ(sink.twice, 0) << "a binding handed over twice";
  EXPECT_EQ(sink.wrong, 0);
  EXPECT_EQ(sink.seen[group_id_], want[group_id_]) << "big_a: each live binding once, with its feature";
  EXPECT_EQ(sink.seen[b->id], want[b->id]) << "big_b: each live binding once, with its feature";
}

// The label search (faces_repo.cc) is a range over faces_label in its order:
// the LIKE prefix over the "C" collation, no sort.
TEST_F(PgStoreTest, TheLabelSearchWalksTheLabelIndex) {
  ASSERT_NO_FATAL_FAILURE(OpenWithGroupAndFace("labelled"));
  ASSERT_TRUE(store_->SetFaceLabel(face_id_, "Alice").ok());
  pqxx::connection admin(schema_->base_uri());
  pqxx::work w(admin);
  w.exec("SET LOCAL search_path = " + schema_->name());
  w.exec("SET LOCAL enable_seqscan = off");  // a one-row table would be scanned otherwise
  const std::string folded =
      "(translate(label, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') COLLATE \"C\")";
  std::string plan;
  for (const auto& row : w.exec("EXPLAIN SELECT id, label, image_id, created_ms FROM faces "
                                "WHERE NOT deleted AND label IS NOT NULL AND " + folded + " LIKE 'al%' AND (" +
                                folded + ", id) > ('' COLLATE \"C\", 0) ORDER BY " + folded + ", id LIMIT 5"))
    plan += row[0].as<std::string>() + "\n";
  EXPECT_NE(plan.find("faces_label"), std::string::npos) << plan;
  EXPECT_NE(plan.find("Index Cond"), std::string::npos) << "a range, not a filter: " << plan;
  EXPECT_EQ(plan.find("Sort"), std::string::npos) << "no sort: " << plan;
}

TEST_F(PgStoreTest, NodesStartingTogetherCreateTheSchemaOnce) {
  std::vector<std::unique_ptr<PgStore>> opened(4);
  std::vector<std::thread> threads;
  for (auto& slot : opened) {
    threads.emplace_back([&] {
      auto r = PgStore::Open(schema_->uri(), options_);
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (r.ok()) slot = std::move(r).value();
    });
  }
  for (auto& t : threads) t.join();
  for (auto& store : opened) ASSERT_NE(store, nullptr);
  // And they share one secret: tokens decode on every node.
  auto secret = opened[0]->LoadOrCreateSecret();
  ASSERT_TRUE(secret.ok());
  for (auto& store : opened) EXPECT_EQ(*store->LoadOrCreateSecret(), *secret);
}

}  // namespace
}  // namespace facepass::store::pg
