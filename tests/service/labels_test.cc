// Issue 29: a face's label through the domain services: the rule on add and
// relabel (nothing stored when refused), the search, the match's label in a
// recognise result and in history, and a delete that forgets it.
#include <gtest/gtest.h>

#include <string>

#include "service/faces.h"
#include "service/history.h"
#include "service/service_fixture.h"
#include "store/database.h"

// Requests are written with designated initializers; the rest keep their defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace facepass::service::testing {
namespace {

using LabelsTest = ServiceFixture;

TEST_F(LabelsTest, AddStoresTheTrimmedLabelAndQueryReadsIt) {
  auto added = faces_->Add(analyzer_.PhotoOf("alice"), "  Alice, night shift ");
  ASSERT_TRUE(added.ok()) << MessageOf(added);
  EXPECT_EQ(added->label, "Alice, night shift");
  auto info = faces_->Query(added->face_id);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->label, "Alice, night shift");

  auto plain = faces_->Add(analyzer_.PhotoOf("bob"));
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->label);
  EXPECT_FALSE(faces_->Query(plain->face_id)->label);
}

TEST_F(LabelsTest, ABadLabelIsRefusedBeforeAnythingIsStored) {
  const std::string bad[] = {"Al\nice", std::string(129, 'a'), "\xC3\x28", "   ", std::string("a\0b", 3)};
  for (const std::string& label : bad) {
    auto added = faces_->Add(analyzer_.PhotoOf("alice"), label);
    EXPECT_EQ(MessageOf(added), "ILLEGAL_ARGUMENT: label");
  }
  EXPECT_EQ(*store().faces().CountLiveFaces(), 0);
  // Not even the original was kept: the engine never ran.
  auto page = store().faces().SearchLabels("", 10, std::nullopt);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->rows.empty());
  EXPECT_FALSE(store().images().GetImage(1).ok());
}

TEST_F(LabelsTest, RelabelSetsClearsAndRefuses) {
  const int64_t alice = Enrol("alice");
  auto set = faces_->Relabel(alice, "Alice Smith");
  ASSERT_TRUE(set.ok()) << MessageOf(set);
  EXPECT_EQ(*set, "Alice Smith");
  EXPECT_EQ(faces_->Query(alice)->label, "Alice Smith");

  EXPECT_EQ(MessageOf(faces_->Relabel(alice, "bad\x01")), "ILLEGAL_ARGUMENT: label");
  EXPECT_EQ(faces_->Query(alice)->label, "Alice Smith");  // unchanged

  auto cleared = faces_->Relabel(alice, "");
  ASSERT_TRUE(cleared.ok());
  EXPECT_FALSE(*cleared);
  EXPECT_FALSE(faces_->Query(alice)->label);
  ASSERT_TRUE(faces_->Relabel(alice, "Alice").ok());
  ASSERT_TRUE(faces_->Relabel(alice, std::nullopt).ok());
  EXPECT_FALSE(faces_->Query(alice)->label);

  EXPECT_EQ(CodeOf(faces_->Relabel(alice + 100, "x")), ErrorCode::kFaceTokenNotExist);
  ASSERT_TRUE(faces_->Delete(alice).ok());
  EXPECT_EQ(CodeOf(faces_->Relabel(alice, "x")), ErrorCode::kFaceTokenNotExist);
}

TEST_F(LabelsTest, SearchIsAnAsciiCaseInsensitivePrefixInKeysetPages) {
  const char* people[] = {"alice", "bob", "carol", "dave", "erin"};
  const char* labels[] = {"Alice Smith", "alice jones", "ALICIA", "Bob", "Álvaro"};
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(faces_->Add(analyzer_.PhotoOf(people[i]), labels[i]).ok());

  auto names = [](const store::LabelPage& p) {
    std::vector<std::string> out;
    for (const auto& r : p.rows) out.push_back(r.label);
    return out;
  };
  auto all = faces_->Search({.prefix = "aLi"});
  ASSERT_TRUE(all.ok()) << MessageOf(all);
  EXPECT_EQ(names(*all), (std::vector<std::string>{"alice jones", "Alice Smith", "ALICIA"}));
  EXPECT_FALSE(all->next_cursor);

  // Two pages of two and one, continuing strictly after the cursor.
  auto first = faces_->Search({.prefix = "ali", .limit = 2});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(names(*first), (std::vector<std::string>{"alice jones", "Alice Smith"}));
  ASSERT_TRUE(first->next_cursor);
  auto second = faces_->Search({.prefix = "ali", .limit = 2, .after = first->next_cursor});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(names(*second), (std::vector<std::string>{"ALICIA"}));
  EXPECT_FALSE(second->next_cursor);

  // Case folding is ASCII only: "á" does not match "Á".
  EXPECT_TRUE(faces_->Search({.prefix = "\xC3\xA1"})->rows.empty());
  EXPECT_EQ(names(*faces_->Search({.prefix = "Álv"})), (std::vector<std::string>{"Álvaro"}));
  EXPECT_EQ(faces_->Search({})->rows.size(), 5u);  // no prefix: every labelled face

  EXPECT_EQ(MessageOf(faces_->Search({.prefix = "a\x02"})), "ILLEGAL_ARGUMENT: label");
  EXPECT_EQ(CodeOf(faces_->Search({.prefix = "a", .limit = 0})), ErrorCode::kIllegalArgument);
  EXPECT_EQ(CodeOf(faces_->Search({.prefix = "a", .limit = 501})), ErrorCode::kIllegalArgument);
}

TEST_F(LabelsTest, TheMatchCarriesItsLabelUntilTheFaceIsDeleted) {
  auto alice = faces_->Add(analyzer_.PhotoOf("alice"), "Alice");
  ASSERT_TRUE(alice.ok());
  const int64_t bob = Enrol("bob");
  MakeGroup("staff_a", {alice->face_id, bob});

  RecognizeRequest r;
  r.group_name = "staff_a";
  const std::string capture = analyzer_.PhotoOf("alice");
  r.tracks.push_back({1, {capture}});
  auto out = recognition_->Recognize(r);
  ASSERT_TRUE(out.ok()) << MessageOf(out);
  ASSERT_EQ(out->results.size(), 1u);
  EXPECT_EQ(out->results[0].face_id, alice->face_id);
  EXPECT_EQ(out->results[0].label, "Alice");

  History history(store().recognitions());
  auto page = history.Query({.limit = 10});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->rows.size(), 1u);
  EXPECT_EQ(page->rows[0].label, "Alice");

  // The delete clears the label; history keeps only the face token.
  ASSERT_TRUE(faces_->Delete(alice->face_id).ok());
  EXPECT_FALSE(store().faces().GetFace(alice->face_id)->label);
  page = history.Query({.limit = 10});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->rows[0].face_id, alice->face_id);
  EXPECT_FALSE(page->rows[0].label);
  EXPECT_TRUE(faces_->Search({.prefix = "Alice"})->rows.empty());
}

}  // namespace
}  // namespace facepass::service::testing
