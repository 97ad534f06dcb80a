// The ring matrix product on the GPU (contract in ring_matmul_cuda.h): a tiled SIMT integer GEMM
// and exact limb GEMMs on the tensor cores through cuBLAS (fp64 with 16-bit limbs, int8 with
// signed 8-bit digits).
//
// SIMT (simt_gemm_kernel). A block of 256 threads owns a 64 x 64 tile of C and walks k in slabs of
// 16: A's 64 x 16 and B's 16 x 64 slab go to shared memory (padded by one element a row so the
// transposing stores hit 16 distinct bank pairs), the next slab is fetched into registers while the
// current one is multiplied. Thread (ty, tx) keeps the 4 x 4 outputs at rows ty + 16 r and columns
// tx + 16 c: a half-warp then reads 16 consecutive B elements (no bank conflict), one broadcast A
// element, and writes 16 consecutive C elements (one 128-byte segment). A u64 multiply-add is
// three IMADs (lo*lo wide, two cross products into the high word) plus the carry; at bits <= 32
// the element type is u32 (one IMAD), exact because 2^bits divides 2^32. When the tiles would
// leave SMs idle (BERT's 128-row products give 24-96 tiles for 132 SMs), k is split: each split
// adds its partial tile into a zeroed u64 workspace with atomicAdd (wrap-around addition is
// associative, so the order of the atomics does not change a bit) and a finishing kernel applies
// accumulate / mask / causal.
//
// fp64 limbs (run_fp64). split_a / split_b write the 16-bit limbs as doubles, A's ascending along k
// ([A_0 | A_1 | ... | A_{L-1}], m x Lk) and B's descending ([B_{L-1}; ...; B_0], Lk x n), so that
// diagonal s = sum_{l <= s} A_l B_{s-l} is ONE GEMM over the contiguous K' = (s + 1) k: the first
// K' columns of A's limbs against the last K' rows of B's. cuBLAS is column-major, so it computes
// C^T = B^T A^T (row-major C) with B's limb matrix as the first operand (transposed by cuBLAS when
// transpose_b, whose limbs keep B's n x k layout). recombine sums D_s 2^(16 s) in u64 and writes C
// like the SIMT epilogue. Exactness: ring_matmul_core.h.
//
// int8 digits (run_int8). The same diagonal scheme with balanced signed base-256 digits (cuBLAS's
// int8 GEMM is signed), k padded to kp (multiple of 16, zero digits) and B's digits always
// K-contiguous (n x L kp), so each diagonal is a "TN" cublasGemmStridedBatchedEx with int8
// operands and int32 sums (CUBLAS_COMPUTE_32I), the layout cuBLAS's IMMA kernels take without
// reordering. recombine_int8 sign-extends the int32 sums before shifting them into place.
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "fss/cuda/cuda_check.h"
#include "fss/cuda/device_buffer.h"
#include "fss/cuda/ring_matmul_core.h"
#include "fss/cuda/ring_matmul_cuda.h"
#include "fss/cuda/ring_matmul_simt.h"

namespace secinfer::fss::cuda {
namespace {

// ---------------------------------------------------------------- shapes and checks

std::string shape_info(const RingGemm& g) {
  return "bits=" + std::to_string(g.bits) + " batches=" + std::to_string(g.batches) +
         " m=" + std::to_string(g.m) + " k=" + std::to_string(g.k) + " n=" + std::to_string(g.n) +
         (g.transpose_b ? " transpose_b" : "") + (g.shared_b ? " shared_b" : "") +
         (g.accumulate ? " accumulate" : "") + (g.causal ? " causal" : "") +
         " impl=" + to_string(g.impl);
}

int current_sms() {
  int dev = 0, sms = 0;
  CUDA_CHECK(cudaGetDevice(&dev));
  CUDA_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev));
  return sms;
}

std::size_t round_up(std::size_t x, std::size_t to) {
  return (x + to - 1) / to * to;
}

unsigned grid_of(std::size_t items, int threads) {
  const std::size_t g = (items + threads - 1) / threads;
  return static_cast<unsigned>(std::clamp<std::size_t>(g, 1, 65535));
}

// Device scratch: the caller's, or stream-ordered memory returned at the end.
class Scratch {
 public:
  Scratch(std::size_t bytes, void* given, std::size_t given_bytes, cudaStream_t s) : s_(s) {
    if (bytes == 0) return;
    if (given != nullptr) {
      if (given_bytes < bytes)
        throw std::invalid_argument("ring_matmul_device: workspace of " +
                                    std::to_string(given_bytes) + " bytes, needs " +
                                    std::to_string(bytes));
      p_ = given;
      return;
    }
    CUDA_CHECK(cudaMallocAsync(&p_, bytes, s), "ring_matmul scratch " + std::to_string(bytes));
    owned_ = true;
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  ~Scratch() {
    if (owned_) cudaFreeAsync(p_, s_);  // stream-ordered: after the kernels that use it
  }
  template <class T>
  T* at(std::size_t byte_offset) const {
    return reinterpret_cast<T*>(static_cast<char*>(p_) + byte_offset);
  }

 private:
  void* p_ = nullptr;
  bool owned_ = false;
  cudaStream_t s_;
};

// ---------------------------------------------------------------- SIMT GEMM

using ring_gemm::kBK;
using ring_gemm::kBM;
using ring_gemm::kBN;
using ring_gemm::kThreads;
using ring_gemm::kTM;
using ring_gemm::kTN;
using ring_gemm::SimtBlock;
using ring_gemm::SimtParams;
using ring_gemm::SimtPlan;

// The steps are ring_matmul_simt.h's (shared with the CPU simulation). T = u32 computes mod 2^32
// (bits <= 32), u64 mod 2^64.
template <class T, bool kTransB>
__global__ void __launch_bounds__(kThreads, 2) simt_gemm_kernel(SimtParams p) {
  SimtBlock blk;
  if (!ring_gemm::simt_block(p, blockIdx.x, blockIdx.y, blockIdx.z, blk)) return;
  __shared__ T As[kBK][kBM + 1];
  __shared__ T Bs[kBK][kBN + 1];
  const int tid = static_cast<int>(threadIdx.x);
  T ra[4], rb[4];
  T acc[kTM][kTN];
#pragma unroll
  for (int r = 0; r < kTM; ++r)
#pragma unroll
    for (int c = 0; c < kTN; ++c) acc[r][c] = 0;
  if (blk.kb < blk.ke) ring_gemm::simt_fetch<T, kTransB>(p, blk, tid, blk.kb, ra, rb);
  for (std::size_t kt = blk.kb; kt < blk.ke; kt += kBK) {
    ring_gemm::simt_stash<T, kTransB>(tid, ra, rb, As, Bs);
    __syncthreads();
    if (kt + kBK < blk.ke)  // in flight while this slab is multiplied
      ring_gemm::simt_fetch<T, kTransB>(p, blk, tid, kt + kBK, ra, rb);
    ring_gemm::simt_multiply<T>(tid, As, Bs, acc);
    __syncthreads();
  }
  ring_gemm::simt_store<T>(p, blk, tid, acc);
}

// C from the split-k sums: the SIMT epilogue over the whole batches x m x n.
__global__ void finish_kernel(SimtParams p, std::size_t total) {
  for (std::size_t e = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < total;
       e += static_cast<std::size_t>(gridDim.x) * blockDim.x)
    ring_gemm::simt_finish(p, e);
}

std::size_t simt_workspace(const RingGemm& g, int sms) {
  return ring_gemm::simt_plan(g, sms).splits > 1 ? ring_gemm_c_size(g) * sizeof(u64) : 0;
}

template <class T, bool kTransB>
void launch_simt(const SimtParams& base, const RingGemm& g, cudaStream_t s) {
  const std::size_t tiles_m = (g.m + kBM - 1) / kBM, tiles_n = (g.n + kBN - 1) / kBN;
  const std::size_t per_launch = std::max<std::size_t>(1, 65535 / base.splits);  // grid.z limit
  for (std::size_t b0 = 0; b0 < g.batches; b0 += per_launch) {
    SimtParams p = base;
    p.batch0 = b0;
    const std::size_t nb = std::min(per_launch, g.batches - b0);
    const dim3 grid(static_cast<unsigned>(tiles_n), static_cast<unsigned>(tiles_m),
                    static_cast<unsigned>(nb * base.splits));
    simt_gemm_kernel<T, kTransB><<<grid, kThreads, 0, s>>>(p);
    CUDA_CHECK_LAUNCH("simt_gemm_kernel", shape_info(g) + " splits=" + std::to_string(base.splits) +
                                              " batch0=" + std::to_string(b0));
  }
}

void run_simt(const RingGemm& g, const u64* a, const u64* b, u64* c, cudaStream_t s,
              const Scratch& scratch) {
  const SimtPlan plan = ring_gemm::simt_plan(g, current_sms());
  SimtParams p{};
  p.a = a;
  p.b = b;
  p.c = c;
  p.partial = plan.splits > 1 ? scratch.at<u64>(0) : nullptr;
  p.m = g.m;
  p.k = g.k;
  p.n = g.n;
  p.b_stride = g.shared_b ? 0 : g.k * g.n;
  p.splits = plan.splits;
  p.k_chunk = plan.k_chunk;
  p.mask = ring_mask(g.bits);
  p.accumulate = g.accumulate;
  p.causal = g.causal;
  const std::size_t total = ring_gemm_c_size(g);
  if (p.partial != nullptr)
    CUDA_CHECK(cudaMemsetAsync(p.partial, 0, total * sizeof(u64), s), shape_info(g));
  const bool narrow = g.bits <= 32;
  if (narrow && g.transpose_b)
    launch_simt<std::uint32_t, true>(p, g, s);
  else if (narrow)
    launch_simt<std::uint32_t, false>(p, g, s);
  else if (g.transpose_b)
    launch_simt<u64, true>(p, g, s);
  else
    launch_simt<u64, false>(p, g, s);
  if (p.partial != nullptr) {
    finish_kernel<<<grid_of(total, 256), 256, 0, s>>>(p, total);
    CUDA_CHECK_LAUNCH("finish_kernel", shape_info(g));
  }
}

// ---------------------------------------------------------------- fp64 limbs through cuBLAS

// A failed cuBLAS call; the status lets kAuto tell a refused int8 GEMM from a real failure.
class CublasError : public std::runtime_error {
 public:
  CublasError(cublasStatus_t st, const std::string& msg) : std::runtime_error(msg), status(st) {}
  cublasStatus_t status;
};

void check_cublas(cublasStatus_t st, const char* call, const std::string& info) {
  if (st != CUBLAS_STATUS_SUCCESS)
    throw CublasError(st, std::string("cuBLAS error in ") + call + " (" + info +
                              "): " + cublasGetStatusName(st) + ": " + cublasGetStatusString(st));
}

// One handle per host thread and device (a handle must not be driven by two threads at once),
// created on first use and deliberately never destroyed: destroying it from a thread-exit or
// static destructor can run after the CUDA context is gone.
cublasHandle_t cublas_handle() {
  thread_local std::vector<cublasHandle_t> handles;
  int dev = 0;
  CUDA_CHECK(cudaGetDevice(&dev));
  if (handles.size() <= static_cast<std::size_t>(dev)) handles.resize(dev + 1, nullptr);
  if (handles[dev] == nullptr) {
    cublasHandle_t h = nullptr;
    check_cublas(cublasCreate(&h), "cublasCreate", "device " + std::to_string(dev));
    // Native fp64 only: the fixed-point emulation (CUBLAS_FP64_EMULATED_FIXEDPOINT_MATH) is
    // opt-in and bounds the relative error, which is not the exactness this path relies on.
    check_cublas(cublasSetMathMode(h, CUBLAS_DEFAULT_MATH), "cublasSetMathMode", "default");
    handles[dev] = h;
  }
  return handles[dev];
}

struct Fp64Layout {
  int limbs = 0;
  std::size_t a_off = 0, b_off = 0, d_off = 0, bytes = 0;
};

Fp64Layout fp64_layout(const RingGemm& g) {
  Fp64Layout l;
  l.limbs = ring_gemm::limb_count(g.bits);
  const std::size_t L = static_cast<std::size_t>(l.limbs);
  const std::size_t a = ring_gemm_a_size(g) * L, b = ring_gemm_b_size(g) * L,
                    d = ring_gemm_c_size(g) * L;
  l.a_off = 0;
  l.b_off = round_up(a * sizeof(double), 256);
  l.d_off = l.b_off + round_up(b * sizeof(double), 256);
  l.bytes = l.d_off + d * sizeof(double);
  return l;
}

// A (rows x k, all batches stacked) and B's `count` matrices to their limbs (ring_matmul_core.h).
__global__ void split_a_kernel(const u64* a, std::size_t rows, std::size_t k, int bits,
                               double* out) {
  const int L = ring_gemm::limb_count(bits);
  const std::size_t total = rows * k;
  for (std::size_t e = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < total;
       e += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
    const u64 x = a[e];
    for (int l = 0; l < L; ++l)
      out[ring_gemm::a_limb_index(e, k, L, l)] = static_cast<double>(ring_gemm::limb(x, l, bits));
  }
}

__global__ void split_b_kernel(const u64* b, std::size_t count, std::size_t k, std::size_t n,
                               bool transpose_b, int bits, double* out) {
  const int L = ring_gemm::limb_count(bits);
  const std::size_t total = count * k * n;
  for (std::size_t e = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < total;
       e += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
    const u64 x = b[e];
    for (int l = 0; l < L; ++l)
      out[ring_gemm::b_limb_index(e, k, n, transpose_b, L, l)] =
          static_cast<double>(ring_gemm::limb(x, l, bits));
  }
}

// C from the diagonals d[s * total + e] (exact integers below 2^53).
__global__ void recombine_kernel(const double* d, int limbs, u64* c, std::size_t total,
                                 std::size_t m, std::size_t n, u64 mask, bool accumulate,
                                 bool causal) {
  for (std::size_t e = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < total;
       e += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
    const std::size_t j = e % n, i = (e / n) % m;
    if (causal && j > i) continue;
    u64 v = 0;
    for (int s = 0; s < limbs; ++s)
      v += ring_gemm::diagonal_term(static_cast<u64>(__double2ull_rn(d[s * total + e])), s);
    c[e] = accumulate ? (c[e] + v) & mask : v & mask;
  }
}

void run_fp64(const RingGemm& g, const u64* a, const u64* b, u64* c, cudaStream_t s,
              const Scratch& scratch) {
  const Fp64Layout lay = fp64_layout(g);
  const int L = lay.limbs;
  double* al = scratch.at<double>(lay.a_off);
  double* bl = scratch.at<double>(lay.b_off);
  double* dl = scratch.at<double>(lay.d_off);
  const std::size_t k = g.k, n = g.n;
  const std::size_t b_count = g.shared_b ? 1 : g.batches;
  const std::size_t total = ring_gemm_c_size(g);

  split_a_kernel<<<grid_of(ring_gemm_a_size(g), 256), 256, 0, s>>>(a, g.batches * g.m, k, g.bits,
                                                                   al);
  CUDA_CHECK_LAUNCH("split_a_kernel", shape_info(g));
  split_b_kernel<<<grid_of(ring_gemm_b_size(g), 256), 256, 0, s>>>(b, b_count, k, n, g.transpose_b,
                                                                   g.bits, bl);
  CUDA_CHECK_LAUNCH("split_b_kernel", shape_info(g));

  cublasHandle_t h = cublas_handle();
  check_cublas(cublasSetStream(h, s), "cublasSetStream", shape_info(g));
  const double one = 1.0, zero = 0.0;
  for (int sd = 0; sd < L; ++sd) {
    const ring_gemm::DiagonalGemm d = ring_gemm::diagonal_gemm(g, sd);
    check_cublas(
        cublasDgemmStridedBatched(
            h, d.trans_x ? CUBLAS_OP_T : CUBLAS_OP_N, CUBLAS_OP_N, static_cast<int>(d.rows_x),
            static_cast<int>(d.cols), static_cast<int>(d.kk), &one, bl + d.x_off,
            static_cast<int>(d.ldx), static_cast<long long>(d.stride_x), al,
            static_cast<int>(d.ldy), static_cast<long long>(d.stride_y), &zero, dl + d.d_off,
            static_cast<int>(d.ldd), static_cast<long long>(d.stride_d), static_cast<int>(d.batch)),
        "cublasDgemmStridedBatched", shape_info(g) + " diagonal=" + std::to_string(sd));
  }
  recombine_kernel<<<grid_of(total, 256), 256, 0, s>>>(dl, L, c, total, g.m, n, ring_mask(g.bits),
                                                       g.accumulate, g.causal);
  CUDA_CHECK_LAUNCH("recombine_kernel", shape_info(g));
}

// ---------------------------------------------------------------- int8 digits through cuBLAS

struct Int8Layout {
  int digits = 0;
  std::size_t kp = 0, ldd = 0, a_off = 0, b_off = 0, d_off = 0, bytes = 0;
};

Int8Layout int8_layout(const RingGemm& g) {
  Int8Layout l;
  l.digits = ring_gemm::digit_count(g.bits);
  l.kp = ring_gemm::int8_kp(g.k);
  l.ldd = ring_gemm::int8_ldd(g.n);
  const std::size_t L = static_cast<std::size_t>(l.digits);
  const std::size_t a = g.batches * g.m * L * l.kp;
  const std::size_t b = (g.shared_b ? 1 : g.batches) * g.n * L * l.kp;
  const std::size_t d = L * g.batches * g.m * l.ldd;
  l.a_off = 0;
  l.b_off = round_up(a, 256);
  l.d_off = l.b_off + round_up(b, 256);
  l.bytes = l.d_off + d * sizeof(std::int32_t);
  return l;
}

// A (rows x k) to digits over the padded rows x kp (zeros past k).
__global__ void digits_a_kernel(const u64* a, std::size_t rows, std::size_t k, std::size_t kp,
                                int bits, signed char* out) {
  const int L = ring_gemm::digit_count(bits);
  const std::size_t total = rows * kp;
  for (std::size_t e = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < total;
       e += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
    const std::size_t row = e / kp, t = e % kp;
    signed char d[8];
    ring_gemm::digits(t < k ? a[row * k + t] : 0, bits, d);
    for (int l = 0; l < L; ++l) out[ring_gemm::a_digit_index(row, t, kp, L, l)] = d[l];
  }
}

// B's `count` matrices to K-contiguous digits over (mat, j, t < kp).
__global__ void digits_b_kernel(const u64* b, std::size_t count, std::size_t k, std::size_t n,
                                std::size_t kp, bool transpose_b, int bits, signed char* out) {
  const int L = ring_gemm::digit_count(bits);
  const std::size_t per = n * kp, total = count * per;
  for (std::size_t e = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < total;
       e += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
    const std::size_t mat = e / per, j = (e % per) / kp, t = e % kp;
    const u64* bm = b + mat * k * n;
    signed char d[8];
    ring_gemm::digits(t < k ? bm[transpose_b ? j * k + t : t * n + j] : 0, bits, d);
    for (int l = 0; l < L; ++l) out[ring_gemm::b_digit_index(mat, t, j, n, kp, L, l)] = d[l];
  }
}

// C from the int32 diagonals d[s * stride + row * ldd + j].
__global__ void recombine_int8_kernel(const std::int32_t* d, int digits, std::size_t ldd,
                                      std::size_t stride, u64* c, std::size_t total, std::size_t m,
                                      std::size_t n, u64 mask, bool accumulate, bool causal) {
  for (std::size_t e = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < total;
       e += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
    const std::size_t row = e / n, j = e % n, i = row % m;
    if (causal && j > i) continue;
    u64 v = 0;
    for (int s = 0; s < digits; ++s)
      v += ring_gemm::digit_term(d[static_cast<std::size_t>(s) * stride + row * ldd + j], s);
    c[e] = accumulate ? (c[e] + v) & mask : v & mask;
  }
}

void run_int8(const RingGemm& g, const u64* a, const u64* b, u64* c, cudaStream_t s,
              const Scratch& scratch) {
  const Int8Layout lay = int8_layout(g);
  const int L = lay.digits;
  signed char* ad = scratch.at<signed char>(lay.a_off);
  signed char* bd = scratch.at<signed char>(lay.b_off);
  std::int32_t* dd = scratch.at<std::int32_t>(lay.d_off);
  const std::size_t total = ring_gemm_c_size(g);
  const std::size_t b_count = g.shared_b ? 1 : g.batches;

  digits_a_kernel<<<grid_of(g.batches * g.m * lay.kp, 256), 256, 0, s>>>(a, g.batches * g.m, g.k,
                                                                         lay.kp, g.bits, ad);
  CUDA_CHECK_LAUNCH("digits_a_kernel", shape_info(g));
  digits_b_kernel<<<grid_of(b_count * g.n * lay.kp, 256), 256, 0, s>>>(b, b_count, g.k, g.n, lay.kp,
                                                                       g.transpose_b, g.bits, bd);
  CUDA_CHECK_LAUNCH("digits_b_kernel", shape_info(g));

  cublasHandle_t h = cublas_handle();
  check_cublas(cublasSetStream(h, s), "cublasSetStream", shape_info(g));
  const std::int32_t one = 1, zero = 0;
  for (int sd = 0; sd < L; ++sd) {
    const ring_gemm::DiagonalGemm d = ring_gemm::int8_diagonal_gemm(g, sd);
    check_cublas(
        cublasGemmStridedBatchedEx(
            h, CUBLAS_OP_T, CUBLAS_OP_N, static_cast<int>(d.rows_x), static_cast<int>(d.cols),
            static_cast<int>(d.kk), &one, bd + d.x_off, CUDA_R_8I, static_cast<int>(d.ldx),
            static_cast<long long>(d.stride_x), ad, CUDA_R_8I, static_cast<int>(d.ldy),
            static_cast<long long>(d.stride_y), &zero, dd + d.d_off, CUDA_R_32I,
            static_cast<int>(d.ldd), static_cast<long long>(d.stride_d), static_cast<int>(d.batch),
            CUBLAS_COMPUTE_32I, CUBLAS_GEMM_DEFAULT),
        "cublasGemmStridedBatchedEx (int8)", shape_info(g) + " diagonal=" + std::to_string(sd));
  }
  recombine_int8_kernel<<<grid_of(total, 256), 256, 0, s>>>(
      dd, L, lay.ldd, g.batches * g.m * lay.ldd, c, total, g.m, g.n, ring_mask(g.bits),
      g.accumulate, g.causal);
  CUDA_CHECK_LAUNCH("recombine_int8_kernel", shape_info(g));
}

// Set when cuBLAS refused the int8 GEMM under kAuto: kAuto then stops choosing it.
std::atomic<bool> int8_refused{false};

// ---------------------------------------------------------------- the choice

// kAuto's rule: the smaller of two time estimates, from throughputs to be replaced by gpu_bench's
// measured ones ("ring matmul" rows). SIMT: u64 multiply-add ~4 IMAD issue slots at 64 IMAD/clk/SM
// -> 132 SMs x 1.98 GHz x 16 ~ 4.2 T/s (u32: one slot, ~3x that); fp64: ~45 TFLOPS of the H200's
// 67 on these thin shapes, 2 flops per limb pair per multiply-add, plus ~8 us per cuBLAS call and
// the limb traffic (8 bytes per limb element written, read back) at ~3 TB/s.
// int8: ~600 of the H200's ~1979 dense TOPS through the regular ("TN") layout on thin shapes,
// 2 ops per digit pair per multiply-add, the same per-call cost, 1-byte digits and int32 sums.
constexpr double kSimtMacsPerS64 = 3.0e12, kSimtMacsPerS32 = 9.0e12;
constexpr double kFp64FlopsPerS = 45e12, kFp64CallS = 8e-6, kBytesPerS = 3e12;
constexpr double kInt8OpsPerS = 600e12;

double simt_estimate(const RingGemm& g) {
  double macs = static_cast<double>(g.batches) * g.m * g.k * g.n;
  if (g.causal) macs *= 0.5;
  return macs / (g.bits <= 32 ? kSimtMacsPerS32 : kSimtMacsPerS64) + 5e-6;
}

double fp64_estimate(const RingGemm& g) {
  const double macs = static_cast<double>(g.batches) * g.m * g.k * g.n;
  const int L = ring_gemm::limb_count(g.bits);
  const double bytes =
      2.0 * 8 * L *
      static_cast<double>(ring_gemm_a_size(g) + ring_gemm_b_size(g) + ring_gemm_c_size(g));
  return 2.0 * ring_gemm::limb_pairs(g.bits) * macs / kFp64FlopsPerS + (L + 3) * kFp64CallS +
         bytes / kBytesPerS;
}

double int8_estimate(const RingGemm& g) {
  const double macs = static_cast<double>(g.batches) * g.m * g.k * g.n;
  const int L = ring_gemm::digit_count(g.bits);
  const double bytes = 2.0 * L * static_cast<double>(ring_gemm_a_size(g) + ring_gemm_b_size(g)) +
                       8.0 * (ring_gemm_a_size(g) + ring_gemm_b_size(g)) +
                       2.0 * 4 * L * ring_gemm_c_size(g);
  return 2.0 * ring_gemm::digit_pairs(g.bits) * macs / kInt8OpsPerS + (L + 3) * kFp64CallS +
         bytes / kBytesPerS;
}

}  // namespace

const char* to_string(RingGemmImpl impl) {
  switch (impl) {
    case RingGemmImpl::kAuto:
      return "auto";
    case RingGemmImpl::kSimt:
      return "simt";
    case RingGemmImpl::kFp64Limbs:
      return "fp64-limbs";
    case RingGemmImpl::kInt8Limbs:
      return "int8-limbs";
  }
  return "?";
}

void validate(const RingGemm& g) {
  if (g.bits < 1 || g.bits > 64)
    throw std::invalid_argument("ring_matmul: bits " + std::to_string(g.bits) +
                                " outside [1, 64] (" + shape_info(g) + ")");
  if (g.causal && g.m != g.n)
    throw std::invalid_argument("ring_matmul: causal needs m == n (" + shape_info(g) + ")");
  const std::size_t lim = std::size_t{1} << 31;
  if (g.m >= lim || g.n >= lim || g.k >= lim || (g.m + kBM - 1) / kBM > 65535)
    throw std::invalid_argument("ring_matmul: a dimension is too large for the kernels (" +
                                shape_info(g) + ")");
}

bool ring_gemm_available(RingGemmImpl impl, const RingGemm& g) {
  switch (impl) {
    case RingGemmImpl::kFp64Limbs:
      return ring_gemm::fp64_exact(g);
    case RingGemmImpl::kInt8Limbs:
      return ring_gemm::int8_exact(g);
    default:
      return true;
  }
}

RingGemmImpl ring_gemm_impl_for(const RingGemm& g) {
  RingGemmImpl best = RingGemmImpl::kSimt;
  double t = simt_estimate(g);
  if (ring_gemm_available(RingGemmImpl::kFp64Limbs, g) && fp64_estimate(g) < t) {
    best = RingGemmImpl::kFp64Limbs;
    t = fp64_estimate(g);
  }
  if (!int8_refused.load(std::memory_order_relaxed) &&
      ring_gemm_available(RingGemmImpl::kInt8Limbs, g) && int8_estimate(g) < t)
    best = RingGemmImpl::kInt8Limbs;
  return best;
}

namespace {
RingGemmImpl resolve(const RingGemm& g) {
  const RingGemmImpl impl = g.impl == RingGemmImpl::kAuto ? ring_gemm_impl_for(g) : g.impl;
  if (!ring_gemm_available(impl, g))
    throw std::invalid_argument(std::string("ring_matmul: '") + to_string(impl) +
                                "' is not exact for this shape (" + shape_info(g) + ")");
  return impl;
}
}  // namespace

std::size_t ring_matmul_workspace_bytes(const RingGemm& g) {
  validate(g);
  if (ring_gemm_c_size(g) == 0 || g.k == 0) return 0;
  switch (resolve(g)) {
    case RingGemmImpl::kFp64Limbs:
      return fp64_layout(g).bytes;
    case RingGemmImpl::kInt8Limbs:
      return int8_layout(g).bytes;
    default:
      return simt_workspace(g, current_sms());
  }
}

void ring_matmul_device(const RingGemm& g, const u64* a, const u64* b, u64* c, CUstream_st* stream,
                        void* workspace, std::size_t workspace_bytes) {
  validate(g);
  const std::size_t total = ring_gemm_c_size(g);
  if (total == 0) return;
  const u64 mask = ring_mask(g.bits);
  if (g.k == 0) {  // empty sums: C = 0 (or unchanged), as the CPU
    if (g.accumulate) return;
    if (!g.causal) {
      CUDA_CHECK(cudaMemsetAsync(c, 0, total * sizeof(u64), stream), shape_info(g));
      return;
    }
    // causal: zero j <= i only (finish_kernel over a zero "partial" would need scratch; a
    // recombine with no diagonals writes exactly that).
    recombine_kernel<<<grid_of(total, 256), 256, 0, stream>>>(nullptr, 0, c, total, g.m, g.n, mask,
                                                              false, true);
    CUDA_CHECK_LAUNCH("recombine_kernel", shape_info(g));
    return;
  }
  const RingGemmImpl impl = resolve(g);
  if (impl == RingGemmImpl::kFp64Limbs) {
    const Scratch scratch(fp64_layout(g).bytes, workspace, workspace_bytes, stream);
    run_fp64(g, a, b, c, stream, scratch);
  } else if (impl == RingGemmImpl::kInt8Limbs) {
    try {
      const Scratch scratch(int8_layout(g).bytes, workspace, workspace_bytes, stream);
      run_int8(g, a, b, c, stream, scratch);
    } catch (const CublasError& e) {
      // cuBLAS refuses a GEMM before enqueuing it, so C is untouched: SIMT can still run.
      if (g.impl != RingGemmImpl::kAuto ||
          (e.status != CUBLAS_STATUS_NOT_SUPPORTED && e.status != CUBLAS_STATUS_ARCH_MISMATCH))
        throw;
      int8_refused.store(true, std::memory_order_relaxed);
      const Scratch scratch(simt_workspace(g, current_sms()), nullptr, 0, stream);
      run_simt(g, a, b, c, stream, scratch);
    }
  } else {
    const Scratch scratch(simt_workspace(g, current_sms()), workspace, workspace_bytes, stream);
    run_simt(g, a, b, c, stream, scratch);
  }
}

namespace {
class DeviceGuard {
 public:
  explicit DeviceGuard(int device) {
    CUDA_CHECK(cudaGetDevice(&prev_));
    CUDA_CHECK(cudaSetDevice(device), "device " + std::to_string(device));
  }
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;
  ~DeviceGuard() { cudaSetDevice(prev_); }

 private:
  int prev_ = 0;
};
}  // namespace

void ring_matmul_host(const RingGemm& g, std::span<const u64> a, std::span<const u64> b,
                      std::span<u64> c, int device) {
  validate(g);
  if (a.size() != ring_gemm_a_size(g) || b.size() != ring_gemm_b_size(g) ||
      c.size() != ring_gemm_c_size(g))
    throw std::invalid_argument(
        "ring_matmul_host: spans of " + std::to_string(a.size()) + ", " + std::to_string(b.size()) +
        ", " + std::to_string(c.size()) + " elements do not match the shape (needs " +
        std::to_string(ring_gemm_a_size(g)) + ", " + std::to_string(ring_gemm_b_size(g)) + ", " +
        std::to_string(ring_gemm_c_size(g)) + "; " + shape_info(g) + ")");
  if (c.empty()) return;
  const DeviceGuard guard(device);
  const Stream st;
  DeviceBuffer<u64> da(a.size()), db(b.size()), dc(c.size());
  da.upload(a, st.get());
  db.upload(b, st.get());
  if (g.accumulate || g.causal) dc.upload(std::span<const u64>(c.data(), c.size()), st.get());
  ring_matmul_device(g, da.data(), db.data(), dc.data(), st.get());
  dc.download(c, st.get());
  st.sync();
}

}  // namespace secinfer::fss::cuda
