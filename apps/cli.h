// The `secinfer` command line (CLI11): subcommands run (the default), local, merge, netbench,
// microbench, deal.
//
//   secinfer --party 0 --model bert --seq 512 --batch 8        # same as `secinfer run ...`
//   secinfer local --model bert-base --seq 128 --system sigma  # both parties here, then merge
//   secinfer merge out/p0.json out/p1.json -o out/breakdown_merged.json
//   secinfer deal --model bert-tiny --seq 16 --key-dir keys/  # then: run/local --dealer file
//   secinfer netbench --bytes 1048576 --rounds 10              # local; with --party: one party
//   secinfer microbench --gate gelu --system sigma --n 393216  # local; with --party: one party
//
// Each subcommand lists and accepts only its own flags (run and local: every workload's, --workload
// picks; netbench: no suite, model or microbench flag; microbench: no model flag; deal: the
// dealer's; merge: -o): another subcommand's flag is a UsageError naming the flag and the
// subcommand (exit status 2). The string-valued flags are parsed here, once, into the enums of
// models/run_config.h.
//
// parse_command_line() only parses and validates (no side effects), so tests call it in-process;
// secinfer_main() parses and runs, turning every error into a message and a non-zero exit status
// (apps/exit_codes.h).
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "apps/options.h"

namespace secinfer::apps {

// Bad flags or arguments: the message names the flag, the problem and the fix.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Valid flags whose combination the model refuses (e.g. --seq above the model's maximum
// positions): a setting of an experiment matrix, so secinfer_main still writes failed logs into
// run.out (p<party>.json; for `local` both and the merged breakdown) before exiting with status 2.
class RefusedRun : public UsageError {
 public:
  RefusedRun(const std::string& message, RunOptions run)
      : UsageError(message), run(std::move(run)) {}
  RunOptions run;  // fully resolved (party -1 for `local`)
};

struct MergeOptions {
  std::filesystem::path p0;
  std::filesystem::path p1;
  std::filesystem::path out;  // breakdown_merged.json beside p0 if not given; CSV beside it
};

enum class Command { kRun, kLocal, kMerge, kDeal, kHelp };

struct Invocation {
  Command command = Command::kHelp;
  RunOptions run;      // kRun, kLocal, kDeal
  MergeOptions merge;  // kMerge
  std::string text;    // kHelp: the help or version text to print (exit status 0)
};

// args[0] is the program name. Flags given without a subcommand mean `run`. Throws UsageError.
Invocation parse_command_line(const std::vector<std::string>& args);

// The whole program: parse, run, report. Returns the exit status.
int secinfer_main(int argc, const char* const* argv);

}  // namespace secinfer::apps
