#include "apps/gpu_sharing.h"

#include <fstream>
#include <system_error>

namespace secinfer::apps {

bool mps_daemon_running(const std::filesystem::path& proc) {
  // Never throws: a party must not fail over this note (processes come and go as it reads).
  std::error_code ec;
  for (std::filesystem::directory_iterator it(proc, ec), end; !ec && it != end; it.increment(ec)) {
    const std::filesystem::directory_entry& entry = *it;
    const std::string pid = entry.path().filename().string();
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream comm(entry.path() / "comm");
    std::string name;
    // The kernel keeps 15 characters of a process name: "nvidia-cuda-mps" for both of MPS's.
    if (comm && std::getline(comm, name) && name.starts_with("nvidia-cuda-mps")) return true;
  }
  return false;
}

std::string gpu_sharing_note(bool mps_running) {
  return mps_running
             ? "MPS: an NVIDIA Multi-Process Service daemon runs on this host, so CUDA processes "
               "of its user are its clients and two parties' kernels on one GPU may run at the "
               "same time"
             : "no MPS daemon on this host: party processes on one GPU take turns on it (time "
               "slices); each party on its own GPU does not share one";
}

}  // namespace secinfer::apps
