// One server for the whole test binary (model loading is the slow part of a
// start): a gtest Environment starts it, tests reach it through Server().
#pragma once

#include <string>

#include "e2e/api_fixture.h"
#include "support/skip_or_fail.h"

namespace facepass::e2e {

// nullptr when models or photos are absent (tests then skip).
const Api* Server();
// Why the backend asked for (FACEPASS_TEST_BACKEND) is not there; "" if it is.
const std::string& MissingBackend();
testing::ServerProcess* ServerProcessHandle();
const std::filesystem::path& ServerDataDir();

#define FP_REQUIRE_SERVER()                                         \
  FP_REQUIRE_SHARED_AND_MODELS();                                   \
  if (!::facepass::e2e::MissingBackend().empty()) FP_SKIP_OR_FAIL_IN_CI(::facepass::e2e::MissingBackend()); \
  ASSERT_NE(::facepass::e2e::Server(), nullptr) << "server did not start"; \
  const ::facepass::e2e::Api& api = *::facepass::e2e::Server()

}  // namespace facepass::e2e
