// What a log and `secinfer --version` say about the build: the git commit of the source tree at
// build time ("-dirty" with uncommitted changes; regenerated at every build, never stale) and the
// version.
#pragma once

#include <string_view>

namespace secinfer::profiling {

std::string_view build_commit();
std::string_view build_version();

}  // namespace secinfer::profiling
