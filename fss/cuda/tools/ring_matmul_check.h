// gpu_check's ring matrix product cases: ring_matmul_host (fss/cuda/ring_matmul_cuda.h), every
// implementation, against the CPU's sigma::detail::ring_matmul_batched on the same inputs, at
// BERT-base's shapes and small odd ones (m, k, n off the 64 x 64 x 16 tiling), bits 37 / 50 / 64
// (and 1 / 20 / 32 on the small ones: the u32 SIMT kernel), accumulate off and on; random u64
// inputs, unreduced, with 0, 1, 2^63 and 2^64 - 1 mixed in, and saturated ones (every entry
// 2^64 - 1, or every int8 digit -128: the largest limb sums). Plus both limb paths emulated on the
// CPU (fp64_limbs_emulated, int8_limbs_emulated: the same limb indexes and cuBLAS call
// parameters, ring_matmul_core.h), which need no GPU, up to the largest k they claim exact.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "fss/cuda/ring_matmul_core.h"
#include "fss/cuda/ring_matmul_cuda.h"
#include "fss/cuda/tools/check_util.h"
#include "fss/gates/sigma/ring_matmul.h"

namespace secinfer::fss::cuda::tools {

inline sigma::detail::RingMatmulArgs cpu_matmul_args(const RingGemm& g) {
  sigma::detail::RingMatmulArgs r;
  r.bits = g.bits;
  r.batches = g.batches;
  r.m = g.m;
  r.k = g.k;
  r.n = g.n;
  r.transpose_b = g.transpose_b;
  r.shared_b = g.shared_b;
  r.accumulate = g.accumulate;
  r.causal = g.causal;
  r.threads = 0;
  return r;
}

// RingGemmImpl::kFp64Limbs computed on the CPU: limbs placed by a_limb_index / b_limb_index, each
// diagonal by a column-major double GEMM with diagonal_gemm's operands, offsets, leading
// dimensions and strides (what cuBLAS is given; .at() catches a layout that reads out of bounds),
// recombined as recombine_kernel does.
inline void fp64_limbs_emulated(const RingGemm& g, std::span<const u64> a, std::span<const u64> b,
                                std::span<u64> c) {
  using namespace ring_gemm;
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
  using namespace ring_gemm;
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

struct RingGemmCase {
  const char* name;
  std::size_t batches, m, k, n;
  bool transpose_b, shared_b, causal;
  bool small;  // also bits 1 / 20 / 32, and the CPU emulation of the fp64 path
};

inline std::string ring_gemm_case_name(const RingGemmCase& s, int bits, bool accumulate,
                                       bool saturated) {
  return std::string("ring matmul ") + s.name + " " + std::to_string(s.batches) + "x" +
         std::to_string(s.m) + "x" + std::to_string(s.k) + "x" + std::to_string(s.n) +
         (s.transpose_b ? " B^T" : "") + (s.shared_b ? " shared B" : "") +
         (s.causal ? " causal" : "") + " bits=" + std::to_string(bits) +
         (accumulate ? " accumulate" : "") + (saturated ? " all 2^64-1" : "");
}

// One shape, bits and accumulate flag: the CPU result against every GPU implementation (and the
// emulation when `emulate`).
// Every entry of A and B 2^64 - 1: every 16-bit limb 2^16 - 1, the largest fp64 diagonal sums.
inline constexpr u64 kLimbWorst = ~u64{0};
// Every balanced base-256 digit -128 (bytes 0x80, then 0x7f plus the carry): the largest int8
// diagonal sums, each product +2^14.
inline constexpr u64 kDigitWorst = 0x7f7f7f7f7f7f7f80ULL;

// fill != 0: every entry of A and B is `fill` (0: random).
inline std::string compare_ring_matmul(std::mt19937_64& rng, RingGemm g, u64 fill, bool emulate,
                                       bool gpu) {
  std::vector<u64> a(ring_gemm_a_size(g)), b(ring_gemm_b_size(g)), c0(ring_gemm_c_size(g));
  for (auto& x : a) x = fill != 0 ? fill : random_bits(rng, 64);
  for (auto& x : b) x = fill != 0 ? fill : random_bits(rng, 64);
  for (auto& x : c0) x = rng();  // unreduced: untouched (causal) entries must come back as is
  std::vector<u64> want = c0;
  sigma::detail::ring_matmul_batched(cpu_matmul_args(g), a, b, want);
  std::string out;
  const auto note = [&](const std::string& what, const std::string& err) {
    if (!err.empty()) out += (out.empty() ? "" : "; ") + what + ": " + err;
  };
  if (emulate) {
    std::vector<u64> got = c0;
    if (ring_gemm_available(RingGemmImpl::kFp64Limbs, g)) {
      fp64_limbs_emulated(g, a, b, got);
      note("fp64-limbs emulated on the CPU", diff(want, got));
    }
    if (ring_gemm_available(RingGemmImpl::kInt8Limbs, g)) {
      got = c0;
      int8_limbs_emulated(g, a, b, got);
      note("int8-limbs emulated on the CPU", diff(want, got));
    }
  }
  if (gpu)
    for (const RingGemmImpl impl : {RingGemmImpl::kSimt, RingGemmImpl::kFp64Limbs,
                                    RingGemmImpl::kInt8Limbs, RingGemmImpl::kAuto}) {
      g.impl = impl;
      if (!ring_gemm_available(impl, g)) continue;
      std::vector<u64> got = c0;
      ring_matmul_host(g, a, b, got);
      note(impl == RingGemmImpl::kAuto
               ? std::string("auto (") + to_string(ring_gemm_impl_for(g)) + ")"
               : std::string(to_string(impl)),
           diff(want, got));
    }
  return out;
}

// `gpu` false: only the CPU emulations of the limb paths (small shapes and the exactness edges).
inline void check_ring_matmul(Tally& t, std::mt19937_64& rng, bool gpu = true) {
  const RingGemmCase cases[] = {
      // BERT-base, seq 128: QKV projection, Q K^T per head (causal: decoder attention), A V,
      // the second FFN matrix (the largest k).
      {"BERT QKV", 1, 128, 768, 2304, false, true, false, false},
      {"BERT QK^T", 12, 128, 64, 128, true, false, false, false},
      {"BERT QK^T", 12, 128, 64, 128, true, false, true, false},
      {"BERT AV", 12, 128, 128, 64, false, false, false, false},
      {"BERT FFN2", 1, 128, 3072, 768, false, true, false, false},
      // Off the tiling: partial tiles in m, n and k, split-k, batch strides, k = 0.
      {"odd", 3, 37, 45, 29, false, false, false, true},
      {"odd", 2, 67, 19, 67, true, false, true, true},
      {"odd", 3, 70, 33, 70, false, true, true, true},
      {"odd", 5, 1, 300, 65, false, true, false, true},
      {"odd long k", 1, 3, 1000, 5, true, false, false, true},
      {"odd", 1, 1, 1, 1, false, false, false, true},
      {"odd", 2, 65, 17, 129, true, true, false, true},
      {"empty k", 2, 6, 0, 6, false, false, true, true},
  };
  for (const RingGemmCase& s : cases) {
    if (!gpu && !s.small) continue;
    std::vector<int> bit_set = {37, 50, 64};
    if (s.small) bit_set.insert(bit_set.end(), {1, 20, 32});
    for (const int bits : bit_set)
      for (const bool acc : {false, true}) {
        RingGemm g;
        g.bits = bits;
        g.batches = s.batches;
        g.m = s.m;
        g.k = s.k;
        g.n = s.n;
        g.transpose_b = s.transpose_b;
        g.shared_b = s.shared_b;
        g.causal = s.causal;
        g.accumulate = acc;
        t.run(ring_gemm_case_name(s, bits, acc, false),
              [&] { return compare_ring_matmul(rng, g, 0, s.small, gpu); });
      }
  }
  // Saturated limbs and digits: the FFN2 shape on the GPU; the largest k each limb path claims
  // exact (the top diagonal's sum reaches L k (2^16 - 1)^2 <= 2^53, L8 kp 2^14 <= 2^31 - 1), and
  // that one more is refused.
  for (const int bits : {37, 64}) {
    if (gpu)
      for (const u64 fill : {kLimbWorst, kDigitWorst}) {
        const RingGemmCase s{"BERT FFN2", 1, 128, 3072, 768, false, true, false, false};
        RingGemm g;
        g.bits = bits;
        g.m = s.m;
        g.k = s.k;
        g.n = s.n;
        g.shared_b = true;
        t.run(ring_gemm_case_name(s, bits, false, true) +
                  (fill == kDigitWorst ? " (int8 worst)" : ""),
              [&] { return compare_ring_matmul(rng, g, fill, false, true); });
      }
    for (const RingGemmImpl impl : {RingGemmImpl::kFp64Limbs, RingGemmImpl::kInt8Limbs}) {
      const bool fp64 = impl == RingGemmImpl::kFp64Limbs;
      RingGemm g;
      g.bits = bits;
      g.m = 2;
      g.n = 3;
      g.k = fp64 ? ring_gemm::fp64_max_k(bits) : ring_gemm::int8_max_k(bits);
      const RingGemmCase s{fp64 ? "fp64 exactness edge" : "int8 exactness edge",
                           1,
                           2,
                           g.k,
                           3,
                           false,
                           false,
                           false,
                           false};
      t.run(ring_gemm_case_name(s, bits, false, true) + (fp64 ? "" : " (int8 worst)"), [&] {
        std::string err = compare_ring_matmul(rng, g, fp64 ? kLimbWorst : kDigitWorst, true, gpu);
        RingGemm over = g;
        ++over.k;
        if (ring_gemm_available(impl, over))
          err += std::string(err.empty() ? "" : "; ") + to_string(impl) + " claims k + 1 exact";
        return err;
      });
    }
  }
}

}  // namespace secinfer::fss::cuda::tools
