// How a party process shares its GPU with the other processes of its host, for the party log's
// environment (docs/design/gpu-online-phase.md "Two party processes on one GPU: turns or MPS").
// Two processes on one GPU take turns on it (time slices: one CUDA context's kernels at a time)
// unless NVIDIA's Multi-Process Service runs: then CUDA processes become clients of its server and
// their kernels may run at the same time. Both parties on one GPU measure very differently in the
// two cases, so every CUDA run's log says which it saw.
#pragma once

#include <filesystem>
#include <string>

namespace secinfer::apps {

// True when a process named nvidia-cuda-mps-* (the MPS control daemon or its server) is in the
// process table under `proc` (a /proc-like folder: numbered folders holding `comm`). Unreadable
// entries are skipped; an unreadable `proc` gives false.
bool mps_daemon_running(const std::filesystem::path& proc = "/proc");

// The environment's "gpu_sharing" text for what mps_daemon_running() found.
std::string gpu_sharing_note(bool mps_running);

}  // namespace secinfer::apps
