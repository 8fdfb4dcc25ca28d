// What the device store's tests share: unit features, and a store in a fresh
// directory per test with the reads the tests check through.
#pragma once

#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "client/device_store.h"

namespace facepass::client::testing_util {

inline constexpr uint32_t kDim = 16;

// A unit vector of kDim, a different direction for each seed.
inline std::vector<float> UnitFeature(int seed) {
  std::vector<float> f(kDim);
  float norm = 0;
  for (uint32_t i = 0; i < kDim; ++i) {
    f[i] = std::sin(static_cast<float>(seed * 7 + 1) * static_cast<float>(i + 1));
    norm += f[i] * f[i];
  }
  for (float& v : f) v /= std::sqrt(norm);
  return f;
}

class DeviceStoreFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() / ("fp_" + std::string(test->test_suite_name()) + "_" +
                                                     std::to_string(::getpid()) + "_" + test->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = dir_ / "device.db";
    store_ = Open();
    ASSERT_TRUE(store_);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::unique_ptr<DeviceStore> Open() {
    Result<std::unique_ptr<DeviceStore>> s = DeviceStore::Open(path_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
  std::map<std::string, LocalGroup> GroupMap() {
    std::map<std::string, LocalGroup> m;
    Result<std::vector<LocalGroup>> groups = store_->Groups();  // named: a range over *temporary dangles
    EXPECT_TRUE(groups.ok()) << groups.status().ToString();
    if (groups.ok()) {
      for (const LocalGroup& g : *groups) m[g.group_name] = g;
    }
    return m;
  }

  std::filesystem::path dir_, path_;
  std::unique_ptr<DeviceStore> store_;
};

}  // namespace facepass::client::testing_util
