// The route table of the FacePass API over the App's services.
#pragma once

#include <vector>

#include "http/server.h"

namespace facepass::service {
class App;
}

namespace facepass::api {

// The handlers hold `app` by reference: it must outlive the server.
std::vector<http::Route> Routes(service::App& app);

}  // namespace facepass::api
