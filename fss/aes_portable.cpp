// Portable AES-128 (FIPS-197), bit-sliced: 4 blocks = 64 state bytes are held as 8 bit planes
// q[k] (bit p of q[k] = bit k of state byte p, p = 16 * block + byte). Every step is a fixed
// sequence of AND / XOR / shift on whole words, so there is no table lookup and no
// data-dependent branch or address (constant time). The S-box is computed, not looked up:
// inversion in GF(2^8) as x^254 (4 multiplications, 7 squarings), then the FIPS-197 affine map
// (Sec. 5.1.1).

#include "fss/aes_kernels.h"

namespace secinfer::fss::detail {
namespace {

using Planes = std::array<u64, 8>;

constexpr u64 rep16(u64 lane) {
  return lane * 0x0001000100010001ull;
}
constexpr u64 rep4(u64 nibble) {
  return nibble * 0x1111111111111111ull;
}

// Swap the bits selected by `mask` in b with the bits `shift` above them in a.
inline void swap_bits(u64& a, u64& b, int shift, u64 mask) {
  const u64 t = ((a >> shift) ^ b) & mask;
  b ^= t;
  a ^= t << shift;
}

// 8x8 bit transpose inside one word (bit 8r + c <-> bit 8c + r); Hacker's Delight 7-3.
inline u64 transpose8(u64 x) {
  u64 t = (x ^ (x >> 7)) & 0x00AA00AA00AA00AAull;
  x ^= t ^ (t << 7);
  t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCCull;
  x ^= t ^ (t << 14);
  t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0ull;
  x ^= t ^ (t << 28);
  return x;
}

// 8x8 byte transpose across the 8 words (byte c of word r <-> byte r of word c).
inline void transpose_bytes(Planes& w) {
  for (int j = 0; j < 4; ++j) swap_bits(w[j], w[j + 4], 32, 0x00000000FFFFFFFFull);
  for (int j : {0, 1, 4, 5}) swap_bits(w[j], w[j + 2], 16, 0x0000FFFF0000FFFFull);
  for (int j : {0, 2, 4, 6}) swap_bits(w[j], w[j + 1], 8, 0x00FF00FF00FF00FFull);
}

// 64 bytes (word j = bytes 8j..8j+7, little endian) <-> 8 bit planes. Both maps are the
// composition of two involutions, applied in opposite orders.
inline void to_planes(Planes& q) {
  for (auto& x : q) x = transpose8(x);
  transpose_bytes(q);
}
inline void from_planes(Planes& q) {
  transpose_bytes(q);
  for (auto& x : q) x = transpose8(x);
}

// GF(2^8) = GF(2)[x] / (x^8 + x^4 + x^3 + x + 1), bit-sliced: x^d = x^(d-4) + x^(d-5) + x^(d-7)
// + x^(d-8) for d >= 8, folded from the top down.
inline void gf_reduce(u64 (&p)[15], Planes& c) {
  for (int d = 14; d >= 8; --d) {
    p[d - 4] ^= p[d];
    p[d - 5] ^= p[d];
    p[d - 7] ^= p[d];
    p[d - 8] ^= p[d];
  }
  for (int i = 0; i < 8; ++i) c[i] = p[i];
}

inline Planes gf_mul(const Planes& a, const Planes& b) {
  u64 p[15] = {};
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 8; ++j) p[i + j] ^= a[i] & b[j];
  Planes c;
  gf_reduce(p, c);
  return c;
}

inline Planes gf_square(const Planes& a) {  // squaring is linear: (sum a_i x^i)^2 = sum a_i x^2i
  u64 p[15] = {};
  for (int i = 0; i < 8; ++i) p[2 * i] = a[i];
  Planes c;
  gf_reduce(p, c);
  return c;
}

// FIPS-197 S-box on all 64 bytes at once.
inline void sub_bytes(Planes& q) {
  const Planes x2 = gf_square(q);
  const Planes x3 = gf_mul(x2, q);
  const Planes x12 = gf_square(gf_square(x3));
  const Planes x15 = gf_mul(x12, x3);
  const Planes x14 = gf_mul(x12, x2);
  Planes x240 = x15;
  for (int i = 0; i < 4; ++i) x240 = gf_square(x240);
  const Planes inv = gf_mul(x240, x14);  // x^254 = x^-1, and 0 -> 0
  // Affine map: b_i ^ b_(i+4) ^ b_(i+5) ^ b_(i+6) ^ b_(i+7) ^ c_i, c = 0x63.
  for (int i = 0; i < 8; ++i) {
    u64 v = inv[i] ^ inv[(i + 4) % 8] ^ inv[(i + 5) % 8] ^ inv[(i + 6) % 8] ^ inv[(i + 7) % 8];
    if ((0x63 >> i) & 1) v = ~v;  // public constant, not data
    q[i] = v;
  }
}

// Byte 4c + r of a block is row r, column c. ShiftRows: row r rotates left by r columns, i.e.
// within each 16-bit lane, the bits of row r rotate right by 4r positions.
inline u64 shift_rows_plane(u64 v) {
  u64 out = v & rep16(0x1111);
  for (int r = 1; r < 4; ++r) {
    const u64 row = v & rep16(0x1111ull << r);
    const int s = 4 * r;
    out |= ((row >> s) & rep16(0xFFFFull >> s)) |
           ((row << (16 - s)) & rep16((0xFFFFull << (16 - s)) & 0xFFFF));
  }
  return out;
}

// Within every 4-bit column, bit r takes row (r + k) mod 4.
inline u64 rot_rows(u64 v, int k) {
  return ((v >> k) & rep4(0xFull >> k)) | ((v << (4 - k)) & rep4((0xFull << (4 - k)) & 0xF));
}

// MixColumns: s'_r = 2 (s_r ^ s_(r+1)) ^ s_(r+1) ^ s_(r+2) ^ s_(r+3).
inline void mix_columns(Planes& q) {
  Planes a1, u, out;
  for (int k = 0; k < 8; ++k) {
    a1[k] = rot_rows(q[k], 1);
    u[k] = q[k] ^ a1[k];
    out[k] = a1[k] ^ rot_rows(q[k], 2) ^ rot_rows(q[k], 3);
  }
  // xtime(u) = u * x mod the AES polynomial.
  out[0] ^= u[7];
  out[1] ^= u[0] ^ u[7];
  out[2] ^= u[1];
  out[3] ^= u[2] ^ u[7];
  out[4] ^= u[3] ^ u[7];
  out[5] ^= u[4];
  out[6] ^= u[5];
  out[7] ^= u[6];
  q = out;
}

inline void add_key(Planes& q, const std::array<u64, 8>& k) {
  for (int i = 0; i < 8; ++i) q[i] ^= k[i];
}

// Encrypts the 4 blocks in[0..3] with round keys rk[r] (bit-sliced, per lane as given).
template <typename KeyAt>
inline void encrypt4(const KeyAt& rk, const Block* in, Block* out, std::size_t w, bool mmo) {
  Planes q{};
  for (std::size_t b = 0; b < w; ++b) {
    q[2 * b] = in[b].lo;
    q[2 * b + 1] = in[b].hi;
  }
  const Planes x = q;
  to_planes(q);
  add_key(q, rk(0));
  for (int r = 1; r < 10; ++r) {
    sub_bytes(q);
    for (auto& v : q) v = shift_rows_plane(v);
    mix_columns(q);
    add_key(q, rk(r));
  }
  sub_bytes(q);
  for (auto& v : q) v = shift_rows_plane(v);
  add_key(q, rk(10));
  from_planes(q);
  if (mmo)
    for (int i = 0; i < 8; ++i) q[i] ^= x[i];
  for (std::size_t b = 0; b < w; ++b) out[b] = Block{q[2 * b], q[2 * b + 1]};
}

void encrypt_batch(const BitslicedKeys& bs, const Block* in, Block* out, std::size_t n, bool mmo) {
  const auto rk = [&bs](int r) -> const std::array<u64, 8>& { return bs[r]; };
  for (std::size_t i = 0; i < n; i += 4) encrypt4(rk, in + i, out + i, n - i < 4 ? n - i : 4, mmo);
}

// S-box of the 4 bytes of a key-schedule word (little endian), through the same circuit.
std::uint32_t sub_word(std::uint32_t w) {
  Planes q{};
  q[0] = w;
  to_planes(q);
  sub_bytes(q);
  from_planes(q);
  return static_cast<std::uint32_t>(q[0]);
}

}  // namespace

void portable_expand_key(Block key, RoundKeys& rk) {
  // FIPS-197 Sec. 5.2, words little endian (byte 0 of a word in its low 8 bits).
  std::uint32_t w[44] = {
      static_cast<std::uint32_t>(key.lo), static_cast<std::uint32_t>(key.lo >> 32),
      static_cast<std::uint32_t>(key.hi), static_cast<std::uint32_t>(key.hi >> 32)};
  std::uint32_t rcon = 0x01;
  for (int i = 4; i < 44; ++i) {
    std::uint32_t t = w[i - 1];
    if (i % 4 == 0) {
      t = sub_word((t >> 8) | (t << 24)) ^ rcon;  // RotWord then SubWord, Rcon in byte 0
      rcon = (rcon << 1) ^ ((rcon >> 7) * 0x11b);
    }
    w[i] = w[i - 4] ^ t;
  }
  for (int r = 0; r < 11; ++r) {
    rk[r].lo = w[4 * r] | static_cast<u64>(w[4 * r + 1]) << 32;
    rk[r].hi = w[4 * r + 2] | static_cast<u64>(w[4 * r + 3]) << 32;
  }
}

void portable_bitslice_keys(const RoundKeys& rk, BitslicedKeys& bs) {
  for (int r = 0; r < 11; ++r) {
    Planes q;
    for (int b = 0; b < 4; ++b) {
      q[2 * b] = rk[r].lo;
      q[2 * b + 1] = rk[r].hi;
    }
    to_planes(q);
    bs[r] = q;
  }
}

void portable_encrypt(const BitslicedKeys& bs, const Block* in, Block* out, std::size_t n) {
  encrypt_batch(bs, in, out, n, false);
}

void portable_mmo(const BitslicedKeys& bs, const Block* in, Block* out, std::size_t n) {
  encrypt_batch(bs, in, out, n, true);
}

void portable_mmo_multi(const BitslicedKeys* const* bs, const std::uint8_t* key, const Block* in,
                        Block* out, std::size_t n) {
  for (std::size_t i = 0; i < n; i += 4) {
    const std::size_t w = n - i < 4 ? n - i : 4;
    // Lane b of the state uses lane b of key key[i + b]'s planes (the schedules are public).
    const BitslicedKeys* lane[4];
    for (std::size_t b = 0; b < 4; ++b) lane[b] = bs[key[i + (b < w ? b : 0)]];
    const auto rk = [&lane](int r) {
      std::array<u64, 8> k;
      for (int p = 0; p < 8; ++p) {
        u64 v = 0;
        for (int b = 0; b < 4; ++b) v |= (*lane[b])[r][p] & (0xFFFFull << (16 * b));
        k[p] = v;
      }
      return k;
    };
    encrypt4(rk, in + i, out + i, w, true);
  }
}

}  // namespace secinfer::fss::detail

namespace secinfer::fss::detail {

void portable_tree_level(const BitslicedKeys* const* bs, const u64* x, int shift, Block* s, u64* t,
                         const Block* cw_seed, const std::uint8_t* cw_t, std::size_t w) {
  constexpr std::size_t kGroup = 32;
  std::uint8_t key[kGroup];
  Block in[kGroup], g[kGroup];
  for (std::size_t i0 = 0; i0 < w; i0 += kGroup) {
    const std::size_t m = w - i0 < kGroup ? w - i0 : kGroup;
    for (std::size_t i = 0; i < m; ++i) {
      key[i] = static_cast<std::uint8_t>((x[i0 + i] >> shift) & 1);
      in[i] = s[i0 + i];
    }
    portable_mmo_multi(bs, key, in, g, m);
    for (std::size_t i = 0; i < m; ++i) {
      const u64 ti = t[i0 + i], mask = u64{0} - ti;
      const Block cw = cw_seed[i0 + i];
      s[i0 + i] = Block{(g[i].lo & ~u64{1}) ^ (cw.lo & mask), g[i].hi ^ (cw.hi & mask)};
      t[i0 + i] = (g[i].lo & 1) ^ (ti & (cw_t[i0 + i] >> key[i]) & 1);
    }
  }
}

}  // namespace secinfer::fss::detail

namespace secinfer::fss::detail {

void portable_expand_level(const BitslicedKeys& k0, const BitslicedKeys& k1, const Block* s,
                           const std::uint8_t* t, Block cw_seed, u64 cw_tl, u64 cw_tr, Block* next,
                           std::uint8_t* t_next, std::size_t m) {
  constexpr std::size_t kGroup = 32;
  Block gl[kGroup], gr[kGroup];
  for (std::size_t i0 = 0; i0 < m; i0 += kGroup) {
    const std::size_t w = m - i0 < kGroup ? m - i0 : kGroup;
    portable_mmo(k0, s + i0, gl, w);
    portable_mmo(k1, s + i0, gr, w);
    for (std::size_t i = 0; i < w; ++i) {
      const u64 ti = t[i0 + i], mask = u64{0} - ti;
      const Block corr{cw_seed.lo & mask, cw_seed.hi & mask};
      next[2 * (i0 + i)] = gl[i].clear_lsb() ^ corr;
      next[2 * (i0 + i) + 1] = gr[i].clear_lsb() ^ corr;
      t_next[2 * (i0 + i)] = static_cast<std::uint8_t>((gl[i].lo & 1) ^ (ti & cw_tl));
      t_next[2 * (i0 + i) + 1] = static_cast<std::uint8_t>((gr[i].lo & 1) ^ (ti & cw_tr));
    }
  }
}

}  // namespace secinfer::fss::detail
