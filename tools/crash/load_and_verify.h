// A campaign client's mixed load (face add and delete, group create and
// delete, bind, unbind, config set, device sync) and the check after each
// restart that its acknowledged writes are all there.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "campaign_ledger.h"
#include "client_ops.h"

namespace facepass::crash {

struct Shared {
  std::vector<Photo> photos;
  // Per photo; cleared by whichever client first has it refused (no face, quality).
  std::unique_ptr<std::atomic<bool>[]> enrols;
  std::string search_model;
};

// Runs until the server stops answering (then l.pending is the lost request) or `stop`.
void RunClient(const Api& api, const Shared& shared, Ledger& l, std::atomic<bool>& stop, Tally& t, uint32_t seed);
void Verify(const Api& api, const Shared& shared, Ledger& l, Tally& t);

}  // namespace facepass::crash
