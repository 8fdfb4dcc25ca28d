// `facepass migrate --from DATA_DIR --to URI`: moves a stopped SQLite
// installation into an empty PostgreSQL database (store/pg/sqlite_import.h)
// and prints the check's table; exit 0 when the copy committed, 1 otherwise.
#pragma once

#include <CLI/CLI.hpp>

namespace facepass::cli {
void AddMigrateCommand(CLI::App& app, int& exit_code);
}  // namespace facepass::cli
