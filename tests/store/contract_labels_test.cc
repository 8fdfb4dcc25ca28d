// The storage contract, labels part (issue 29): a face's label set, cleared
// and read back, the ASCII case-insensitive prefix search in (label, id)
// keyset pages, a delete that clears it (history then keeps the token only),
// and the sync read that carries it. SQLite-only details (its query plan, the
// schema-3 upgrade) are in labels_test.cc.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/contract_fixture.h"

namespace facepass::store::testing_util {
namespace {

using domain::LabelCursor;

class ContractLabels : public ContractTest {
 protected:
  int64_t Face(std::optional<std::string> label) {
    if (image_ == 0) image_ = s().images().AddImage(domain::ImageKind::kEnrol, "jpeg", "e", 10, 10, 1).value();
    const std::vector<float> f = {1, 0, 0};
    auto id = s().faces().InsertFace(image_, {1, 2, 3, 4}, 10, f, label);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }
  std::vector<std::string> Labels(const std::string& prefix, int limit = 100,
                                  std::optional<LabelCursor> after = std::nullopt,
                                  std::optional<LabelCursor>* next = nullptr) {
    auto page = s().faces().SearchLabels(prefix, limit, after);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    std::vector<std::string> out;
    if (!page.ok()) return out;
    for (const domain::LabelledFace& f : page->rows) out.push_back(f.label);
    if (next) *next = page->next_cursor;
    return out;
  }

  int64_t image_ = 0;
};

TEST_P(ContractLabels, SetClearAndRead) {
  const int64_t a = Face("Alice");
  const int64_t b = Face(std::nullopt);
  EXPECT_EQ(s().faces().GetFace(a)->label, "Alice");
  EXPECT_FALSE(s().faces().GetFace(b)->label);
  ASSERT_TRUE(s().faces().SetFaceLabel(b, "Bob").ok());
  EXPECT_EQ(s().faces().GetFace(b)->label, "Bob");
  ASSERT_TRUE(s().faces().SetFaceLabel(b, std::nullopt).ok());
  EXPECT_FALSE(s().faces().GetFace(b)->label);
  EXPECT_EQ(s().faces().SetFaceLabel(b + 10, "x").code(), StatusCode::kNotFound);
  auto labels = s().faces().LabelsOf({a, b, b + 10});
  ASSERT_TRUE(labels.ok());
  EXPECT_EQ(*labels, (std::map<int64_t, std::string>{{a, "Alice"}}));
  auto page = s().faces().SearchLabels("ALI", 10, std::nullopt);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->rows.size(), 1u);
  EXPECT_EQ(page->rows[0].face_id, a);
  EXPECT_EQ(page->rows[0].image_id, image_);
  EXPECT_EQ(page->rows[0].created_ms, 10);
}

TEST_P(ContractLabels, PrefixIsAsciiCaseInsensitiveAndPagesNeitherSkipNorRepeat) {
  for (const char* l : {"bob", "Alice", "alice", "ALICE", "alicia", "Al", "alZ", "ali\xC3\xA9", "Ali\xC3\x89",
                        "al%x", "al_y"})
    Face(l);
  // Order: ASCII folded bytes, then face id; the UTF-8 é/É compare exactly.
  EXPECT_EQ(Labels("ali"), (std::vector<std::string>{"Alice", "alice", "ALICE", "alicia", "Ali\xC3\x89",
                                                     "ali\xC3\xA9"}));
  EXPECT_EQ(Labels("ALI\xC3\xA9"), (std::vector<std::string>{"ali\xC3\xA9"}));
  EXPECT_EQ(Labels("al").size(), 10u);
  EXPECT_EQ(Labels("").size(), 11u);
  EXPECT_TRUE(Labels("carol").empty());
  // Pattern characters of SQL are plain text in a prefix.
  EXPECT_EQ(Labels("al%"), (std::vector<std::string>{"al%x"}));
  EXPECT_EQ(Labels("AL_"), (std::vector<std::string>{"al_y"}));

  std::vector<std::string> walked;
  std::optional<LabelCursor> cursor;
  for (int pages = 0; pages < 10; ++pages) {
    std::optional<LabelCursor> next;
    auto page = Labels("al", 3, cursor, &next);
    walked.insert(walked.end(), page.begin(), page.end());
    if (!next) break;
    cursor = next;
  }
  EXPECT_EQ(walked, Labels("al"));
  EXPECT_EQ(s().faces().SearchLabels("a", 0, std::nullopt).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(ContractLabels, ADeleteClearsTheLabelAndHistoryKeepsOnlyTheToken) {
  const int64_t a = Face("Alice");
  const int64_t capture = s().images().AddImage(domain::ImageKind::kCapture, "jpeg", "c", 10, 10, 50).value();
  domain::RecognitionRecord r;
  r.image_id = capture;
  r.at_ms = 50;
  r.group_name = "gate";
  r.face_id = a;
  ASSERT_TRUE(s().recognitions().InsertRecognitions({r}).ok());
  domain::RecognitionQuery q;
  EXPECT_EQ(s().recognitions().QueryRecognitions(q).value().rows.at(0).label, "Alice");

  ASSERT_TRUE(s().faces().DeleteFace(a, 60).ok());
  EXPECT_FALSE(s().faces().GetFace(a)->label);
  const domain::RecognitionRecord row = s().recognitions().QueryRecognitions(q).value().rows.at(0);
  EXPECT_EQ(row.face_id, a);
  EXPECT_FALSE(row.label);
  EXPECT_TRUE(Labels("").empty());
  EXPECT_EQ(s().faces().SetFaceLabel(a, "again").code(), StatusCode::kNotFound);
}

TEST_P(ContractLabels, SyncDeltaCarriesTheLabels) {
  auto g = s().groups().CreateGroup("gate", 1);
  ASSERT_TRUE(g.ok());
  const int64_t a = Face("Alice");
  const int64_t b = Face(std::nullopt);
  ASSERT_TRUE(s().groups().Bind(g->id, a, 2).ok());
  ASSERT_TRUE(s().groups().Bind(g->id, b, 3).ok());
  auto full = s().groups().SyncDelta(g->id, 0);
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  EXPECT_EQ(full->labels, (std::map<int64_t, std::string>{{a, "Alice"}}));

  ASSERT_TRUE(s().faces().SetFaceLabel(b, "Bob").ok());
  const int64_t c = Face("Carol");
  ASSERT_TRUE(s().groups().Bind(g->id, c, 4).ok());
  auto inc = s().groups().SyncDelta(g->id, full->group.version);
  ASSERT_TRUE(inc.ok());
  ASSERT_FALSE(inc->full);
  EXPECT_EQ(inc->labels, (std::map<int64_t, std::string>{{c, "Carol"}}));
}

FP_INSTANTIATE_CONTRACT(ContractLabels);

}  // namespace
}  // namespace facepass::store::testing_util
