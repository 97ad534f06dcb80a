// Small helpers shared by the kernels: grid-stride indices and launch bookkeeping.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <stdexcept>
#include <string>

#include "fss/cuda/aes_tables.cuh"

namespace secinfer::fss::cuda {

__device__ __forceinline__ std::size_t global_thread() {
  return static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
}
__device__ __forceinline__ std::size_t grid_threads() {
  return static_cast<std::size_t>(gridDim.x) * blockDim.x;
}

// The grid for `kernel` with Tab's shared memory over `items` work items (checks the block size).
template <class Tab, class Kernel>
unsigned plan_grid(Kernel kernel, const KernelConfig& cfg, std::size_t items, const char* name) {
  check_block_size(cfg.threads_per_block);
  return grid_for(kernel, cfg.threads_per_block, aes_smem_bytes<Tab>(), items, name);
}

// Whether a "blocks per SM" knob of KernelConfig asks for two (it must be 1 or 2).
inline bool two_blocks_per_sm(int blocks, const char* knob) {
  if (blocks != 1 && blocks != 2)
    throw std::invalid_argument(std::string(knob) + " " + std::to_string(blocks) +
                                " must be 1 or 2");
  return blocks == 2;
}

inline std::string shape_info(int n, int m, std::size_t count) {
  return "n=" + std::to_string(n) + " m=" + std::to_string(m) + " count=" + std::to_string(count);
}

}  // namespace secinfer::fss::cuda
