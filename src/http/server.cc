// Temporary stub so dependants link; the real server follows.
#include "http/server.h"

namespace facepass::http {

class Server::Impl {};

Server::Server(ServerOptions, std::vector<Route>) {}
Server::~Server() = default;
Status Server::Start() { return Status::Internal("http server not implemented yet"); }
void Server::Stop() {}
uint16_t Server::port() const { return 0; }
void BlockTerminationSignals() {}
void WaitForTerminationSignal() {}

}  // namespace facepass::http
