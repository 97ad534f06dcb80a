// SIGMA's DCF on the GPU (Gupta et al., PoPETs 2024; construction in docs/design/sigma-dcf.md):
// batch key generation and batch evaluation at P points per key, bit-identical to
// fss/sigma_dcf.h. Keys live in the same structure-of-arrays layout as fss::SigmaDcfKeys, so
// uploads are plain copies and thread q's loads of level i, cw_seed[i * count + k], coalesce.
//
// *_device: device pointers, asynchronous on `stream`. *_cuda: host spans, synchronous, the same
// checks and results as the CPU functions.
//   auto [k0, k1] = sigma_dcf_gen_cuda(38, alpha, seed);   // == sigma_dcf_gen(38, alpha,
//                                                          //    SeededPrg(seed))
//   sigma_dcf_eval_cuda(k0, 3, x, y0);                     // == sigma_dcf_eval(k0, 3, x, y0)
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <span>
#include <utility>

#include "fss/cuda/config.h"
#include "fss/cuda/device_buffer.h"
#include "fss/sigma_dcf.h"

namespace secinfer::fss::cuda {

// Non-owning device pointers (unused arrays null), what the kernels take.
struct SigmaDcfKeysView {
  int in_bits = 0;
  int party = 0;
  std::size_t count = 0;
  const Block* root = nullptr;     // [count]                   (n >= 8)
  const Block* cw_seed = nullptr;  // [(n - 8) * count]
  const u64* cw_tr = nullptr;      // [count]
  const Block* leaf0 = nullptr;    // [count]
  const Block* leaf1 = nullptr;    // [count]
  const u64* table = nullptr;      // [count * table words]     (n <= 7)
  // SigmaDcfKeys::share_prefixes: at several points, one walk a key (sigma_dcf_eval_shared).
  bool share_prefixes = false;
};

// One party's keys, owning.
struct SigmaDcfKeysDevice {
  int in_bits = 0;
  int party = 0;
  std::size_t count = 0;
  DeviceBuffer<Block> root, cw_seed, leaf0, leaf1;
  DeviceBuffer<u64> cw_tr, table;

  SigmaDcfKeysView view() const;
};

// Both parties' keys as the dealer makes them on the GPU: the correction words are common and
// stored once; the roots (trees) or the tables (n <= 7) differ.
struct SigmaDcfKeyPairDevice {
  int in_bits = 0;
  std::size_t count = 0;
  DeviceBuffer<Block> root[2], cw_seed, leaf0, leaf1;
  DeviceBuffer<u64> cw_tr, table[2];

  // Allocates for `count` keys of n = in_bits (1..64, else std::invalid_argument).
  SigmaDcfKeyPairDevice(int in_bits, std::size_t count);
  SigmaDcfKeysView view(int party) const;
};

// Both parties' trees (n >= 8) in memory someone else owns (an accelerator's resident block):
// common correction words, one root array per party. cw_seed is null for n = 8.
struct SigmaDcfKeyPairView {
  int in_bits = 0;
  std::size_t count = 0;
  Block* root[2] = {nullptr, nullptr};
  Block* cw_seed = nullptr;
  u64* cw_tr = nullptr;
  Block* leaf0 = nullptr;
  Block* leaf1 = nullptr;
  u64* table[2] = {nullptr, nullptr};  // n <= 7: each party's truth tables, the rest unused

  SigmaDcfKeysView view(int party) const {
    return {in_bits, party, count, root[party], cw_seed, cw_tr, leaf0, leaf1, table[party]};
  }
};

// CPU keys -> GPU (runs fss::sigma_dcf_check_keys first); GPU keys -> CPU (waits for `stream`).
SigmaDcfKeysDevice upload(const SigmaDcfKeys& keys, cudaStream_t stream = nullptr);
SigmaDcfKeys download(const SigmaDcfKeysView& keys, cudaStream_t stream = nullptr);

// Batch Gen: n >= 8, key k's two root blocks are blocks first_block + 2k and first_block + 2k + 1
// of SeededPrg(seed); n <= 7, its table block is block first_block + k. alpha: device [count],
// values < 2^n (not checked here).
void sigma_dcf_gen_device(const u64* alpha, Block seed, u64 first_block, SigmaDcfKeyPairDevice& out,
                          cudaStream_t stream, const KernelConfig& cfg = {});
// The same into a pair view: its trees (n >= 8) or its two parties' tables (n <= 7).
void sigma_dcf_gen_device(const u64* alpha, Block seed, u64 first_block,
                          const SigmaDcfKeyPairView& out, cudaStream_t stream,
                          const KernelConfig& cfg = {});

// out[k * P + j] = this party's share (0 or 1) of [x[k * P + j] < alpha_k], a thread per point.
// x: device [count * P] (values < 2^n, not checked here), out: device [count * P]. P >= 1.
// cfg.aes picks the AES table layout; cfg.threads_per_block the block size.
void sigma_dcf_eval_device(const SigmaDcfKeysView& keys, std::size_t points_per_key, const u64* x,
                           std::uint8_t* out, cudaStream_t stream, const KernelConfig& cfg = {});

// Host spans, synchronous; the CPU's checks.
std::pair<SigmaDcfKeys, SigmaDcfKeys> sigma_dcf_gen_cuda(int in_bits, std::span<const u64> alpha,
                                                         Block seed, u64 first_block = 0,
                                                         const KernelConfig& cfg = {});
void sigma_dcf_eval_cuda(const SigmaDcfKeys& keys, std::size_t points_per_key,
                         std::span<const u64> x, std::span<std::uint8_t> out,
                         const KernelConfig& cfg = {});

}  // namespace secinfer::fss::cuda
