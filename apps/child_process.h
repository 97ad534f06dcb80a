// The two party processes of `secinfer local` and `secinfer microbench`: start one with its stderr
// folded into its stdout (the parent's stdout keeps the table only), and wait for both, stopping
// the survivor when one fails, and both when the parent is told to stop (SIGINT, SIGTERM, SIGHUP)
// or dies: no party outlives the run that started it.
#pragma once

#include <sys/types.h>

#include <array>
#include <string>
#include <vector>

namespace secinfer::apps {

// Starts args[0] with args; throws std::runtime_error naming the program on failure. The child's
// environment names this process (kParentPidVariable), for stop_with_parent().
pid_t spawn(const std::vector<std::string>& args);

inline constexpr const char* kParentPidVariable = "SECINFER_LOCAL_PARENT_PID";

// In a party process started by spawn(): asks the kernel to send it SIGTERM when the parent dies
// (even by SIGKILL), and ends it at once if the parent is already gone. No-op otherwise.
void stop_with_parent();

// While it lives, SIGINT, SIGTERM and SIGHUP do not end this process: the first one is recorded
// (stop_signal()), and wait_children() then stops both children. Restores the previous handlers.
class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
};

// The signal recorded since a StopSignals was installed, or 0.
int stop_signal();

struct Child {
  pid_t pid = -1;
  bool done = false;
  int code = 0;     // exit status, or 128 + signal
  std::string how;  // "exit status N" or "killed by signal N"
};

// Waits for both children; once one has failed, gives the other 5 s to notice, then SIGTERM, then
// (5 s later) SIGKILL. After a stop signal (StopSignals): SIGTERM to both at once, SIGKILL 5 s
// later. Returns the index of the first failing child, or -1.
int wait_children(std::array<Child, 2>& kids);

// SIGKILLs and reaps every started child (after a failure to start the other).
void kill_children(std::array<Child, 2>& kids);

}  // namespace secinfer::apps
