// The campaign's first form (issue 13): one server on WORK/data, killed and
// restarted; `facepass check --data-dir` on the dead server's directory.
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "campaign_target.h"
#include "server_child.h"

namespace facepass::crash {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Status RunCheck(const std::string& bin, const std::string& args, const fs::path& log) {
  const std::string cmd = "'" + bin + "' check" + args + " > '" + log.string() + "' 2>&1";
  if (std::system(cmd.c_str()) == 0) return Status::OK();
  return Status::Corruption(ReadFile(log));
}

namespace {

class SingleServerTarget : public Target {
 public:
  SingleServerTarget(std::string bin, fs::path work, std::string models)
      : bin_(std::move(bin)), data_(std::move(work) / "data"), models_(std::move(models)) {}
  ~SingleServerTarget() override { bench::KillServer(server_); }

  std::string Mode() const override { return "1 node, SQLite"; }

  Status Up() override {
    if (server_.pid > 0) return Status::OK();
    auto s = bench::StartServer(bin_, data_, models_, {"--auth", "off"});
    if (!s.ok()) return s.status();
    server_ = *s;
    return Status::OK();
  }

  std::string url() const override { return server_.url; }

  std::string KillOne(std::mt19937&) override {
    bench::KillServer(server_);
    return "server";
  }

  Status Check() override {
    return RunCheck(bin_, " --data-dir '" + data_.string() + "'", data_.string() + ".check.log");
  }

  std::vector<std::string> Stop() override {
    const int rc = bench::StopServer(server_);
    if (rc == 0) return {};
    return {"SIGTERM exit status " + std::to_string(rc)};
  }

  Status Sabotage() override {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(data_ / "images", ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
      if (it->is_regular_file()) fs::remove(it->path(), ec);
    return Status::OK();
  }

 private:
  const std::string bin_;
  const fs::path data_;
  const std::string models_;
  bench::ServerChild server_;
};

}  // namespace

std::unique_ptr<Target> SingleServer(std::string bin, fs::path work, std::string models) {
  return std::make_unique<SingleServerTarget>(std::move(bin), std::move(work), std::move(models));
}

}  // namespace facepass::crash
