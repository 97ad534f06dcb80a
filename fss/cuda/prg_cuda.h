// AES-128, the fixed-key PRG G_j, ConvertVec and the seeded counter-mode PRG on the GPU, with the
// same outputs as fss/prg.h on the CPU (docs/design/fss-core.md).
//
// *_device functions take device pointers, enqueue on `stream` and return at once; *_cuda
// functions take host spans, run synchronously and check their arguments like the CPU API.
//   std::vector<Block> out(n);
//   prg_g_cuda(2, in, out);           // out[i] == fixed_key_prg().g(2, in[i])
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <span>

#include "fss/block.h"
#include "fss/cuda/config.h"
#include "fss/prg.h"

namespace secinfer::fss::cuda {

// out[i] = AES_key(in[i]) (schedule expanded once per thread block). in and out may alias.
void aes_encrypt_device(Block key, const Block* in, Block* out, std::size_t n, cudaStream_t stream,
                        const KernelConfig& cfg = {});
// out[i] = AES_{keys[i]}(in[i]), each key's schedule derived on the fly, round by round.
void aes_encrypt_multikey_device(const Block* keys, const Block* in, Block* out, std::size_t n,
                                 cudaStream_t stream, const KernelConfig& cfg = {});
// out[i] = G_j(in[i]), j in [0, 5).
void prg_g_device(int j, const Block* in, Block* out, std::size_t n, cudaStream_t stream,
                  const KernelConfig& cfg = {});
// out[i] = block first_block + i of SeededPrg(seed): AES_seed(Block{first_block + i, 0}).
void seeded_prg_device(Block seed, u64 first_block, Block* out, std::size_t n, cudaStream_t stream,
                       const KernelConfig& cfg = {});
// out[i] = value i of `slice` of SeededPrg(seed)'s stream (fss/prg.h StreamSlice) masked to `bits`
// bits where v is null (party 0's shares), else (v[i] - that value) mod 2^bits (party 1's);
// out and v hold slice.count values.
void seeded_shares_device(Block seed, const StreamSlice& slice, int bits, const u64* v, u64* out,
                          cudaStream_t stream, const KernelConfig& cfg = {});
// out[i * L + j] = ConvertVec_{m,L}(in[i])_j.
void convert_vec_device(const Block* in, std::size_t n, int m, int L, u64* out, cudaStream_t stream,
                        const KernelConfig& cfg = {});
// AES throughput probe: as many threads as fit on the GPU at once (returned; out must hold
// that many blocks, at most 2048 per SM); thread i encrypts counter blocks i * per_thread + r
// (r < per_thread) under K_0 and writes their XOR to out[i]; `unroll` (1, 2 or 4) independent
// blocks in flight per thread.
std::size_t aes_throughput_device(u64 per_thread, int unroll, Block* out, std::size_t out_size,
                                  cudaStream_t stream, const KernelConfig& cfg = {});

void aes_encrypt_cuda(Block key, std::span<const Block> in, std::span<Block> out,
                      const KernelConfig& cfg = {});
void aes_encrypt_multikey_cuda(std::span<const Block> keys, std::span<const Block> in,
                               std::span<Block> out, const KernelConfig& cfg = {});
void prg_g_cuda(int j, std::span<const Block> in, std::span<Block> out,
                const KernelConfig& cfg = {});
// Equals SeededPrg(seed) after first_block next_block() calls, then out.size() more.
void seeded_prg_cuda(Block seed, u64 first_block, std::span<Block> out,
                     const KernelConfig& cfg = {});
void convert_vec_cuda(std::span<const Block> in, int m, int L, std::span<u64> out,
                      const KernelConfig& cfg = {});

}  // namespace secinfer::fss::cuda
