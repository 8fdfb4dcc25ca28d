// The crash campaign's bookkeeping: what one client was told was done (its
// acknowledged writes) and the single request it sent that got no answer.
// Each client owns its own faces and groups (names "c<id>g<n>"), so its ledger
// alone says what the server must hold of them; config is written by client 0.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace facepass::crash {

struct Photo {
  std::string name;
  std::string bytes;
};

struct FaceRec {
  std::string image_id;
  int photo = 0;  // index into the photo list: the original's bytes
};

enum class Op { kNone, kAddFace, kDeleteFace, kCreateGroup, kDeleteGroup, kBind, kUnbind, kConfig, kSync };

// The request in flight when the connection died: it may or may not have landed.
struct Pending {
  Op op = Op::kNone;
  std::string group, token;
  double value = 0;  // kConfig
};

struct Ledger {
  int id = 0;
  std::map<std::string, FaceRec> faces;                  // acknowledged live faces by token
  std::map<std::string, std::set<std::string>> groups;   // acknowledged live groups -> bound tokens
  std::set<std::string> dead_groups;                     // acknowledged deleted (name not live)
  std::map<std::string, int64_t> versions;               // name -> highest version seen by an answered sync
  bool has_config = false;
  double config = 0;                                     // last acknowledged recognize_threshold
  Pending pending;
};

struct Tally {
  int64_t acked = 0;        // acknowledged writes
  int64_t lost = 0;         // acknowledged effects missing or changed after a restart
  int64_t half = 0;         // an unanswered write seen half done, or an impossible state
  int64_t errors = 0;       // answers other than success, an expected refusal or 503
  int64_t busy = 0;         // 503 answers (retried)
  int64_t pending_landed = 0, pending_absent = 0;  // what became of unanswered writes
  int64_t gateway = 0;      // unanswered: a 502/503/504 instead of the node's answer (cluster)
  int64_t dropped = 0;      // unanswered: the connection failed or dropped
  int64_t after_kill = 0;   // acknowledged after the kill (cluster: by the surviving nodes)
  std::vector<std::string> problems;  // the first few, for the report

  void Problem(int64_t Tally::*counter, const std::string& what);
};

}  // namespace facepass::crash
