// `facepass check --data-dir D`: the data directory's offline consistency
// check (store/data_check.h); exit 0 when it passes, 1 with the first problem.
#pragma once

#include <CLI/CLI.hpp>

namespace facepass::cli {
void AddCheckCommand(CLI::App& app, int& exit_code);
}  // namespace facepass::cli
