#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

#include "fss/cuda/cuda_check.h"
#include "fss/cuda/kernel_util.cuh"
#include "fss/cuda/ring_vec_cuda.h"
#include "fss/vec/gather_core.h"

namespace secinfer::fss::cuda {
namespace {

__global__ void ring_sub_kernel(const u64* a, const u64* b, u64* out, std::size_t n, u64 mask) {
  for (std::size_t i = global_thread(); i < n; i += grid_threads())
    out[i] = ((a != nullptr ? a[i] : 0) - b[i]) & mask;
}

__global__ void combine_kernel(vec::CombineParams p, u64* out, std::size_t n) {
  for (std::size_t i = global_thread(); i < n; i += grid_threads()) out[i] = vec::combine_one(p, i);
}

// A warp per row: its lanes sum strided columns (coalesced reads), then the lanes' sums are
// added by shuffles. Additions mod 2^64 give the same bits in any order, so this equals the
// host's loop row by row.
constexpr unsigned kWarp = 32;
__global__ void row_sums_kernel(const u64* v, std::size_t rows, std::size_t cols, u64 mask,
                                u64* out) {
  const unsigned lane = threadIdx.x % kWarp;
  for (std::size_t r = global_thread() / kWarp; r < rows; r += grid_threads() / kWarp) {
    const u64* row = v + r * cols;
    u64 acc = 0;
    for (std::size_t j = lane; j < cols; j += kWarp) acc += row[j];
    for (unsigned d = kWarp / 2; d > 0; d /= 2) acc += __shfl_down_sync(0xffffffffu, acc, d);
    if (lane == 0) out[r] = acc & mask;
  }
}

// A thread per output element; reads and writes are coalesced along `inner`.
__global__ void swap_axes_kernel(const u64* in, std::size_t outer, std::size_t rows,
                                 std::size_t cols, std::size_t inner, u64* out) {
  const std::size_t n = outer * rows * cols * inner;
  for (std::size_t k = global_thread(); k < n; k += grid_threads()) {
    const std::size_t i = k % inner, p = k / inner;
    const std::size_t r = p % rows, q = p / rows;
    const std::size_t c = q % cols, o = q / cols;
    out[k] = in[((o * rows + r) * cols + c) * inner + i];
  }
}

// A thread per entry of the product: entry (b, i, j) is live unless causal with j > i; its live
// index counts the live entries before it (b whole triangles, then i (i + 1) / 2 in its own).
__global__ void live_entries_add_kernel(RingMatmulShape g, const u64* c, const u64* add, u64* out) {
  const std::size_t n = g.batches * g.m * g.n;
  const std::size_t tri = g.m * (g.m + 1) / 2;
  for (std::size_t e = global_thread(); e < n; e += grid_threads()) {
    if (!g.causal) {
      out[e] = c[e] + add[e];
      continue;
    }
    const std::size_t j = e % g.n, i = (e / g.n) % g.m, b = e / (g.m * g.n);
    if (j > i) continue;
    const std::size_t l = b * tri + i * (i + 1) / 2 + j;
    out[l] = c[e] + add[l];
  }
}

__global__ void gather_kernel(const u64* a, std::size_t na, const u64* b, std::size_t nb,
                              const u64* idx, std::size_t n, u64* out) {
  for (std::size_t i = global_thread(); i < n; i += grid_threads()) {
    out[i] = vec::gather_one(a, na, b, nb, idx[i]);
  }
}

__global__ void interleave_kernel(VecPtrs src, int P, std::size_t n, u64 mask, u64* dst) {
  for (std::size_t i = global_thread(); i < n; i += grid_threads())
    for (int j = 0; j < P; ++j) dst[i * P + j] = (src.in[j][i] + src.add[j]) & mask;
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

void row_sums_device(const u64* v, std::size_t rows, std::size_t cols, int bits, u64* out,
                     CUstream_st* stream) {
  if (rows == 0) return;
  constexpr unsigned kThreads = 256;
  // Whole warps per block, so that every row's warp is complete for the shuffles.
  static_assert(kThreads % kWarp == 0);
  row_sums_kernel<<<grid_for(rows * kWarp, kThreads), kThreads, 0, stream>>>(v, rows, cols,
                                                                             ring_mask(bits), out);
  CUDA_CHECK_LAUNCH("row_sums_kernel", "rows=" + std::to_string(rows) + " cols=" +
                                           std::to_string(cols) + " bits=" + std::to_string(bits));
}

void swap_axes_device(const u64* in, std::size_t outer, std::size_t rows, std::size_t cols,
                      std::size_t inner, u64* out, CUstream_st* stream) {
  const std::size_t n = outer * rows * cols * inner;
  if (n == 0) return;
  constexpr unsigned kThreads = 256;
  swap_axes_kernel<<<grid_for(n, kThreads), kThreads, 0, stream>>>(in, outer, rows, cols, inner,
                                                                   out);
  CUDA_CHECK_LAUNCH("swap_axes_kernel", "shape=[" + std::to_string(outer) + ", " +
                                            std::to_string(rows) + ", " + std::to_string(cols) +
                                            ", " + std::to_string(inner) + "]");
}

void live_entries_add_device(const RingMatmulShape& shape, const u64* c, const u64* add, u64* out,
                             CUstream_st* stream) {
  const std::size_t n = shape.batches * shape.m * shape.n;
  if (n == 0) return;
  if (shape.causal && shape.m != shape.n)
    throw std::invalid_argument("live_entries_add_device: causal needs m == n");
  constexpr unsigned kThreads = 256;
  live_entries_add_kernel<<<grid_for(n, kThreads), kThreads, 0, stream>>>(shape, c, add, out);
  CUDA_CHECK_LAUNCH("live_entries_add_kernel",
                    "batches=" + std::to_string(shape.batches) + " m=" + std::to_string(shape.m) +
                        " n=" + std::to_string(shape.n) + (shape.causal ? " causal" : ""));
}

void gather_device(const u64* a, std::size_t na, const u64* b, std::size_t nb, const u64* idx,
                   std::size_t n, u64* out, CUstream_st* stream) {
  if (n == 0) return;
  constexpr unsigned kThreads = 256;
  gather_kernel<<<grid_for(n, kThreads), kThreads, 0, stream>>>(a, na, b, nb, idx, n, out);
  CUDA_CHECK_LAUNCH("gather_kernel", "n=" + std::to_string(n) + " na=" + std::to_string(na) +
                                         " nb=" + std::to_string(nb));
}

void interleave_device(const VecPtrs& src, int P, std::size_t n, u64 mask, u64* dst,
                       CUstream_st* stream) {
  if (n == 0) return;
  constexpr unsigned kThreads = 256;
  interleave_kernel<<<grid_for(n, kThreads), kThreads, 0, stream>>>(src, P, n, mask, dst);
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
