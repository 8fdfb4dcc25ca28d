#include "common/status.h"

#include <gtest/gtest.h>

namespace facepass {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument("odd");
  return x / 2;
}

Status Chain(int x) {
  FP_RETURN_IF_ERROR(Half(x).status());
  return Status::OK();
}

TEST(StatusTest, ResultCarriesValueOrError) {
  auto ok = Half(4);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 2);
  auto bad = Half(3);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().ToString(), "InvalidArgument: odd");
}

TEST(StatusTest, ReturnIfErrorPropagates) {
  EXPECT_TRUE(Chain(2).ok());
  EXPECT_EQ(Chain(1).code(), StatusCode::kInvalidArgument);
}

// Quarters x, through two FP_ASSIGN_OR_RETURN: a declaration and an assignment.
Result<int> Quarter(int x, int* evaluations) {
  ++*evaluations;
  FP_ASSIGN_OR_RETURN(int half, Half(x));
  FP_ASSIGN_OR_RETURN(half, Half(half));
  return half;
}

TEST(StatusTest, AssignOrReturnMovesTheValueOrReturnsTheError) {
  int evaluations = 0;
  auto ok = Quarter(8, &evaluations);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 2);
  auto odd_half = Quarter(6, &evaluations);  // 6/2 = 3 is odd: the second one returns
  ASSERT_FALSE(odd_half.ok());
  EXPECT_EQ(odd_half.status().message(), "odd");
  EXPECT_EQ(Quarter(5, &evaluations).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(evaluations, 3);
}

}  // namespace
}  // namespace facepass
