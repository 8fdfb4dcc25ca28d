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

// One round's signals from the campaign to its clients.
struct Round {
  std::atomic<bool> stop{false};
  std::atomic<bool> killed{false};  // set just before the SIGKILL
};

// Runs until a request gets no answer (then l.pending is that request) or
// `stop`. A request unanswered before the kill is an error too: nothing died.
void RunClient(const Api& api, const Shared& shared, Ledger& l, const Round& round, Tally& t, uint32_t seed);
void Verify(const Api& api, const Shared& shared, Ledger& l, Tally& t);

}  // namespace facepass::crash
