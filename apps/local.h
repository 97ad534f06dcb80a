// `secinfer local`: both parties on this machine, as two child processes of this binary
// (`run --party 0|1`, over loopback on a free port), then the merge and the table.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "apps/child_process.h"
#include "apps/options.h"

namespace secinfer::apps {

// The command line of one child: `run --party P --peer 127.0.0.1:PORT --bind 127.0.0.1` plus every
// setting of `o` spelled out (so the two children share one configuration). args[0] is `exe`.
std::vector<std::string> party_command_line(const RunOptions& o, int party, std::uint16_t port,
                                            const std::string& exe);

// Starts both children (their stdout goes to our stderr, so stdout carries only the table), waits
// for both (a child that outlives a failed peer by 5 s is terminated), merges their logs into
// o.out/breakdown_merged.json (+ .csv) and prints the table. Returns the exit status: the first
// failing child's, kExitMerge if the logs cannot be merged, 0 if all went well.
int run_local(const RunOptions& o, const std::filesystem::path& exe);

// The end of a local run (local and microbench): waits for both started children, names a failed
// one, merges their logs into o.out/breakdown_merged.json and hands the merged breakdown to
// `report` (prints it; returns the exit status the merged result calls for). Returns the first
// failing child's status, else kExitMerge if the logs cannot be merged, else report's.
int finish_local_run(const RunOptions& o, std::array<Child, 2>& kids,
                     const std::function<int(const nlohmann::json& merged)>& report);

}  // namespace secinfer::apps
