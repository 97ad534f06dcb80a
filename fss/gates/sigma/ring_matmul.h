// The ring matrix product behind linear.h's ring_matmul and the matmul gate's three faces
// (internal to fss/gates/sigma; bench/engine_bench.cpp and the tests pick kernels explicitly).
//
// C[b] (+)= A[b] B[b] mod 2^bits for b < batches: A m x k, B k x n (n x k when transpose_b), C
// m x n, row-major. The products are exact in Z_{2^64} (u64 wrap-around), reduced mod 2^bits once
// at the end, so every kernel and every thread count gives the same bits:
//   * kScalar: portable C++, 4 x 16 register tiles of u64 multiply-adds;
//   * kAvx512: AVX-512DQ vpmullq, 8 x 16 tiles (any bits);
//   * kIfma:   AVX-512 IFMA vpmadd52luq, 8 x 16 tiles, only for bits <= 52: it multiplies the low
//              52 bits of each operand and keeps the low 52 bits of the product, which is the
//              product mod 2^52 and so exact mod 2^bits; the 64-bit lane sums wrap like u64.
// B is first packed into panels of 16 columns (k x 16, contiguous), so A B and A B^T run the same
// kernel; work is split over (batch, 8-row tile) on up to `threads` threads (fss/parallel.h), each
// thread writing only its own rows of C.
#pragma once

#include <cstddef>
#include <span>

#include "fss/ring.h"
#include "fss/ring_matmul_shape.h"

namespace secinfer::fss::sigma::detail {

enum class MatmulKernel { kAuto, kScalar, kAvx512, kIfma };

// Whether `k` runs on this CPU for a ring of `bits` (kAuto and kScalar: always).
bool matmul_kernel_available(MatmulKernel k, int bits);
// What kAuto runs for a ring of `bits`: kIfma (bits <= 52), else kAvx512, else kScalar.
MatmulKernel matmul_kernel_for(int bits);
const char* matmul_kernel_name(MatmulKernel k);

// The product's shape (fss/ring_matmul_shape.h; causal: the upper triangle is left untouched)
// and how the CPU runs it.
struct RingMatmulArgs : RingMatmulShape {
  bool accumulate = false;  // C += A B instead of C = A B
  int threads = 1;          // 0 = all hardware threads
  MatmulKernel kernel = MatmulKernel::kAuto;
};

// Sizes: a batches*m*k, b (shared_b ? 1 : batches)*k*n, c batches*m*n; throws
// std::invalid_argument otherwise, or when `kernel` is not available (matmul_kernel_available).
void ring_matmul_batched(const RingMatmulArgs& args, std::span<const u64> a, std::span<const u64> b,
                         std::span<u64> c);

}  // namespace secinfer::fss::sigma::detail
