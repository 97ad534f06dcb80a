// Exit status of the `secinfer` program (documented in `secinfer --help`).
#pragma once

namespace secinfer::apps {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;   // the run failed (see the message and the party log)
inline constexpr int kExitUsage = 2;    // bad flags or arguments
inline constexpr int kExitNetwork = 3;  // peer never connected, died mid-run, config mismatch
inline constexpr int kExitMerge = 4;    // the two party logs cannot be merged
inline constexpr int kExitOom = 5;      // out of memory (recorded as status "oom")

}  // namespace secinfer::apps
