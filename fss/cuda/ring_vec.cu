#include <cuda_runtime.h>

#include <string>

#include "fss/cuda/cuda_check.h"
#include "fss/cuda/kernel_util.cuh"
#include "fss/cuda/ring_vec_cuda.h"

namespace secinfer::fss::cuda {
namespace {

__global__ void ring_sub_kernel(const u64* a, const u64* b, u64* out, std::size_t n, u64 mask) {
  for (std::size_t i = global_thread(); i < n; i += grid_threads())
    out[i] = ((a != nullptr ? a[i] : 0) - b[i]) & mask;
}

__global__ void combine_kernel(vec::CombineParams p, u64* out, std::size_t n) {
  for (std::size_t i = global_thread(); i < n; i += grid_threads()) out[i] = vec::combine_one(p, i);
}

__global__ void interleave_kernel(VecPtrs src, int P, std::size_t n, u64* dst) {
  for (std::size_t i = global_thread(); i < n; i += grid_threads())
    for (int j = 0; j < P; ++j) dst[i * P + j] = src.in[j][i];
}

__global__ void deinterleave_bits_kernel(const std::uint8_t* b, int P, std::size_t n, VecPtrs dst) {
  for (std::size_t i = global_thread(); i < n; i += grid_threads())
    for (int j = 0; j < P; ++j) dst.out[j][i] = b[i * P + j];
}

unsigned grid_for(std::size_t n, unsigned threads) {
  const std::size_t blocks = (n + threads - 1) / threads;
  return static_cast<unsigned>(blocks < 65535 * 8 ? blocks : 65535 * 8);
}

}  // namespace

void ring_sub_device(const u64* a, const u64* b, u64* out, std::size_t n, int bits,
                     CUstream_st* stream) {
  if (n == 0) return;
  constexpr unsigned kThreads = 256;
  ring_sub_kernel<<<grid_for(n, kThreads), kThreads, 0, stream>>>(a, b, out, n, ring_mask(bits));
  CUDA_CHECK_LAUNCH("ring_sub_kernel", "n=" + std::to_string(n) + " bits=" + std::to_string(bits));
}

void combine_device(const vec::CombineParams& p, u64* out, std::size_t n, CUstream_st* stream) {
  if (n == 0) return;
  constexpr unsigned kThreads = 256;
  combine_kernel<<<grid_for(n, kThreads), kThreads, 0, stream>>>(p, out, n);
  CUDA_CHECK_LAUNCH("combine_kernel",
                    "n=" + std::to_string(n) + " terms=" + std::to_string(p.terms));
}

void interleave_device(const VecPtrs& src, int P, std::size_t n, u64* dst, CUstream_st* stream) {
  if (n == 0) return;
  constexpr unsigned kThreads = 256;
  interleave_kernel<<<grid_for(n, kThreads), kThreads, 0, stream>>>(src, P, n, dst);
  CUDA_CHECK_LAUNCH("interleave_kernel", "n=" + std::to_string(n) + " P=" + std::to_string(P));
}

void deinterleave_bits_device(const std::uint8_t* b, int P, std::size_t n, const VecPtrs& dst,
                              CUstream_st* stream) {
  if (n == 0) return;
  constexpr unsigned kThreads = 256;
  deinterleave_bits_kernel<<<grid_for(n, kThreads), kThreads, 0, stream>>>(b, P, n, dst);
  CUDA_CHECK_LAUNCH("deinterleave_bits_kernel",
                    "n=" + std::to_string(n) + " P=" + std::to_string(P));
}

}  // namespace secinfer::fss::cuda
