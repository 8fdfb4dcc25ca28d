#include "vision_commands.h"

namespace facepass::cli {
void AddVisionCommands(CLI::App& app, int& exit_code) {}
}  // namespace facepass::cli
