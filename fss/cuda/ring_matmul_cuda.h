// The ring matrix product on the GPU, bit-identical to the CPU's
// fss::sigma::detail::ring_matmul_batched (fss/gates/sigma/ring_matmul.h):
//   C[b] (+)= A[b] B[b] mod 2^bits, b < batches; A m x k, B k x n (n x k when transpose_b), C m x
//   n, row-major; products exact in Z_{2^64}, reduced mod 2^bits once at the end; causal writes
//   only C[i][j] with j <= i (m == n) and leaves the rest untouched.
// Three exact implementations (ring_matmul.cu), each simulated on the CPU by
// ring_matmul_emulate.h (tests/fss/gates/sigma/ring_matmul_limbs_test.cpp; gpu_check runs the
// device):
//   * kSimt: tiled integer GEMM on the CUDA cores, SIGMA's way: 64 x 64 tiles of C per block,
//     16-deep k-slabs of A and B in shared memory, 4 x 4 outputs per thread in registers; u64
//     multiply-adds (u32 when bits <= 32: the product mod 2^32 is exact mod 2^bits); split over k
//     (u64 atomics into a workspace, exact since addition mod 2^64 is associative) when the
//     tiles alone would not fill the GPU.
//   * kFp64Limbs: 16-bit limbs in fp64 on the tensor cores through cuBLAS, one strided-batched
//     DGEMM per limb diagonal (ceil(bits / 16) calls: 4 at bits 64/50, 3 at 37), limb pairs at
//     or above bit `bits` skipped; exact while ceil(bits / 16) k (2^16 - 1)^2 <= 2^53 (proof in
//     ring_matmul_core.h).
//   * kInt8Limbs: balanced signed 8-bit digits with int32 accumulation on the IMMA tensor cores
//     through cuBLAS (GemmEx, "TN"), one strided-batched GEMM per digit diagonal (ceil(bits / 8)
//     calls), 36 digit products at bits > 56 against 10 fp64 ones, at ~30x fp64's peak rate;
//     exact while ceil(bits / 8) k' 2^14 <= 2^31 - 1 (k' = k rounded up to 16: k <= 16'368 at bits
//     > 56). Under kAuto a cuBLAS refusal of the int8 GEMM (status NOT_SUPPORTED or
//     ARCH_MISMATCH) falls back to kSimt and kAuto stops choosing int8 in this process.
// kAuto picks by ring_gemm_impl_for. This header needs no CUDA header: it is usable from CPU code.
//   RingGemm g;  g.bits = 50;  g.m = 128;  g.k = 768;  g.n = 2304;
//   ring_matmul_device(g, d_a, d_b, d_c, stream);     // device pointers, asynchronous
//   ring_matmul_host(g, a, b, c);                       // host spans, synchronous
#pragma once

#include <cstddef>
#include <span>

#include "fss/ring.h"
#include "fss/ring_matmul_shape.h"

struct CUstream_st;  // cudaStream_t is CUstream_st* (driver_types.h)

namespace secinfer::fss::cuda {

enum class RingGemmImpl { kAuto, kSimt, kFp64Limbs, kInt8Limbs };

// The product's shape (fss/ring_matmul_shape.h; causal: the upper triangle is left untouched),
// as sigma::detail::RingMatmulArgs, plus the GPU implementation.
struct RingGemm : RingMatmulShape {
  bool accumulate = false;  // C += A B instead of C = A B
  RingGemmImpl impl = RingGemmImpl::kAuto;
};

const char* to_string(RingGemmImpl impl);

// Element counts of A, B and C for g.
inline std::size_t ring_gemm_a_size(const RingGemm& g) {
  return g.batches * g.m * g.k;
}
inline std::size_t ring_gemm_b_size(const RingGemm& g) {
  return (g.shared_b ? 1 : g.batches) * g.k * g.n;
}
inline std::size_t ring_gemm_c_size(const RingGemm& g) {
  return g.batches * g.m * g.n;
}

// Throws std::invalid_argument when bits is outside [1, 64], causal without m == n, or a
// dimension exceeds what the kernels index (m, n, k below 2^31; implementation limits below).
void validate(const RingGemm& g);

// Whether `impl` computes g exactly: kAuto and kSimt always; kFp64Limbs while k <=
// ring_gemm::fp64_max_k(bits) (524'304 at bits > 48), kInt8Limbs while k <=
// ring_gemm::int8_max_k(bits) (16'368 at bits > 56), and the cuBLAS dimensions fit an int.
bool ring_gemm_available(RingGemmImpl impl, const RingGemm& g);

// What kAuto runs (g.impl is ignored): see the rule and its measurements in ring_matmul.cu.
RingGemmImpl ring_gemm_impl_for(const RingGemm& g);

// Device scratch bytes ring_matmul_device needs for g on the current device (0 when none): the
// split-k partial sums (kSimt) or the limb matrices and diagonal sums (kFp64Limbs, kInt8Limbs).
std::size_t ring_matmul_workspace_bytes(const RingGemm& g);

// C (+)= A B on device pointers (sizes ring_gemm_{a,b,c}_size(g)), asynchronous on `stream`;
// every launch checked (std::runtime_error). `workspace` of at least
// ring_matmul_workspace_bytes(g) bytes may be given; otherwise the scratch is taken and returned
// stream-ordered (cudaMallocAsync / cudaFreeAsync). kFp64Limbs runs cuBLAS through a handle cached
// per host thread and device. Throws std::invalid_argument on a bad shape (validate) or an
// implementation that is not available for it (ring_gemm_available).
void ring_matmul_device(const RingGemm& g, const u64* a, const u64* b, u64* c, CUstream_st* stream,
                        void* workspace = nullptr, std::size_t workspace_bytes = 0);

// Host spans (sizes must match ring_gemm_{a,b,c}_size(g), else std::invalid_argument): uploads
// A, B (and C when accumulating or causal, whose untouched entries must come back unchanged),
// runs ring_matmul_device on `device`, downloads C and waits. Restores the caller's current
// device.
void ring_matmul_host(const RingGemm& g, std::span<const u64> a, std::span<const u64> b,
                      std::span<u64> c, int device = 0);

}  // namespace secinfer::fss::cuda
