// The limb arithmetic of the exact fp64 ring product (ring_matmul.cu, RingGemmImpl::kFp64Limbs),
// host-device so that gpu_check runs the same decomposition on the CPU against
// sigma::detail::ring_matmul_batched without a GPU.
//
// Why it is exact. Only x mod 2^bits matters for a product mod 2^bits, so write
// x mod 2^bits = sum_l x_l 2^(16 l), 0 <= x_l < 2^16, for l < L = ceil(bits / 16). Then
//   a b = sum_{i,j} a_i b_j 2^(16 (i + j)),
// and a pair with 16 (i + j) >= bits contributes a multiple of 2^bits: drop it. The kept pairs are
// exactly those on the diagonals s = i + j < L (16 s < bits <=> s <= L - 1), L (L + 1) / 2 of
// them (10 for bits in (48, 64], 6 for (32, 48]). For a matrix product, diagonal s is
//   D_s[i][j] = sum_{l <= s} sum_t A_l[i][t] B_{s-l}[t][j],
// an integer sum of (s + 1) k products each <= (2^16 - 1)^2 < 2^32: while L k (2^16 - 1)^2 <=
// 2^53 (k <= 524'304 at L = 4) every partial sum, in any order, is an integer below 2^53, so an
// fp64 GEMM (IEEE products and sums, DMMA tensor cores included) computes it with no rounding.
// Finally C = sum_s D_s 2^(16 s) mod 2^bits, in u64 (wrap-around is reduction mod 2^64, and
// 2^bits divides 2^64).
//   const int L = limb_count(bits);
//   double a_l = static_cast<double>(limb(a, l, bits));            // l < L
//   u64 c = 0; for (int s = 0; s < L; ++s) c += diagonal_term(d[s], s);  c &= ring_mask(bits);
#pragma once

#include <cstddef>

#include "fss/ring.h"

namespace secinfer::fss::cuda::ring_gemm {

inline constexpr int kLimbBits = 16;
inline constexpr u64 kLimbMask = (u64{1} << kLimbBits) - 1;

// Limbs covering the low `bits` bits (bits in [1, 64]): ceil(bits / 16), 1..4. Also the number of
// diagonals (GEMM calls) the fp64 path runs.
SECINFER_HD constexpr int limb_count(int bits) {
  return (bits + kLimbBits - 1) / kLimbBits;
}

// Limb l of x mod 2^bits: bits [16 l, 16 l + 16) of x & ring_mask(bits); below 2^16.
SECINFER_HD constexpr u64 limb(u64 x, int l, int bits) {
  return ((x & ring_mask(bits)) >> (kLimbBits * l)) & kLimbMask;
}

// Limb products kept: pairs (i, j) with 16 (i + j) < bits, L (L + 1) / 2.
SECINFER_HD constexpr int limb_pairs(int bits) {
  const int L = limb_count(bits);
  return L * (L + 1) / 2;
}

// Diagonal s's contribution to C mod 2^64: d 2^(16 s), d < 2^53 the exact diagonal sum.
SECINFER_HD constexpr u64 diagonal_term(u64 d, int s) {
  return d << (kLimbBits * s);
}

// The largest k for which the fp64 path is exact at `bits`: L k (2^16 - 1)^2 <= 2^53.
constexpr std::size_t fp64_max_k(int bits) {
  const u64 max_product = kLimbMask * kLimbMask;  // (2^16 - 1)^2
  return static_cast<std::size_t>((u64{1} << 53) /
                                  (static_cast<u64>(limb_count(bits)) * max_product));
}

static_assert(limb_count(64) == 4 && limb_count(50) == 4 && limb_count(37) == 3 &&
              limb_count(16) == 1 && limb_count(1) == 1);
static_assert(limb_pairs(64) == 10 && limb_pairs(37) == 6);
static_assert(fp64_max_k(64) >= 524'288 && fp64_max_k(16) >= 2'097'152);

}  // namespace secinfer::fss::cuda::ring_gemm
