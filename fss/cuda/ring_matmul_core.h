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
#include <cstdint>

#include "fss/cuda/ring_matmul_cuda.h"
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

// ---- the limb matrices (fp64 path). A's limbs ascend along k: A_limbs[row][l k + t] (rows x Lk,
// rows = batches m); each B's limbs descend along k, keeping B's orientation: not transposed,
// B_limbs[(L - 1 - l) k + t][j] (Lk x n); transposed, B_limbs[j][(L - 1 - l) k + t] (n x Lk). Then
// diagonal s = sum_{l <= s} A_l B_{s-l} reads the first K' = (s + 1) k columns of A's limbs against
// the last K' of B's (rows, or columns when transposed): one GEMM.

// Where limb l of A's element e (row-major rows x k) goes.
SECINFER_HD constexpr std::size_t a_limb_index(std::size_t e, std::size_t k, int L, int l) {
  return (e / k) * static_cast<std::size_t>(L) * k + static_cast<std::size_t>(l) * k + e % k;
}

// Where limb l of B's element e goes (e counts B's elements as stored: matrix, then k x n or
// n x k row-major).
SECINFER_HD constexpr std::size_t b_limb_index(std::size_t e, std::size_t k, std::size_t n,
                                               bool transpose_b, int L, int l) {
  const std::size_t per = k * n, mat = e / per, r = e % per;
  const std::size_t blk = static_cast<std::size_t>(L - 1 - l) * k;
  const std::size_t in = transpose_b ? (r / k) * L * k + blk + r % k  // [j][blk + t]
                                     : blk * n + r;                   // [blk + t][j]
  return mat * per * static_cast<std::size_t>(L) + in;
}

// One cuBLAS call, column-major: for b < batch,
//   D[d_off + b stride_d + i + j ldd] = sum_{p < kk} X'(i, p) Y[b stride_y + p + j ldy]
// with X'(i, p) = X[x_off + b stride_x + (trans_x ? p + i ldx : i + p ldx)], i < rows_x (= n),
// j < cols (= the product's rows): D_s^T = op(B limbs) A_limbs^T, i.e. row-major D_s (rows x n).
struct DiagonalGemm {
  bool trans_x = false;
  std::size_t rows_x = 0, cols = 0, kk = 0;
  std::size_t x_off = 0, ldx = 0, stride_x = 0;
  std::size_t ldy = 0, stride_y = 0;
  std::size_t d_off = 0, ldd = 0, stride_d = 0;
  std::size_t batch = 0;
};

// Diagonal s's call for g. With a shared B, all batches' rows form one (batches m) x k product;
// the diagonals' outputs follow one another, each batches x m x n.
inline DiagonalGemm diagonal_gemm(const RingGemm& g, int s) {
  const std::size_t L = static_cast<std::size_t>(limb_count(g.bits)), Lk = L * g.k;
  const std::size_t rows = g.shared_b ? g.batches * g.m : g.m;
  const std::size_t skip = (L - 1 - static_cast<std::size_t>(s)) * g.k;  // B limbs' unused part
  DiagonalGemm d;
  d.trans_x = g.transpose_b;
  d.rows_x = g.n;
  d.cols = rows;
  d.kk = static_cast<std::size_t>(s + 1) * g.k;
  d.x_off = g.transpose_b ? skip : skip * g.n;
  d.ldx = g.transpose_b ? Lk : g.n;
  d.stride_x = Lk * g.n;
  d.ldy = Lk;
  d.stride_y = rows * Lk;
  d.d_off = static_cast<std::size_t>(s) * g.batches * g.m * g.n;
  d.ldd = g.n;
  d.stride_d = rows * g.n;
  d.batch = g.shared_b ? 1 : g.batches;
  return d;
}

static_assert(limb_count(64) == 4 && limb_count(50) == 4 && limb_count(37) == 3 &&
              limb_count(16) == 1 && limb_count(1) == 1);
static_assert(limb_pairs(64) == 10 && limb_pairs(37) == 6);
static_assert(fp64_max_k(64) >= 524'288 && fp64_max_k(16) >= 2'097'152);

// ---- int8 digits with int32 accumulation (RingGemmImpl::kInt8Limbs, cuBLAS GemmEx on the IMMA
// tensor cores). cuBLAS multiplies SIGNED int8, so x mod 2^bits is written in balanced base-256
// digits d_l in [-128, 127], l < L8 = ceil(bits / 8):
//   d = x & 255; if (d >= 128) d -= 256; x = (x - d) / 256   (= x >> 8, plus 1 when d < 0),
// so sum_l d_l 2^(8 l) = x - carry 2^(8 L8) == x mod 2^bits (8 L8 >= bits). The same diagonal
// argument keeps the pairs with i + j < L8 (36 at bits > 56, 28 at 50, 15 at 37), and diagonal s
// sums (s + 1) kp products of magnitude <= 2^14: exact in int32 while L8 kp 2^14 <= 2^31 - 1
// (kp = k rounded up to 16, zero padded: IMMA wants 16-byte aligned columns; k <= 16'368 at
// bits > 56). C = sum_s sign_extend(D_s) 2^(8 s) mod 2^bits.
// Layout: A digits [row][l kp + t] (rows x L8 kp); each B's digits always K-contiguous,
// [j][(L8 - 1 - l) kp + t] (n x L8 kp), so every diagonal is one "TN" GEMM (the layout cuBLAS's
// int8 GEMMs require); D_s int32, row-major rows x ldd, ldd = n rounded up to 4.

inline constexpr std::size_t kInt8KAlign = 16;
inline constexpr std::size_t kInt8NAlign = 4;

SECINFER_HD constexpr int digit_count(int bits) {
  return (bits + 7) / 8;
}
SECINFER_HD constexpr int digit_pairs(int bits) {
  const int L = digit_count(bits);
  return L * (L + 1) / 2;
}

// The balanced digits of x mod 2^bits into d[0 .. digit_count(bits)).
SECINFER_HD constexpr void digits(u64 x, int bits, signed char* d) {
  x &= ring_mask(bits);
  const int L = digit_count(bits);
  for (int l = 0; l < L; ++l) {
    const int lo = static_cast<int>(x & 0xff);
    d[l] = static_cast<signed char>(lo >= 128 ? lo - 256 : lo);
    x = (x >> 8) + (lo >= 128 ? 1 : 0);
  }
}

// Diagonal s's contribution mod 2^64: D_s (an exact int32 sum) sign-extended, times 2^(8 s).
SECINFER_HD constexpr u64 digit_term(std::int32_t d, int s) {
  return static_cast<u64>(static_cast<std::int64_t>(d)) << (8 * s);
}

SECINFER_HD constexpr std::size_t int8_kp(std::size_t k) {
  return (k + kInt8KAlign - 1) / kInt8KAlign * kInt8KAlign;
}
SECINFER_HD constexpr std::size_t int8_ldd(std::size_t n) {
  return (n + kInt8NAlign - 1) / kInt8NAlign * kInt8NAlign;
}

// The largest k for which the int8 path is exact at `bits`: L8 kp 2^14 <= 2^31 - 1.
constexpr std::size_t int8_max_k(int bits) {
  const std::size_t kp = ((std::size_t{1} << 31) - 1) / (std::size_t{1} << 14) /
                         static_cast<std::size_t>(digit_count(bits));
  return kp / kInt8KAlign * kInt8KAlign;
}

// Where the digits of A's padded element (row, t) go: [row][l kp + t], rows x L8 kp.
SECINFER_HD constexpr std::size_t a_digit_index(std::size_t row, std::size_t t, std::size_t kp,
                                                int L, int l) {
  return row * static_cast<std::size_t>(L) * kp + static_cast<std::size_t>(l) * kp + t;
}
// Where the digits of B's padded element (mat, t, j) go: [mat][j][(L8 - 1 - l) kp + t].
SECINFER_HD constexpr std::size_t b_digit_index(std::size_t mat, std::size_t t, std::size_t j,
                                                std::size_t n, std::size_t kp, int L, int l) {
  const std::size_t Lkp = static_cast<std::size_t>(L) * kp;
  return mat * n * Lkp + j * Lkp + static_cast<std::size_t>(L - 1 - l) * kp + t;
}

// Diagonal s's "TN" call (trans_x always): the DiagonalGemm contract with int8 operands and
// int32 D. Shared B: all batches' rows in one product, as for fp64.
inline DiagonalGemm int8_diagonal_gemm(const RingGemm& g, int s) {
  const std::size_t L = static_cast<std::size_t>(digit_count(g.bits)), kp = int8_kp(g.k);
  const std::size_t Lkp = L * kp, ldd = int8_ldd(g.n);
  const std::size_t rows = g.shared_b ? g.batches * g.m : g.m;
  DiagonalGemm d;
  d.trans_x = true;
  d.rows_x = g.n;
  d.cols = rows;
  d.kk = static_cast<std::size_t>(s + 1) * kp;
  d.x_off = (L - 1 - static_cast<std::size_t>(s)) * kp;
  d.ldx = Lkp;
  d.stride_x = Lkp * g.n;
  d.ldy = Lkp;
  d.stride_y = rows * Lkp;
  d.d_off = static_cast<std::size_t>(s) * g.batches * g.m * ldd;
  d.ldd = ldd;
  d.stride_d = rows * ldd;
  d.batch = g.shared_b ? 1 : g.batches;
  return d;
}

// ---- when each limb path is exact and fits cuBLAS's int dimensions (rows = batches m with a
// shared B, n, the limb matrices' leading dimensions L k and L8 kp).

inline bool cublas_dims_fit(const RingGemm& g, std::size_t ld) {
  const std::size_t lim = 2147483647;
  const std::size_t rows = g.shared_b ? g.batches * g.m : g.m;
  return rows <= lim && g.n <= lim && g.batches <= lim && ld <= lim;
}
inline bool fp64_exact(const RingGemm& g) {
  return g.bits >= 1 && g.bits <= 64 && g.k <= fp64_max_k(g.bits) &&
         cublas_dims_fit(g, static_cast<std::size_t>(limb_count(g.bits)) * g.k);
}
inline bool int8_exact(const RingGemm& g) {
  return g.bits >= 1 && g.bits <= 64 && g.k <= int8_max_k(g.bits) &&
         cublas_dims_fit(g, static_cast<std::size_t>(digit_count(g.bits)) * int8_kp(g.k)) &&
         int8_ldd(g.n) <= 2147483647;
}

static_assert(digit_count(64) == 8 && digit_pairs(64) == 36 && digit_pairs(37) == 15);
static_assert(int8_max_k(64) >= 16'368 && 8 * int8_kp(int8_max_k(64)) * 16384 <= 2147483647u);

}  // namespace secinfer::fss::cuda::ring_gemm
