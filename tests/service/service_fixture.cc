#include "service/service_fixture.h"

#include <algorithm>

#include "index/face_index.h"
#include "index/store_loader.h"
#include "domain/storage.h"
#include "store/pg/pg_store.h"
#include "store/pg_schema.h"
#include "store/sqlite_storage.h"
#include "support/skip_or_fail.h"
#include "support/server_process.h"

namespace facepass::service::testing {

namespace {
index::IndexOptions SmallIndex() {
  index::IndexOptions o;
  o.dim = FakeAnalyzer::kDim;
  o.threads = 1;
  o.huge_pages = false;
  o.metrics = nullptr;  // many indexes per process: no shared gauges
  return o;
}
}  // namespace

void ServiceFixture::SetUp() {
  dir_ = facepass::testing::MakeTempDir("facepass-service");
  const char* backend = std::getenv("FACEPASS_TEST_BACKEND");
  if (backend != nullptr && std::string(backend) == "postgresql") {
    pg_schema_ = store::testing_util::PgSchema::Create();
    if (pg_schema_ == nullptr) FP_SKIP_OR_FAIL_IN_CI(store::testing_util::kNoPgCluster);
    auto pg = store::pg::PgStore::Open(pg_schema_->uri());
    ASSERT_TRUE(pg.ok()) << pg.status().ToString();
    storage_ = std::move(*pg);
  } else {
    auto sqlite = store::SqliteStorage::Open(dir_);
    ASSERT_TRUE(sqlite.ok()) << sqlite.status().ToString();
    sqlite_files_ = &(*sqlite)->files();
    storage_ = std::move(*sqlite);
  }
  auto thresholds = Thresholds::Load(storage_->config());
  ASSERT_TRUE(thresholds.ok()) << thresholds.status().ToString();
  thresholds_ = std::move(*thresholds);
  catalog_ = std::make_unique<Catalog>(*storage_, std::make_unique<index::FaceIndex>(SmallIndex()));
  images_ = std::make_unique<ImageArchive>(storage_->images());
  faces_ = std::make_unique<Faces>(*catalog_, *images_, analyzer_);
  groups_ = std::make_unique<Groups>(*catalog_);
  recognition_ = std::make_unique<Recognition>(*catalog_, *images_, analyzer_, *thresholds_);
  sync_ = std::make_unique<DeviceSync>(*catalog_, analyzer_, *thresholds_);
  config_ = std::make_unique<Config>(*thresholds_, analyzer_);
}

void ServiceFixture::TearDown() {
  config_.reset();
  sync_.reset();
  recognition_.reset();
  groups_.reset();
  faces_.reset();
  images_.reset();
  thresholds_.reset();
  reloaded_catalog_.reset();
  catalog_.reset();
  sqlite_files_ = nullptr;
  storage_.reset();
  pg_schema_.reset();
  std::filesystem::remove_all(dir_);
}

int64_t ServiceFixture::Enrol(const std::string& person) {
  auto added = faces_->Add(analyzer_.PhotoOf(person));
  EXPECT_TRUE(added.ok()) << MessageOf(added);
  if (!added.ok()) return 0;
  EXPECT_FALSE(added->refusal) << added->refusal->message;
  return added->face_id;
}

void ServiceFixture::MakeGroup(const std::string& name, const std::vector<int64_t>& faces) {
  auto created = groups_->Create(name);
  ASSERT_TRUE(created.ok()) << MessageOf(created);
  for (int64_t f : faces) {
    auto bound = groups_->Bind(name, f);
    ASSERT_TRUE(bound.ok()) << MessageOf(bound);
  }
}

int64_t ServiceFixture::GroupId(const std::string& name) {
  auto g = store().groups().GetGroupByName(name);
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  return g.ok() ? g->id : 0;
}

int64_t ServiceFixture::Version(const std::string& name) {
  auto g = store().groups().GetGroupByName(name);
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  return g.ok() ? g->version : -1;
}

const index::FaceIndex& ServiceFixture::ReloadedIndex() {
  auto index = std::make_unique<index::FaceIndex>(SmallIndex());
  if (OnSqlite()) {
    Status s = index::LoadFromStore(static_cast<store::SqliteStorage&>(store()).database(), *index, nullptr, 1);
    EXPECT_TRUE(s.ok()) << s.ToString();
    reloaded_index_ = std::move(index);
    return *reloaded_index_;
  }
  reloaded_catalog_ = std::make_unique<Catalog>(store(), std::move(index), CatalogGauges());
  Status s = reloaded_catalog_->CatchUp();
  EXPECT_TRUE(s.ok()) << s.ToString();
  return reloaded_catalog_->index();
}

void ServiceFixture::ExpectIndexMatchesDatabase() {
  auto groups = store().groups().ListGroups();
  ASSERT_TRUE(groups.ok()) << groups.status().ToString();
  size_t bound_groups = 0;
  for (const store::GroupRecord& g : *groups) {
    auto ids = store().groups().GroupFaceIds(g.id);
    ASSERT_TRUE(ids.ok()) << ids.status().ToString();
    EXPECT_EQ(live_index().GroupSize(g.id), ids->size()) << "group " << g.name;
    if (!ids->empty()) ++bound_groups;
    if (ids->empty()) continue;
    // Every face the database binds, and nothing else, is what the index finds.
    auto first = store().faces().GetFace(ids->front());
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    auto all = live_index().Search(g.id, first->feature, static_cast<int>(ids->size()) + 1);
    ASSERT_TRUE(all.ok()) << all.status().ToString();
    std::vector<int64_t> found;
    for (const index::Match& m : *all) found.push_back(m.face_id);
    std::sort(found.begin(), found.end());
    EXPECT_EQ(found, *ids) << "group " << g.name;
    // ... each with its stored feature.
    for (int64_t face_id : *ids) {
      auto face = store().faces().GetFace(face_id);
      ASSERT_TRUE(face.ok()) << face.status().ToString();
      EXPECT_FALSE(face->deleted) << "group " << g.name << " binds deleted face " << face_id;
      auto top = live_index().Search(g.id, face->feature, 1);
      ASSERT_TRUE(top.ok()) << top.status().ToString();
      ASSERT_EQ(top->size(), 1u);
      EXPECT_NEAR(top->front().score, 1.0f, 1e-4) << "group " << g.name << " face " << face_id;
    }
  }
  // No index group outside the database's live, non-empty ones (a deleted
  // group's id, a face left behind by an unbind).
  size_t indexed_groups = 0;
  for (int64_t id : live_index().GroupIds()) indexed_groups += live_index().GroupSize(id) > 0;
  EXPECT_EQ(indexed_groups, bound_groups);
}

}  // namespace facepass::service::testing
