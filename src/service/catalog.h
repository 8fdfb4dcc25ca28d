// The catalog: the faces, groups and bindings, held twice (the store, SQLite or
// PostgreSQL, the source of truth, and the in-memory 1:N index) and owned here, with the one lock
// that keeps the two in step. Every write of faces, groups or bindings goes
// through this class; nothing else writes those tables or the index.
//
// Each committed group change is published to the ChangeFeed, if one is
// given, under mu_ (so notices of one group leave in version order).
//
// Two modes, by the store. SQLite (no CatalogLog: this process is the only
// writer): each write changes the database, then the index. PostgreSQL
// (several nodes share the store): the index is a cache of the store moved
// forward only by CatchUp, from the catalogue's sequence and each changed
// group's delta (one snapshot per group), for this node's writes and other
// nodes' alike; reads that use the index call CatchUp first, so a change any
// node acknowledged is seen (one indexed read when nothing changed).
//
// Audit: each write takes the audit row of the change (domain/audited.h) and
// the store commits it in the change's transaction; empty: no row.
//
// Locking: on SQLite mu_ serialises the catalog's writes (each changes the
// database, then the index, before the next one starts). In follow mode no
// write holds it across the store (the store orders concurrent writers, and
// only CatchUp, under mu_, changes the index); a write then catches up. Reads take no lock: the
// database and the index are each thread-safe, and a read between two writes
// sees either side of a write, never half of one. Clang checks the annotations
// (ctest thread_safety_check).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "common/thread_annotations.h"
#include "service/catalog_metrics.h"
#include "domain/audited.h"
#include "service/domain_result.h"
#include "store/types.h"

namespace facepass::domain {
class CatalogLog;
class Storage;
}
namespace facepass::index {
class FaceIndex;
}

namespace facepass::service {

class ChangeFeed;

class Catalog {
 public:
  // `index` already holds the store's bindings, except in follow mode (the
  // store has a CatalogLog), where it starts empty and the first CatchUp
  // fills it. `storage` must outlive the Catalog.
  // `gauges`: the live face and group counts (the process registry's by default).
  // `feed`: hears "group X is now at V" after each group change; may be null;
  // must outlive the Catalog.
  Catalog(domain::Storage& storage, std::unique_ptr<index::FaceIndex> index,
          CatalogGauges gauges = CatalogGauges(&metrics::DefaultRegistry()), ChangeFeed* feed = nullptr);
  ~Catalog();
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;

  // For reads, and for the repositories that are not the catalog's (images,
  // recognitions, config, devices, keys, audit).
  domain::Storage& storage() const { return storage_; }
  const index::FaceIndex& index() const { return *index_; }

  // Follow mode: brings the index to the store's catalogue sequence (also
  // publishing each group version it applies). OK at once without a log.
  Status CatchUp() EXCLUDES(mu_);
  bool follows() const { return log_ != nullptr; }

  // A new face, bound to no group (so not in the index yet). Internal errors only.
  // `audit` gets the new face's id.
  Result<int64_t> AddFace(int64_t image_id, const store::Rect& rect, std::span<const float> feature,
                          int64_t now_ms, const std::optional<std::string>& label = std::nullopt,
                          const domain::AuditOf<int64_t>& audit = {}) EXCLUDES(mu_);
  // Sets or (nullopt) clears a live face's label. FACE_TOKEN_NOT_EXIST.
  DomainResult<Done> SetLabel(int64_t face_id, const std::optional<std::string>& label,
                              const domain::AuditHook& audit = {}) EXCLUDES(mu_);
  // Unbinds it everywhere and marks it deleted. FACE_TOKEN_NOT_EXIST.
  DomainResult<Done> DeleteFace(int64_t face_id, int64_t now_ms, const domain::AuditHook& audit = {}) EXCLUDES(mu_);
  // GROUP_NAME_CONFLICT for a live group of that name.
  DomainResult<Done> CreateGroup(const std::string& name, int64_t now_ms, const domain::AuditHook& audit = {})
      EXCLUDES(mu_);
  // GROUP_NAME_NOT_EXIST.
  DomainResult<Done> DeleteGroup(const std::string& name, int64_t now_ms, const domain::AuditHook& audit = {})
      EXCLUDES(mu_);
  // GROUP_NAME_NOT_EXIST, FACE_TOKEN_NOT_EXIST (absent or deleted). Binding a
  // bound face changes nothing (its audit row is still written).
  DomainResult<Done> Bind(const std::string& group_name, int64_t face_id, int64_t now_ms,
                          const domain::AuditHook& audit = {}) EXCLUDES(mu_);
  // GROUP_NAME_NOT_EXIST, GROUP_BINDING_NOT_EXIST.
  DomainResult<Done> Unbind(const std::string& group_name, int64_t face_id, int64_t now_ms,
                            const domain::AuditHook& audit = {}) EXCLUDES(mu_);

 private:
  void CountFaces(int64_t d) REQUIRES(mu_);
  void CountGroups(int64_t d) REQUIRES(mu_);
  // Publishes the group's current version (after a committed change).
  void Notify(const store::GroupRecord& group) REQUIRES(mu_);
  void CountFacesAlone(int64_t d) EXCLUDES(mu_);  // follow mode: takes mu_ for the count only
  // Follow mode, after a committed write: the write is acknowledged whatever
  // this returns (a failed catch-up is retried by the next read).
  void Follow(const char* what) EXCLUDES(mu_);
  Status CatchUpLocked(int64_t seq) REQUIRES(mu_);
  // The first catch-up: the whole catalogue in one snapshot (CatalogLog::
  // LoadSnapshot); its sequence.
  Result<int64_t> LoadSnapshotLocked() REQUIRES(mu_);
  Status ApplyGroupLocked(const store::GroupRecord& group) REQUIRES(mu_);

  domain::Storage& storage_;
  const std::unique_ptr<index::FaceIndex> index_;
  Mutex mu_;
  // The same two objects, as the writes see them: only under mu_.
  domain::Storage* const store_writes_ PT_GUARDED_BY(mu_);
  index::FaceIndex* const index_writes_ PT_GUARDED_BY(mu_);
  // This catalogue's share of the gauges, taken back by the destructor.
  const CatalogGauges gauges_;
  ChangeFeed* const feed_;  // may be null; thread-safe itself
  domain::CatalogLog* const log_;  // null: not follow mode
  // Follow mode: the sequence the index reflects (read without mu_ by
  // CatchUp's fast path), and each indexed live group's version.
  std::atomic<int64_t> applied_seq_{-1};
  std::map<int64_t, int64_t> versions_ GUARDED_BY(mu_);
  int64_t live_faces_ GUARDED_BY(mu_) = 0;
  int64_t live_groups_ GUARDED_BY(mu_) = 0;
};

}  // namespace facepass::service
