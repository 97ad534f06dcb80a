// spdlog on stderr (stdout carries results only).
#pragma once

#include <string>

namespace secinfer::apps {

// Installs a stderr logger named `tag` ("P0", "P1", "secinfer") as spdlog's default, at `level`
// (trace|debug|info|warn|error).
void setup_logging(const std::string& tag, const std::string& level);

// The loud stderr warning of --padding off (insecure, ablation only).
void warn_padding_off();

}  // namespace secinfer::apps
