// AES-128 with AES-NI (Intel AES-NI white paper, Gueron 2010): key expansion with
// AESKEYGENASSIST and batch encryption with 8 independent blocks in flight, which hides the
// AESENC latency (4-7 cycles) behind its throughput (0.5-1 cycle).
#include <immintrin.h>

#include "fss/aes_kernels.h"

namespace secinfer::fss::detail {
namespace {

constexpr std::size_t kWays = 8;

inline __m128i load(const Block* b) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(b));
}
inline void store(Block* b, __m128i v) {
  _mm_storeu_si128(reinterpret_cast<__m128i*>(b), v);
}

inline __m128i expand_step(__m128i key, __m128i assist) {
  assist = _mm_shuffle_epi32(assist, _MM_SHUFFLE(3, 3, 3, 3));
  key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
  key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
  key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
  return _mm_xor_si128(key, assist);
}

// Encrypts W blocks with per-block round keys rk[i] (pointers may repeat), then XORs the input
// back in when kMmo is set.
template <std::size_t W, bool kMmo>
inline void encrypt_group(const __m128i* const* rk, const Block* in, Block* out) {
  __m128i b[W], x[W];
#pragma GCC unroll 8
  for (std::size_t i = 0; i < W; ++i) {
    x[i] = load(in + i);
    b[i] = _mm_xor_si128(x[i], rk[i][0]);
  }
#pragma GCC unroll 9
  for (int r = 1; r < 10; ++r) {
#pragma GCC unroll 8
    for (std::size_t i = 0; i < W; ++i) b[i] = _mm_aesenc_si128(b[i], rk[i][r]);
  }
#pragma GCC unroll 8
  for (std::size_t i = 0; i < W; ++i) {
    b[i] = _mm_aesenclast_si128(b[i], rk[i][10]);
    if constexpr (kMmo) b[i] = _mm_xor_si128(b[i], x[i]);
    store(out + i, b[i]);
  }
}

// The registers a same-key pass runs on: 128-bit (AES-NI, one block a register) or 512-bit (VAES,
// four), with the same AES rounds on the same bytes either way.
struct Sse {
  using V = __m128i;
  static constexpr std::size_t kBlocks = 1;
  static V load(const Block* b) { return fss::detail::load(b); }
  static V round_key(const Block& k) { return fss::detail::load(&k); }
  static void store(Block* b, V v) { fss::detail::store(b, v); }
  static V xor_(V a, V b) { return _mm_xor_si128(a, b); }
  static V enc(V a, V k) { return _mm_aesenc_si128(a, k); }
  static V enc_last(V a, V k) { return _mm_aesenclast_si128(a, k); }
};

#define SECINFER_VAES __attribute__((target("avx512f,vaes")))
struct Vaes512 {
  using V = __m512i;
  static constexpr std::size_t kBlocks = 4;
  SECINFER_VAES static V load(const Block* b) { return _mm512_loadu_si512(b); }
  // maskz: every lane written (the unmasked broadcast leaves GCC an "uninitialised" source).
  SECINFER_VAES static V round_key(const Block& k) {
    return _mm512_maskz_broadcast_i32x4(0xFFFF, fss::detail::load(&k));
  }
  SECINFER_VAES static void store(Block* b, V v) { _mm512_storeu_si512(b, v); }
  SECINFER_VAES static V xor_(V a, V b) { return _mm512_xor_si512(a, b); }
  SECINFER_VAES static V enc(V a, V k) { return _mm512_aesenc_epi128(a, k); }
  SECINFER_VAES static V enc_last(V a, V k) { return _mm512_aesenclast_epi128(a, k); }
};

// Same key for every block: the round keys live in registers across the whole batch, kWays
// registers in flight. Returns the blocks done (whole passes); the caller finishes the tail.
// Inlined into its callers, so the 512-bit registers never cross a call (hence -Wpsabi, which
// warns of their ABI on a non-AVX-512 function boundary, is quiet here).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"
template <class R, bool kMmo>
[[gnu::always_inline]] inline std::size_t same_key_passes(const RoundKeys& keys, const Block* in,
                                                          Block* out, std::size_t n) {
  typename R::V rk[11];
  for (int r = 0; r < 11; ++r) rk[r] = R::round_key(keys[r]);
  constexpr std::size_t kPass = kWays * R::kBlocks;
  std::size_t i = 0;
  for (; i + kPass <= n; i += kPass) {
    typename R::V b[kWays], x[kWays];
#pragma GCC unroll 8
    for (std::size_t k = 0; k < kWays; ++k) {
      x[k] = R::load(in + i + R::kBlocks * k);
      b[k] = R::xor_(x[k], rk[0]);
    }
#pragma GCC unroll 9
    for (int r = 1; r < 10; ++r) {
#pragma GCC unroll 8
      for (std::size_t k = 0; k < kWays; ++k) b[k] = R::enc(b[k], rk[r]);
    }
#pragma GCC unroll 8
    for (std::size_t k = 0; k < kWays; ++k) {
      b[k] = R::enc_last(b[k], rk[10]);
      if constexpr (kMmo) b[k] = R::xor_(b[k], x[k]);
      R::store(out + i + R::kBlocks * k, b[k]);
    }
  }
  return i;
}
#pragma GCC diagnostic pop

template <bool kMmo>
SECINFER_VAES std::size_t same_key_passes_vaes(const RoundKeys& keys, const Block* in, Block* out,
                                               std::size_t n) {
  return same_key_passes<Vaes512, kMmo>(keys, in, out, n);
}
#undef SECINFER_VAES

bool cpu_has_vaes512() {
  return __builtin_cpu_supports("vaes") && __builtin_cpu_supports("avx512f");
}

// A same-key batch: whole passes of 32 blocks on VAES where the CPU has it (and AVX-512F), then
// passes of 8 on AES-NI, then one block at a time.
template <bool kMmo>
void encrypt_same_key(const RoundKeys& keys, const Block* in, Block* out, std::size_t n) {
  static const bool vaes = cpu_has_vaes512();
  std::size_t i = vaes ? same_key_passes_vaes<kMmo>(keys, in, out, n) : 0;
  i += same_key_passes<Sse, kMmo>(keys, in + i, out + i, n - i);
  for (; i < n; ++i) {
    __m128i b = _mm_xor_si128(load(in + i), load(&keys[0]));
    for (int r = 1; r < 10; ++r) b = _mm_aesenc_si128(b, load(&keys[r]));
    b = _mm_aesenclast_si128(b, load(&keys[10]));
    if constexpr (kMmo) b = _mm_xor_si128(b, load(in + i));
    store(out + i, b);
  }
}

}  // namespace

void aesni_expand_key(Block key, RoundKeys& rk) {
  __m128i k = load(&key);
  store(&rk[0], k);
#define SECINFER_AES_EXPAND(round, rcon)                  \
  k = expand_step(k, _mm_aeskeygenassist_si128(k, rcon)); \
  store(&rk[round], k);
  SECINFER_AES_EXPAND(1, 0x01)
  SECINFER_AES_EXPAND(2, 0x02)
  SECINFER_AES_EXPAND(3, 0x04)
  SECINFER_AES_EXPAND(4, 0x08)
  SECINFER_AES_EXPAND(5, 0x10)
  SECINFER_AES_EXPAND(6, 0x20)
  SECINFER_AES_EXPAND(7, 0x40)
  SECINFER_AES_EXPAND(8, 0x80)
  SECINFER_AES_EXPAND(9, 0x1b)
  SECINFER_AES_EXPAND(10, 0x36)
#undef SECINFER_AES_EXPAND
}

void aesni_encrypt(const RoundKeys& rk, const Block* in, Block* out, std::size_t n) {
  encrypt_same_key<false>(rk, in, out, n);
}

void aesni_mmo(const RoundKeys& rk, const Block* in, Block* out, std::size_t n) {
  encrypt_same_key<true>(rk, in, out, n);
}

void aesni_mmo_multi(const RoundKeys* const* rks, const std::uint8_t* key, const Block* in,
                     Block* out, std::size_t n) {
  const __m128i* rk[kWays];
  std::size_t i = 0;
  for (; i + kWays <= n; i += kWays) {
    for (std::size_t k = 0; k < kWays; ++k)
      rk[k] = reinterpret_cast<const __m128i*>(rks[key[i + k]]->data());
    encrypt_group<kWays, true>(rk, in + i, out + i);
  }
  for (; i < n; ++i) {
    rk[0] = reinterpret_cast<const __m128i*>(rks[key[i]]->data());
    encrypt_group<1, true>(rk, in + i, out + i);
  }
}

}  // namespace secinfer::fss::detail

namespace secinfer::fss::detail {
namespace {

// W keys of one level, state kept in registers from AES to the corrected seed.
template <std::size_t W>
inline void tree_level_group(const RoundKeys* const* rks, const u64* x, int shift, Block* s, u64* t,
                             const Block* cw_seed, const std::uint8_t* cw_t) {
  const __m128i* rk[W];
  __m128i in[W], b[W];
  u64 c[W];
#pragma GCC unroll 8
  for (std::size_t i = 0; i < W; ++i) {
    c[i] = (x[i] >> shift) & 1;
    in[i] = load(s + i);
    rk[i] = reinterpret_cast<const __m128i*>(rks[c[i]]->data());
  }
#pragma GCC unroll 8
  for (std::size_t i = 0; i < W; ++i) b[i] = _mm_xor_si128(in[i], rk[i][0]);
#pragma GCC unroll 9
  for (int r = 1; r < 10; ++r) {
#pragma GCC unroll 8
    for (std::size_t i = 0; i < W; ++i) b[i] = _mm_aesenc_si128(b[i], rk[i][r]);
  }
#pragma GCC unroll 8
  for (std::size_t i = 0; i < W; ++i)
    b[i] = _mm_xor_si128(_mm_aesenclast_si128(b[i], rk[i][10]), in[i]);
  const __m128i not_lsb = _mm_set_epi64x(-1, -2);
#pragma GCC unroll 8
  for (std::size_t i = 0; i < W; ++i) {
    const u64 ti = t[i];
    const u64 tn = static_cast<u64>(_mm_cvtsi128_si64(b[i])) & 1;
    const __m128i tmask = _mm_set1_epi64x(-static_cast<long long>(ti));
    const __m128i corr = _mm_and_si128(load(cw_seed + i), tmask);
    store(s + i, _mm_xor_si128(_mm_and_si128(b[i], not_lsb), corr));
    t[i] = tn ^ (ti & (cw_t[i] >> c[i]) & 1);
  }
}

}  // namespace

void aesni_tree_level(const RoundKeys* const* rks, const u64* x, int shift, Block* s, u64* t,
                      const Block* cw_seed, const std::uint8_t* cw_t, std::size_t w) {
  constexpr std::size_t W = 8;  // AES blocks in flight
  std::size_t i = 0;
  for (; i + W <= w; i += W)
    tree_level_group<W>(rks, x + i, shift, s + i, t + i, cw_seed + i, cw_t + i);
  for (; i < w; ++i) tree_level_group<1>(rks, x + i, shift, s + i, t + i, cw_seed + i, cw_t + i);
}

}  // namespace secinfer::fss::detail

namespace secinfer::fss::detail {
namespace {

// W nodes, both children: 2W AES blocks in flight.
template <std::size_t W>
inline void expand_group(const __m128i* k0, const __m128i* k1, const Block* s,
                         const std::uint8_t* t, __m128i cw, u64 cw_tl, u64 cw_tr, Block* next,
                         std::uint8_t* t_next) {
  __m128i x[W], l[W], r[W];
#pragma GCC unroll 8
  for (std::size_t i = 0; i < W; ++i) {
    x[i] = load(s + i);
    l[i] = _mm_xor_si128(x[i], k0[0]);
    r[i] = _mm_xor_si128(x[i], k1[0]);
  }
#pragma GCC unroll 9
  for (int rd = 1; rd < 10; ++rd) {
#pragma GCC unroll 8
    for (std::size_t i = 0; i < W; ++i) {
      l[i] = _mm_aesenc_si128(l[i], k0[rd]);
      r[i] = _mm_aesenc_si128(r[i], k1[rd]);
    }
  }
  const __m128i not_lsb = _mm_set_epi64x(-1, -2);
#pragma GCC unroll 8
  for (std::size_t i = 0; i < W; ++i) {
    const __m128i gl = _mm_xor_si128(_mm_aesenclast_si128(l[i], k0[10]), x[i]);
    const __m128i gr = _mm_xor_si128(_mm_aesenclast_si128(r[i], k1[10]), x[i]);
    const u64 ti = t[i];
    const __m128i corr = _mm_and_si128(cw, _mm_set1_epi64x(-static_cast<long long>(ti)));
    store(next + 2 * i, _mm_xor_si128(_mm_and_si128(gl, not_lsb), corr));
    store(next + 2 * i + 1, _mm_xor_si128(_mm_and_si128(gr, not_lsb), corr));
    t_next[2 * i] = static_cast<std::uint8_t>((_mm_cvtsi128_si64(gl) & 1) ^ (ti & cw_tl));
    t_next[2 * i + 1] = static_cast<std::uint8_t>((_mm_cvtsi128_si64(gr) & 1) ^ (ti & cw_tr));
  }
}

}  // namespace

void aesni_expand_level(const RoundKeys& k0, const RoundKeys& k1, const Block* s,
                        const std::uint8_t* t, Block cw_seed, u64 cw_tl, u64 cw_tr, Block* next,
                        std::uint8_t* t_next, std::size_t m) {
  const auto* r0 = reinterpret_cast<const __m128i*>(k0.data());
  const auto* r1 = reinterpret_cast<const __m128i*>(k1.data());
  const __m128i cw = load(&cw_seed);
  std::size_t i = 0;
  for (; i + 4 <= m; i += 4)
    expand_group<4>(r0, r1, s + i, t + i, cw, cw_tl, cw_tr, next + 2 * i, t_next + 2 * i);
  for (; i < m; ++i)
    expand_group<1>(r0, r1, s + i, t + i, cw, cw_tl, cw_tr, next + 2 * i, t_next + 2 * i);
}

}  // namespace secinfer::fss::detail
