// The campaign against a cluster (issue 27): N nodes on one PostgreSQL
// database (a fresh schema per run), HAProxy round robin in front; each kill
// takes one node, the others keep answering through the balancer, and
// `facepass check --database` runs while they do.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <pqxx/pqxx>

#include "balancer_child.h"
#include "campaign_target.h"
#include "server_child.h"

namespace facepass::crash {

namespace fs = std::filesystem;

namespace {

// `uri` whose connections use `schema` (libpq's options parameter).
std::string WithSearchPath(const std::string& uri, const std::string& schema) {
  if (uri.rfind("postgresql://", 0) == 0 || uri.rfind("postgres://", 0) == 0)
    return uri + (uri.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema;
  return uri + " options='-csearch_path=" + schema + "'";  // key=value form
}

Status Exec(const std::string& uri, const std::string& sql) {
  try {
    pqxx::connection c(uri);
    pqxx::nontransaction w(c);
    w.exec(sql);
    return Status::OK();
  } catch (const std::exception& e) {
    return Status::Unavailable(e.what());  // libpq's messages name host and port, never the password
  }
}

class ClusterTarget : public Target {
 public:
  ClusterTarget(std::string bin, fs::path work, std::string models, std::string base_uri, std::string schema,
                int nodes)
      : bin_(std::move(bin)),
        work_(std::move(work)),
        models_(std::move(models)),
        base_uri_(std::move(base_uri)),
        schema_(std::move(schema)),
        nodes_(static_cast<size_t>(nodes)),
        ports_(static_cast<size_t>(nodes), 0) {}
  ~ClusterTarget() override {
    for (auto& n : nodes_) bench::KillServer(n);
    bench::StopBalancer(balancer_);
  }

  std::string Mode() const override {
    return std::to_string(nodes_.size()) + " nodes, PostgreSQL, HAProxy round robin";
  }

  // Nodes start one after the other: the first creates the schema's tables and
  // key. A restarted node takes its old port, where HAProxy looks for it.
  Status Up() override {
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (nodes_[i].pid > 0) continue;
      auto s = bench::StartServer(bin_, work_ / ("node" + std::to_string(i)), models_, {"--auth", "off"}, 120,
                                  ports_[i]);
      if (!s.ok()) return s.status();
      nodes_[i] = *s;
      ports_[i] = s->port;
    }
    if (balancer_.pid > 0) return Status::OK();
    auto b = bench::StartBalancer(work_, ports_);
    if (!b.ok()) return b.status();
    balancer_ = *b;
    return Status::OK();
  }

  std::string url() const override { return balancer_.url; }

  std::string KillOne(std::mt19937& rng) override {
    std::vector<size_t> up;
    for (size_t i = 0; i < nodes_.size(); ++i)
      if (nodes_[i].pid > 0) up.push_back(i);
    if (up.empty()) return "none";
    const size_t i = up[std::uniform_int_distribution<size_t>(0, up.size() - 1)(rng)];
    bench::KillServer(nodes_[i]);
    return "node" + std::to_string(i);
  }

  Status Check() override { return RunCheck(bin_, "", work_ / "check.log"); }

  std::vector<std::string> Stop() override {
    std::vector<std::string> problems;
    for (size_t i = 0; i < nodes_.size(); ++i) {
      const int rc = bench::StopServer(nodes_[i]);
      if (rc != 0) problems.push_back("node" + std::to_string(i) + ": SIGTERM exit status " + std::to_string(rc));
    }
    bench::StopBalancer(balancer_);
    return problems;
  }

  Status Sabotage() override {
    return Exec(WithSearchPath(base_uri_, schema_), "UPDATE images SET bytes = '\\x00'::bytea WHERE kind = 0");
  }

  void Discard() override {
    if (Status s = Exec(base_uri_, "DROP SCHEMA IF EXISTS " + schema_ + " CASCADE"); !s.ok())
      std::printf("schema %s not dropped: %s\n", schema_.c_str(), s.message().c_str());
  }

 private:
  const std::string bin_;
  const fs::path work_;
  const std::string models_, base_uri_, schema_;
  std::vector<bench::ServerChild> nodes_;
  std::vector<int> ports_;  // 0 until a node first starts
  bench::BalancerChild balancer_;
};

}  // namespace

Result<std::unique_ptr<Target>> Cluster(std::string bin, fs::path work, std::string models,
                                        const std::string& database, int nodes) {
  if (!fs::exists(bench::kHaproxyBinary))
    return Status::NotFound(std::string(bench::kHaproxyBinary) + " is not installed (scripts/install-deps.sh)");
  // A fresh schema: the clients' group names start unused, and parallel runs do not meet.
  const std::string schema =
      "crash_" + std::to_string(::getpid()) + "_" + std::to_string(static_cast<long long>(std::time(nullptr)));
  if (Status s = Exec(database, "CREATE SCHEMA " + schema); !s.ok())
    return Status::Unavailable("cannot create schema " + schema + ": " + s.message());
  ::setenv("FACEPASS_DATABASE", WithSearchPath(database, schema).c_str(), 1);
  std::printf("schema %s (FACEPASS_DATABASE for the nodes and facepass check)\n", schema.c_str());
  return std::unique_ptr<Target>(
      new ClusterTarget(std::move(bin), std::move(work), std::move(models), database, schema, nodes));
}

}  // namespace facepass::crash
