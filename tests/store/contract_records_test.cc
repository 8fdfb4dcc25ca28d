// The storage contract, records part: images (bytes and metadata),
// recognition history, keys, audit log, config, device status, the secret.
#include <gtest/gtest.h>

#include <cmath>

#include "store/contract_fixture.h"

namespace facepass::store::testing_util {
namespace {

using domain::ImageKind;
using domain::RecognitionRecord;

class ContractRecords : public ContractTest {};

TEST_P(ContractRecords, ImageBytesAndMetadataRoundTrip) {
  const std::string bytes("\xff\xd8\x00\x01binary\x00tail", 14);
  auto id = s().images().AddImage(ImageKind::kCapture, "jpeg", bytes, 640, 480, 123);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  auto image = s().images().GetImage(*id);
  ASSERT_TRUE(image.ok());
  EXPECT_EQ(image->kind, ImageKind::kCapture);
  EXPECT_EQ(image->format, "jpeg");
  EXPECT_EQ(image->size, 14);
  EXPECT_EQ(image->width, 640);
  EXPECT_EQ(image->height, 480);
  EXPECT_EQ(image->created_ms, 123);
  EXPECT_EQ(*s().images().ReadImage(*image), bytes);
  EXPECT_EQ(s().images().GetImage(*id + 1000).status().code(), StatusCode::kNotFound);
}

TEST_P(ContractRecords, OnlyUnusedCapturesArePurged) {
  auto enrol = s().images().AddImage(ImageKind::kEnrol, "png", "e", 1, 1, 10);
  auto old_capture = s().images().AddImage(ImageKind::kCapture, "jpeg", "c1", 1, 1, 20);
  auto enrolled_from = s().images().AddImage(ImageKind::kCapture, "jpeg", "c2", 1, 1, 30);
  auto fresh = s().images().AddImage(ImageKind::kCapture, "jpeg", "c3", 1, 1, 500);
  const std::vector<float> f = Feature(1);
  ASSERT_TRUE(s().faces().InsertFace(*enrolled_from, {}, 30, f).ok());

  auto old = s().images().CapturesOlderThan(100, 10);
  ASSERT_TRUE(old.ok());
  ASSERT_EQ(old->size(), 1u);
  EXPECT_EQ((*old)[0].id, *old_capture);

  RecognitionRecord r;
  r.image_id = *old_capture;
  r.at_ms = 20;
  r.group_name = "g";
  ASSERT_TRUE(s().recognitions().InsertRecognitions({r}).ok());

  EXPECT_EQ(s().images().DeleteCapture(*enrol).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s().images().DeleteCapture(*enrolled_from).code(), StatusCode::kFailedPrecondition);
  auto image = s().images().GetImage(*old_capture);
  ASSERT_TRUE(s().images().DeleteCapture(*old_capture).ok());
  EXPECT_EQ(s().images().GetImage(*old_capture).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(s().images().ReadImage(*image).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(s().images().DeleteCapture(*old_capture).code(), StatusCode::kNotFound);
  EXPECT_TRUE(s().recognitions().QueryRecognitions({})->rows.empty());  // gone with its capture
  EXPECT_TRUE(s().images().GetImage(*fresh).ok());
}

TEST_P(ContractRecords, DiscardRemovesAnUnreferencedImageOfEitherKind) {
  auto enrol = s().images().AddImage(ImageKind::kEnrol, "png", "e", 1, 1, 10);
  auto capture = s().images().AddImage(ImageKind::kCapture, "jpeg", "c", 1, 1, 20);
  auto used = s().images().AddImage(ImageKind::kEnrol, "jpeg", "u", 1, 1, 30);
  ASSERT_TRUE(enrol.ok() && capture.ok() && used.ok());
  ASSERT_TRUE(s().faces().InsertFace(*used, {}, 30, Feature(1)).ok());
  for (int64_t id : {*enrol, *capture}) {
    auto image = s().images().GetImage(id);
    ASSERT_TRUE(image.ok());
    ASSERT_TRUE(s().images().DiscardImage(id).ok());
    EXPECT_EQ(s().images().GetImage(id).status().code(), StatusCode::kNotFound);
    EXPECT_EQ(s().images().ReadImage(*image).status().code(), StatusCode::kNotFound);
    EXPECT_EQ(s().images().DiscardImage(id).code(), StatusCode::kNotFound);
  }
  EXPECT_EQ(s().images().DiscardImage(*used).code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(s().images().GetImage(*used).ok());
}

TEST_P(ContractRecords, HistoryFiltersAndKeysetPages) {
  auto capture = s().images().AddImage(ImageKind::kCapture, "jpeg", "c", 1, 1, 1);
  std::vector<RecognitionRecord> rows;
  for (int i = 0; i < 7; ++i) {
    RecognitionRecord r;
    r.image_id = *capture;
    r.at_ms = 100 + i / 2;  // ties on at_ms: the id breaks them
    r.group_name = i % 2 ? "odd" : "even";
    r.track_id = i;
    if (i % 3 == 0) r.face_id = 40 + i;
    r.score = 0.125 * i;
    r.passed = i >= 4;
    if (i != 5) r.rect = domain::Rect{i, i + 1, i + 2, i + 3};
    if (i == 6) r.liveness_score = 0.875;
    rows.push_back(r);
  }
  auto inserted = s().recognitions().InsertRecognitions(rows);
  ASSERT_TRUE(inserted.ok()) << inserted.status().ToString();
  ASSERT_EQ(inserted->size(), 7u);
  EXPECT_LT((*inserted)[0].id, (*inserted)[6].id);

  domain::RecognitionQuery q;
  q.limit = 3;
  std::vector<int64_t> tracks;
  for (int pages = 0;; ++pages) {
    ASSERT_LT(pages, 5);
    auto page = s().recognitions().QueryRecognitions(q);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (const RecognitionRecord& r : page->rows) tracks.push_back(r.track_id);
    if (!page->next_cursor) break;
    q.before = page->next_cursor;
  }
  EXPECT_EQ(tracks, (std::vector<int64_t>{6, 5, 4, 3, 2, 1, 0}));

  domain::RecognitionQuery filtered;
  filtered.group_name = "even";
  filtered.passed = true;
  auto page = s().recognitions().QueryRecognitions(filtered);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->rows.size(), 2u);
  const RecognitionRecord& newest = page->rows[0];
  EXPECT_EQ(newest.track_id, 6);
  EXPECT_EQ(newest.face_id, 46);
  EXPECT_EQ(newest.score, 0.75);
  EXPECT_EQ(newest.liveness_score, 0.875);
  EXPECT_EQ(newest.rect->right, 8);
  EXPECT_FALSE(page->rows[1].face_id.has_value());  // track 4

  domain::RecognitionQuery by_face;
  by_face.face_id = 43;
  by_face.from_ms = 101;
  by_face.to_ms = 102;
  auto one = s().recognitions().QueryRecognitions(by_face);
  ASSERT_EQ(one->rows.size(), 1u);
  EXPECT_EQ(one->rows[0].track_id, 3);

  domain::RecognitionQuery bad;
  bad.limit = 0;
  EXPECT_EQ(s().recognitions().QueryRecognitions(bad).status().code(), StatusCode::kInvalidArgument);

  // A row naming no image fails them all.
  RecognitionRecord orphan = rows[0];
  orphan.image_id = *capture + 1000;
  EXPECT_FALSE(s().recognitions().InsertRecognitions({rows[0], orphan}).ok());
  EXPECT_EQ(s().recognitions().QueryRecognitions({})->rows.size(), 7u);
}

TEST_P(ContractRecords, KeysByHashNameAndRevocation) {
  auto id = s().keys().InsertKey("ops", "operator", "h1", 10);
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(s().keys().InsertKey("Admin", "admin", "h2", 11).ok());
  EXPECT_EQ(s().keys().InsertKey("ops", "viewer", "h3", 12).status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(s().keys().InsertKey("", "viewer", "h3", 12).status().code(), StatusCode::kInvalidArgument);

  auto key = s().keys().FindKeyByHash("h1");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->id, *id);
  EXPECT_EQ(key->role, "operator");
  EXPECT_EQ(key->created_ms, 10);
  EXPECT_EQ(key->last_used_ms, 0);
  EXPECT_EQ(s().keys().FindKeyByHash("nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(*s().keys().CountActiveKeys(), 2);

  ASSERT_TRUE(s().keys().TouchKey(*id, 50).ok());
  ASSERT_TRUE(s().keys().TouchKey(*id, 40).ok());  // never backwards
  EXPECT_EQ(s().keys().FindKeyByHash("h1")->last_used_ms, 50);

  ASSERT_TRUE(s().keys().RevokeKey("ops", 60).ok());
  EXPECT_EQ(s().keys().RevokeKey("ops", 61).code(), StatusCode::kNotFound);
  EXPECT_EQ(s().keys().RevokeKey("ghost", 61).code(), StatusCode::kNotFound);
  auto revoked = s().keys().FindKeyByHash("h1");
  EXPECT_TRUE(revoked->revoked);
  EXPECT_EQ(revoked->revoked_ms, 60);
  EXPECT_EQ(*s().keys().CountActiveKeys(), 1);
  EXPECT_EQ(s().keys().InsertKey("ops", "viewer", "h4", 70).status().code(), StatusCode::kAlreadyExists);

  auto all = s().keys().ListKeys();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "Admin");  // byte order
  EXPECT_EQ((*all)[1].name, "ops");
}

TEST_P(ContractRecords, AuditPagesAndPurge) {
  for (int i = 0; i < 5; ++i) {
    domain::AuditRecord r;
    r.at_ms = 100 + (i / 2) * 10;  // 100 100 110 110 120
    r.endpoint = "E" + std::to_string(i);
    r.result_code = i;
    ASSERT_TRUE(s().audit().AppendAudit(r).ok());
  }
  std::vector<std::string> seen;
  domain::AuditCursor cursor;
  for (int pages = 0;; ++pages) {
    ASSERT_LT(pages, 5);
    auto page = s().audit().QueryAudit(0, 1000, 2, cursor);
    ASSERT_TRUE(page.ok());
    for (const auto& r : page->rows) seen.push_back(r.endpoint);
    if (!page->next_cursor) break;
    cursor = *page->next_cursor;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"E0", "E1", "E2", "E3", "E4"}));
  EXPECT_EQ(s().audit().QueryAudit(110, 120, 10)->rows.size(), 2u);
  EXPECT_EQ(s().audit().QueryAudit(0, 1000, 0).status().code(), StatusCode::kInvalidArgument);

  EXPECT_EQ(*s().audit().PurgeAuditBefore(115, 1), 1);
  EXPECT_EQ(*s().audit().PurgeAuditBefore(115), 3);
  auto rest = s().audit().QueryAudit(0, 1000, 10);
  ASSERT_EQ(rest->rows.size(), 1u);
  EXPECT_EQ(rest->rows[0].endpoint, "E4");
  EXPECT_EQ(rest->rows[0].result_code, 4);
}

TEST_P(ContractRecords, ConfigUpsertsAndRefusesBadValues) {
  EXPECT_TRUE(s().config().LoadConfig()->empty());
  ASSERT_TRUE(s().config().SaveConfig({{"a", 0.5}, {"b", -2.25}}).ok());
  ASSERT_TRUE(s().config().SaveConfig({{"a", 0.1}}).ok());
  EXPECT_EQ(*s().config().LoadConfig(), (std::map<std::string, double>{{"a", 0.1}, {"b", -2.25}}));
  EXPECT_EQ(s().config().SaveConfig({{"c", 1}, {"", 2}}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s().config().SaveConfig({{"c", std::nan("")}}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s().config().LoadConfig()->count("c"), 0u);
}

TEST_P(ContractRecords, DeviceStatusReplacesItsGroups) {
  domain::DeviceRecord d{"10.0.0.9", "1.2", "arcface", 77, {}};
  d.groups.push_back({"gate", 3, 4, 5, 0, 5, 2, 1});
  d.groups.push_back({"lobby", 6, 0, 1, 7, 0, 0, 0});
  ASSERT_TRUE(s().devices().UpsertDevice(d).ok());
  ASSERT_TRUE(s().devices().UpsertDevice(domain::DeviceRecord{"10.0.0.1", "1.0", "m", 1, {}}).ok());
  d.sync_time_ms = 88;
  d.groups.pop_back();
  ASSERT_TRUE(s().devices().UpsertDevice(d).ok());
  EXPECT_EQ(s().devices().UpsertDevice(domain::DeviceRecord{}).code(), StatusCode::kInvalidArgument);
  auto all = s().devices().ListDevices();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].ip, "10.0.0.1");
  const auto& dev = (*all)[1];
  EXPECT_EQ(dev.sync_time_ms, 88);
  ASSERT_EQ(dev.groups.size(), 1u);
  EXPECT_EQ(dev.groups[0].group_name, "gate");
  EXPECT_EQ(dev.groups[0].cloud_version, 5);
  EXPECT_EQ(dev.groups[0].added, 2);
}

TEST_P(ContractRecords, OneSecretPerInstallation) {
  auto secret = s().secret().LoadOrCreateSecret();
  ASSERT_TRUE(secret.ok()) << secret.status().ToString();
  EXPECT_EQ(secret->size(), domain::kInstallationSecretSize);
  EXPECT_EQ(*s().secret().LoadOrCreateSecret(), *secret);
  auto other = OpenAnother();
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(*other->secret().LoadOrCreateSecret(), *secret);  // every node decodes every token
}

FP_INSTANTIATE_CONTRACT(ContractRecords);

}  // namespace
}  // namespace facepass::store::testing_util
