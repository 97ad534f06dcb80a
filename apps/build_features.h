// Which compute backends this build and this machine offer (for --backend and its default).
#pragma once

namespace secinfer::apps {

// True if the CUDA backend was compiled in (SECINFER_HAVE_CUDA).
bool cuda_built();
// Number of usable CUDA devices (0 without the CUDA backend, a driver or a GPU).
int cuda_device_count();

}  // namespace secinfer::apps
