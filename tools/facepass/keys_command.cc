#include "keys_command.h"

#include <cstdio>
#include <ctime>
#include <memory>
#include <string>

#include "auth/api_key.h"
#include "auth/bootstrap.h"
#include "auth/key_issuer.h"
#include "auth/role.h"
#include "common/clock.h"
#include "store/database.h"
#include "store/dir_lock.h"

namespace facepass::cli {
namespace {

struct KeysFlags {
  std::string data_dir;
  std::string role;
  std::string name;
  std::string out;  // create: also write the key to this file (0600)
};

int Fail(const std::string& what, const Status& s) {
  std::fprintf(stderr, "keys: %s: %s\n", what.c_str(), s.ToString().c_str());
  return 1;
}

std::string IsoTime(int64_t ms) {
  if (ms <= 0) return "-";
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The lock and the database, or an exit code.
struct Opened {
  std::unique_ptr<store::DirLock> lock;
  std::unique_ptr<store::Database> db;
};

Result<Opened> OpenDataDir(const std::string& dir) {
  auto lock = store::DirLock::Acquire(dir);
  if (!lock.ok()) return Status(lock.status().code() == StatusCode::kUnavailable
                                    ? Status::Unavailable("the data directory is in use (stop the server, or use "
                                                          "/api/keys/v1/ on it)")
                                    : lock.status());
  auto db = store::Database::Open(std::filesystem::path(dir) / "facepass.db");
  if (!db.ok()) return db.status();
  return Opened{std::move(*lock), std::move(*db)};
}

// Key management by hand is a change like any other: audited, as "cli".
void AuditCli(store::Database& db, const std::string& endpoint, const std::string& target, int code) {
  store::AuditRecord r;
  r.at_ms = NowMs();
  r.key_name = "cli";
  r.role = "admin";
  r.source_ip = "local";
  r.endpoint = endpoint;
  r.targets = target;
  r.result_code = code;
  (void)db.AppendAudit(r);
}

int Create(const KeysFlags& f) {
  auto role = auth::ParseRole(f.role);
  if (!role) {
    std::fprintf(stderr, "keys create: --role must be admin, operator, device or viewer\n");
    return 2;
  }
  if (!auth::ValidKeyName(f.name)) {
    std::fprintf(stderr, "keys create: --name must be 1-64 of [A-Za-z0-9_.-]\n");
    return 2;
  }
  auto d = OpenDataDir(f.data_dir);
  if (!d.ok()) return Fail("open " + f.data_dir, d.status());
  auto key = auth::IssueKey(*d->db, f.name, *role, NowMs());
  if (!key.ok()) return Fail("create '" + f.name + "'", key.status());
  if (!f.out.empty()) {
    Status w = auth::WriteKeyFile(f.out, *key);
    if (!w.ok()) {
      // Nobody can ever know this key: take it back rather than leave it live.
      (void)d->db->RevokeKey(f.name, NowMs());
      return Fail("write " + f.out + " (key '" + f.name + "' revoked again)", w);
    }
  }
  AuditCli(*d->db, "CLI keys create", "key=" + f.name, 0);
  std::fprintf(stderr, "keys: created '%s' (%s). The key is shown once; it is stored only as a hash.\n",
               f.name.c_str(), auth::RoleName(*role));
  if (f.out.empty()) std::printf("%s\n", key->c_str());
  else std::fprintf(stderr, "keys: written to %s (0600)\n", f.out.c_str());
  return 0;
}

int List(const KeysFlags& f) {
  auto d = OpenDataDir(f.data_dir);
  if (!d.ok()) return Fail("open " + f.data_dir, d.status());
  auto keys = d->db->ListKeys();
  if (!keys.ok()) return Fail("list", keys.status());
  std::printf("%-24s %-9s %-21s %-21s %s\n", "NAME", "ROLE", "CREATED", "LAST USED", "STATE");
  for (const store::KeyRecord& k : *keys) {
    std::printf("%-24s %-9s %-21s %-21s %s\n", k.name.c_str(), k.role.c_str(), IsoTime(k.created_ms).c_str(),
                IsoTime(k.last_used_ms).c_str(), k.revoked ? ("revoked " + IsoTime(k.revoked_ms)).c_str() : "active");
  }
  return 0;
}

int Revoke(const KeysFlags& f) {
  auto d = OpenDataDir(f.data_dir);
  if (!d.ok()) return Fail("open " + f.data_dir, d.status());
  Status s = d->db->RevokeKey(f.name, NowMs());
  if (!s.ok()) return Fail("revoke '" + f.name + "'", s);
  AuditCli(*d->db, "CLI keys revoke", "key=" + f.name, 0);
  std::fprintf(stderr, "keys: '%s' revoked\n", f.name.c_str());
  return 0;
}

}  // namespace

void AddKeysCommand(CLI::App& app, int& exit_code) {
  auto f = std::make_shared<KeysFlags>();
  CLI::App* keys = app.add_subcommand("keys", "Manage API keys on a data directory (the server must be stopped)");
  keys->require_subcommand(1);
  keys->fallthrough();  // `keys create --data-dir D` (docs/security.md) as well as `keys --data-dir D create`
  keys->add_option("--data-dir", f->data_dir, "Data directory")->envname("FACEPASS_DATA_DIR")->required();

  CLI::App* create = keys->add_subcommand("create", "Create a key and print it once");
  create->add_option("--role", f->role, "admin | operator | device | viewer")->required();
  create->add_option("--name", f->name, "Unique name (shown in logs and the audit log)")->required();
  create->add_option("--out", f->out, "Write the key to this file (0600) instead of stdout");
  create->callback([f, &exit_code] { exit_code = Create(*f); });

  CLI::App* list = keys->add_subcommand("list", "List keys (never the keys themselves)");
  list->callback([f, &exit_code] { exit_code = List(*f); });

  CLI::App* revoke = keys->add_subcommand("revoke", "Revoke a key by name; it fails from the next request on");
  revoke->add_option("name", f->name, "Key name")->required();
  revoke->callback([f, &exit_code] { exit_code = Revoke(*f); });
}

}  // namespace facepass::cli
