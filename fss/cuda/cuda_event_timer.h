// The GPU clock of the profiler (docs/design/product-spec.md "Scopes and the breakdown": GPU kernel
// time from cudaEventRecord pairs inside the scope) for the CUDA backend. Each CudaAccelerator call
// records an event pair around its kernels and adds the elapsed time to the accelerator's
// kernel_ns(); a scope's GPU time is how much that sum grew while the scope was open. (One event
// pair around the whole scope on the accelerator's stream would measure the stream's timeline
// between the two records, i.e. the scope's wall time including the CPU work in between, not kernel
// time.)
//
//   CudaAccelerator gpu;
//   CudaEventTimer timer(gpu);
//   recorder.set_gpu_timer(&timer);   // scopes now report gpu_ms; the timer must outlive that
#pragma once

#include "fss/cuda/accelerator_cuda.h"
#include "profiling/scope.h"

namespace secinfer::fss::cuda {

class CudaEventTimer final : public profiling::GpuTimer {
 public:
  explicit CudaEventTimer(const CudaAccelerator& accel) : accel_(&accel) {}

  // The handle carries the accelerator's kernel_ns() at the scope's start.
  void* begin() override;
  // Kernel ms of the accelerator since `handle`'s begin (all calls are synchronous, so every
  // kernel of the scope has finished and been timed).
  double end(void* handle) override;

 private:
  const CudaAccelerator* accel_;
};

}  // namespace secinfer::fss::cuda
