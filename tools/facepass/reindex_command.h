// `facepass reindex`: re-extracts the feature of every live face from its
// stored original with the current models, so a data directory survives an
// embedder change without re-enrolling.
#pragma once

#include <CLI/CLI.hpp>

namespace facepass::cli {
// Adds the subcommand; when it runs it sets exit_code.
void AddReindexCommand(CLI::App& app, int& exit_code);
}  // namespace facepass::cli
