// AES-128 (FIPS-197) with an AES-NI path and a portable path of identical output, the fixed-key
// length-doubling PRG G_j used by the DPF and DCF, and the seeded counter-mode PRG for all dealer
// randomness. Exact definitions: docs/design/fss-core.md.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "fss/block.h"

namespace secinfer::fss {

class ThreadPool;  // fss/thread_pool.h

enum class AesImpl { kAuto, kAesNi, kPortable };

// True when this CPU has AES-NI (cpuid), so kAuto takes that path.
bool cpu_has_aesni();

// kAuto -> kAesNi where the CPU has it, else kPortable; kAesNi on a CPU without it throws
// std::runtime_error; kPortable stays.
AesImpl resolve_aes_impl(AesImpl impl);

// AES-128 with an expanded key schedule. kAesNi on a CPU without it throws std::runtime_error.
//   Aes128 aes(Block{0x0706050403020100, 0x0f0e0d0c0b0a0908});  // FIPS-197 C.1 key
//   Block c = aes.encrypt(p);
class Aes128 {
 public:
  explicit Aes128(Block key, AesImpl impl = AesImpl::kAuto);
  Block encrypt(Block in) const;
  // out[i] = AES(in[i]); spans of equal length (may alias), else std::invalid_argument.
  void encrypt_blocks(std::span<const Block> in, std::span<Block> out) const;
  // The path actually taken: kAesNi or kPortable (kAuto is resolved at construction).
  AesImpl impl() const { return impl_; }
  const std::array<Block, 11>& round_keys() const { return round_keys_; }

 private:
  friend class FixedKeyPrg;
  std::array<Block, 11> round_keys_{};
  // The portable path's bit-sliced copy of round_keys_ (zero on the AES-NI path).
  std::array<std::array<u64, 8>, 11> sliced_keys_{};
  AesImpl impl_;
};

// G_j(s) = AES_{K_j}(s) XOR s for the five fixed keys; one process-wide immutable instance per
// impl via fixed_key_prg().
class FixedKeyPrg {
 public:
  explicit FixedKeyPrg(AesImpl impl = AesImpl::kAuto);
  Block g(int j, Block s) const;
  // Batch: out[i] = G_j(in[i]). Spans of equal length (may alias).
  void g_blocks(int j, std::span<const Block> in, std::span<Block> out) const;
  // The DCF's value blocks (fss-core.md "DCF"), batched: child c's is G_{2+c}(s); with a
  // one-element payload (L = 1) G_2(s) for c = 0 and G_2(s) with its halves swapped for c = 1, so
  // that both children's take one AES. One child's (out[i] of in[i], evaluation), or both
  // (left[i], right[i], generation). Spans of equal length (out may alias in).
  void dcf_value_blocks(int L, int c, std::span<const Block> in, std::span<Block> out) const;
  void dcf_value_blocks(int L, std::span<const Block> in, std::span<Block> left,
                        std::span<Block> right) const;
  // Batch with a key per block: out[i] = G_{j[i]}(in[i]), j[i] in [0, 5). Spans of equal length
  // (in and out may alias). This is the DPF / DCF hot path (the key follows a bit of x).
  void g_multi(std::span<const std::uint8_t> j, std::span<const Block> in,
               std::span<Block> out) const;
  // One level of DPF evaluation for a batch of keys, the inner loop of dpf_eval and of SIGMA's
  // DCF (fss-core.md "DPF" Eval), fused so AES-NI keeps 8 blocks in flight. With
  // c = (x[i] >> shift) & 1 and g = G_c(s[i]):
  //   s[i] = clear_lsb(g) ^ (t[i] ? cw_seed[i] : 0),  t[i] = lsb(g) ^ (t[i] & (cw_t[i] >> c) & 1).
  // t[i] must be 0 or 1; shift in [0, 63]; spans of equal length, else std::invalid_argument.
  void eval_level(std::span<const u64> x, int shift, std::span<Block> s, std::span<u64> t,
                  std::span<const Block> cw_seed, std::span<const std::uint8_t> cw_t) const;
  // One breadth-first level of full-domain DPF evaluation (fss-core.md "DPF", full domain): with
  // g_d = G_d(s[i]), child 2i + d gets seed clear_lsb(g_d) ^ (t[i] ? cw_seed : 0) and control bit
  // lsb(g_d) ^ (t[i] & bit d of cw_t) (d = 0 left, 1 right). next and t_next hold 2 * s.size()
  // entries, t.size() == s.size(), t[i] in {0, 1}, else std::invalid_argument.
  void expand_level(std::span<const Block> s, std::span<const std::uint8_t> t, Block cw_seed,
                    std::uint8_t cw_t, std::span<Block> next, std::span<std::uint8_t> t_next) const;
  AesImpl impl() const;

 private:
  std::array<Aes128, kPrgFixedKeys> aes_;
};

// The shared immutable instance for `impl` (kAuto resolves as in resolve_aes_impl).
const FixedKeyPrg& fixed_key_prg(AesImpl impl = AesImpl::kAuto);

// What SeededPrg::fill of `count` values draws, taken from the stream so that the values can be
// made elsewhere (SeededPrg::fill_slice here, an accelerator's generator there): value 0 is `head`
// where a hi half was buffered, then value head + 2j and head + 2j + 1 are the lo and hi halves of
// block first_block + j (j < pairs), then `tail`, the lo half of one more block, where one value
// is left over. Values are masked to the fill's width where they are made.
struct StreamSlice {
  std::size_t count = 0;
  bool has_head = false, has_tail = false;
  u64 head = 0, tail = 0;
  u64 first_block = 0;
  std::size_t pairs = 0;
};

// AES-128-CTR keyed by a seed: block k = AES_seed(Block{k, 0}), k = 0, 1, ...
// next_block() always starts a fresh counter block: a hi half left over by next_u64() is dropped.
class SeededPrg {
 public:
  explicit SeededPrg(Block seed, AesImpl impl = AesImpl::kAuto);
  Block next_block();
  void next_blocks(std::span<Block> out);  // out[i] = next_block(), batched
  u64 next_u64();                          // lo, then hi, of successive blocks
  u64 next_bits(int m) { return next_u64() & ring_mask(m); }
  void fill(std::span<u64> out, int m);  // out[i] = next_bits(m); m in [1, 64]
  // The same values, the counter blocks encrypted on `pool`'s threads (CTR mode: block k of the
  // stream is AES_seed(k) wherever it is computed), so the stream ends where fill() leaves it.
  void fill(std::span<u64> out, int m, ThreadPool& pool);
  // Advances the stream exactly as fill() of `count` values does and says what those values are;
  // fill_slice() then makes them (fill() is the two in one).
  StreamSlice take_slice(std::size_t count);
  // out[i] = value i of `slice` (taken from this stream) masked to m bits; out.size() ==
  // slice.count, m in [1, 64], else std::invalid_argument. On `pool`'s threads where given.
  void fill_slice(const StreamSlice& slice, std::span<u64> out, int m,
                  ThreadPool* pool = nullptr) const;
  AesImpl impl() const { return aes_.impl(); }
  // The stream's key, and the counter of the block that next_block() would return next.
  Block seed() const { return seed_; }
  u64 next_counter() const { return counter_; }
  // Skips exactly what next_blocks() of `n` blocks would consume (a generator elsewhere, e.g. on
  // an accelerator, produced them from seed() at next_counter()).
  void skip_blocks(u64 n);

 private:
  Block seed_;
  Aes128 aes_;
  u64 counter_ = 0;
  Block buffered_{};
  bool have_hi_ = false;
};

}  // namespace secinfer::fss
