// Internal: the two AES-128 back ends behind Aes128 / FixedKeyPrg (prg.h). Not a public API.
// Both implement FIPS-197 on the byte order of fss-core.md "Blocks and AES" (byte 0 = low byte of
// Block::lo) and must give identical output; tests/fss/aes_test.cpp checks that.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "fss/block.h"

namespace secinfer::fss::detail {

// Round keys 0..10, each in the block byte order above.
using RoundKeys = std::array<Block, 11>;
// Portable path: the same round keys as 8 bit planes (bit 16 * lane + i of plane k = bit k of key
// byte i), replicated in the 4 lanes of a bit-sliced state of 4 blocks.
using BitslicedKeys = std::array<std::array<u64, 8>, 11>;

// AES-NI (only call when cpu_has_aesni()). The batch kernels interleave 8 blocks so the AES
// unit's pipeline stays full.
void aesni_expand_key(Block key, RoundKeys& rk);
void aesni_encrypt(const RoundKeys& rk, const Block* in, Block* out, std::size_t n);
// out[i] = AES_rk(in[i]) ^ in[i] (Davies-Meyer / MMO); in and out may alias.
void aesni_mmo(const RoundKeys& rk, const Block* in, Block* out, std::size_t n);
// out[i] = AES_{rks[key[i]]}(in[i]) ^ in[i]: a different fixed key per block.
void aesni_mmo_multi(const RoundKeys* const* rks, const std::uint8_t* key, const Block* in,
                     Block* out, std::size_t n);

// Portable: bit-sliced, table-free and constant-time (no secret-dependent branch or index);
// 4 blocks per pass.
void portable_expand_key(Block key, RoundKeys& rk);
void portable_bitslice_keys(const RoundKeys& rk, BitslicedKeys& bs);
void portable_encrypt(const BitslicedKeys& bs, const Block* in, Block* out, std::size_t n);
void portable_mmo(const BitslicedKeys& bs, const Block* in, Block* out, std::size_t n);
void portable_mmo_multi(const BitslicedKeys* const* bs, const std::uint8_t* key, const Block* in,
                        Block* out, std::size_t n);

}  // namespace secinfer::fss::detail

namespace secinfer::fss::detail {

// One level of DPF evaluation for w keys (fss-core.md "DPF" Eval), the hot loop: with
// c = (x[i] >> shift) & 1 and g = G_c(s[i]),
//   s[i] = clear_lsb(g) ^ (t[i] ? cw_seed[i] : 0),  t[i] = lsb(g) ^ (t[i] & (cw_t[i] >> c) & 1).
// t[i] in {0, 1}. rks / bs: the fixed keys K_0 and K_1.
void aesni_tree_level(const RoundKeys* const* rks, const u64* x, int shift, Block* s, u64* t,
                      const Block* cw_seed, const std::uint8_t* cw_t, std::size_t w);
void portable_tree_level(const BitslicedKeys* const* bs, const u64* x, int shift, Block* s, u64* t,
                         const Block* cw_seed, const std::uint8_t* cw_t, std::size_t w);

// One breadth-first level of full-domain DPF evaluation for m nodes: with g_d = G_d(s[i]),
// child 2i + d gets seed clear_lsb(g_d) ^ (t[i] ? cw_seed : 0) and control bit
// lsb(g_d) ^ (t[i] & cw_t_d) (d = 0: left, cw_tl; d = 1: right, cw_tr). t[i] in {0, 1}.
void aesni_expand_level(const RoundKeys& k0, const RoundKeys& k1, const Block* s,
                        const std::uint8_t* t, Block cw_seed, u64 cw_tl, u64 cw_tr, Block* next,
                        std::uint8_t* t_next, std::size_t m);
void portable_expand_level(const BitslicedKeys& k0, const BitslicedKeys& k1, const Block* s,
                           const std::uint8_t* t, Block cw_seed, u64 cw_tl, u64 cw_tr, Block* next,
                           std::uint8_t* t_next, std::size_t m);

}  // namespace secinfer::fss::detail
