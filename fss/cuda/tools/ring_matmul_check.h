// gpu_check's ring matrix product cases: ring_matmul_host (fss/cuda/ring_matmul_cuda.h), every
// implementation, against the CPU's sigma::detail::ring_matmul_batched on the same inputs, at
// BERT-base's shapes and small odd ones (m, k, n off the 64 x 64 x 16 tiling), bits 37 / 50 / 64
// (and 1 / 20 / 32 on the small ones: the u32 SIMT kernel), accumulate off and on; random u64
// inputs, unreduced, with 0, 1, 2^63 and 2^64 - 1 mixed in, and saturated ones (every entry
// 2^64 - 1, or every int8 digit -128: the largest limb sums). Plus, on the small shapes, all three
// paths emulated on the CPU (ring_matmul_emulate.h: the SIMT kernel's own steps, the limb paths'
// indexes and cuBLAS call parameters), and the limb paths up to the largest k they claim exact.
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
#include "fss/cuda/ring_matmul_emulate.h"
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

struct RingGemmCase {
  const char* name;
  std::size_t batches, m, k, n;
  bool transpose_b, shared_b, causal;
  bool small;  // also bits 1 / 20 / 32, and the CPU emulations
};

// "batches x m x k x n" and the shape's flags, as the check names print a product's shape.
inline std::string ring_gemm_shape_text(std::size_t batches, std::size_t m, std::size_t k,
                                        std::size_t n, bool transpose_b, bool shared_b,
                                        bool causal) {
  return std::to_string(batches) + "x" + std::to_string(m) + "x" + std::to_string(k) + "x" +
         std::to_string(n) + (transpose_b ? " B^T" : "") + (shared_b ? " shared B" : "") +
         (causal ? " causal" : "");
}

inline std::string ring_gemm_case_name(const RingGemmCase& s, int bits, bool accumulate,
                                       bool saturated) {
  return std::string("ring matmul ") + s.name + " " +
         ring_gemm_shape_text(s.batches, s.m, s.k, s.n, s.transpose_b, s.shared_b, s.causal) +
         " bits=" + std::to_string(bits) + (accumulate ? " accumulate" : "") +
         (saturated ? " all 2^64-1" : "");
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
    if (g.k <= 4096) {  // the simulation runs every thread's 16 outputs over all of k
      ring_gemm::simt_emulated(g, a, b, got, 132);
      note("simt simulated on the CPU", diff(want, got));
      got = c0;
    }
    if (ring_gemm::fp64_exact(g)) {
      ring_gemm::fp64_limbs_emulated(g, a, b, got);
      note("fp64-limbs emulated on the CPU", diff(want, got));
    }
    if (ring_gemm::int8_exact(g)) {
      got = c0;
      ring_gemm::int8_limbs_emulated(g, a, b, got);
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
