#include <signal.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "apps/cli.h"
#include "apps/exit_codes.h"
#include "apps/local.h"
#include "apps/logging.h"
#include "apps/merge_cmd.h"
#include "apps/party.h"

namespace secinfer::apps {

int secinfer_main(int argc, const char* const* argv) {
  // A peer that vanished must surface as a NetError, never as a silent SIGPIPE death.
  ::signal(SIGPIPE, SIG_IGN);
  setup_logging("secinfer", "info");
  Invocation inv;
  try {
    inv = parse_command_line(std::vector<std::string>(argv, argv + argc));
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
      case Command::kLocal:
        setup_logging("local", inv.run.log_level);
        return run_local(inv.run, std::filesystem::read_symlink("/proc/self/exe"));
      case Command::kRun:
        // (Built with += : GCC 12 gives a false -Wrestrict on "literal" + std::string here.)
        std::string tag = "P";
        tag += std::to_string(inv.run.party);
        setup_logging(tag, inv.run.log_level);
        return run_party(inv.run);
    }
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return kExitFailed;
  }
  return kExitFailed;
}

}  // namespace secinfer::apps
