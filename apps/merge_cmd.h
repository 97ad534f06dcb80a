// `secinfer merge` and the merge step of `secinfer local`.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>

#include "apps/cli.h"

namespace secinfer::apps {

// Merges the two party logs (profiling::merge_party_logs) and writes `out` and the CSV beside it
// (same name, .csv), atomically. Returns the merged breakdown. Throws profiling::MergeError for
// logs that do not belong together, std::runtime_error if a file cannot be written.
nlohmann::json merge_and_write(const std::filesystem::path& p0, const std::filesystem::path& p1,
                               const std::filesystem::path& out);

// The subcommand: merge, write, print the table on stdout. Returns the exit status: 0 if the
// merged status is ok, kExitFailed if a party failed (the merged file says why), kExitMerge if the
// logs cannot be merged.
int run_merge(const MergeOptions& m);

}  // namespace secinfer::apps
