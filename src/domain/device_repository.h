// The devices' sync status, as each device last reported it; key = ip.
#pragma once

#include <vector>

#include "common/status.h"
#include "domain/types.h"

namespace facepass::domain {

class DeviceRepository {
 public:
  virtual ~DeviceRepository() = default;

  virtual Status UpsertDevice(const DeviceRecord& d) = 0;  // replaces the device's group list
  virtual Result<std::vector<DeviceRecord>> ListDevices() = 0;  // by ip
};

}  // namespace facepass::domain
