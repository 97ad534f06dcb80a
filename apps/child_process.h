// The two party processes of `secinfer local` and `secinfer microbench`: start one with its stderr
// folded into its stdout (the parent's stdout keeps the table only), and wait for both, stopping
// the survivor when one fails.
#pragma once

#include <sys/types.h>

#include <array>
#include <string>
#include <vector>

namespace secinfer::apps {

// Starts args[0] with args; throws std::runtime_error naming the program on failure.
pid_t spawn(const std::vector<std::string>& args);

struct Child {
  pid_t pid = -1;
  bool done = false;
  int code = 0;     // exit status, or 128 + signal
  std::string how;  // "exit status N" or "killed by signal N"
};

// Waits for both children; once one has failed, gives the other 5 s to notice, then SIGTERM, then
// (5 s later) SIGKILL. Returns the index of the first failing child, or -1.
int wait_children(std::array<Child, 2>& kids);

// SIGKILLs and reaps every started child (after a failure to start the other).
void kill_children(std::array<Child, 2>& kids);

}  // namespace secinfer::apps
