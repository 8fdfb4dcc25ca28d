// The storage contract, catalogue part: faces, groups with versions and
// change logs, sync reads, the audit row of a change, integrity.
#include <gtest/gtest.h>

#include "store/contract_fixture.h"

namespace facepass::store::testing_util {
namespace {

using domain::AuditRecord;
using domain::GroupRecord;

class ContractCatalog : public ContractTest {};

AuditRecord Row(const std::string& endpoint, const std::string& targets) {
  AuditRecord r;
  r.at_ms = 5000;
  r.key_name = "admin";
  r.role = "admin";
  r.source_ip = "10.0.0.1";
  r.endpoint = endpoint;
  r.targets = targets;
  return r;
}

std::vector<AuditRecord> AllAudit(domain::Storage& s) {
  auto page = s.audit().QueryAudit(0, INT64_MAX, 1000);
  EXPECT_TRUE(page.ok()) << page.status().ToString();
  return page.ok() ? page->rows : std::vector<AuditRecord>{};
}

TEST_P(ContractCatalog, FaceLifecycle) {
  auto image = s().images().AddImage(domain::ImageKind::kEnrol, "png", "bytes", 10, 20, 100);
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  const std::vector<float> f = Feature(0.25f);
  auto id = s().faces().InsertFace(*image, domain::Rect{1, 2, 3, 4}, 100, f);
  ASSERT_TRUE(id.ok()) << id.status().ToString();

  auto face = s().faces().GetFace(*id);
  ASSERT_TRUE(face.ok());
  EXPECT_EQ(face->image_id, *image);
  EXPECT_EQ(face->rect.left, 1);
  EXPECT_EQ(face->rect.bottom, 4);
  EXPECT_EQ(face->created_ms, 100);
  EXPECT_FALSE(face->deleted);
  EXPECT_EQ(face->feature, f);
  EXPECT_EQ(*s().faces().CountLiveFaces(), 1);
  auto live = s().faces().ListLiveFaces();
  ASSERT_TRUE(live.ok());
  ASSERT_EQ(live->size(), 1u);
  EXPECT_EQ((*live)[0].face_id, *id);
  EXPECT_EQ((*live)[0].image.id, *image);
  EXPECT_EQ((*live)[0].image.format, "png");

  EXPECT_EQ(s().faces().InsertFace(*image + 1000, {}, 1, f).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(s().faces().InsertFace(*image, {}, 1, {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s().faces().GetFace(*id + 1000).status().code(), StatusCode::kNotFound);

  auto groups = s().faces().DeleteFace(*id, 200);
  ASSERT_TRUE(groups.ok());
  EXPECT_TRUE(groups->empty());
  EXPECT_EQ(s().faces().DeleteFace(*id, 201).status().code(), StatusCode::kNotFound);
  auto gone = s().faces().GetFace(*id);
  ASSERT_TRUE(gone.ok());  // history keeps it
  EXPECT_TRUE(gone->deleted);
  EXPECT_EQ(*s().faces().CountLiveFaces(), 0);
}

TEST_P(ContractCatalog, GroupVersionsAndChangeLog) {
  auto g = s().groups().CreateGroup("staff", 10);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->version, 1);
  EXPECT_EQ(s().groups().CreateGroup("staff", 11).status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(s().groups().CreateGroup("", 11).status().code(), StatusCode::kInvalidArgument);

  const int64_t a = AddFace(1), b = AddFace(2);
  EXPECT_TRUE(*s().groups().Bind(g->id, a, 20));
  EXPECT_FALSE(*s().groups().Bind(g->id, a, 21));  // already bound: no version
  EXPECT_TRUE(*s().groups().Bind(g->id, b, 22));
  EXPECT_EQ(s().groups().Bind(g->id, b + 1000, 23).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(s().groups().Bind(g->id + 1000, a, 23).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(*s().groups().Unbind(g->id, a, 24), 4);
  EXPECT_EQ(s().groups().Unbind(g->id, a, 25).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(s().groups().GetGroupByName("staff")->version, 4);
  EXPECT_EQ(*s().groups().GroupFaceIds(g->id), std::vector<int64_t>{b});

  auto changes = s().groups().ChangesSince(g->id, 1);
  ASSERT_TRUE(changes.ok());
  ASSERT_TRUE(changes->has_value());
  ASSERT_EQ((*changes)->size(), 3u);
  EXPECT_EQ((**changes)[0].version, 2);
  EXPECT_EQ((**changes)[0].face_id, a);
  EXPECT_TRUE((**changes)[0].bound);
  EXPECT_EQ((**changes)[2].version, 4);
  EXPECT_FALSE((**changes)[2].bound);
  EXPECT_FALSE(s().groups().ChangesSince(g->id, 9)->has_value());  // newer than current
  EXPECT_EQ(s().groups().ChangesSince(g->id + 1000, 0).status().code(), StatusCode::kNotFound);

  auto deleted = s().groups().DeleteGroup("staff", 30);
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(deleted->deleted);
  EXPECT_EQ(deleted->version, 5);
  EXPECT_EQ(s().groups().GetGroupByName("staff").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(s().groups().GetGroupById(g->id)->deleted);
  EXPECT_EQ(s().groups().DeleteGroup("staff", 31).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(s().groups().GroupFaceIds(g->id)->empty());

  // A name that existed before continues from its last version, with a new id.
  auto again = s().groups().CreateGroup("staff", 40);
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again->id, g->id);
  EXPECT_EQ(again->version, 6);
  EXPECT_TRUE(s().CheckIntegrity(domain::IntegrityCheck::kFull).ok());
}

TEST_P(ContractCatalog, NamesListInByteOrder) {
  for (const char* name : {"b", "B", "a", "_z"}) ASSERT_TRUE(s().groups().CreateGroup(name, 1).ok());
  ASSERT_TRUE(s().groups().DeleteGroup("b", 2).ok());
  EXPECT_EQ(*s().groups().ListGroupNames(), (std::vector<std::string>{"B", "_z", "a"}));
  auto groups = s().groups().ListGroups();
  ASSERT_TRUE(groups.ok());
  ASSERT_EQ(groups->size(), 3u);
  EXPECT_EQ((*groups)[0].name, "B");
  EXPECT_EQ((*groups)[0].version, 1);
}

TEST_P(ContractCatalog, FaceDeleteUnbindsFromEveryGroup) {
  auto g1 = s().groups().CreateGroup("one", 1);
  auto g2 = s().groups().CreateGroup("two", 1);
  const int64_t face = AddFace(3);
  ASSERT_TRUE(s().groups().Bind(g1->id, face, 2).ok());
  ASSERT_TRUE(s().groups().Bind(g2->id, face, 2).ok());
  auto groups = s().faces().DeleteFace(face, 3);
  ASSERT_TRUE(groups.ok());
  EXPECT_EQ(*groups, (std::vector<int64_t>{g1->id, g2->id}));
  EXPECT_EQ(s().groups().GetGroupById(g1->id)->version, 3);
  EXPECT_FALSE((**s().groups().ChangesSince(g2->id, 2))[0].bound);
  EXPECT_EQ(s().groups().Bind(g1->id, face, 4).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(s().CheckIntegrity(domain::IntegrityCheck::kFull).ok());
}

TEST_P(ContractCatalog, SyncDeltaFullIncrementalAndPruned) {
  Reopen(3);  // keep three log entries per group
  auto g = s().groups().CreateGroup("gate", 1);
  const int64_t a = AddFace(1), b = AddFace(2), c = AddFace(3);
  ASSERT_TRUE(s().groups().Bind(g->id, a, 2).ok());  // v2
  ASSERT_TRUE(s().groups().Bind(g->id, b, 3).ok());  // v3

  auto full = s().groups().SyncDelta(g->id, 0);
  ASSERT_TRUE(full.ok());
  EXPECT_TRUE(full->full);
  ASSERT_EQ(full->added.size(), 2u);
  EXPECT_EQ(full->added[0].first, a);
  EXPECT_EQ(full->added[1].second, Feature(2));

  ASSERT_TRUE(s().groups().Unbind(g->id, a, 4).ok());  // v4
  ASSERT_TRUE(s().groups().Bind(g->id, c, 5).ok());    // v5
  auto delta = s().groups().SyncDelta(g->id, 3);
  ASSERT_TRUE(delta.ok());
  EXPECT_FALSE(delta->full);
  EXPECT_EQ(delta->deleted, std::vector<int64_t>{a});
  ASSERT_EQ(delta->added.size(), 1u);
  EXPECT_EQ(delta->added[0].first, c);
  EXPECT_EQ(delta->group.version, 5);

  auto current = s().groups().SyncDelta(g->id, 5);
  ASSERT_TRUE(current.ok());
  EXPECT_FALSE(current->full);
  EXPECT_TRUE(current->added.empty() && current->deleted.empty());

  // The log keeps (2, 5]: from 1 it cannot answer, so FULL.
  EXPECT_FALSE(s().groups().ChangesSince(g->id, 1)->has_value());
  EXPECT_TRUE(s().groups().ChangesSince(g->id, 2)->has_value());
  EXPECT_TRUE(s().groups().SyncDelta(g->id, 1)->full);

  auto features = s().faces().FeaturesOf({c, a + 1000, b});
  ASSERT_TRUE(features.ok());
  ASSERT_EQ(features->size(), 2u);
  EXPECT_EQ((*features)[0].first, c);
  EXPECT_EQ((*features)[1].second, Feature(2));

  ASSERT_TRUE(s().groups().DeleteGroup("gate", 6).ok());
  auto gone = s().groups().SyncDelta(g->id, 5);
  ASSERT_TRUE(gone.ok());
  EXPECT_TRUE(gone->group.deleted);
  EXPECT_TRUE(gone->added.empty());
  EXPECT_TRUE(s().CheckIntegrity(domain::IntegrityCheck::kFull).ok());
}

TEST_P(ContractCatalog, ForEachBindingInGroupThenFaceOrder) {
  auto g1 = s().groups().CreateGroup("x", 1);
  auto g2 = s().groups().CreateGroup("y", 1);
  const int64_t a = AddFace(1), b = AddFace(2), dead = AddFace(3);
  ASSERT_TRUE(s().groups().Bind(g2->id, b, 2).ok());
  ASSERT_TRUE(s().groups().Bind(g1->id, b, 2).ok());
  ASSERT_TRUE(s().groups().Bind(g1->id, a, 2).ok());
  ASSERT_TRUE(s().groups().Bind(g1->id, dead, 2).ok());
  ASSERT_TRUE(s().faces().DeleteFace(dead, 3).ok());
  std::vector<std::tuple<int64_t, int64_t, std::vector<float>>> seen;
  ASSERT_TRUE(s().groups()
                  .ForEachBinding([&](int64_t g, int64_t f, std::span<const float> feature) {
                    seen.emplace_back(g, f, std::vector<float>(feature.begin(), feature.end()));
                  })
                  .ok());
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], std::make_tuple(g1->id, a, Feature(1)));
  EXPECT_EQ(seen[1], std::make_tuple(g1->id, b, Feature(2)));
  EXPECT_EQ(seen[2], std::make_tuple(g2->id, b, Feature(2)));
}

TEST_P(ContractCatalog, ReplaceFeaturesIsAllOrNothing) {
  auto g = s().groups().CreateGroup("x", 1);
  const int64_t a = AddFace(1), b = AddFace(2);
  ASSERT_TRUE(s().groups().Bind(g->id, b, 2).ok());
  const std::vector<float> wide(8, 0.5f);
  EXPECT_EQ(s().faces().ReplaceFeatures({{a, wide}, {a + 1000, wide}}, {}, 3).code(), StatusCode::kNotFound);
  EXPECT_EQ(s().faces().GetFace(a)->feature, Feature(1));  // rolled back
  EXPECT_EQ(s().faces().ReplaceFeatures({{a, wide}, {b, {1.0f}}}, {}, 3).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(s().faces().ReplaceFeatures({{a, wide}}, {b}, 3).ok());
  EXPECT_EQ(s().faces().GetFace(a)->feature, wide);
  EXPECT_TRUE(s().faces().GetFace(b)->deleted);
  EXPECT_EQ(s().groups().GetGroupById(g->id)->version, 3);
  EXPECT_TRUE(s().CheckIntegrity(domain::IntegrityCheck::kFull).ok());
}

// Each change and its audit row commit in one transaction; a refused change writes none.
TEST_P(ContractCatalog, AuditRowCommitsWithItsChange) {
  auto g = s().groups().CreateGroup("audited", 1, [](const GroupRecord& g) {
    return Row("POST /group/create", "group_name=" + g.name + ",v=" + std::to_string(g.version));
  });
  ASSERT_TRUE(g.ok());
  auto refused = s().groups().CreateGroup("audited", 2, [](const GroupRecord&) { return Row("POST /group/create", "x"); });
  EXPECT_EQ(refused.status().code(), StatusCode::kAlreadyExists);

  auto image = s().images().AddImage(domain::ImageKind::kEnrol, "jpeg", "img", 1, 1, 1);
  const std::vector<float> f = Feature(1);
  auto face = s().faces().InsertFace(*image, {}, 1, f, std::nullopt,
                                     [](const int64_t& id) { return Row("POST /face/add", "face=" + std::to_string(id)); });
  ASSERT_TRUE(face.ok());
  ASSERT_TRUE(s().faces().SetFaceLabel(*face, "Ann", Row("POST /face/update", "label")).ok());
  EXPECT_EQ(s().faces().SetFaceLabel(*face + 100, "Bo", Row("POST /face/update", "none")).code(), StatusCode::kNotFound);
  ASSERT_TRUE(s().groups().Bind(g->id, *face, 2, [](const bool& added) {
                                  return Row("POST /group/bind", added ? "added" : "kept");
                                }).ok());
  ASSERT_TRUE(s().groups().Bind(g->id, *face, 3, [](const bool& added) {
                                  return Row("POST /group/bind", added ? "added" : "kept");
                                }).ok());
  ASSERT_TRUE(s().groups().Unbind(g->id, *face, 4, [](const int64_t& v) {
                                    return Row("POST /group/unbind", "v=" + std::to_string(v));
                                  }).ok());
  ASSERT_TRUE(s().config().SaveConfig({{"threshold", 0.7}}, Row("POST /config", "threshold")).ok());
  ASSERT_TRUE(s().keys().InsertKey("ops", "operator", "hash1", 5, [](const int64_t&) { return Row("POST /keys", "name=ops"); }).ok());
  ASSERT_TRUE(s().keys().RevokeKey("ops", 6, Row("DELETE /keys", "name=ops")).ok());
  EXPECT_EQ(s().keys().RevokeKey("ops", 7, Row("DELETE /keys", "again")).code(), StatusCode::kNotFound);
  ASSERT_TRUE(s().faces().DeleteFace(*face, 8, [](const std::vector<int64_t>& groups) {
                                 return Row("POST /face/delete", "groups=" + std::to_string(groups.size()));
                               }).ok());
  ASSERT_TRUE(s().groups().DeleteGroup("audited", 9, [](const GroupRecord& g) {
                                  return Row("POST /group/delete", "v=" + std::to_string(g.version));
                                }).ok());

  std::vector<std::string> targets;
  for (const AuditRecord& r : AllAudit(s())) targets.push_back(r.targets);
  EXPECT_EQ(targets, (std::vector<std::string>{"group_name=audited,v=1", "face=" + std::to_string(*face), "label", "added",
                                                "kept", "v=3", "threshold", "name=ops", "name=ops", "groups=0",
                                                "v=4"}));
}

TEST_P(ContractCatalog, QuickIntegrityPassesOnAFreshStore) {
  EXPECT_TRUE(s().CheckIntegrity(domain::IntegrityCheck::kQuick).ok());
  EXPECT_TRUE(s().CheckIntegrity(domain::IntegrityCheck::kFull).ok());
}

FP_INSTANTIATE_CONTRACT(ContractCatalog);

}  // namespace
}  // namespace facepass::store::testing_util
