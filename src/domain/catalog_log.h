// Where an installation's catalogue stands (issue 27), for nodes that share
// one store: each node's 1:N index is a cache moved forward from here, never
// by a process-local lock. A single-process store (SQLite, held by its
// directory lock) has no such log: its one writer updates its own index.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "domain/types.h"

namespace facepass::domain {

// A group as its last change left it, with that change's catalogue sequence.
struct StampedGroup {
  GroupRecord group;  // deleted ones too
  int64_t seq = 0;
};

// What a node's first load hands its index: each live group once, with an
// upper bound of its size, before any face; then the faces in batches of one
// group, in (group, face) order within each key range the load reads. A large
// load reads several ranges at once.
class CatalogSnapshotSink {
 public:
  virtual ~CatalogSnapshotSink() = default;
  virtual Status Group(const GroupRecord& group, size_t upper_bound) = 0;
  // Called from several threads at once, for disjoint (group, face) ranges.
  virtual Status Faces(int64_t group_id, std::span<const int64_t> face_ids, std::span<const float> features) = 0;
};

class CatalogLog {
 public:
  virtual ~CatalogLog() = default;

  // The catalogue's sequence: +1 per committed transaction that changes a
  // group (create, delete, bind, unbind, the unbinds of a face delete), in
  // commit order, so a reader that saw S has seen every change up to S.
  // One indexed read.
  virtual Result<int64_t> CatalogSequence() = 0;
  // Groups whose last change has a sequence > after, oldest first.
  virtual Result<std::vector<StampedGroup>> GroupsChangedSince(int64_t after) = 0;
  // A node's first load: every live group and live binding with its feature
  // (`dim` floats, Corruption otherwise), read in one snapshot; answers that
  // snapshot's catalogue sequence. A sink's error stops it and is returned.
  virtual Result<int64_t> LoadSnapshot(size_t dim, CatalogSnapshotSink& sink) = 0;

  // The embedder whose features the catalogue holds: `model` when none was
  // recorded yet (the first node), else the one recorded. Features of one
  // embedder mean nothing to another, so a node on other models must refuse
  // to start rather than mix them.
  virtual Result<std::string> ClaimSearchModel(const std::string& model) = 0;

  // Wake-ups: on_change runs (on a thread of the store's) soon after another
  // process commits a change, and once after each reconnect (notices may have
  // been missed meanwhile). Only a hint: the reader still compares the
  // sequence, so a lost notice delays, never loses. Watching ends when the
  // handle goes. nullptr: this store announces nothing (the reader polls).
  class Watch {
   public:
    virtual ~Watch() = default;
  };
  virtual std::unique_ptr<Watch> WatchChanges(std::function<void()> on_change) {
    (void)on_change;
    return nullptr;
  }
};

}  // namespace facepass::domain
