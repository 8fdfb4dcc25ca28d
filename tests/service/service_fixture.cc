#include "service/service_fixture.h"

#include <algorithm>

#include "index/face_index.h"
#include "index/store_loader.h"
#include "store/database.h"
#include "store/file_store.h"
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
  auto db = store::Database::Open(dir_ / "facepass.db");
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto files = store::FileStore::Open(dir_ / "images");
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  files_ = std::move(*files);
  auto thresholds = Thresholds::Load(db->get());
  ASSERT_TRUE(thresholds.ok()) << thresholds.status().ToString();
  thresholds_ = std::move(*thresholds);
  catalog_ = std::make_unique<Catalog>(std::move(*db), std::make_unique<index::FaceIndex>(SmallIndex()));
  images_ = std::make_unique<ImageArchive>(catalog_->db(), *files_);
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
  thresholds_.reset();  // holds a pointer to the catalog's database
  catalog_.reset();
  files_.reset();
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
  auto g = db().GetGroupByName(name);
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  return g.ok() ? g->id : 0;
}

int64_t ServiceFixture::Version(const std::string& name) {
  auto g = db().GetGroupByName(name);
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  return g.ok() ? g->version : -1;
}

std::unique_ptr<index::FaceIndex> ServiceFixture::ReloadedIndex() {
  auto index = std::make_unique<index::FaceIndex>(SmallIndex());
  Status s = index::LoadFromStore(db(), *index, nullptr, 1);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return index;
}

void ServiceFixture::ExpectIndexMatchesDatabase() {
  auto groups = db().ListGroups();
  ASSERT_TRUE(groups.ok()) << groups.status().ToString();
  size_t bound_groups = 0;
  for (const store::GroupRecord& g : *groups) {
    auto ids = db().GroupFaceIds(g.id);
    ASSERT_TRUE(ids.ok()) << ids.status().ToString();
    EXPECT_EQ(live_index().GroupSize(g.id), ids->size()) << "group " << g.name;
    if (!ids->empty()) ++bound_groups;
    if (ids->empty()) continue;
    // Every face the database binds, and nothing else, is what the index finds.
    auto first = db().GetFace(ids->front());
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    auto all = live_index().Search(g.id, first->feature, static_cast<int>(ids->size()) + 1);
    ASSERT_TRUE(all.ok()) << all.status().ToString();
    std::vector<int64_t> found;
    for (const index::Match& m : *all) found.push_back(m.face_id);
    std::sort(found.begin(), found.end());
    EXPECT_EQ(found, *ids) << "group " << g.name;
    // ... each with its stored feature.
    for (int64_t face_id : *ids) {
      auto face = db().GetFace(face_id);
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
