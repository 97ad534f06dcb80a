#include "profiling/build_info.h"

#include "secinfer_build_info.h"  // generated: SECINFER_GIT_COMMIT

#ifndef SECINFER_VERSION
#define SECINFER_VERSION "unknown"
#endif

namespace secinfer::profiling {

std::string_view build_commit() {
  return SECINFER_GIT_COMMIT;
}

std::string_view build_version() {
  return SECINFER_VERSION;
}

}  // namespace secinfer::profiling
