#include "store/pg/catalog_listener.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <pqxx/pqxx>

#include "store/pg/pg_internal.h"

namespace facepass::store::pg {

CatalogListener::CatalogListener(ConnectionPool& pool, std::function<void()> on_change)
    : pool_(pool), on_change_(std::move(on_change)) {
  if (::pipe2(stop_pipe_, O_CLOEXEC) != 0) return;  // no thread: the reader's polling alone
  thread_ = std::thread([this] { Loop(); });
}

CatalogListener::~CatalogListener() {
  if (thread_.joinable()) {
    const char stop = 1;
    while (::write(stop_pipe_[1], &stop, 1) < 0 && errno == EINTR) {
    }
    thread_.join();
  }
  for (int fd : stop_pipe_)
    if (fd >= 0) ::close(fd);
}

void CatalogListener::Loop() {
  for (;;) {
    auto conn = pool_.Dedicated();
    if (conn.ok() && ListenOnce(**conn)) return;
    if (StopWithin(1000)) return;
  }
}

bool CatalogListener::ListenOnce(pqxx::connection& conn) {
  try {
    {
      pqxx::nontransaction w(conn);
      w.exec(std::string("LISTEN ") + internal::kCatalogChannel);
    }  // get_notifs delivers nothing while a transaction object lives
    on_change_();  // what was committed before the LISTEN took effect
    for (;;) {
      pollfd fds[2] = {{conn.sock(), POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
      const int n = ::poll(fds, 2, -1);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 || fds[1].revents != 0) return true;
      if (fds[0].revents == 0) continue;
      if (conn.get_notifs() > 0) on_change_();  // throws broken_connection on EOF
      if (!conn.is_open()) return false;
    }
  } catch (const std::exception&) {
    return false;  // the reader's own polling reports an unreachable database
  }
}

bool CatalogListener::StopWithin(int ms) {
  pollfd fd{stop_pipe_[0], POLLIN, 0};
  int n;
  while ((n = ::poll(&fd, 1, ms)) < 0 && errno == EINTR) {
  }
  return n != 0;
}

}  // namespace facepass::store::pg
