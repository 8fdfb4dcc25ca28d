#include "migrate_command.h"

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "store/pg/sqlite_import.h"

namespace facepass::cli {
namespace {

struct MigrateFlags {
  std::string from, to;
};

void PrintReport(const store::pg::ImportReport& r) {
  std::printf("migrated into %s (one transaction, committed)\n", r.target.c_str());
  std::printf("%-20s %12s %12s\n", "table", "sqlite", "postgresql");
  int64_t images = 0;
  for (const store::pg::ImportedTable& t : r.tables) {
    std::printf("%-20s %12lld %12lld\n", t.name.c_str(), static_cast<long long>(t.source),
                static_cast<long long>(t.target));
    if (t.name == "images") images = t.source;
  }
  std::printf("images: %lld of %lld with the same SHA-256 on both sides (%.1f MB)\n",
              static_cast<long long>(r.images_hashed), static_cast<long long>(images),
              static_cast<double>(r.image_bytes) / 1e6);
  std::printf("catalogue sequence: %lld (every group stamped with it)\n", static_cast<long long>(r.catalog_seq));
  if (r.vacuum.ok()) std::printf("vacuumed and analysed\n");
  else std::printf("warning: VACUUM (ANALYZE) failed (%s): run it on the database before starting nodes\n",
                   r.vacuum.ToString().c_str());
}

}  // namespace

void AddMigrateCommand(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<MigrateFlags>();
  auto* migrate = app.add_subcommand(
      "migrate",
      "Copy a stopped server's data directory (SQLite, images, the installation secret) into an EMPTY "
      "PostgreSQL database, in one transaction, then compare row counts and every image's SHA-256");
  migrate->add_option("--from", flags->from, "Data directory of the stopped SQLite installation")->required();
  migrate->add_option("--to", flags->to, "PostgreSQL connection URI (as serve --database)")
      ->envname("FACEPASS_DATABASE")
      ->required();
  migrate->callback([flags, &exit_code] {
    auto report = store::pg::ImportSqlite(flags->from, flags->to);
    if (!report.ok()) {
      std::fprintf(stderr, "migrate failed, nothing written: %s\n", report.status().ToString().c_str());
      exit_code = 1;
      return;
    }
    PrintReport(*report);
  });
}

}  // namespace facepass::cli
