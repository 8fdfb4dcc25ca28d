// A test whose dependency is absent (a PostgreSQL cluster, ...) skips with
// the reason, except under CI=true, where every dependency must be there and
// a skip would hide a broken setup: there it fails.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

namespace facepass::testing_util {

inline bool InCi() {
  const char* ci = std::getenv("CI");
  return ci && std::strcmp(ci, "true") == 0;
}

}  // namespace facepass::testing_util

// In a TEST body or SetUp (it returns from the enclosing function).
#define FP_SKIP_OR_FAIL_IN_CI(why)                                     \
  do {                                                                 \
    if (::facepass::testing_util::InCi()) {                            \
      GTEST_FAIL() << why << " (CI=true: a missing dependency fails)"; \
    } else {                                                           \
      GTEST_SKIP() << why;                                             \
    }                                                                  \
  } while (0)
