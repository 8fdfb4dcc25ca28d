#include "http/router.h"

#include <gtest/gtest.h>

namespace facepass::http {
namespace {

ApiReply Nop(const Request&) { return ApiReply::Ok(); }

TEST(RouterTest, ExactTrailingSlashAnd405) {
  Router r({{"POST", "/api/face/v1/add", BodyKind::kForm, Nop},
            {"POST", "/api/service/recognize/v1/", BodyKind::kForm, Nop},
            {"GET", "/api/service/config/v1", BodyKind::kNone, Nop},
            {"POST", "/api/service/config/v1", BodyKind::kForm, Nop},
            {"GET", "/", BodyKind::kNone, Nop}});
  ASSERT_TRUE(r.Validate().ok());
  EXPECT_EQ(r.Find("POST", "/api/face/v1/add").outcome, Router::Outcome::kFound);
  EXPECT_EQ(r.Find("POST", "/api/face/v1/add/").outcome, Router::Outcome::kFound);
  EXPECT_EQ(r.Find("POST", "/api/face/v1/add//").outcome, Router::Outcome::kNotFound);
  EXPECT_EQ(r.Find("POST", "/api/face/v1/ad").outcome, Router::Outcome::kNotFound);
  EXPECT_EQ(r.Find("POST", "/api/service/recognize/v1").outcome, Router::Outcome::kFound);
  EXPECT_EQ(r.Find("POST", "/api/service/recognize/v1/").outcome, Router::Outcome::kFound);
  EXPECT_EQ(r.Find("GET", "/").outcome, Router::Outcome::kFound);
  Router::Match m = r.Find("DELETE", "/api/service/config/v1");
  EXPECT_EQ(m.outcome, Router::Outcome::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "GET, POST");
  EXPECT_EQ(r.Find("GET", "/api/face/v1/add").allow, "POST");
}

TEST(RouterTest, ValidateRejectsBadTables) {
  EXPECT_FALSE(Router({{"GET", "/a", BodyKind::kNone, Nop}, {"GET", "/a/", BodyKind::kNone, Nop}}).Validate().ok());
  EXPECT_FALSE(Router({{"GET", "a", BodyKind::kNone, Nop}}).Validate().ok());
  EXPECT_FALSE(Router({{"GET", "/a", BodyKind::kNone, nullptr}}).Validate().ok());
}

}  // namespace
}  // namespace facepass::http
