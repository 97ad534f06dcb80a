// AES-128 (FIPS-197) with an AES-NI path and a portable path of identical output, the fixed-key
// length-doubling PRG G_j used by the DPF and DCF, and the seeded counter-mode PRG for all dealer
// randomness. Exact definitions: docs/design/fss-core.md.
#pragma once

#include <array>
#include <span>

#include "fss/block.h"

namespace secinfer::fss {

enum class AesImpl { kAuto, kAesNi, kPortable };

// True when this CPU has AES-NI (cpuid), so kAuto takes that path.
bool cpu_has_aesni();

// AES-128 with an expanded key schedule. kAesNi on a CPU without it throws std::runtime_error.
class Aes128 {
 public:
  explicit Aes128(Block key, AesImpl impl = AesImpl::kAuto);
  Block encrypt(Block in) const;
  // out[i] = AES(in[i]); spans of equal length (may alias).
  void encrypt_blocks(std::span<const Block> in, std::span<Block> out) const;
  AesImpl impl() const { return impl_; }
  const std::array<Block, 11>& round_keys() const { return round_keys_; }

 private:
  std::array<Block, 11> round_keys_{};
  AesImpl impl_;
};

// G_j(s) = AES_{K_j}(s) XOR s for the five fixed keys; one process-wide immutable instance per impl.
class FixedKeyPrg {
 public:
  explicit FixedKeyPrg(AesImpl impl = AesImpl::kAuto);
  Block g(int j, Block s) const;
  // Batch: out[i] = G_j(in[i]).
  void g_blocks(int j, std::span<const Block> in, std::span<Block> out) const;
  AesImpl impl() const;

 private:
  std::array<Aes128, kPrgFixedKeys> aes_;
};

// AES-128-CTR keyed by a seed: block k = AES_seed(Block{k, 0}), k = 0, 1, ...
class SeededPrg {
 public:
  explicit SeededPrg(Block seed, AesImpl impl = AesImpl::kAuto);
  Block next_block();
  u64 next_u64();                        // lo, then hi, of successive blocks
  u64 next_bits(int m) { return next_u64() & ring_mask(m); }
  void fill(std::span<u64> out, int m);  // out[i] = next_bits(m)

 private:
  Aes128 aes_;
  u64 counter_ = 0;
  Block buffered_{};
  bool have_hi_ = false;
};

}  // namespace secinfer::fss
