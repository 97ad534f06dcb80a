#include "apps/party_backend.h"

#include <stdexcept>

#ifdef SECINFER_HAVE_CUDA
#include "fss/cuda/accelerator_cuda.h"
#include "fss/cuda/cuda_event_timer.h"
#endif

namespace secinfer::apps {

PartyBackend::PartyBackend(const RunOptions& o) {
  if (o.backend != models::Backend::kCuda || o.workload == models::Workload::kNetbench) return;
#ifdef SECINFER_HAVE_CUDA
  using fss::cuda::HostWait;
  const HostWait wait = o.gpu_wait == models::GpuWait::kSpin    ? HostWait::kSpin
                        : o.gpu_wait == models::GpuWait::kYield ? HostWait::kYield
                        : o.gpu_wait == models::GpuWait::kBlock ? HostWait::kBlock
                                                                : HostWait::kAuto;
  auto gpu = std::make_unique<fss::cuda::CudaAccelerator>(
      o.gpu, fss::cuda::KernelConfig{}, 0, o.gate_vectors == models::GateVectors::kDevice, wait);
  timer_ = std::make_unique<fss::cuda::CudaEventTimer>(*gpu);
  accel_ = std::move(gpu);
#else
  throw std::runtime_error(
      "--backend cuda: this build has no CUDA backend: rebuild with -DSECINFER_CUDA=ON on a "
      "machine with the CUDA Toolkit, or use --backend cpu");
#endif
}

PartyBackend::~PartyBackend() = default;

std::string PartyBackend::describe() const {
  return accel_ ? accel_->describe() : std::string("cpu");
}

}  // namespace secinfer::apps
