// CudaEventTimer (cuda_event_timer.h): a scope's GPU time is the growth of the accelerator's
// summed kernel event pairs while it was open.
#include "fss/cuda/cuda_event_timer.h"

#include <cstdint>

namespace secinfer::fss::cuda {

void* CudaEventTimer::begin() {
  return reinterpret_cast<void*>(static_cast<std::uintptr_t>(accel_->kernel_ns()));
}

double CudaEventTimer::end(void* handle) {
  const auto start = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(handle));
  const std::uint64_t now = accel_->kernel_ns();
  return now >= start ? static_cast<double>(now - start) * 1e-6 : 0.0;
}

}  // namespace secinfer::fss::cuda
