// DCF on the GPU (Boyle et al., Eurocrypt 2021, Fig. 3; exact construction in
// docs/design/fss-core.md): batch key generation and batch evaluation with vector payloads
// (L >= 1), bit-identical to fss/dcf.h.
//
// *_device: device pointers, asynchronous on `stream`. *_cuda: host spans, synchronous, the same
// checks and results as the CPU functions.
//   auto [k0, k1] = dcf_gen_cuda(shape, alpha, beta, seed);   // == dcf_gen(..., SeededPrg(seed))
//   dcf_eval_cuda(k0, x, v0);                                  // == dcf_eval(k0, x, v0)
#pragma once

#include <cuda_runtime.h>

#include <span>
#include <utility>

#include "fss/cuda/config.h"
#include "fss/cuda/keys_cuda.h"
#include "fss/dcf.h"

namespace secinfer::fss::cuda {

// Batch Gen: key k's roots are blocks first_block + 2k and first_block + 2k + 1 of
// SeededPrg(seed) (bit 0 cleared). alpha: device [count]; beta: device, key k's payload at
// beta + k * beta_stride: beta_stride = L ([count * L]) or 0 (one payload of L for every key).
void dcf_gen_device(const u64* alpha, const u64* beta, std::size_t beta_stride, Block seed,
                    u64 first_block, const DcfKeyPairView& out, cudaStream_t stream,
                    const KernelConfig& cfg = {});
inline void dcf_gen_device(const u64* alpha, const u64* beta, std::size_t beta_stride, Block seed,
                           u64 first_block, DcfKeyPairDevice& out, cudaStream_t stream,
                           const KernelConfig& cfg = {}) {
  dcf_gen_device(alpha, beta, beta_stride, seed, first_block, out.pair_view(), stream, cfg);
}

// out[k * L + j] = party's share of f_k(x[k])_j. cfg.dcf_lanes: 1 thread per key or a pair.
void dcf_eval_device(const DcfKeysView& keys, const u64* x, u64* out, cudaStream_t stream,
                     const KernelConfig& cfg = {});

std::pair<DcfKeys, DcfKeys> dcf_gen_cuda(DcfShape shape, std::span<const u64> alpha,
                                         std::span<const u64> beta, Block seed, u64 first_block = 0,
                                         const KernelConfig& cfg = {});
void dcf_eval_cuda(const DcfKeys& keys, std::span<const u64> x, std::span<u64> out,
                   const KernelConfig& cfg = {});

}  // namespace secinfer::fss::cuda
