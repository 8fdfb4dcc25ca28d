#include "backup_command.h"

#include <cstdio>
#include <memory>
#include <string>

#include "store/backup.h"

namespace facepass::cli {

namespace {

struct BackupFlags {
  std::string data_dir, out, archive;
};

void Print(const char* verb, const std::string& where, const store::BackupStats& s) {
  std::printf("%s %s: %lld files, %lld images, %.1f MB", verb, where.c_str(), static_cast<long long>(s.files),
              static_cast<long long>(s.images), static_cast<double>(s.bytes) / 1e6);
  if (s.captures_skipped > 0) {
    std::printf(", %lld captures purged meanwhile left out", static_cast<long long>(s.captures_skipped));
  }
  std::printf("\n");
}

}  // namespace

void AddBackupCommands(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<BackupFlags>();
  auto* backup = app.add_subcommand(
      "backup",
      "Write a consistent copy of a data directory (database snapshot, image files, the installation "
      "secret) to one tar file, while the server runs");
  backup->add_option("--data-dir", flags->data_dir, "Data directory")->required();
  backup->add_option("--out", flags->out, "Backup file to write")->required();
  backup->callback([flags, &exit_code] {
    auto stats = store::Backup(flags->data_dir, flags->out);
    if (!stats.ok()) {
      std::fprintf(stderr, "backup failed: %s\n", stats.status().ToString().c_str());
      exit_code = 1;
      return;
    }
    Print("wrote", flags->out, *stats);
    std::printf(
        "WARNING: this file holds the installation secret (secret.key) and every enrolment photo: with it "
        "anyone can decode this installation's face_tokens and image_ids. Keep it as safe as the data "
        "directory itself.\n");
  });

  auto* restore = app.add_subcommand(
      "restore", "Restore a backup into a new, empty data directory, checking every file's checksum and the database");
  restore->add_option("archive", flags->archive, "Backup file")->required();
  restore->add_option("--data-dir", flags->data_dir, "Data directory to create (absent or empty)")->required();
  restore->callback([flags, &exit_code] {
    auto stats = store::Restore(flags->archive, flags->data_dir);
    if (!stats.ok()) {
      std::fprintf(stderr, "restore failed: %s\n", stats.status().ToString().c_str());
      exit_code = 1;
      return;
    }
    Print("restored", flags->data_dir, *stats);
  });
}

}  // namespace facepass::cli
