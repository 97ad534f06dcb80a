// The three paths of ring_matmul.cu computed on the CPU: the SIMT kernel simulated block by block
// and thread by thread from ring_matmul_simt.h's steps (its tiling, k splits, causal skips,
// epilogue), and the two limb paths (RingGemmImpl::kFp64Limbs, kInt8Limbs) with
// ring_matmul_core.h's limb placement and cuBLAS call parameters, so their layouts and exactness
// bounds are checked without a GPU (tests/fss/gates/sigma/ring_matmul_limbs_test.cpp, and
// gpu_check beside the device runs). Host-only, no CUDA headers or libraries; slow (plain
// loops, bounds-checked): for small shapes and the exactness edges.
//   std::vector<u64> c(ring_gemm_c_size(g));
//   ring_gemm::fp64_limbs_emulated(g, a, b, c);  // == sigma::detail::ring_matmul_batched
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <vector>

#include "fss/cuda/ring_matmul_core.h"
#include "fss/cuda/ring_matmul_cuda.h"
#include "fss/cuda/ring_matmul_simt.h"

namespace secinfer::fss::cuda::ring_gemm {

// RingGemmImpl::kFp64Limbs computed on the CPU: limbs placed by a_limb_index / b_limb_index, each
// diagonal by a column-major double GEMM with diagonal_gemm's operands, offsets, leading
// dimensions and strides (what cuBLAS is given; .at() catches a layout that reads out of bounds),
// recombined as recombine_kernel does.
inline void fp64_limbs_emulated(const RingGemm& g, std::span<const u64> a, std::span<const u64> b,
                                std::span<u64> c) {
  if (g.k == 0 && g.accumulate) return;  // ring_matmul_device's (and the CPU's) early out
  const int L = limb_count(g.bits);
  const std::size_t total = ring_gemm_c_size(g);
  std::vector<double> al(ring_gemm_a_size(g) * L), bl(ring_gemm_b_size(g) * L), dl(total * L);
  for (std::size_t e = 0; e < a.size(); ++e)
    for (int l = 0; l < L; ++l)
      al.at(a_limb_index(e, g.k, L, l)) = static_cast<double>(limb(a[e], l, g.bits));
  for (std::size_t e = 0; e < b.size(); ++e)
    for (int l = 0; l < L; ++l)
      bl.at(b_limb_index(e, g.k, g.n, g.transpose_b, L, l)) =
          static_cast<double>(limb(b[e], l, g.bits));
  for (int s = 0; s < L; ++s) {
    const DiagonalGemm d = diagonal_gemm(g, s);
    for (std::size_t bt = 0; bt < d.batch; ++bt)
      for (std::size_t j = 0; j < d.cols; ++j)
        for (std::size_t i = 0; i < d.rows_x; ++i) {
          double sum = 0;
          for (std::size_t p = 0; p < d.kk; ++p) {
            const std::size_t xi =
                d.x_off + bt * d.stride_x + (d.trans_x ? p + i * d.ldx : i + p * d.ldx);
            sum += bl.at(xi) * al.at(bt * d.stride_y + p + j * d.ldy);
          }
          dl.at(d.d_off + bt * d.stride_d + i + j * d.ldd) = sum;
        }
  }
  const u64 mask = ring_mask(g.bits);
  for (std::size_t e = 0; e < total; ++e) {
    const std::size_t j = e % g.n, i = (e / g.n) % g.m;
    if (g.causal && j > i) continue;
    u64 v = 0;
    for (int s = 0; s < L; ++s) v += diagonal_term(static_cast<u64>(dl[s * total + e]), s);
    c[e] = g.accumulate ? (c[e] + v) & mask : v & mask;
  }
}

// RingGemmImpl::kInt8Limbs computed on the CPU the same way: digits placed by a_digit_index /
// b_digit_index over the padded k, int8_diagonal_gemm's "TN" calls summed in int64 and checked
// to fit the int32 cuBLAS accumulates in, sign-extended recombination.
inline void int8_limbs_emulated(const RingGemm& g, std::span<const u64> a, std::span<const u64> b,
                                std::span<u64> c) {
  if (g.k == 0 && g.accumulate) return;
  const int L = digit_count(g.bits);
  const std::size_t kp = int8_kp(g.k), ldd = int8_ldd(g.n), Lkp = L * kp;
  const std::size_t rows = g.batches * g.m, mats = g.shared_b ? 1 : g.batches;
  std::vector<signed char> ad(rows * Lkp, 0), bd(mats * g.n * Lkp, 0);
  std::vector<std::int32_t> dd(static_cast<std::size_t>(L) * rows * ldd, 0);
  signed char d[8];
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t t = 0; t < kp; ++t) {
      digits(t < g.k ? a[r * g.k + t] : 0, g.bits, d);
      for (int l = 0; l < L; ++l) ad.at(a_digit_index(r, t, kp, L, l)) = d[l];
    }
  for (std::size_t mt = 0; mt < mats; ++mt)
    for (std::size_t j = 0; j < g.n; ++j)
      for (std::size_t t = 0; t < kp; ++t) {
        const std::size_t src = mt * g.k * g.n + (g.transpose_b ? j * g.k + t : t * g.n + j);
        digits(t < g.k ? b[src] : 0, g.bits, d);
        for (int l = 0; l < L; ++l) bd.at(b_digit_index(mt, t, j, g.n, kp, L, l)) = d[l];
      }
  for (int s = 0; s < L; ++s) {
    const DiagonalGemm dg = int8_diagonal_gemm(g, s);
    for (std::size_t bt = 0; bt < dg.batch; ++bt)
      for (std::size_t j = 0; j < dg.cols; ++j)
        for (std::size_t i = 0; i < dg.rows_x; ++i) {
          std::int64_t sum = 0;
          for (std::size_t p = 0; p < dg.kk; ++p)
            sum += std::int64_t{bd.at(dg.x_off + bt * dg.stride_x + p + i * dg.ldx)} *
                   ad.at(bt * dg.stride_y + p + j * dg.ldy);
          if (sum > INT32_MAX || sum < INT32_MIN)
            throw std::runtime_error("int8 emulation: a diagonal sum overflows int32");
          dd.at(dg.d_off + bt * dg.stride_d + i + j * dg.ldd) = static_cast<std::int32_t>(sum);
        }
  }
  const u64 mask = ring_mask(g.bits);
  for (std::size_t e = 0; e < ring_gemm_c_size(g); ++e) {
    const std::size_t row = e / g.n, j = e % g.n, i = row % g.m;
    if (g.causal && j > i) continue;
    u64 v = 0;
    for (int s = 0; s < L; ++s) v += digit_term(dd[s * rows * ldd + row * ldd + j], s);
    c[e] = g.accumulate ? (c[e] + v) & mask : v & mask;
  }
}

// RingGemmImpl::kSimt on the CPU: run_simt's plan for `sms` SMs, its launches over the batches,
// every block's 256 threads stepped together from barrier to barrier (fetch, stash | fetch next,
// multiply | store), u64 atomics as plain adds, then the split-k epilogue.
template <class T, bool kTransB>
void simt_emulated_as(const RingGemm& g, std::span<const u64> a, std::span<const u64> b,
                      std::span<u64> c, int sms) {
  const std::size_t total = ring_gemm_c_size(g);
  const SimtPlan plan = simt_plan(g, sms);
  std::vector<u64> partial(plan.splits > 1 ? total : 0, 0);
  SimtParams p{};
  p.a = a.data();
  p.b = b.data();
  p.c = c.data();
  p.partial = plan.splits > 1 ? partial.data() : nullptr;
  p.m = g.m;
  p.k = g.k;
  p.n = g.n;
  p.b_stride = g.shared_b ? 0 : g.k * g.n;
  p.splits = plan.splits;
  p.k_chunk = plan.k_chunk;
  p.mask = ring_mask(g.bits);
  p.accumulate = g.accumulate;
  p.causal = g.causal;
  struct Thread {
    T ra[4], rb[4], acc[kTM][kTN];
  };
  const auto threads = std::make_unique<Thread[]>(kThreads);
  const auto As = std::make_unique<T[][kBM + 1]>(kBK);
  const auto Bs = std::make_unique<T[][kBN + 1]>(kBK);
  const std::size_t tiles_m = (g.m + kBM - 1) / kBM, tiles_n = (g.n + kBN - 1) / kBN;
  const std::size_t per_launch = 65535 / plan.splits > 1 ? 65535 / plan.splits : 1;
  for (std::size_t b0 = 0; b0 < g.batches; b0 += per_launch) {
    p.batch0 = b0;
    const std::size_t nb = g.batches - b0 < per_launch ? g.batches - b0 : per_launch;
    for (unsigned bz = 0; bz < nb * plan.splits; ++bz)
      for (unsigned by = 0; by < tiles_m; ++by)
        for (unsigned bx = 0; bx < tiles_n; ++bx) {
          SimtBlock blk;
          if (!simt_block(p, bx, by, bz, blk)) continue;
          for (int tid = 0; tid < kThreads; ++tid) {
            Thread& th = threads[tid];
            for (auto& row : th.acc)
              for (auto& x : row) x = 0;
            if (blk.kb < blk.ke) simt_fetch<T, kTransB>(p, blk, tid, blk.kb, th.ra, th.rb);
          }
          for (std::size_t kt = blk.kb; kt < blk.ke; kt += kBK) {
            for (int tid = 0; tid < kThreads; ++tid)
              simt_stash<T, kTransB>(tid, threads[tid].ra, threads[tid].rb, As.get(), Bs.get());
            for (int tid = 0; tid < kThreads; ++tid) {  // after the first barrier
              Thread& th = threads[tid];
              if (kt + kBK < blk.ke) simt_fetch<T, kTransB>(p, blk, tid, kt + kBK, th.ra, th.rb);
              simt_multiply<T>(tid, As.get(), Bs.get(), th.acc);
            }
          }
          for (int tid = 0; tid < kThreads; ++tid) simt_store<T>(p, blk, tid, threads[tid].acc);
        }
  }
  if (p.partial != nullptr)
    for (std::size_t e = 0; e < total; ++e) simt_finish(p, e);
}

inline void simt_emulated(const RingGemm& g, std::span<const u64> a, std::span<const u64> b,
                          std::span<u64> c, int sms) {
  if (ring_gemm_c_size(g) == 0 || (g.k == 0 && g.accumulate)) return;
  if (g.k == 0) {  // ring_matmul_device's empty sums, as the CPU
    for (std::size_t e = 0; e < c.size(); ++e)
      if (!g.causal || e % g.n <= (e / g.n) % g.m) c[e] = 0;
    return;
  }
  if (g.bits <= 32)
    g.transpose_b ? simt_emulated_as<std::uint32_t, true>(g, a, b, c, sms)
                  : simt_emulated_as<std::uint32_t, false>(g, a, b, c, sms);
  else
    g.transpose_b ? simt_emulated_as<u64, true>(g, a, b, c, sms)
                  : simt_emulated_as<u64, false>(g, a, b, c, sms);
}

}  // namespace secinfer::fss::cuda::ring_gemm
