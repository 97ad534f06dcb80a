// One party of a two-party run (`secinfer run`): connect, handshake, workload, party log.
#pragma once

#include "apps/options.h"

namespace secinfer::apps {

// Writes party_log_path(o, o.party) before connecting (status "failed": "did not finish", so a
// party that is killed leaves a log saying so) and again, atomically, at the end with the outcome.
// Prints a one-line summary on stdout. Returns the exit status (apps/exit_codes.h).
int run_party(const RunOptions& o);

}  // namespace secinfer::apps
