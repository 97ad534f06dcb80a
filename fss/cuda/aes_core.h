// AES-128 (FIPS-197) as T-table code that compiles for the host (plain C++) and the GPU, on the
// byte order of docs/design/fss-core.md "Blocks and AES": byte 0 of the AES state is the low byte
// of Block::lo, so the state's column c is the little-endian 32-bit word c of the block
// (w0 = lo[0..31], w1 = lo[32..63], w2 = hi[0..31], w3 = hi[32..63]), and row r of a column is
// its byte r.
//
// One table Te0 (SubBytes and MixColumns of one state byte, FIPS-197 Sec. 5.1) suffices: the
// other three are byte rotations of it. Where the table lives is the `Tab` policy's business
// (aes_tables.cuh: shared memory replicated per bank, or four plain tables; HostTab here for the
// host and the CPU-only tests). Tab provides
//   u32 te(int r, u32 x)      : Te_r[x] = rotl(Te0[x], 8 r), r in 0..3 (a compile-time constant)
//   u32 sbox_at(int r, u32 x) : S(x) << 8 r (for the last round and the key schedule)
#pragma once

#include <array>
#include <cstdint>
#include <type_traits>

#include "fss/block.h"

// Full unrolling of a loop on the GPU (register arrays need constant indices); nothing on the host.
#if defined(__CUDA_ARCH__)
#define SECINFER_UNROLL _Pragma("unroll")
#else
#define SECINFER_UNROLL
#endif

namespace secinfer::fss::cuda {

using u32 = std::uint32_t;

// One round key as the four little-endian column words (alignas(16): one 128-bit load).
struct alignas(16) RoundKey {
  u32 w[4];
};
struct AesSchedule {
  RoundKey rk[11];
};

inline constexpr std::array<std::uint8_t, 256> kAesSbox = {
    0x63, 0x7c, 0x77, 0x7b, 0xf2, 0x6b, 0x6f, 0xc5, 0x30, 0x01, 0x67, 0x2b, 0xfe, 0xd7, 0xab, 0x76,
    0xca, 0x82, 0xc9, 0x7d, 0xfa, 0x59, 0x47, 0xf0, 0xad, 0xd4, 0xa2, 0xaf, 0x9c, 0xa4, 0x72, 0xc0,
    0xb7, 0xfd, 0x93, 0x26, 0x36, 0x3f, 0xf7, 0xcc, 0x34, 0xa5, 0xe5, 0xf1, 0x71, 0xd8, 0x31, 0x15,
    0x04, 0xc7, 0x23, 0xc3, 0x18, 0x96, 0x05, 0x9a, 0x07, 0x12, 0x80, 0xe2, 0xeb, 0x27, 0xb2, 0x75,
    0x09, 0x83, 0x2c, 0x1a, 0x1b, 0x6e, 0x5a, 0xa0, 0x52, 0x3b, 0xd6, 0xb3, 0x29, 0xe3, 0x2f, 0x84,
    0x53, 0xd1, 0x00, 0xed, 0x20, 0xfc, 0xb1, 0x5b, 0x6a, 0xcb, 0xbe, 0x39, 0x4a, 0x4c, 0x58, 0xcf,
    0xd0, 0xef, 0xaa, 0xfb, 0x43, 0x4d, 0x33, 0x85, 0x45, 0xf9, 0x02, 0x7f, 0x50, 0x3c, 0x9f, 0xa8,
    0x51, 0xa3, 0x40, 0x8f, 0x92, 0x9d, 0x38, 0xf5, 0xbc, 0xb6, 0xda, 0x21, 0x10, 0xff, 0xf3, 0xd2,
    0xcd, 0x0c, 0x13, 0xec, 0x5f, 0x97, 0x44, 0x17, 0xc4, 0xa7, 0x7e, 0x3d, 0x64, 0x5d, 0x19, 0x73,
    0x60, 0x81, 0x4f, 0xdc, 0x22, 0x2a, 0x90, 0x88, 0x46, 0xee, 0xb8, 0x14, 0xde, 0x5e, 0x0b, 0xdb,
    0xe0, 0x32, 0x3a, 0x0a, 0x49, 0x06, 0x24, 0x5c, 0xc2, 0xd3, 0xac, 0x62, 0x91, 0x95, 0xe4, 0x79,
    0xe7, 0xc8, 0x37, 0x6d, 0x8d, 0xd5, 0x4e, 0xa9, 0x6c, 0x56, 0xf4, 0xea, 0x65, 0x7a, 0xae, 0x08,
    0xba, 0x78, 0x25, 0x2e, 0x1c, 0xa6, 0xb4, 0xc6, 0xe8, 0xdd, 0x74, 0x1f, 0x4b, 0xbd, 0x8b, 0x8a,
    0x70, 0x3e, 0xb5, 0x66, 0x48, 0x03, 0xf6, 0x0e, 0x61, 0x35, 0x57, 0xb9, 0x86, 0xc1, 0x1d, 0x9e,
    0xe1, 0xf8, 0x98, 0x11, 0x69, 0xd9, 0x8e, 0x94, 0x9b, 0x1e, 0x87, 0xe9, 0xce, 0x55, 0x28, 0xdf,
    0x8c, 0xa1, 0x89, 0x0d, 0xbf, 0xe6, 0x42, 0x68, 0x41, 0x99, 0x2d, 0x0f, 0xb0, 0x54, 0xbb, 0x16};

// Te0[x] = (2 S(x), S(x), S(x), 3 S(x)) as bytes 0..3: column 0 of MixColumns applied to S(x)
// in row 0. Row r's contribution is the same column rotated down r rows, i.e. rotl(Te0, 8 r).
struct Te0Table {
  u32 v[256];
};
constexpr u32 aes_xtime(u32 x) {
  return ((x << 1) ^ ((x & 0x80) ? 0x1b : 0)) & 0xff;
}
constexpr Te0Table make_te0() {
  Te0Table t{};
  for (int x = 0; x < 256; ++x) {
    const u32 s = kAesSbox[x];
    const u32 s2 = aes_xtime(s);
    t.v[x] = s2 | (s << 8) | (s << 16) | ((s2 ^ s) << 24);
  }
  return t;
}
inline constexpr Te0Table kTe0 = make_te0();

SECINFER_HD constexpr u32 rotl32(u32 v, int s) {
  return s == 0 ? v : ((v << s) | (v >> (32 - s)));
}
// Byte r of w, zero-extended. On the GPU one PRMT (byte permute) instead of a shift and a mask
// (measured: docs/perf.md); constant evaluation and the host take the plain C++ path.
SECINFER_HD constexpr u32 byte_of(u32 w, int r) {
#if defined(__CUDA_ARCH__)
  if (!std::is_constant_evaluated()) return __byte_perm(w, 0, 0x4440u | static_cast<u32>(r));
#endif
  return (w >> (8 * r)) & 0xff;
}

// The host's table policy (plain C++; the GPU ones are in aes_tables.cuh).
struct HostTab {
  constexpr u32 te(int r, u32 x) const { return rotl32(kTe0.v[x], 8 * r); }
  constexpr u32 sbox_at(int r, u32 x) const { return u32{kAesSbox[x]} << (8 * r); }
};

SECINFER_HD constexpr RoundKey block_to_words(Block b) {
  return RoundKey{{static_cast<u32>(b.lo), static_cast<u32>(b.lo >> 32), static_cast<u32>(b.hi),
                   static_cast<u32>(b.hi >> 32)}};
}
SECINFER_HD constexpr Block words_to_block(u32 w0, u32 w1, u32 w2, u32 w3) {
  return Block{static_cast<u64>(w0) | (static_cast<u64>(w1) << 32),
               static_cast<u64>(w2) | (static_cast<u64>(w3) << 32)};
}

// One step of the FIPS-197 key expansion (Sec. 5.2): round key r + 1 from round key r. RotWord
// on a little-endian word is a right rotation by 8; Rcon goes into byte 0.
template <class Tab>
SECINFER_HD constexpr RoundKey aes_next_round_key(const Tab& tab, const RoundKey& k, u32 rcon) {
  const u32 t = rotl32(k.w[3], 24);  // RotWord
  const u32 sub = tab.sbox_at(0, byte_of(t, 0)) | tab.sbox_at(1, byte_of(t, 1)) |
                  tab.sbox_at(2, byte_of(t, 2)) | tab.sbox_at(3, byte_of(t, 3));
  RoundKey n{};
  n.w[0] = k.w[0] ^ sub ^ rcon;
  n.w[1] = k.w[1] ^ n.w[0];
  n.w[2] = k.w[2] ^ n.w[1];
  n.w[3] = k.w[3] ^ n.w[2];
  return n;
}
SECINFER_HD constexpr u32 aes_next_rcon(u32 rcon) {
  return aes_xtime(rcon);
}

template <class Tab>
SECINFER_HD constexpr AesSchedule aes_expand_key(const Tab& tab, Block key) {
  AesSchedule s{};
  s.rk[0] = block_to_words(key);
  u32 rcon = 1;
  for (int r = 1; r <= 10; ++r) {
    s.rk[r] = aes_next_round_key(tab, s.rk[r - 1], rcon);
    rcon = aes_next_rcon(rcon);
  }
  return s;
}

// One middle round: SubBytes, ShiftRows (column c takes row r from column c + r), MixColumns,
// AddRoundKey, as four table lookups per column.
template <class Tab>
SECINFER_HD void aes_round(const Tab& tab, u32& s0, u32& s1, u32& s2, u32& s3, const RoundKey& k) {
  const u32 t0 = tab.te(0, byte_of(s0, 0)) ^ tab.te(1, byte_of(s1, 1)) ^ tab.te(2, byte_of(s2, 2)) ^
                 tab.te(3, byte_of(s3, 3)) ^ k.w[0];
  const u32 t1 = tab.te(0, byte_of(s1, 0)) ^ tab.te(1, byte_of(s2, 1)) ^ tab.te(2, byte_of(s3, 2)) ^
                 tab.te(3, byte_of(s0, 3)) ^ k.w[1];
  const u32 t2 = tab.te(0, byte_of(s2, 0)) ^ tab.te(1, byte_of(s3, 1)) ^ tab.te(2, byte_of(s0, 2)) ^
                 tab.te(3, byte_of(s1, 3)) ^ k.w[2];
  const u32 t3 = tab.te(0, byte_of(s3, 0)) ^ tab.te(1, byte_of(s0, 1)) ^ tab.te(2, byte_of(s1, 2)) ^
                 tab.te(3, byte_of(s2, 3)) ^ k.w[3];
  s0 = t0;
  s1 = t1;
  s2 = t2;
  s3 = t3;
}

// The last round: no MixColumns.
template <class Tab>
SECINFER_HD Block aes_last_round(const Tab& tab, u32 s0, u32 s1, u32 s2, u32 s3,
                                 const RoundKey& k) {
  const u32 o0 = tab.sbox_at(0, byte_of(s0, 0)) | tab.sbox_at(1, byte_of(s1, 1)) |
                 tab.sbox_at(2, byte_of(s2, 2)) | tab.sbox_at(3, byte_of(s3, 3));
  const u32 o1 = tab.sbox_at(0, byte_of(s1, 0)) | tab.sbox_at(1, byte_of(s2, 1)) |
                 tab.sbox_at(2, byte_of(s3, 2)) | tab.sbox_at(3, byte_of(s0, 3));
  const u32 o2 = tab.sbox_at(0, byte_of(s2, 0)) | tab.sbox_at(1, byte_of(s3, 1)) |
                 tab.sbox_at(2, byte_of(s0, 2)) | tab.sbox_at(3, byte_of(s1, 3));
  const u32 o3 = tab.sbox_at(0, byte_of(s3, 0)) | tab.sbox_at(1, byte_of(s0, 1)) |
                 tab.sbox_at(2, byte_of(s1, 2)) | tab.sbox_at(3, byte_of(s2, 3));
  return words_to_block(o0 ^ k.w[0], o1 ^ k.w[1], o2 ^ k.w[2], o3 ^ k.w[3]);
}

// AES-128 encryption of one block under an expanded schedule rk[0..10] (any memory space).
template <class Tab>
SECINFER_HD Block aes_encrypt(const Tab& tab, const RoundKey* rk, Block in) {
  const RoundKey k0 = rk[0];
  u32 s0 = static_cast<u32>(in.lo) ^ k0.w[0];
  u32 s1 = static_cast<u32>(in.lo >> 32) ^ k0.w[1];
  u32 s2 = static_cast<u32>(in.hi) ^ k0.w[2];
  u32 s3 = static_cast<u32>(in.hi >> 32) ^ k0.w[3];
  SECINFER_UNROLL
  for (int r = 1; r < 10; ++r) {
    const RoundKey k = rk[r];
    aes_round(tab, s0, s1, s2, s3, k);
  }
  return aes_last_round(tab, s0, s1, s2, s3, rk[10]);
}

// AES-128 keyed by `key` with the schedule derived round by round next to the data (SIGMA's way
// for per-seed keys: no schedule is stored).
template <class Tab>
SECINFER_HD Block aes_encrypt_otf(const Tab& tab, Block key, Block in) {
  RoundKey k = block_to_words(key);
  u32 s0 = static_cast<u32>(in.lo) ^ k.w[0];
  u32 s1 = static_cast<u32>(in.lo >> 32) ^ k.w[1];
  u32 s2 = static_cast<u32>(in.hi) ^ k.w[2];
  u32 s3 = static_cast<u32>(in.hi >> 32) ^ k.w[3];
  u32 rcon = 1;
  SECINFER_UNROLL
  for (int r = 1; r < 10; ++r) {
    k = aes_next_round_key(tab, k, rcon);
    rcon = aes_next_rcon(rcon);
    aes_round(tab, s0, s1, s2, s3, k);
  }
  k = aes_next_round_key(tab, k, rcon);
  return aes_last_round(tab, s0, s1, s2, s3, k);
}

// The five fixed PRG keys' schedules (fss-core.md), computed at compile time.
struct FixedSchedules {
  AesSchedule key[kPrgFixedKeys];
};
constexpr FixedSchedules make_fixed_schedules() {
  FixedSchedules f{};
  for (int j = 0; j < kPrgFixedKeys; ++j) f.key[j] = aes_expand_key(HostTab{}, prg_fixed_key(j));
  return f;
}
inline constexpr FixedSchedules kFixedSchedules = make_fixed_schedules();

}  // namespace secinfer::fss::cuda
