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

// `secinfer local`: run_local_parties() with the children of party_command_line(), then the table.
int run_local(const RunOptions& o, const std::filesystem::path& exe);

// Both parties of a local run (local and microbench). Creates o.out (exit 1 if it cannot), keeps
// the merged breakdown of an earlier completed run until this one completes
// (apps/previous_results.h), starts the children command(party, port) over loopback (their stdout
// goes to our stderr, so stdout carries only the table), and waits for both: a child that outlives
// a failed peer by 5 s is terminated, and SIGINT / SIGTERM / SIGHUP to this process stop both
// children (each leaves its failed log). Then merges their logs into o.out/breakdown_merged.json
// (+ .csv) and hands the merged breakdown to `report` (prints it; returns the exit status the
// merged result calls for). Returns 128 + the signal after a stop signal, else the first failing
// child's status, else kExitMerge if the logs cannot be merged, else report's.
int run_local_parties(const RunOptions& o, const std::string& what,
                      const std::function<std::vector<std::string>(int, std::uint16_t)>& command,
                      const std::function<int(const nlohmann::json& merged)>& report);

}  // namespace secinfer::apps
