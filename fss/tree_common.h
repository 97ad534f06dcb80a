// Internal helpers shared by dpf.cpp and dcf.cpp (not a public API).
#pragma once

#include <atomic>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "fss/block.h"
#include "fss/prg.h"
#include "fss/thread_pool.h"

namespace secinfer::fss::detail {

// Keys processed together per level step. The key arrays are level-major (index i * count + k,
// fss-core.md "Batch key layout"), so one level of a chunk is a contiguous run of kChunk entries;
// 256 keys make runs of 4 KiB of seeds, long enough for the hardware prefetcher, while the
// chunk's state (seeds, G outputs) stays in L1 / L2. (Software prefetching of the next level
// measured no gain over the hardware prefetcher on these runs.)
inline constexpr std::size_t kChunk = 256;

// Smallest piece of work handed to a thread, in AES calls (about 50 us on AES-NI, the cost of
// starting a std::thread), so small batches run on the calling thread.
inline constexpr std::size_t kGrainAes = std::size_t{1} << 14;
// Keys per thread for batch work of `aes_per_key` AES calls per key, in whole chunks.
inline std::size_t key_grain(std::size_t aes_per_key) {
  const std::size_t keys = kGrainAes / (aes_per_key == 0 ? 1 : aes_per_key) + 1;
  return (keys + kChunk - 1) / kChunk * kChunk;
}

// t ? -v : v for t in {0, 1}, without a branch ((-1)^t * v).
inline u64 neg_if(u64 v, u64 t) {
  return (v ^ (u64{0} - t)) + t;
}
// The DCF's half-tree hash (fss-core.md "DCF"), batched for the CPU: out[i] = H(s[i]) =
// G_0(sigma(s[i])) (out may not alias s; the GPU's one-node form is fss/cuda/dcf_core.h
// half_tree_hash). The child rule is block.h's half_tree_child.
inline void half_tree_hash(const FixedKeyPrg& prg, std::span<const Block> s, std::span<Block> out) {
  for (std::size_t i = 0; i < s.size(); ++i) out[i] = ccr_sigma(s[i]);
  prg.g_blocks(0, out.first(s.size()), out.first(s.size()));
}
// Bit i (MSB first) of an n-bit x: x_i = (x >> (n - 1 - i)) & 1.
inline u64 bit_msb_first(u64 x, int n, int i) {
  return (x >> (n - 1 - i)) & 1;
}

inline void check_bits(const char* what, const char* name, int bits) {
  if (bits < 1 || bits > 64)
    throw std::invalid_argument(std::string(what) + ": " + name + " = " + std::to_string(bits) +
                                " is outside [1, 64]");
}

inline void check_size(const char* what, const char* name, std::size_t got, std::size_t want) {
  if (got != want)
    throw std::invalid_argument(std::string(what) + ": " + name + " has " + std::to_string(got) +
                                " elements, expected " + std::to_string(want));
}

// Throws unless every v[i] < 2^bits.
inline void check_range(const char* what, const char* name, std::span<const u64> v, int bits,
                        ThreadPool* pool = nullptr) {
  const u64 mask = ring_mask(bits);
  // An OR over the values, on the pool's threads from two grains on (the dealer's alphas are tens
  // of millions of words a run, read once at memory speed).
  constexpr std::size_t kGrain = std::size_t{1} << 16;
  std::atomic<u64> high{0};
  const auto reduce = [&](std::size_t b, std::size_t e) {
    u64 h = 0;
    for (std::size_t i = b; i < e; ++i) h |= v[i] & ~mask;
    high.fetch_or(h, std::memory_order_relaxed);
  };
  if (pool != nullptr && v.size() >= 2 * kGrain)
    parallel_for(*pool, v.size(), kGrain, reduce);
  else
    reduce(0, v.size());
  if (high.load(std::memory_order_relaxed) == 0) return;
  for (std::size_t i = 0; i < v.size(); ++i)
    if (v[i] & ~mask)
      throw std::invalid_argument(std::string(what) + ": " + name + "[" + std::to_string(i) +
                                  "] = " + std::to_string(v[i]) + " does not fit in " +
                                  std::to_string(bits) + " bits");
}

// ConvertVec_{m,L} (fss-core.md "Seeds, control bits, conversion"), in two steps. Step 1: the
// L / 2 = ceil((L - 1) / 2) extra blocks of each input, scratch[i * (L / 2) + e] =
// G_4(blk[i] ^ Block{e + 1, 0}), batched (`scratch` is resized).
inline void convert_vec_extra(const FixedKeyPrg& prg, const Block* blk, std::size_t nb, int L,
                              std::vector<Block>& scratch) {
  const std::size_t extra = static_cast<std::size_t>(L) / 2;
  if (extra == 0) return;
  scratch.resize(nb * extra);
  for (std::size_t i = 0; i < nb; ++i)
    for (std::size_t e = 0; e < extra; ++e) {
      const Block tweak{e + 1, 0};
      scratch[i * extra + e] = blk[i] ^ tweak;
    }
  prg.g_blocks(4, scratch, scratch);
}

// Step 2, element j of input i (unmasked): j = 0 is blk.hi; j >= 1 comes from C = extra block
// k - 1, k = (j + 1) / 2: C.lo for odd j, C.hi for even j.
inline u64 convert_vec_elem(const Block& blk, const Block* extra_row, std::size_t j) {
  if (j == 0) return blk.hi;
  const Block& c = extra_row[(j + 1) / 2 - 1];
  return (j & 1) ? c.lo : c.hi;
}

// ConvertVec of blk[0..nb) into out[i * L + j], masked to m bits.
inline void convert_vec(const FixedKeyPrg& prg, const Block* blk, std::size_t nb, int m, int L,
                        u64* out, std::vector<Block>& scratch) {
  const u64 mask = ring_mask(m);
  const auto len = static_cast<std::size_t>(L);
  const std::size_t extra = len / 2;
  convert_vec_extra(prg, blk, nb, L, scratch);
  for (std::size_t i = 0; i < nb; ++i) {
    const Block* row = extra > 0 ? scratch.data() + i * extra : nullptr;
    for (std::size_t j = 0; j < len; ++j)
      out[i * len + j] = convert_vec_elem(blk[i], row, j) & mask;
  }
}

}  // namespace secinfer::fss::detail
