// The SIMT ring GEMM's per-thread steps (ring_matmul.cu, simt_gemm_kernel), host-device so that a
// CPU simulation (ring_matmul_emulate.h, simt_emulated) runs the same tile indexing, k splits,
// causal skips and epilogue as the kernel, thread by thread between the barriers.
//
// A block of kThreads = 256 threads owns the kBM x kBN = 64 x 64 tile of C at (i0, j0) of batch bt
// and walks its split's k range [kb, ke) in slabs of kBK = 16:
//   fetch(kb); for each slab kt: stash; barrier; fetch(kt + 16) if any; multiply; barrier;
//   store.
// Thread tid = 16 ty + tx keeps the 4 x 4 outputs at rows ty + 16 r, columns tx + 16 c.
#pragma once

#include <cstddef>
#include <cstdint>

#include "fss/cuda/ring_matmul_cuda.h"
#include "fss/ring.h"

// Full unrolling on the device, where the small fixed loops must become register-indexed code.
#if defined(__CUDA_ARCH__)
#define SECINFER_UNROLL _Pragma("unroll")
#else
#define SECINFER_UNROLL
#endif

namespace secinfer::fss::cuda::ring_gemm {

inline constexpr int kBM = 64, kBN = 64, kBK = 16, kThreads = 256;
inline constexpr int kTM = 4, kTN = 4;
static_assert(kThreads == (kBM / kTM) * (kBN / kTN) && kBM / kTM == 16 && kBN / kTN == 16);
static_assert(kBM * kBK == 4 * kThreads && kBN * kBK == 4 * kThreads);

struct SimtParams {
  const u64* a;
  const u64* b;
  u64* c;
  u64* partial;  // non-null: split over k, add into this zeroed batches x m x n buffer
  std::size_t m, k, n;
  std::size_t b_stride;  // elements between batches of B (0 when shared)
  std::size_t batch0;    // first batch of this launch
  unsigned splits;
  std::size_t k_chunk;  // k range of one split, a multiple of kBK
  u64 mask;
  bool accumulate, causal;
};

// Where block (bx, by, bz) works: batch, tile origin, k range; false when the tile lies wholly
// above the diagonal (causal) and the block has nothing to do.
struct SimtBlock {
  std::size_t bt, i0, j0, kb, ke;
};
SECINFER_HD bool simt_block(const SimtParams& p, unsigned bx, unsigned by, unsigned bz,
                            SimtBlock& blk) {
  blk.bt = p.batch0 + bz / p.splits;
  const std::size_t split = bz % p.splits;
  blk.i0 = static_cast<std::size_t>(by) * kBM;
  blk.j0 = static_cast<std::size_t>(bx) * kBN;
  blk.kb = split * p.k_chunk;
  blk.ke = blk.kb + p.k_chunk < p.k ? blk.kb + p.k_chunk : p.k;
  return !(p.causal && blk.j0 > blk.i0 + (kBM - 1));
}

// The slab at kt into this thread's registers: A[i0 + tid / 16 + 16 q][kt + tid % 16], and B's
// 4 elements (consecutive threads walk B's contiguous axis); zero outside the matrix and past ke.
template <class T, bool kTransB>
SECINFER_HD void simt_fetch(const SimtParams& p, const SimtBlock& blk, int tid, std::size_t kt,
                            T* ra, T* rb) {
  const u64* a = p.a + blk.bt * p.m * p.k;
  const u64* b = p.b + blk.bt * p.b_stride;
  SECINFER_UNROLL
  for (int q = 0; q < 4; ++q) {
    const std::size_t i = blk.i0 + tid / 16 + 16 * q, t = kt + tid % 16;
    ra[q] = (i < p.m && t < blk.ke) ? static_cast<T>(a[i * p.k + t]) : T{0};
  }
  SECINFER_UNROLL
  for (int q = 0; q < 4; ++q) {
    if constexpr (kTransB) {  // B[t][j] = b[j k + t]
      const std::size_t t = kt + tid % 16, j = blk.j0 + tid / 16 + 16 * q;
      rb[q] = (t < blk.ke && j < p.n) ? static_cast<T>(b[j * p.k + t]) : T{0};
    } else {  // B[t][j] = b[t n + j]
      const std::size_t t = kt + tid / 64 + 4 * q, j = blk.j0 + tid % 64;
      rb[q] = (t < blk.ke && j < p.n) ? static_cast<T>(b[t * p.n + j]) : T{0};
    }
  }
}

// Registers to the shared slabs: As[t][i] = A[i0 + i][kt + t], Bs[t][j] = B[kt + t][j0 + j]. The
// +1 padding makes a half-warp's transposing u64 stores hit 16 distinct bank pairs.
template <class T, bool kTransB>
SECINFER_HD void simt_stash(int tid, const T* ra, const T* rb, T (*As)[kBM + 1], T (*Bs)[kBN + 1]) {
  SECINFER_UNROLL
  for (int q = 0; q < 4; ++q) As[tid % 16][tid / 16 + 16 * q] = ra[q];
  SECINFER_UNROLL
  for (int q = 0; q < 4; ++q) {
    if constexpr (kTransB)
      Bs[tid % 16][tid / 16 + 16 * q] = rb[q];
    else
      Bs[tid / 64 + 4 * q][tid % 64] = rb[q];
  }
}

// acc[r][c] += sum_t As[t][ty + 16 r] Bs[t][tx + 16 c], wrapping mod 2^(8 sizeof T).
template <class T>
SECINFER_HD void simt_multiply(int tid, const T (*As)[kBM + 1], const T (*Bs)[kBN + 1],
                               T (*acc)[kTN]) {
  const int tx = tid % 16, ty = tid / 16;
  SECINFER_UNROLL
  for (int t = 0; t < kBK; ++t) {
    T av[kTM], bv[kTN];
    SECINFER_UNROLL
    for (int r = 0; r < kTM; ++r) av[r] = As[t][ty + 16 * r];
    SECINFER_UNROLL
    for (int c = 0; c < kTN; ++c) bv[c] = Bs[t][tx + 16 * c];
    SECINFER_UNROLL
    for (int r = 0; r < kTM; ++r) SECINFER_UNROLL
    for (int c = 0; c < kTN; ++c) acc[r][c] += av[r] * bv[c];
  }
}

// The thread's outputs: masked into C (accumulating or not), or added into the split-k partial
// sums; j > i skipped when causal, rows and columns past m, n skipped.
template <class T>
SECINFER_HD void simt_store(const SimtParams& p, const SimtBlock& blk, int tid,
                            const T (*acc)[kTN]) {
  const int tx = tid % 16, ty = tid / 16;
  SECINFER_UNROLL
  for (int r = 0; r < kTM; ++r) {
    const std::size_t i = blk.i0 + ty + 16 * r;
    if (i >= p.m) continue;
    SECINFER_UNROLL
    for (int c = 0; c < kTN; ++c) {
      const std::size_t j = blk.j0 + tx + 16 * c;
      if (j >= p.n || (p.causal && j > i)) continue;
      const std::size_t idx = (blk.bt * p.m + i) * p.n + j;
      const u64 v = static_cast<u64>(acc[r][c]);
      if (p.partial != nullptr) {
#if defined(__CUDA_ARCH__)
        static_assert(sizeof(unsigned long long) == sizeof(u64));
        atomicAdd(reinterpret_cast<unsigned long long*>(p.partial + idx),
                  static_cast<unsigned long long>(v));
#else
        p.partial[idx] += v;
#endif
      } else {
        p.c[idx] = p.accumulate ? (p.c[idx] + v) & p.mask : v & p.mask;
      }
    }
  }
}

// The split-k epilogue for one element e of C (batches x m x n).
SECINFER_HD void simt_finish(const SimtParams& p, std::size_t e) {
  const std::size_t j = e % p.n, i = (e / p.n) % p.m;
  if (p.causal && j > i) return;
  p.c[e] = p.accumulate ? (p.c[e] + p.partial[e]) & p.mask : p.partial[e] & p.mask;
}

struct SimtPlan {
  unsigned splits = 1;
  std::size_t k_chunk = 0;
};

// Split k until about two blocks per SM (the kernel's occupancy at <= 128 registers) are in
// flight, keeping at least 128 of k per split (8 slabs: the prologue and the atomics stay small);
// no split is empty. k > 0.
inline SimtPlan simt_plan(const RingGemm& g, int sms) {
  const std::size_t tiles_m = (g.m + kBM - 1) / kBM, tiles_n = (g.n + kBN - 1) / kBN;
  std::size_t tiles = g.batches * tiles_m * tiles_n;
  if (g.causal) tiles = g.batches * (tiles_m * (tiles_m + 1) / 2);  // m == n: lower triangle
  const std::size_t target = 2 * static_cast<std::size_t>(sms > 1 ? sms : 1);
  std::size_t splits = 1;
  if (tiles < target) {
    const std::size_t by_k = g.k / 128 > 1 ? g.k / 128 : 1;
    splits = (target + tiles - 1) / tiles;
    if (splits > by_k) splits = by_k;
  }
  SimtPlan plan;
  plan.k_chunk = ((g.k + splits - 1) / splits + kBK - 1) / kBK * kBK;
  plan.splits = static_cast<unsigned>((g.k + plan.k_chunk - 1) / plan.k_chunk);
  return plan;
}

}  // namespace secinfer::fss::cuda::ring_gemm
