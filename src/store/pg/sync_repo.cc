// Reads for device sync and start-up: change log, full bindings.
#include "store/change_log.h"
#include "store/pg/pg_internal.h"
#include "store/pg/pg_store.h"

namespace facepass::store::pg {

using domain::GroupChange;
using domain::GroupRecord;
using internal::Mode;
using internal::Run;

namespace {

constexpr int kFullGroupReadTimeoutMs = 60000;

std::vector<GroupChange> ReadChanges(pqxx::work& w, int64_t group_id, int64_t from_version) {
  std::vector<GroupChange> out;
  for (const auto& row : w.exec_params("SELECT version, face_id, op FROM group_changes "
                                       "WHERE group_id = $1 AND version > $2 AND op IN (1, 2) ORDER BY version",
                                       group_id, from_version))
    out.push_back(GroupChange{row[0].as<int64_t>(), row[1].as<int64_t>(), row[2].as<int>() == kOpBind});
  return out;
}

}  // namespace

Result<std::optional<std::vector<GroupChange>>> PgStore::ChangesSince(int64_t group_id, int64_t from_version) {
  using Out = std::optional<std::vector<GroupChange>>;
  return Run(*pool_, Mode::kSnapshot, [&](pqxx::work& w) -> Result<Out> {
    GroupRecord g;
    int64_t floor = 0;
    if (!internal::ReadGroup(w, group_id, &g, &floor)) return Status::NotFound("group id " + std::to_string(group_id));
    Out out;
    if (change_log::Reaches(g, floor, from_version)) out = ReadChanges(w, group_id, from_version);
    return out;
  });
}

Result<std::vector<std::pair<int64_t, std::vector<float>>>> PgStore::FeaturesOf(const std::vector<int64_t>& face_ids) {
  using Out = std::vector<std::pair<int64_t, std::vector<float>>>;
  return Run(*pool_, Mode::kSnapshot, [&](pqxx::work& w) -> Result<Out> {
    Out out;
    out.reserve(face_ids.size());
    for (int64_t id : face_ids) {
      const pqxx::result r = w.exec_params("SELECT feature FROM faces WHERE id = $1 AND NOT deleted", id);
      if (r.empty()) continue;
      FP_ASSIGN_OR_RETURN(auto feature, internal::FeatureOf(r[0][0]));
      out.emplace_back(id, std::move(feature));
    }
    return out;
  });
}

Result<domain::GroupDelta> PgStore::SyncDelta(int64_t group_id, int64_t from_version) {
  return Run(*pool_, Mode::kSnapshot, [&](pqxx::work& w) -> Result<domain::GroupDelta> {
    domain::GroupDelta d;
    int64_t floor = 0;
    if (!internal::ReadGroup(w, group_id, &d.group, &floor))
      return Status::NotFound("group id " + std::to_string(group_id));
    if (d.group.deleted || from_version == d.group.version) return d;
    if (from_version <= 0 || !change_log::Reaches(d.group, floor, from_version)) {
      d.full = true;
      // Every face of the group with its feature: for a group of 100k faces
      // longer than the pool's 2 s per statement (a node's first load, a
      // device's FULL sync), so this one read gets a minute.
      w.exec("SET LOCAL statement_timeout = " + std::to_string(kFullGroupReadTimeoutMs));
      for (const auto& row : w.exec_params("SELECT b.face_id, f.feature, f.label FROM bindings b "
                                           "JOIN faces f ON f.id = b.face_id "
                                           "WHERE b.group_id = $1 AND NOT f.deleted ORDER BY b.face_id",
                                           group_id)) {
        FP_ASSIGN_OR_RETURN(auto feature, internal::FeatureOf(row[1]));
        const int64_t face_id = row[0].as<int64_t>();
        d.added.emplace_back(face_id, std::move(feature));
        if (!row[2].is_null()) d.labels.emplace(face_id, row[2].as<std::string>());
      }
      return d;
    }
    const change_log::NetEffect net = change_log::Net(ReadChanges(w, group_id, from_version));
    d.deleted = net.deleted;
    for (int64_t face_id : net.added) {
      const pqxx::result r = w.exec_params("SELECT feature, label FROM faces WHERE id = $1 AND NOT deleted", face_id);
      if (r.empty()) continue;
      FP_ASSIGN_OR_RETURN(auto feature, internal::FeatureOf(r[0][0]));
      d.added.emplace_back(face_id, std::move(feature));
      if (!r[0][1].is_null()) d.labels.emplace(face_id, r[0][1].as<std::string>());
    }
    return d;
  });
}

Status PgStore::ForEachBinding(
    const std::function<void(int64_t group_id, int64_t face_id, std::span<const float> feature)>& fn) {
  return Run(*pool_, Mode::kBulk, [&](pqxx::work& w) -> Status {
    // A cursor: a million bindings stream in batches instead of one result.
    w.exec("DECLARE fp_bindings NO SCROLL CURSOR FOR "
           "SELECT b.group_id, b.face_id, f.feature FROM bindings b JOIN faces f ON f.id = b.face_id "
           "WHERE NOT f.deleted ORDER BY b.group_id, b.face_id");
    for (;;) {
      const pqxx::result batch = w.exec("FETCH FORWARD 2000 FROM fp_bindings");
      if (batch.empty()) break;
      for (const auto& row : batch) {
        FP_ASSIGN_OR_RETURN(auto feature, internal::FeatureOf(row[2]));
        fn(row[0].as<int64_t>(), row[1].as<int64_t>(), std::span<const float>(feature));
      }
    }
    return Status::OK();
  });
}

}  // namespace facepass::store::pg
