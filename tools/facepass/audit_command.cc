// `facepass audit`: prints the audit log of a data directory, oldest first,
// one tab-separated row per line; optionally purges old rows.
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>

#include "auth/audit_cursor.h"
#include "common/clock.h"
#include "keys_command.h"
#include "store/database.h"
#include "store/dir_lock.h"

namespace facepass::cli {
namespace {

struct AuditFlags {
  std::string data_dir;
  int64_t from_ms = 0;
  int64_t to_ms = INT64_MAX;
  int limit = 1000;
  std::string cursor;  // "AT_MS.ID" as printed
  int purge_days = 0;  // > 0: delete rows older than this many days first
};

int Fail(const std::string& what, const Status& s) {
  std::fprintf(stderr, "audit: %s: %s\n", what.c_str(), s.ToString().c_str());
  return 1;
}

std::string IsoTimeMs(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[40];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
  return out;
}

int Audit(const AuditFlags& f) {
  const std::filesystem::path dir = f.data_dir;
  if (!std::filesystem::exists(dir / "facepass.db")) {
    std::fprintf(stderr, "audit: no database in %s\n", dir.c_str());
    return 1;
  }
  auto lock = store::DirLock::Acquire(dir);
  if (!lock.ok()) return Fail("cannot lock the data directory (stop the server, or use GET /api/audit/v1)",
                              lock.status());
  auto db = store::Database::Open(dir / "facepass.db");
  if (!db.ok()) return Fail("open database", db.status());
  if (f.purge_days > 0) {
    auto n = (*db)->PurgeAuditBefore(NowMs() - int64_t(f.purge_days) * 86'400'000);
    if (!n.ok()) return Fail("purge", n.status());
    std::fprintf(stderr, "audit: %lld rows older than %d days purged\n", static_cast<long long>(*n), f.purge_days);
  }
  auto after = auth::ParseAuditCursor(f.cursor);
  if (!after) {
    std::fprintf(stderr, "audit: --cursor must be AT_MS.ID as printed, got '%s'\n", f.cursor.c_str());
    return 2;
  }
  auto page = (*db)->QueryAudit(f.from_ms, f.to_ms, f.limit, *after);
  if (!page.ok()) return Fail("query", page.status());
  std::printf("ID\tTIME\tKEY\tROLE\tSOURCE\tENDPOINT\tTARGETS\tCODE\n");
  for (const store::AuditRecord& r : page->rows) {
    std::printf("%lld\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", static_cast<long long>(r.id), IsoTimeMs(r.at_ms).c_str(),
                r.key_name.empty() ? "-" : r.key_name.c_str(), r.role.empty() ? "-" : r.role.c_str(),
                r.source_ip.c_str(), r.endpoint.c_str(), r.targets.empty() ? "-" : r.targets.c_str(),
                r.result_code);
  }
  if (page->next_cursor)
    std::fprintf(stderr, "audit: more rows; rerun with --cursor %s\n",
                 auth::FormatAuditCursor(*page->next_cursor).c_str());
  return 0;
}

}  // namespace

void AddAuditCommand(CLI::App& app, int& exit_code) {
  auto f = std::make_shared<AuditFlags>();
  CLI::App* cmd = app.add_subcommand("audit", "Print the audit log of a data directory (the server must be stopped)");
  cmd->add_option("--data-dir", f->data_dir, "Data directory")->envname("FACEPASS_DATA_DIR")->required();
  cmd->add_option("--from", f->from_ms, "First time, ms since the epoch (inclusive)");
  cmd->add_option("--to", f->to_ms, "Last time, ms since the epoch (exclusive)");
  cmd->add_option("--limit", f->limit, "Rows to print")->check(CLI::Range(1, 1000000))->capture_default_str();
  cmd->add_option("--cursor", f->cursor, "Continue after this row (AT_MS.ID, printed when more rows exist)");
  cmd->add_option("--purge-older-than-days", f->purge_days, "Delete rows older than this first")
      ->check(CLI::Range(1, 36500));
  cmd->callback([f, &exit_code] { exit_code = Audit(*f); });
}

}  // namespace facepass::cli
