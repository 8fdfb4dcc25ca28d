#include "load_and_verify.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

namespace facepass::crash {

using nlohmann::json;

namespace {

template <typename C>
auto PickFrom(const C& c, std::mt19937& rng) {
  auto it = c.begin();
  std::advance(it, std::uniform_int_distribution<size_t>(0, c.size() - 1)(rng));
  return it;
}

std::string Describe(const Ledger& l, const std::string& what) { return "client " + std::to_string(l.id) + ": " + what; }

}  // namespace

// One client's load until a request goes unanswered (the kill) or `stop`.
// Behind a balancer the clients whose requests the surviving nodes answer
// keep going after the kill.
void RunClient(const Api& api, const Shared& shared, Ledger& l, const Round& round, Tally& t, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> pct(0, 99);
  auto name_pool = [&](int n) { return "c" + std::to_string(l.id) + "g" + std::to_string(n); };
  while (!round.stop) {
    Pending p;
    const int r = pct(rng);
    std::vector<int> usable;
    for (size_t i = 0; i < shared.photos.size(); ++i)
      if (shared.enrols[i]) usable.push_back(static_cast<int>(i));
    const bool can_add = !usable.empty();
    if (r < 20 && can_add && l.faces.size() < 8) {
      p.op = Op::kAddFace;
    } else if (r < 27 && l.faces.size() >= 3) {
      p.op = Op::kDeleteFace;
      p.token = PickFrom(l.faces, rng)->first;
    } else if (r < 40 && l.groups.size() < 4) {
      p.op = Op::kCreateGroup;
      for (int n = 0; n < 6; ++n)
        if (!l.groups.count(name_pool(n))) p.group = name_pool(n);
      if (p.group.empty()) continue;
      std::string alt = name_pool(std::uniform_int_distribution<int>(0, 5)(rng));
      if (!l.groups.count(alt)) p.group = alt;
    } else if (r < 45 && l.groups.size() >= 2) {
      p.op = Op::kDeleteGroup;
      p.group = PickFrom(l.groups, rng)->first;
    } else if (r < 72 && !l.groups.empty() && !l.faces.empty()) {
      p.op = Op::kBind;
      p.group = PickFrom(l.groups, rng)->first;
      p.token = PickFrom(l.faces, rng)->first;
    } else if (r < 85 && !l.groups.empty()) {
      auto g = PickFrom(l.groups, rng);
      if (g->second.empty()) continue;
      p.op = Op::kUnbind;
      p.group = g->first;
      p.token = *PickFrom(g->second, rng);
    } else if (r < 90 && l.id == 0) {
      p.op = Op::kConfig;
      p.value = std::uniform_int_distribution<int>(60, 95)(rng);
    } else if (r >= 90) {
      p.op = Op::kSync;
    } else {
      continue;
    }

    Answer a;
    int photo = -1;
    sync::SyncResult synced;
    switch (p.op) {
      case Op::kAddFace: {
        photo = *PickFrom(usable, rng);
        p.value = photo;
        a = api.AddFace(shared.photos[static_cast<size_t>(photo)].bytes);
        break;
      }
      case Op::kDeleteFace: a = api.Post("/api/face/v1/delete", {{"face_token", p.token}}); break;
      case Op::kCreateGroup: a = api.Post("/api/group/v1/create", {{"group_name", p.group}}); break;
      case Op::kDeleteGroup: a = api.Post("/api/group/v1/delete", {{"group_name", p.group}}); break;
      case Op::kBind: a = api.Post("/api/group/v1/bind", {{"group_name", p.group}, {"face_token", p.token}}); break;
      case Op::kUnbind: a = api.Post("/api/group/v1/unbind", {{"group_name", p.group}, {"face_token", p.token}}); break;
      case Op::kConfig: a = api.SetThreshold(p.value); break;
      case Op::kSync: {
        std::vector<std::string> names;
        for (const auto& [g, faces] : l.groups) names.push_back(g);
        auto s = api.Sync(shared.search_model, names, &a);
        if (a.kind == Answer::kOk) {
          if (!s.ok()) t.Problem(&Tally::errors, Describe(l, "sync answer does not decode: " + s.status().ToString()));
          else synced = std::move(*s);
        }
        break;
      }
      case Op::kNone: break;
    }
    if (a.kind == Answer::kNoAnswer) {
      ++(a.status != 0 ? t.gateway : t.dropped);
      if (!round.killed)
        t.Problem(&Tally::errors, Describe(l, "no answer before the kill (HTTP " + std::to_string(a.status) + ") " +
                                                  a.body.substr(0, 200)));
      l.pending = p;
      return;
    }
    if (a.kind == Answer::kBusy) {
      ++t.busy;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    if (a.kind == Answer::kRefused && p.op == Op::kAddFace && (a.code == 104200 || a.code == 104201)) {
      shared.enrols[static_cast<size_t>(photo)] = false;  // no usable face: not a write
      continue;
    }
    if (a.kind != Answer::kOk) {
      t.Problem(&Tally::errors, Describe(l, "HTTP " + std::to_string(a.status) + " " + a.body.substr(0, 200)));
      continue;
    }
    ++t.acked;
    if (round.killed) ++t.after_kill;
    switch (p.op) {
      case Op::kAddFace:
        l.faces[a.data().value("face_token", "")] = {a.data().value("image_id", ""), photo};
        break;
      case Op::kDeleteFace:
        l.faces.erase(p.token);
        for (auto& [g, bound] : l.groups) bound.erase(p.token);
        break;
      case Op::kCreateGroup:
        l.groups[p.group] = {};
        l.dead_groups.erase(p.group);
        break;
      case Op::kDeleteGroup:
        l.groups.erase(p.group);
        l.dead_groups.insert(p.group);
        break;
      case Op::kBind: l.groups[p.group].insert(p.token); break;
      case Op::kUnbind: l.groups[p.group].erase(p.token); break;
      case Op::kConfig:
        l.has_config = true;
        l.config = p.value;
        break;
      case Op::kSync:
        for (const auto& g : synced.groups) {
          if (g.action == sync::GroupAction::kKeepLocal) continue;
          int64_t& seen = l.versions[g.group_name];
          if (g.cloud_version < seen)
            t.Problem(&Tally::lost, Describe(l, g.group_name + " version went back from " + std::to_string(seen) +
                                                    " to " + std::to_string(g.cloud_version)));
          seen = std::max(seen, g.cloud_version);
        }
        break;
      case Op::kNone: break;
    }
  }
}

// After a restart: every acknowledged write is there, the pending one is all
// there or not at all; then the ledger becomes what the server holds.
void Verify(const Api& api, const Shared& shared, Ledger& l, Tally& t) {
  const Pending p = l.pending;
  l.pending = {};
  auto must = [&](const Answer& a, const std::string& what) {
    if (a.kind == Answer::kNoAnswer || a.kind == Answer::kBusy || a.kind == Answer::kError)
      t.Problem(&Tally::errors, Describe(l, what + ": HTTP " + std::to_string(a.status)));
  };
  // Faces: the acknowledged ones, with their original bytes.
  for (auto it = l.faces.begin(); it != l.faces.end();) {
    const std::string token = it->first;
    Answer q = api.Post("/api/face/v1/query", {{"face_token", token}});
    must(q, "face query");
    Answer img = api.Get("/api/image/v1/query?image_id=" + it->second.image_id);
    if (img.status != 200 || img.body != shared.photos[static_cast<size_t>(it->second.photo)].bytes)
      t.Problem(&Tally::lost, Describe(l, "original of face " + token + " missing or changed (HTTP " +
                                              std::to_string(img.status) + ")"));
    if (q.kind == Answer::kOk) {
      ++it;
      continue;
    }
    if (p.op == Op::kDeleteFace && p.token == token && q.code == 104202) {
      ++t.pending_landed;
      for (auto& [g, bound] : l.groups) bound.erase(token);
      it = l.faces.erase(it);
      continue;
    }
    t.Problem(&Tally::lost, Describe(l, "acknowledged face " + token + " lost: " + q.body.substr(0, 120)));
    it = l.faces.erase(it);
  }
  if (p.op == Op::kDeleteFace && l.faces.count(p.token)) ++t.pending_absent;
  if (p.op == Op::kAddFace) ++t.pending_absent;  // its token is unknown; `facepass check` covers its image
  // Groups: live ones with exactly their bindings; deleted ones absent.
  auto query = [&](const std::string& g, std::set<std::string>* faces) {
    Answer a = api.Post("/api/group/v1/query", {{"group_name", g}});
    if (a.kind == Answer::kOk)
      for (const auto& f : a.data().at("faces")) faces->insert(f.get<std::string>());
    return a;
  };
  for (auto it = l.groups.begin(); it != l.groups.end();) {
    const std::string g = it->first;
    std::set<std::string> actual;
    Answer a = query(g, &actual);
    must(a, "group query");
    if (a.kind != Answer::kOk) {
      if (p.op == Op::kDeleteGroup && p.group == g && a.code == 104301) {
        ++t.pending_landed;
        l.dead_groups.insert(g);
      } else {
        t.Problem(&Tally::lost, Describe(l, "acknowledged group " + g + " lost: " + a.body.substr(0, 120)));
      }
      it = l.groups.erase(it);
      continue;
    }
    std::set<std::string> expected = it->second;
    if (p.group == g && (p.op == Op::kBind || p.op == Op::kUnbind)) {
      const bool has = actual.count(p.token) > 0;
      const bool landed = p.op == Op::kBind ? has : !has;
      if (landed) ++t.pending_landed; else ++t.pending_absent;
      if (p.op == Op::kBind && has && l.faces.count(p.token)) expected.insert(p.token);
      if (p.op == Op::kUnbind && !has) expected.erase(p.token);
    }
    if (p.op == Op::kDeleteGroup && p.group == g) ++t.pending_absent;
    for (const std::string& f : actual)
      if (!l.faces.count(f)) t.Problem(&Tally::half, Describe(l, g + " binds " + f + ", not a live face of this client"));
    if (actual != expected) {
      t.Problem(&Tally::lost, Describe(l, g + " bindings differ: " + std::to_string(actual.size()) + " bound, " +
                                              std::to_string(expected.size()) + " acknowledged"));
    }
    it->second = actual;
    ++it;
  }
  for (auto it = l.dead_groups.begin(); it != l.dead_groups.end();) {
    std::set<std::string> actual;
    Answer a = query(*it, &actual);
    if (a.kind == Answer::kOk) {
      if (p.op == Op::kCreateGroup && p.group == *it && actual.empty()) {
        ++t.pending_landed;
        l.groups[*it] = {};
        it = l.dead_groups.erase(it);
        continue;
      }
      t.Problem(&Tally::lost, Describe(l, "deleted group " + *it + " is back"));
    }
    ++it;
  }
  if (p.op == Op::kCreateGroup && !l.groups.count(p.group)) {
    std::set<std::string> actual;
    Answer a = query(p.group, &actual);
    if (a.kind == Answer::kOk) {
      if (!actual.empty()) t.Problem(&Tally::half, Describe(l, "new group " + p.group + " has bindings"));
      ++t.pending_landed;
      l.groups[p.group] = actual;
      l.dead_groups.erase(p.group);
    } else {
      ++t.pending_absent;
    }
  }
  // Config: the last acknowledged value, or the unanswered one.
  if (l.id == 0 && (l.has_config || p.op == Op::kConfig)) {
    Answer c = api.Get("/api/service/config/v1");
    must(c, "config get");
    if (c.kind == Answer::kOk) {
      const double now = c.data().value("recognize_threshold", -1.0);
      if (p.op == Op::kConfig && std::fabs(now - p.value) < 1e-6) {
        ++t.pending_landed;
        l.has_config = true;
        l.config = now;
      } else if (l.has_config && std::fabs(now - l.config) > 1e-6) {
        t.Problem(&Tally::lost, Describe(l, "recognize_threshold " + std::to_string(now) + ", acknowledged " +
                                                std::to_string(l.config)));
      } else if (p.op == Op::kConfig) {
        ++t.pending_absent;
      }
    }
  }
  // Sync: versions never go back, and the sync copy has the group's bindings.
  std::vector<std::string> names;
  for (const auto& [g, f] : l.groups) names.push_back(g);
  Answer a;
  auto s = api.Sync(shared.search_model, names, &a);
  must(a, "sync");
  if (a.kind == Answer::kOk && !s.ok()) t.Problem(&Tally::errors, Describe(l, "sync: " + s.status().ToString()));
  if (!s.ok()) return;
  for (const auto& g : s->groups) {
    int64_t& seen = l.versions[g.group_name];
    if (g.cloud_version < seen)
      t.Problem(&Tally::lost, Describe(l, g.group_name + " version went back from " + std::to_string(seen) + " to " +
                                              std::to_string(g.cloud_version) + " after the restart"));
    seen = std::max(seen, g.cloud_version);
    std::set<std::string> synced;
    for (const auto& f : g.added) synced.insert(f.face_token);
    if (synced != l.groups[g.group_name])
      t.Problem(&Tally::half, Describe(l, g.group_name + ": the sync copy differs from the group's bindings"));
  }
}

}  // namespace facepass::crash
