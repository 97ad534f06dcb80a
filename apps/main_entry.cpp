#include <signal.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "apps/child_process.h"
#include "apps/cli.h"
#include "apps/deal_cmd.h"
#include "apps/exit_codes.h"
#include "apps/local.h"
#include "apps/logging.h"
#include "apps/merge_cmd.h"
#include "apps/microbench.h"
#include "apps/party.h"
#include "apps/previous_results.h"
#include "profiling/recorder.h"

namespace secinfer::apps {

namespace {

// A setting refused before it starts still leaves failed logs (the matrix runner and the report
// then show it with its reason instead of a hole).
void record_refused_run(const RefusedRun& e) {
  const RunOptions& o = e.run;
  const std::string reason = std::string("refused before starting: ") + e.what();
  const std::vector<int> parties = o.party < 0 ? std::vector<int>{0, 1} : std::vector<int>{o.party};
  try {
    if (o.party < 0) {
      keep_previous_results(o.out / "breakdown_merged.json", {o.out / "breakdown_merged.csv"});
    }
    for (int p : parties) {
      keep_previous_results(party_log_path(o, p));
      profiling::Recorder rec(shared_config(o), p);
      rec.set_environment(profiling::default_environment(o.threads));
      rec.set_status(profiling::Status::kFailed, reason);
      rec.write(party_log_path(o, p));
    }
    if (o.party < 0) {
      merge_and_write(party_log_path(o, 0), party_log_path(o, 1), o.out / "breakdown_merged.json");
    }
    spdlog::info("failed log(s) written to {}", o.out.string());
  } catch (const std::exception& w) {
    spdlog::error("could not write the failed logs: {}", w.what());
  }
}

}  // namespace

int secinfer_main(int argc, const char* const* argv) {
  // A peer that vanished must surface as a NetError, never as a silent SIGPIPE death.
  ::signal(SIGPIPE, SIG_IGN);
  setup_logging("secinfer", "info");
  Invocation inv;
  try {
    inv = parse_command_line(std::vector<std::string>(argv, argv + argc));
  } catch (const RefusedRun& e) {
    std::cerr << "secinfer: " << e.what() << "\n";
    record_refused_run(e);
    return kExitUsage;
  } catch (const UsageError& e) {
    std::cerr << "secinfer: " << e.what() << "\n";
    return kExitUsage;
  }
  try {
    switch (inv.command) {
      case Command::kHelp:
        std::cout << inv.text;
        if (!inv.text.empty() && inv.text.back() != '\n') std::cout << "\n";
        return kExitOk;
      case Command::kMerge:
        return run_merge(inv.merge);
      case Command::kDeal:
        setup_logging("dealer", inv.run.log_level);
        return run_deal(inv.run);
      case Command::kLocal:
        setup_logging("local", inv.run.log_level);
        if (inv.run.workload == models::Workload::kMicrobench) {
          return run_microbench_local(inv.run, std::filesystem::read_symlink("/proc/self/exe"));
        }
        return run_local(inv.run, std::filesystem::read_symlink("/proc/self/exe"));
      case Command::kRun:
        // (Built with += : GCC 12 gives a false -Wrestrict on "literal" + std::string here.)
        std::string tag = "P";
        tag += std::to_string(inv.run.party);
        setup_logging(tag, inv.run.log_level);
        stop_with_parent();  // a party of `secinfer local` never outlives it
        return run_party(inv.run);
    }
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return kExitFailed;
  }
  return kExitFailed;
}

}  // namespace secinfer::apps
