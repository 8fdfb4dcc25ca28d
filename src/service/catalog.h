// The catalog: the faces, groups and bindings, held twice (SQLite, the source
// of truth, and the in-memory 1:N index) and owned here, with the one lock
// that keeps the two in step. Every write of faces, groups or bindings goes
// through this class; nothing else writes those tables or the index.
//
// Each committed group change is published to the ChangeFeed, if one is
// given, under mu_ (so notices of one group leave in version order).
//
// Locking: mu_ serialises the catalog's writes (each changes the database,
// then the index, before the next one starts). Reads take no lock: the
// database and the index are each thread-safe, and a read between two writes
// sees either side of a write, never half of one. Clang checks the annotations
// (ctest thread_safety_check).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "common/thread_annotations.h"
#include "service/catalog_metrics.h"
#include "service/domain_result.h"
#include "store/types.h"

namespace facepass::store {
class Database;
}
namespace facepass::index {
class FaceIndex;
}

namespace facepass::service {

class ChangeFeed;

class Catalog {
 public:
  // `index` already holds the database's bindings (index/store_loader.h).
  // `gauges`: the live face and group counts (the process registry's by default).
  // `feed`: hears "group X is now at V" after each group change; may be null;
  // must outlive the Catalog.
  Catalog(std::unique_ptr<store::Database> db, std::unique_ptr<index::FaceIndex> index,
          CatalogGauges gauges = CatalogGauges(&metrics::DefaultRegistry()), ChangeFeed* feed = nullptr);
  ~Catalog();
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;

  // For reads, and for the tables that are not the catalog's (images, config,
  // devices, keys, audit).
  store::Database& db() const { return *db_; }
  const index::FaceIndex& index() const { return *index_; }

  // A new face, bound to no group (so not in the index yet). Internal errors only.
  Result<int64_t> AddFace(int64_t image_id, const store::Rect& rect, std::span<const float> feature,
                          int64_t now_ms, const std::optional<std::string>& label = std::nullopt) EXCLUDES(mu_);
  // Sets or (nullopt) clears a live face's label. FACE_TOKEN_NOT_EXIST.
  DomainResult<Done> SetLabel(int64_t face_id, const std::optional<std::string>& label) EXCLUDES(mu_);
  // Unbinds it everywhere and marks it deleted. FACE_TOKEN_NOT_EXIST.
  DomainResult<Done> DeleteFace(int64_t face_id, int64_t now_ms) EXCLUDES(mu_);
  // GROUP_NAME_CONFLICT for a live group of that name.
  DomainResult<Done> CreateGroup(const std::string& name, int64_t now_ms) EXCLUDES(mu_);
  // GROUP_NAME_NOT_EXIST.
  DomainResult<Done> DeleteGroup(const std::string& name, int64_t now_ms) EXCLUDES(mu_);
  // GROUP_NAME_NOT_EXIST, FACE_TOKEN_NOT_EXIST (absent or deleted). Binding a
  // bound face changes nothing.
  DomainResult<Done> Bind(const std::string& group_name, int64_t face_id, int64_t now_ms) EXCLUDES(mu_);
  // GROUP_NAME_NOT_EXIST, GROUP_BINDING_NOT_EXIST.
  DomainResult<Done> Unbind(const std::string& group_name, int64_t face_id, int64_t now_ms) EXCLUDES(mu_);

 private:
  void CountFaces(int64_t d) REQUIRES(mu_);
  void CountGroups(int64_t d) REQUIRES(mu_);
  // Publishes the group's current version (after a committed change).
  void Notify(const store::GroupRecord& group) REQUIRES(mu_);

  const std::unique_ptr<store::Database> db_;
  const std::unique_ptr<index::FaceIndex> index_;
  Mutex mu_;
  // The same two objects, as the writes see them: only under mu_.
  store::Database* const db_writes_ PT_GUARDED_BY(mu_);
  index::FaceIndex* const index_writes_ PT_GUARDED_BY(mu_);
  // This catalogue's share of the gauges, taken back by the destructor.
  const CatalogGauges gauges_;
  ChangeFeed* const feed_;  // may be null; thread-safe itself
  int64_t live_faces_ GUARDED_BY(mu_) = 0;
  int64_t live_groups_ GUARDED_BY(mu_) = 0;
};

}  // namespace facepass::service
