// facepass-device: a gate device simulator over the device SDK (src/client).
//
//   facepass-device sync --server URL --group NAME [--group NAME2] --store FILE [--sync-format 2|1]
//   facepass-device watch --server URL --store FILE [--notify auto|off] [--safety-poll 300] [--sync-format 2|1]
//                         [--interval 10] [--max-backoff 300]
//   facepass-device recognize IMAGE --store FILE --group NAME --offline|--online [--server URL] [--fallback]
//                             [--liveness [--liveness-threshold 50]]
//   facepass-device status --store FILE
//   facepass-device enrol PHOTO --store FILE --group NAME --models-dir DIR   (local edit)
//   facepass-device delete --store FILE --group NAME --face-token TOKEN      (local edit)
//   facepass-device list --store FILE --group NAME
//
// A local edit sets the group's local_version to 0: the next sync replaces the
// group with the cloud's copy (docs/sync-protocol.md, "Local edits").
//
// --sync-format (kept in the store): 2, the default, brings each face's label
// (printed with a match by recognize) and float16 features; 1 is the spec's stream.
//
// Every command prints one JSON document on stdout (watch: one per round);
// errors go to stderr. Exit status: 0 ok, 1 error, 2 server unreachable/busy.
#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "client/device.h"
#include "client/watcher.h"
#include "vision/engine.h"

namespace {

using facepass::Result;
using facepass::Status;
using facepass::StatusCode;
using namespace facepass::client;

std::atomic<bool> g_stop{false};

void OnSignal(int) { g_stop = true; }

int Fail(const Status& s) {
  std::cerr << "facepass-device: " << s.ToString() << "\n";
  return s.code() == StatusCode::kUnavailable ? 2 : 1;
}

struct Common {
  std::string store;
  std::string models_dir;
  std::string server;
  std::vector<std::string> groups;
  std::string source_ip;
  std::string api_key, ca_file;
  int sync_format = 0;  // 0: as the store has it
};

HttpOptions Http(const Common& c) {
  HttpOptions o;
  o.source_ip = c.source_ip;
  o.api_key = c.api_key;
  o.ca_file = c.ca_file;
  return o;
}

nlohmann::json ReportJson(const SyncOutcome& o) {
  nlohmann::json groups = nlohmann::json::array();
  for (const ApplyReport::Group& g : o.report.groups) {
    nlohmann::json j = {{"group_name", g.group_name},
                        {"action", facepass::sync::GroupActionName(g.action)},
                        {"group_id", g.group_id},
                        {"local_version", g.local_version},
                        {"facetoken_added", g.added},
                        {"facetoken_deleted", g.deleted}};
    if (g.skipped) j["skipped"] = g.note;
    groups.push_back(std::move(j));
  }
  return {{"clear_all", o.report.clear_all},
          {"request_bytes", o.request_bytes},
          {"response_bytes", o.response_bytes},
          {"http_ms", o.http_seconds * 1000},
          {"apply_ms", o.apply_seconds * 1000},
          {"groups", std::move(groups)}};
}

nlohmann::json StatusJson(DeviceStore& store) {
  nlohmann::json out;
  Result<StoreInfo> info = store.Info();
  Result<std::vector<LocalGroup>> groups = store.Groups();
  if (!info.ok() || !groups.ok()) return nullptr;
  out["search_model"] = info->search_model;
  out["dim"] = info->dim;
  out["recognize_threshold"] = info->recognize_threshold;
  out["last_sync_ms"] = info->last_sync_ms;
  out["server_time_ms"] = info->server_time_ms;
  out["groups"] = nlohmann::json::array();
  for (const LocalGroup& g : *groups) {
    out["groups"].push_back({{"group_name", g.group_name},
                             {"group_id", g.group_id},
                             {"local_version", g.local_version},
                             {"face_count", g.face_count}});
  }
  return out;
}

// Loads the engine when a models directory is given (or required).
Result<std::unique_ptr<facepass::vision::Engine>> MaybeEngine(const std::string& models_dir, bool required) {
  if (models_dir.empty()) {
    if (required) return Status::InvalidArgument("--models-dir is required for this command");
    return std::unique_ptr<facepass::vision::Engine>();
  }
  facepass::vision::EngineOptions opts;
  opts.models_dir = models_dir;
  return facepass::vision::Engine::Create(opts);
}

Result<std::unique_ptr<Device>> OpenDevice(const Common& c, const facepass::vision::Engine* engine) {
  Result<std::unique_ptr<Device>> d = Device::Open(c.store, engine);
  if (!d.ok()) return d.status();
  for (const std::string& g : c.groups) FP_RETURN_IF_ERROR((*d)->store().AddGroup(g));
  if (c.sync_format != 0) FP_RETURN_IF_ERROR((*d)->store().SetSyncFormat(static_cast<uint16_t>(c.sync_format)));
  return d;
}

int RunSync(const Common& c) {
  auto engine = MaybeEngine(c.models_dir, false);
  if (!engine.ok()) return Fail(engine.status());
  auto device = OpenDevice(c, engine->get());
  if (!device.ok()) return Fail(device.status());
  HttpClient http(Http(c));
  Result<SyncOutcome> r = (*device)->Sync(http, c.server);
  if (!r.ok()) return Fail(r.status());
  std::cout << ReportJson(*r).dump(2) << std::endl;
  return 0;
}

struct WatchFlags {
  int interval_s = 10, max_backoff_s = 300, rounds = 0, safety_poll_s = 300, notice_spread_ms = 250;
  std::string notify = "auto";
};

// Sync at once, then on every notice of the server's notify stream that a
// group moved (a safety poll every --safety-poll s), or every --interval s
// when the server has no notify endpoint or the stream is down.
int RunWatch(const Common& c, const WatchFlags& f) {
  auto engine = MaybeEngine(c.models_dir, false);
  if (!engine.ok()) return Fail(engine.status());
  auto device = OpenDevice(c, engine->get());
  if (!device.ok()) return Fail(device.status());
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  WatchOptions o;
  o.poll_interval = std::chrono::seconds(f.interval_s);
  o.safety_poll = std::chrono::seconds(f.safety_poll_s);
  o.notice_spread = std::chrono::milliseconds(f.notice_spread_ms);
  o.min_backoff = std::chrono::seconds(1);  // a notice's sync turned away (503) comes back soon
  o.max_backoff = std::chrono::seconds(f.max_backoff_s);
  o.notify = f.notify != "off";
  Watcher watcher(**device, Http(c), c.server, o);
  bool last_failed = false;
  watcher.Run(
      g_stop, f.rounds,
      [&](const WatchRound& r) {
        last_failed = !r.status.ok();
        if (r.status.ok()) {
          nlohmann::json j = ReportJson(r.outcome);
          j["round"] = r.round;
          j["trigger"] = r.trigger;
          std::cout << j.dump() << std::endl;
        } else {
          // Exponential backoff, capped; a busy or unreachable server is expected in the field.
          std::cerr << "facepass-device: round " << r.round << ": " << r.status.ToString() << "; retry in "
                    << r.next_in.count() / 1000.0 << " s\n";
        }
      },
      [](const NotifyState& s) {
        switch (s.kind) {
          case NotifyState::Kind::kOpen:
            std::cerr << "facepass-device: notify stream open: syncing on notices\n";
            break;
          case NotifyState::Kind::kLost:
            std::cerr << "facepass-device: notify stream "
                      << (s.status.ok() ? std::string("ended by the server") : "lost (" + s.status.ToString() + ")")
                      << "; polling, reconnect in " << s.retry_in.count() / 1000.0 << " s\n";
            break;
          case NotifyState::Kind::kAbsent:
            std::cerr << "facepass-device: the server has no notify endpoint: polling\n";
            break;
        }
      });
  return last_failed ? 2 : 0;
}

int RunRecognize(const Common& c, const std::string& image, bool online, bool fallback, const std::string& save_dir,
                 const OfflineOptions& liveness) {
  std::ifstream in(image, std::ios::binary);
  if (!in) return Fail(Status::IoError("cannot read " + image));
  std::stringstream buf;
  buf << in.rdbuf();
  std::string bytes = buf.str();
  if (c.groups.size() != 1) return Fail(Status::InvalidArgument("recognize needs exactly one --group"));
  if (online && c.server.empty()) return Fail(Status::InvalidArgument("--online needs --server"));
  auto engine = MaybeEngine(c.models_dir, true);
  if (!engine.ok()) return Fail(engine.status());
  Common no_groups = c;
  no_groups.groups.clear();  // recognising does not configure groups
  auto device = OpenDevice(no_groups, engine->get());
  if (!device.ok()) return Fail(device.status());
  Result<std::vector<Capture>> captures = (*device)->Captures(bytes);
  if (!captures.ok()) return Fail(captures.status());
  if (captures->empty()) return Fail(Status::NotFound("FACE_NOT_FOUND: no face in " + image));
  if (!save_dir.empty()) {
    for (const Capture& cap : *captures) {
      std::ofstream out(save_dir + "/image_" + std::to_string(cap.track_id) + ".jpg", std::ios::binary);
      out.write(cap.jpeg.data(), static_cast<std::streamsize>(cap.jpeg.size()));
      if (!out) return Fail(Status::IoError("cannot write captures to " + save_dir));
    }
  }
  HttpClient http(Http(c));
  nlohmann::json j;
  if (online && fallback) {
    Result<Device::Recognized> r = (*device)->Recognize(http, c.server, c.groups[0], *captures, liveness);
    if (!r.ok()) return Fail(r.status());
    j = ToJson(r->answer);
    j["mode"] = r->offline ? "offline" : "online";
    if (r->offline) j["online_error"] = r->online_error.ToString();
  } else {
    Result<RecognizeAnswer> a = online
                                    ? (*device)->RecognizeOnline(http, c.server, c.groups[0], *captures, liveness.liveness)
                                    : (*device)->RecognizeOffline(c.groups[0], *captures, liveness);
    if (!a.ok()) return Fail(a.status());
    j = ToJson(*a);
    j["mode"] = online ? "online" : "offline";
  }
  std::cout << j.dump(2) << std::endl;
  return 0;
}

int RunStatus(const Common& c) {
  auto device = OpenDevice(c, nullptr);
  if (!device.ok()) return Fail(device.status());
  nlohmann::json j = StatusJson((*device)->store());
  if (j.is_null()) return Fail(Status::IoError("cannot read the store"));
  std::cout << j.dump(2) << std::endl;
  return 0;
}

Result<std::string> ReadPhoto(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot read " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// The group's line after an edit: what the next sync will send.
nlohmann::json GroupJson(DeviceStore& store, const std::string& name) {
  Result<std::vector<LocalGroup>> groups = store.Groups();
  if (groups.ok()) {
    for (const LocalGroup& g : *groups) {
      if (g.group_name == name) {
        return {{"group_name", g.group_name}, {"group_id", g.group_id}, {"local_version", g.local_version},
                {"face_count", g.face_count}};
      }
    }
  }
  return nullptr;
}

int RunEnrol(const Common& c, const std::string& photo) {
  if (c.groups.size() != 1) return Fail(Status::InvalidArgument("exactly one --group"));
  Result<std::string> bytes = ReadPhoto(photo);
  if (!bytes.ok()) return Fail(bytes.status());
  auto engine = MaybeEngine(c.models_dir, true);
  if (!engine.ok()) return Fail(engine.status());
  auto device = OpenDevice(c, engine->get());  // configures the group when new
  if (!device.ok()) return Fail(device.status());
  Result<Device::Enrolled> e = (*device)->EnrolLocal(c.groups[0], *bytes);
  if (!e.ok()) return Fail(e.status());
  const facepass::vision::Rect& r = e->face.rect;
  nlohmann::json j = {{"face_token", e->face_token},
                      {"rect", {{"left", r.left}, {"top", r.top}, {"right", r.right}, {"bottom", r.bottom}}},
                      {"group", GroupJson((*device)->store(), c.groups[0])}};
  std::cout << j.dump(2) << std::endl;
  return 0;
}

int RunDelete(const Common& c, const std::string& face_token) {
  if (c.groups.size() != 1) return Fail(Status::InvalidArgument("exactly one --group"));
  Common no_groups = c;
  no_groups.groups.clear();  // deleting does not configure groups
  auto device = OpenDevice(no_groups, nullptr);
  if (!device.ok()) return Fail(device.status());
  Status s = (*device)->DeleteLocal(c.groups[0], face_token);
  if (!s.ok()) return Fail(s);
  nlohmann::json j = {{"deleted", face_token}, {"group", GroupJson((*device)->store(), c.groups[0])}};
  std::cout << j.dump(2) << std::endl;
  return 0;
}

int RunList(const Common& c) {
  if (c.groups.size() != 1) return Fail(Status::InvalidArgument("exactly one --group"));
  Common no_groups = c;
  no_groups.groups.clear();
  auto device = OpenDevice(no_groups, nullptr);
  if (!device.ok()) return Fail(device.status());
  Result<std::vector<LocalFace>> faces = (*device)->ListLocal(c.groups[0]);
  if (!faces.ok()) return Fail(faces.status());
  nlohmann::json j = GroupJson((*device)->store(), c.groups[0]);
  j["faces"] = nlohmann::json::array();
  for (const LocalFace& f : *faces) j["faces"].push_back({{"face_token", f.face_token}, {"local", f.local}});
  std::cout << j.dump(2) << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"facepass-device: a FacePass gate device (cloud-offline mode) simulator"};
  app.require_subcommand(1);
  Common c;

  auto add_store = [&](CLI::App* sub) {
    sub->add_option("--store", c.store, "the device's SQLite store (created when missing)")->required();
  };
  auto add_source = [&](CLI::App* sub) {
    sub->add_option("--source-ip", c.source_ip,
                    "local address to send from (e.g. 127.0.0.2: the server tells devices apart by IP)");
    sub->add_option("--api-key", c.api_key, "API key (device role), sent as Authorization: Bearer")
        ->envname("FACEPASS_API_KEY");
    sub->add_option("--ca-file", c.ca_file, "PEM CA to trust for an https:// server");
  };

  CLI::App* sync = app.add_subcommand("sync", "sync the configured groups once");
  add_store(sync);
  sync->add_option("--server", c.server, "server base URL, e.g. http://127.0.0.1:8080")->required();
  sync->add_option("--group", c.groups, "group to keep on the device (repeatable; added to the store's list)");
  sync->add_option("--models-dir", c.models_dir, "models for the device's engine (its search_model id)");
  sync->add_option("--sync-format", c.sync_format, "2: labels and float16 features (default); 1: the spec's stream")
      ->check(CLI::IsMember({1, 2}));
  add_source(sync);

  CLI::App* watch = app.add_subcommand("watch", "sync on the server's notices (or every N seconds), backing off on errors");
  add_store(watch);
  WatchFlags wf;
  watch->add_option("--server", c.server, "server base URL")->required();
  watch->add_option("--group", c.groups, "group to keep on the device (repeatable)");
  watch->add_option("--models-dir", c.models_dir, "models for the device's engine");
  watch->add_option("--sync-format", c.sync_format, "2: labels and float16 features (default); 1: the spec's stream")
      ->check(CLI::IsMember({1, 2}));
  add_source(watch);
  watch->add_option("--interval", wf.interval_s, "seconds between syncs without a notify stream")->check(CLI::PositiveNumber);
  watch->add_option("--safety-poll", wf.safety_poll_s, "seconds between syncs while the notify stream is open")->check(CLI::PositiveNumber);
  watch->add_option("--notice-spread-ms", wf.notice_spread_ms, "a notice's sync starts within this many ms (random)")
      ->check(CLI::Range(0, 60000));
  watch->add_option("--notify", wf.notify, "auto: hold the server's notify stream when it offers one; off: poll only")
      ->check(CLI::IsMember({"auto", "off"}));
  watch->add_option("--max-backoff", wf.max_backoff_s, "longest wait after repeated errors (s)")->check(CLI::PositiveNumber);
  watch->add_option("--rounds", wf.rounds, "stop after this many syncs (0 = until SIGINT/SIGTERM)");

  CLI::App* recognize = app.add_subcommand("recognize", "recognise the faces of an image");
  std::string image, save_dir;
  bool offline = false, online = false, fallback = false;
  add_store(recognize);
  recognize->add_option("IMAGE", image, "a camera frame (JPEG/PNG/BMP)")->required()->check(CLI::ExistingFile);
  recognize->add_option("--group", c.groups, "group to search")->required();
  recognize->add_option("--models-dir", c.models_dir, "models for the device's detector and embedder")->required();
  recognize->add_option("--server", c.server, "server base URL (for --online)");
  add_source(recognize);
  recognize->add_option("--save-captures", save_dir, "write the captures (image_<track_id>.jpg) to this directory")
      ->check(CLI::ExistingDirectory);
  CLI::Option* off = recognize->add_flag("--offline", offline, "search the synced copy on the device");
  CLI::Option* on = recognize->add_flag("--online", online, "send the captures to the server");
  off->excludes(on);
  on->excludes(off);
  recognize
      ->add_flag("--fallback", fallback,
                 "with --online: answer from the synced copy when the server is unavailable (unreachable, 502/503/504)")
      ->needs(on);
  OfflineOptions liveness;
  recognize->add_flag("--liveness", liveness.liveness, "measure liveness; passed then also needs it");
  recognize->add_option("--liveness-threshold", liveness.liveness_threshold,
                        "offline liveness threshold (online: the server's)")
      ->check(CLI::Range(0.0, 100.0));

  CLI::App* status = app.add_subcommand("status", "local groups, versions and face counts");
  add_store(status);

  CLI::App* enrol = app.add_subcommand("enrol", "local edit: enrol a face from a photo into a local group");
  std::string photo;
  add_store(enrol);
  enrol->add_option("PHOTO", photo, "the photo (JPEG/PNG/BMP), checked like the server's face add")
      ->required()
      ->check(CLI::ExistingFile);
  enrol->add_option("--group", c.groups, "local group (configured when new)")->required();
  enrol->add_option("--models-dir", c.models_dir, "models for the device's engine")->required();

  CLI::App* del = app.add_subcommand("delete", "local edit: delete a face from a local group");
  std::string face_token;
  add_store(del);
  del->add_option("--group", c.groups, "local group")->required();
  del->add_option("--face-token", face_token, "the face (a local id or a synced face_token)")->required();

  CLI::App* list = app.add_subcommand("list", "the faces of a local group");
  add_store(list);
  list->add_option("--group", c.groups, "local group")->required();

  CLI11_PARSE(app, argc, argv);

  if (sync->parsed()) return RunSync(c);
  if (watch->parsed()) return RunWatch(c, wf);
  if (recognize->parsed()) {
    if (!offline && !online) {
      std::cerr << "facepass-device: recognize needs --offline or --online\n";
      return 1;
    }
    return RunRecognize(c, image, online, fallback, save_dir, liveness);
  }
  if (status->parsed()) return RunStatus(c);
  if (enrol->parsed()) return RunEnrol(c, photo);
  if (del->parsed()) return RunDelete(c, face_token);
  if (list->parsed()) return RunList(c);
  return 1;
}
