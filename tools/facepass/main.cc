// facepass: the server (`serve`, API keys on by default), the vision tools (`analyze`, `compare`), `reindex`, `keys`, `audit`, `backup` and `restore`.
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "api/routes.h"
#include "api/webhook_events.h"
#include "auth/audit_purge.h"
#include "auth/authorizer.h"
#include "auth/bootstrap.h"
#include "auth/http_authorizer.h"
#include "auth/networks.h"
#include "common/clock.h"
#include "events/webhook_queue.h"
#include "events/webhook_sender.h"
#include "http/request_metrics.h"
#include "http/server.h"
#include "metrics/registry.h"
#include "service/app.h"
#include "store/token_cipher.h"
#include "vision/model_registry.h"
#include "backup_command.h"
#include "check_command.h"
#include "model_flags.h"
#include "enrol_command.h"
#include "keys_command.h"
#include "metrics_listener.h"
#include "migrate_command.h"
#include "reindex_command.h"
#include "vision_commands.h"

namespace {

struct ServeFlags {
  std::string listen = "127.0.0.1:8080";
  std::string data_dir = "./data";
  std::string database;  // "": SQLite in data_dir
  std::string models_dir = "./models";
  int workers = 2;
  int queue_limit = 64;
  int io_threads = 2;
  int pool_size = 2;
  size_t max_connections = 1024;
  size_t max_connections_per_address = 768;
  size_t max_notify = 600;
  int notify_heartbeat_s = 15;
  size_t max_body_mb = 16;
  int read_timeout_s = 30;
  int capture_retention_days = 30;
  int audit_retention_days = facepass::auth::AuditPurge::kDefaultRetentionDays;
  facepass::cli::ModelFlags models;
  std::string liveness_kind;
  std::string parallel_stages = "on";
  std::string auth = "on";
  std::string device_networks;
  std::string tls_cert, tls_key;
  std::string metrics_listen;  // "": GET /metrics only on --listen, with a key
  std::vector<std::string> allowed_hosts;  // empty: any Host header
  std::vector<std::string> webhooks;       // issue 11: POST each event to each
  size_t webhook_queue = facepass::events::WebhookQueue::kDefaultCapacity;
};

bool SplitListen(const std::string& listen, std::string* host, uint16_t* port) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return false;
  *host = listen.substr(0, colon);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') *host = host->substr(1, host->size() - 2);
  try {
    int p = std::stoi(listen.substr(colon + 1));
    if (p < 0 || p > 65535) return false;
    *port = static_cast<uint16_t>(p);
  } catch (...) {
    return false;
  }
  return !host->empty();
}

int Serve(const ServeFlags& f) {
  facepass::http::ServerOptions http;
  if (!SplitListen(f.listen, &http.host, &http.port)) {
    std::fprintf(stderr, "--listen must be HOST:PORT, got '%s'\n", f.listen.c_str());
    return 2;
  }
  http.workers = f.workers;
  http.queue_limit = f.queue_limit;
  http.io_threads = f.io_threads;
  http.max_connections = f.max_connections;
  http.max_connections_per_address = f.max_connections_per_address;
  http.max_streams = f.max_notify;
  http.stream_heartbeat = std::chrono::seconds(f.notify_heartbeat_s);
  http.max_body_bytes = f.max_body_mb << 20;
  http.read_timeout = std::chrono::seconds(f.read_timeout_s);
  std::string metrics_host;
  uint16_t metrics_port = 0;
  if (!f.metrics_listen.empty() && !SplitListen(f.metrics_listen, &metrics_host, &metrics_port)) {
    std::fprintf(stderr, "--metrics-listen must be HOST:PORT, got '%s'\n", f.metrics_listen.c_str());
    return 2;
  }

  if (f.tls_cert.empty() != f.tls_key.empty()) {
    std::fprintf(stderr, "--tls-cert and --tls-key go together: give both or neither\n");
    return 2;
  }
  auto hosts = facepass::http::HostAllowList::Parse(f.allowed_hosts);
  if (!hosts.ok()) {
    std::fprintf(stderr, "%s\n", hosts.status().ToString().c_str());
    return 2;
  }
  http.allowed_hosts = std::move(*hosts);
  http.tls_cert_file = f.tls_cert;
  http.tls_key_file = f.tls_key;
  facepass::auth::KeyAuthorizer::Options auth_options;
  auth_options.enabled = f.auth != "off";
  auto networks = facepass::auth::NetworkList::Parse(f.device_networks);
  if (!networks.ok()) {
    std::fprintf(stderr, "--device-networks must be CIDR[,CIDR...], got '%s': %s\n", f.device_networks.c_str(),
                 networks.status().ToString().c_str());
    return 2;
  }
  auth_options.device_networks = *networks;

  for (const std::string& url : f.webhooks) {
    facepass::Status valid = facepass::events::ValidateWebhookUrl(url);
    if (!valid.ok()) {
      std::fprintf(stderr, "%s\n", valid.message().c_str());
      return 2;
    }
  }

  facepass::service::AppOptions app_options;
  app_options.data_dir = f.data_dir;
  app_options.database = f.database;
  app_options.capture_retention_days = f.capture_retention_days;
  app_options.engine.models_dir = f.models_dir;
  app_options.engine.pool_size = f.pool_size;
  f.models.ApplyTo(&app_options.engine);
  app_options.engine.liveness_kind = f.liveness_kind;
  app_options.engine.parallel_stages = f.parallel_stages == "on";

  auto app = facepass::service::App::Open(app_options);
  if (!app.ok()) {
    spdlog::critical("cannot start: {}", app.status().ToString());
    return 1;
  }
  // Checked before listening, so no request is ever served without a key on a fresh data directory.
  auto admin_file = facepass::auth::EnsureAdminKey((*app)->key_repository(), f.data_dir, facepass::NowMs());
  if (!admin_file.ok()) {
    spdlog::critical("cannot create the admin key: {}", admin_file.status().ToString());
    return 1;
  }
  if (admin_file->has_value()) {
    spdlog::info("first start: an admin API key was written to {} (send it as 'Authorization: Bearer KEY')",
                 (*admin_file)->string());
  }
  if (auth_options.enabled) {
    spdlog::info("auth on: every request needs an API key{}",
                 networks->empty() ? "" : ", except the device role from " + networks->ToString());
  } else {
    spdlog::warn("--auth off: every request is served as admin, without a key; use only in an isolated lab");
  }
  http.authorizer = facepass::auth::HttpAuthorizer(
      std::make_shared<facepass::auth::KeyAuthorizer>((*app)->key_repository(), (*app)->audit_repository(), auth_options, facepass::NowMs));
  // Webhooks: the services announce to the sink, which only queues; the
  // sender's thread delivers.
  std::unique_ptr<facepass::events::WebhookMetrics> webhook_metrics;
  std::unique_ptr<facepass::events::WebhookQueue> webhook_queue;
  std::unique_ptr<facepass::events::WebhookSender> webhook_sender;
  std::unique_ptr<facepass::api::WebhookEvents> webhook_events;
  if (!f.webhooks.empty()) {
    webhook_metrics = std::make_unique<facepass::events::WebhookMetrics>(facepass::metrics::DefaultRegistry());
    webhook_queue = std::make_unique<facepass::events::WebhookQueue>(f.webhook_queue, *webhook_metrics);
    facepass::events::WebhookOptions webhook_options;
    webhook_options.urls = f.webhooks;
    webhook_options.max_retrying = f.webhook_queue;
    webhook_sender =
        std::make_unique<facepass::events::WebhookSender>(*webhook_queue, webhook_options, *webhook_metrics);
    webhook_events = std::make_unique<facepass::api::WebhookEvents>((*app)->tokens(), *webhook_queue);
    webhook_sender->Start();
    (*app)->SetEventSink(webhook_events.get());
    spdlog::info("webhooks: {} URL(s), queue of {}", f.webhooks.size(), f.webhook_queue);
  }
  facepass::auth::AuditPurge audit_purge((*app)->audit_repository(), f.audit_retention_days, (*app)->task_locks());
  audit_purge.Start(std::chrono::hours(1));
  std::vector<facepass::http::Route> routes = facepass::api::Routes(**app);
  routes.push_back(facepass::http::MetricsRoute(facepass::metrics::DefaultRegistry()));
  facepass::http::Server server(http, std::move(routes));
  facepass::Status started = server.Start();
  if (!started.ok()) {
    spdlog::critical("cannot listen on {}: {}", f.listen, started.ToString());
    return 1;
  }
  spdlog::info("facepass {} listening on {}://{}:{} (data: {}, models: {})", FACEPASS_VERSION,
               f.tls_cert.empty() ? "http" : "https", http.host, server.port(), f.data_dir, f.models_dir);
  std::unique_ptr<facepass::http::Server> metrics_server;
  if (!f.metrics_listen.empty()) {
    auto m = facepass::cli::StartMetricsListener(metrics_host, metrics_port);
    if (!m.ok()) {
      spdlog::critical("cannot serve metrics on {}: {}", f.metrics_listen, m.status().ToString());
      return 1;
    }
    metrics_server = std::move(*m);
  }
  facepass::http::WaitForTerminationSignal();
  spdlog::info("shutting down: finishing in-flight requests");
  server.Stop();
  if (metrics_server) metrics_server->Stop();
  audit_purge.Stop();
  (*app)->SetEventSink(nullptr);
  if (webhook_sender) webhook_sender->Stop();
  app->reset();  // closes the database cleanly
  spdlog::info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Before any thread exists, so only sigwait() sees SIGTERM/SIGINT.
  facepass::http::BlockTerminationSignals();

  CLI::App cli{"FacePass face recognition server"};
  cli.require_subcommand(1);
  int exit_code = 0;

  ServeFlags f;
  CLI::App* serve = cli.add_subcommand("serve", "Run the HTTP server");
  serve->add_option("--listen", f.listen, "HOST:PORT to listen on")->envname("FACEPASS_LISTEN")->capture_default_str();
  serve->add_option("--data-dir", f.data_dir, "Data directory (SQLite, images, secret)")->envname("FACEPASS_DATA_DIR")->capture_default_str();
  serve->add_option("--database", f.database, "PostgreSQL connection URI (postgresql://user@host:port/db?sslmode=...) that every node of an installation shares; unset: SQLite in --data-dir. Keep the password in PGPASSFILE or a service file (docs/deploy-cluster.md)")->envname("FACEPASS_DATABASE");
  serve->add_option("--models-dir", f.models_dir, "Directory of the converted ONNX models")->envname("FACEPASS_MODELS_DIR")->capture_default_str();
  serve->add_option("--workers", f.workers, "Threads that run requests (inference, SQLite)")->envname("FACEPASS_WORKERS")->check(CLI::Range(1, 256))->capture_default_str();
  serve->add_option("--queue-limit", f.queue_limit, "Requests that may wait for a worker before 503 SERVICE_BUSY")->check(CLI::Range(1, 100000))->capture_default_str();
  serve->add_option("--io-threads", f.io_threads, "Socket I/O threads")->check(CLI::Range(1, 64))->capture_default_str();
  serve->add_option("--pool-size", f.pool_size, "OpenCV runtime: instances of each model (concurrent inferences); ONNX Runtime runs them on one session")->envname("FACEPASS_POOL_SIZE")->check(CLI::Range(1, 64))->capture_default_str();
  serve->add_option("--allowed-hosts", f.allowed_hosts,
                    "Host names the API answers to (repeat or comma-separate); others get 421. Guards --auth off "
                    "against DNS rebinding")
      ->delimiter(',');
  serve->add_option("--webhook", f.webhooks,
                    "http(s) URL to POST each recognise result and face add/delete to, as JSON (repeatable)");
  serve->add_option("--webhook-queue", f.webhook_queue, "Webhook events held for delivery; beyond, dropped (counted)")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  serve->add_option("--max-connections", f.max_connections, "Concurrent connections accepted")->capture_default_str();
  serve->add_option("--max-connections-per-address", f.max_connections_per_address,
                    "Concurrent connections from one client address (0: no limit); more are closed at accept, so "
                    "one address cannot take every connection")
      ->capture_default_str();
  serve->add_option("--max-notify", f.max_notify, "Held notify connections (part of --max-connections; beyond: 503)")->check(CLI::Range(0, 100000))->capture_default_str();
  serve->add_option("--notify-heartbeat", f.notify_heartbeat_s, "Seconds between heartbeats on held notify connections")->check(CLI::Range(1, 60))->capture_default_str();
  serve->add_option("--max-body-mb", f.max_body_mb, "Largest request body in MiB")->check(CLI::Range(1, 1024))->capture_default_str();
  serve->add_option("--read-timeout", f.read_timeout_s, "Seconds an idle or slow connection is kept")->check(CLI::Range(1, 3600))->capture_default_str();
  serve->add_option("--capture-retention-days", f.capture_retention_days, "Days recognise captures are kept")->check(CLI::Range(1, 36500))->capture_default_str();
  serve->add_option("--audit-retention-days", f.audit_retention_days, "Days audit log rows are kept")->check(CLI::Range(1, 36500))->capture_default_str();
  f.models.AddTo(serve);
  serve->add_option("--liveness-kind", f.liveness_kind, "Liveness model: blend (default: antispoof, liveness and fp_liveness averaged) | human | faceplugin")
      ->check(CLI::IsMember(facepass::vision::KindNameList(facepass::vision::LivenessSpecs())));
  serve->add_option("--parallel-stages", f.parallel_stages, "on: one request's independent vision stages (second embedder, liveness) run on threads of their own; off: one after the other (a box always under full load)")->check(CLI::IsMember({"on", "off"}))->capture_default_str();
  serve->add_option("--auth", f.auth, "on: every request needs an API key (DATA_DIR/admin.key on first start); off: no checks")->check(CLI::IsMember({"on", "off"}))->capture_default_str();
  serve->add_option("--device-networks", f.device_networks, "CIDR[,CIDR...] whose clients get the device role without a key");
  serve->add_option("--tls-cert", f.tls_cert, "PEM certificate: serve HTTPS only (with --tls-key)")->check(CLI::ExistingFile);
  serve->add_option("--tls-key", f.tls_key, "PEM private key of --tls-cert")->check(CLI::ExistingFile);
  serve->add_option("--metrics-listen", f.metrics_listen, "HOST:PORT answering only GET /metrics, without a key (loopback or a management network)");
  // The Debian unit runs `serve --config /etc/facepass/facepass.conf`. On the top-level app because
  // CLI11 2.1 reads no subcommand's config file; fallthrough lets it follow `serve`.
  cli.set_config("--config", "", "INI/TOML file of serve options: a [serve] section of long-option = value lines");
  serve->fallthrough();
  serve->callback([&] { exit_code = Serve(f); });

  facepass::cli::AddVisionCommands(cli, exit_code);
  facepass::cli::AddReindexCommand(cli, exit_code);
  facepass::cli::AddKeysCommand(cli, exit_code);
  facepass::cli::AddAuditCommand(cli, exit_code);
  facepass::cli::AddBackupCommands(cli, exit_code);
  facepass::cli::AddEnrolCommand(cli, exit_code);
  facepass::cli::AddCheckCommand(cli, exit_code);
  facepass::cli::AddMigrateCommand(cli, exit_code);

  CLI11_PARSE(cli, argc, argv);
  return exit_code;
}
