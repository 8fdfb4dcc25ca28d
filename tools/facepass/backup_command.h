// `facepass backup` and `facepass restore`: a consistent copy of a data
// directory while the server runs, and its verified restore (store/backup.h).
#pragma once

#include <CLI/CLI.hpp>

namespace facepass::cli {
// Adds both subcommands; when one runs it sets exit_code.
void AddBackupCommands(CLI::App& app, int& exit_code);
}  // namespace facepass::cli
