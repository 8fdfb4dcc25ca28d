#include "check_command.h"

#include <cstdio>
#include <memory>
#include <string>

#include "store/data_check.h"
#include "store/pg/pg_store.h"

namespace facepass::cli {

void AddCheckCommand(CLI::App& app, int& exit_code) {
  auto data_dir = std::make_shared<std::string>();
  auto database = std::make_shared<std::string>();
  auto* check = app.add_subcommand(
      "check",
      "Check a stopped server's data directory (SQLite integrity, bindings, change logs, and every face's "
      "original image file), or a PostgreSQL installation (--database; its nodes may keep running)");
  auto* dir_opt = check->add_option("--data-dir", *data_dir, "Data directory");
  auto* db_opt = check->add_option("--database", *database, "PostgreSQL connection URI (as serve --database)")
                     ->envname("FACEPASS_DATABASE");
  dir_opt->excludes(db_opt);
  check->callback([data_dir, database, &exit_code] {
    if (data_dir->empty() == database->empty()) {
      std::fprintf(stderr, "check: give --data-dir or --database\n");
      exit_code = 2;
      return;
    }
    if (!database->empty()) {
      auto store = store::pg::PgStore::Open(*database);
      Status sound = store.ok() ? (*store)->CheckIntegrity(domain::IntegrityCheck::kFull) : store.status();
      auto faces = sound.ok() ? (*store)->CountLiveFaces() : Result<int64_t>(sound);
      if (!faces.ok()) {
        std::fprintf(stderr, "check failed: %s\n", faces.status().ToString().c_str());
        exit_code = 1;
        return;
      }
      std::printf("ok: %lld faces (%s)\n", static_cast<long long>(*faces), (*store)->target().c_str());
      return;
    }
    auto stats = store::CheckDataDir(*data_dir);
    if (!stats.ok()) {
      std::fprintf(stderr, "check failed: %s\n", stats.status().ToString().c_str());
      exit_code = 1;
      return;
    }
    std::printf("ok: %lld faces, %lld enrolment images present\n", static_cast<long long>(stats->faces),
                static_cast<long long>(stats->images));
  });
}

}  // namespace facepass::cli
