// DPF on the GPU (Boyle, Gilboa, Ishai, CCS 2016, Fig. 1; exact construction in
// docs/design/fss-core.md): batch key generation, batch point evaluation, full-domain evaluation
// and SIGMA's lookup table, bit-identical to fss/dpf.h.
//
// *_device: device pointers, asynchronous on `stream`, no argument checks beyond the shape.
// *_cuda:   host spans, synchronous, the same checks and results as the CPU functions.
//   auto [k0, k1] = dpf_gen_cuda(shape, alpha, beta, seed);   // == dpf_gen(..., SeededPrg(seed))
//   dpf_eval_cuda(k0, x, y0);                                  // == dpf_eval(k0, x, y0)
#pragma once

#include <cuda_runtime.h>

#include <span>
#include <utility>

#include "fss/cuda/config.h"
#include "fss/cuda/keys_cuda.h"
#include "fss/dpf.h"

namespace secinfer::fss::cuda {

// The dealer's batch Gen: key k draws its roots s0, s1 from blocks first_block + 2k and
// first_block + 2k + 1 of SeededPrg(seed) (bit 0 cleared), so the keys equal fss::dpf_gen with a
// SeededPrg(seed) that has already handed out first_block blocks. alpha, beta: device [count].
void dpf_gen_device(const u64* alpha, const u64* beta, Block seed, u64 first_block,
                    const DpfKeyPairView& out, cudaStream_t stream, const KernelConfig& cfg = {});
inline void dpf_gen_device(const u64* alpha, const u64* beta, Block seed, u64 first_block,
                           DpfKeyPairDevice& out, cudaStream_t stream,
                           const KernelConfig& cfg = {}) {
  dpf_gen_device(alpha, beta, seed, first_block, out.pair_view(), stream, cfg);
}

// out[k] = party's share of f_k(x[k]) (device arrays of keys.count).
void dpf_eval_device(const DpfKeysView& keys, const u64* x, u64* out, cudaStream_t stream,
                     const KernelConfig& cfg = {});

// Full domain of keys first..first+num-1: out[(k - first) * 2^n + j] = share of f_k(j);
// n <= 24.
void dpf_eval_full_domain_device(const DpfKeysView& keys, std::size_t first, std::size_t num,
                                 u64* out, cudaStream_t stream, const KernelConfig& cfg = {});

// SIGMA's LUT: out[k] = share of table[(xhat[k] - alpha[k]) mod 2^n] in Z_{2^m}
// = sum_j table[(xhat - j) mod 2^n] * y_b(j), keys made with beta = 1; table of 2^n entries,
// 1 <= n <= 24 (2^8..2^16 is the Sigma suite's range).
void dpf_lut_eval_device(const DpfKeysView& keys, const u64* xhat, const u64* table, u64* out,
                         cudaStream_t stream, const KernelConfig& cfg = {});

// The 2^lanes_log2 threads per key the full-domain and LUT kernels use for `count` keys of
// domain n when cfg.lanes_log2 is -1.
int auto_lanes_log2(int n, std::size_t count, bool lut);

// ---- host convenience: the same semantics as fss/dpf.h ----
std::pair<DpfKeys, DpfKeys> dpf_gen_cuda(DpfShape shape, std::span<const u64> alpha,
                                         std::span<const u64> beta, Block seed, u64 first_block = 0,
                                         const KernelConfig& cfg = {});
void dpf_eval_cuda(const DpfKeys& keys, std::span<const u64> x, std::span<u64> out,
                   const KernelConfig& cfg = {});
void dpf_eval_full_domain_cuda(const DpfKeys& keys, std::size_t k, std::span<u64> out,
                               const KernelConfig& cfg = {});
void dpf_lut_eval_cuda(const DpfKeys& keys, std::span<const u64> xhat, std::span<const u64> table,
                       std::span<u64> out, const KernelConfig& cfg = {});

// AES calls per element (for throughput reports).
inline long long dpf_eval_aes(int n) {
  return n;
}
inline long long dpf_gen_aes(int n) {
  return 2 + 4LL * n;
}
inline long long dpf_full_domain_aes(int n) {
  return 2 * ((1LL << n) - 1);
}

}  // namespace secinfer::fss::cuda
