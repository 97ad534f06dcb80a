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

// The launch of a grid-stride kernel of a thread an item (a key, a point) over `items`: blocks of
// cfg.threads_per_block, unless their waves over the GPU's resident slots would leave more than
// 1 - kLastWaveUse of the slots idle and blocks of cfg.small_call_block threads hold at least as
// many threads an SM. A call of one or two waves (a bert-base seq 128 gate's 98,304 keys against
// 67,584 resident threads of the DCF generator on an H100) otherwise ends on the SMs that took a
// second block, the rest idle; smaller blocks spread that last wave over every SM (docs/perf.md,
// session 36: the generators 8-27% faster at 98,304 keys, 1.6-1.75x at 27,648, 512 threads still
// best at 393,216).
// The threads compute the same items whatever the shape.
template <class Tab, class Kernel>
LaunchShape plan_launch(Kernel kernel, const KernelConfig& cfg, std::size_t items,
                        const char* name) {
  check_block_size(cfg.threads_per_block);
  const std::size_t smem = aes_smem_bytes<Tab>();
  const int block = cfg.threads_per_block;
  const int small = cfg.small_call_block;
  const Residency r = residency(kernel, block, smem, name);
  return choose_launch(r, block, small, items, [&] {
    check_block_size(small);
    return residency(kernel, small, smem, name);
  });
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
