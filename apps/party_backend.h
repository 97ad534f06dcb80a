// The compute backend of one party process (--backend): under cuda, the GPU that runs the party's
// FSS evaluations (fss::cuda::CudaAccelerator) and the profiler's GPU clock (CudaEventTimer);
// under cpu, neither. Owned by the party run (apps/party.cpp) and passed down to the workloads:
// no global state. The dealer (key generation) stays on the CPU under both.
//
//   PartyBackend b(o);                                   // may throw: no device, CUDA error
//   if (b.timer()) rec.set_gpu_timer(b.timer());
//   run_workload(o, ch, rec, b.accelerator());
#pragma once

#include <memory>
#include <string>

#include "apps/options.h"
#include "fss/accelerator.h"
#include "profiling/scope.h"

namespace secinfer::apps {

class PartyBackend {
 public:
  // An accelerator for o.backend == Backend::kCuda and a workload that evaluates FSS keys (model,
  // microbench); nothing otherwise. Throws std::runtime_error for cuda in a build without it
  // (the parser refuses that first) and what CudaAccelerator throws (no visible device, CUDA
  // errors).
  explicit PartyBackend(const RunOptions& o);
  ~PartyBackend();
  PartyBackend(const PartyBackend&) = delete;
  PartyBackend& operator=(const PartyBackend&) = delete;

  // Null under the CPU backend.
  const fss::Accelerator* accelerator() const { return accel_.get(); }
  profiling::GpuTimer* timer() const { return timer_.get(); }
  // For the party log's environment: "cpu" or the accelerator's describe().
  std::string describe() const;

 private:
  std::unique_ptr<fss::Accelerator> accel_;
  std::unique_ptr<profiling::GpuTimer> timer_;  // reads accel_: declared after it
};

}  // namespace secinfer::apps
