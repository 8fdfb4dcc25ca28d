// `facepass keys create|list|revoke` and `facepass audit`: API keys and the
// audit log on a data directory (issue 10). Like reindex they take the data
// directory lock, so they run while the server is stopped; a running server
// manages keys over /api/keys/v1/.
#pragma once

#include <CLI/CLI.hpp>

namespace facepass::cli {
// Add the subcommands; when one runs it sets exit_code.
void AddKeysCommand(CLI::App& app, int& exit_code);
void AddAuditCommand(CLI::App& app, int& exit_code);
}  // namespace facepass::cli
