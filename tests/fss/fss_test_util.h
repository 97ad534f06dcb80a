// Shared helpers for the FSS core tests: byte strings <-> blocks, a seeded test RNG, a PRG that
// counts its AES calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "fss/block.h"
#include "fss/prg.h"
#include "fss/ring.h"

namespace secinfer::fss::test {

// "000102..0f" (FIPS-197 byte order: first byte = byte 0) -> Block.
inline Block block_from_hex(const std::string& hex) {
  std::uint8_t b[16];
  for (int i = 0; i < 16; ++i)
    b[i] = static_cast<std::uint8_t>(std::stoul(hex.substr(2 * i, 2), nullptr, 16));
  Block out;
  for (int i = 0; i < 8; ++i) {
    out.lo |= static_cast<u64>(b[i]) << (8 * i);
    out.hi |= static_cast<u64>(b[8 + i]) << (8 * i);
  }
  return out;
}

// Fresh randomness per run (seeded from std::random_device), printed by the caller on failure.
inline std::uint64_t fresh_seed() {
  std::random_device rd;
  return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
}

inline Block random_block(std::mt19937_64& g) {
  return Block{g(), g()};
}

// The fixed-key PRG, counting its calls (one AES each) in *calls: the AES counts the walks'
// comments and docs/perf.md quote.
struct CountingPrg {
  const FixedKeyPrg* prg;
  std::size_t* calls;
  Block g(int j, Block s) const {
    ++*calls;
    return prg->g(j, s);
  }
};

// Point-function / comparison test cases: key k is an edge case first (alpha and x in
// {0, 2^n - 1, 1, 2^(n-1) - 1, 2^(n-1)} x {0, 2^n - 1, alpha, alpha - 1, alpha + 1}), then random
// alpha with x drawn from {alpha, alpha - 1, alpha + 1, random} (mod 2^n); beta: `payload_len`
// values per key in Z_{2^m}, every 7th the all-ones edge.
struct Cases {
  std::vector<u64> alpha, beta, x;
};

inline Cases make_cases(std::mt19937_64& g, int n, int m, int payload_len, std::size_t count) {
  const u64 nm = ring_mask(n), mm = ring_mask(m);
  Cases c;
  const u64 special[] = {0, nm, 1 & nm, (nm >> 1), (nm >> 1) + 1};
  for (const u64 a : special)
    for (const u64 x : {u64{0}, nm, a, (a - 1) & nm, (a + 1) & nm}) {
      c.alpha.push_back(a);
      c.x.push_back(x);
    }
  while (c.alpha.size() < count) {
    const u64 a = g() & nm;
    u64 x = g() & nm;
    switch (g() % 4) {
      case 0:
        x = a;
        break;
      case 1:
        x = (a - 1) & nm;
        break;
      case 2:
        x = (a + 1) & nm;
        break;
      default:
        break;
    }
    c.alpha.push_back(a);
    c.x.push_back(x);
  }
  for (std::size_t k = 0; k < c.alpha.size() * static_cast<std::size_t>(payload_len); ++k)
    c.beta.push_back(k % 7 == 0 ? mm : g() & mm);
  return c;
}

}  // namespace secinfer::fss::test
