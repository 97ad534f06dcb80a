// Shared helpers for the FSS core tests: byte strings <-> blocks, a seeded test RNG.
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "fss/block.h"

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

}  // namespace secinfer::fss::test
