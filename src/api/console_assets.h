// The operator's console (issue 11): the files of web/, embedded at build
// time by cmake/EmbedFiles.cmake (target fp_console_assets), served under /console/.
#pragma once

#include <vector>

#include "http/static_files.h"

namespace facepass::api {

const std::vector<http::StaticFile>& ConsoleAssets();

}  // namespace facepass::api
