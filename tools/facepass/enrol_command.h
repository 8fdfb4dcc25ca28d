// `facepass enrol`: bulk enrolment of a folder of photos through a running
// server (tools/facepass/enrol/), with a resumable results CSV.
#pragma once

#include <CLI/CLI.hpp>

namespace facepass::cli {
// Adds the subcommand; when it runs it sets exit_code (0, 1 if any file
// failed, 2 on bad arguments, 130 after Ctrl-C, 143 after SIGTERM).
void AddEnrolCommand(CLI::App& app, int& exit_code);
}  // namespace facepass::cli
