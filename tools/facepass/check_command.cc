#include "check_command.h"

#include <cstdio>
#include <memory>
#include <string>

#include "store/data_check.h"

namespace facepass::cli {

void AddCheckCommand(CLI::App& app, int& exit_code) {
  auto data_dir = std::make_shared<std::string>();
  auto* check = app.add_subcommand(
      "check",
      "Check a stopped server's data directory: SQLite integrity, bindings, change logs, and every face's "
      "original image file");
  check->add_option("--data-dir", *data_dir, "Data directory")->required();
  check->callback([data_dir, &exit_code] {
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
