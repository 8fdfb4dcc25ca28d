// `facepass analyze IMAGE` and `facepass compare A B`.
#pragma once

#include <CLI/CLI.hpp>

namespace facepass::cli {
// Adds the subcommands; a command that runs sets exit_code.
void AddVisionCommands(CLI::App& app, int& exit_code);
}  // namespace facepass::cli
