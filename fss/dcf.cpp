// DCF key generation and evaluation: Boyle, Chandran, Gilboa, Gupta, Ishai, Kumar, Rathee,
// "Function Secret Sharing for Mixed-Mode and Fixed-Point Secure Computation", Eurocrypt 2021,
// Fig. 3, with vector payloads (L elements) and the exact PRG / ConvertVec of
// docs/design/fss-core.md "DCF". Keys are processed kChunk at a time per tree level so the AES
// calls of many keys are batched (AES-NI: 8 blocks in flight).
#include "fss/dcf.h"

#include <algorithm>
#include <array>

#include "fss/accelerator.h"
#include "fss/parallel.h"
#include "fss/tree_common.h"

namespace secinfer::fss {
namespace {

using detail::bit_msb_first;
using detail::block_if;
using detail::convert_vec;
using detail::kChunk;
using detail::neg_if;

DcfKeys empty_keys(DcfShape shape, int party, std::size_t count) {
  DcfKeys k;
  k.shape = shape;
  k.party = party;
  k.count = count;
  const auto n = static_cast<std::size_t>(shape.in_bits);
  const auto len = static_cast<std::size_t>(shape.payload_len);
  k.root.resize(count);
  k.cw_seed.resize(n * count);
  k.cw_t.resize(n * count);
  k.cw_v.resize(n * count * len);
  k.cw_final.resize(count * len);
  return k;
}

// Per-thread scratch for one chunk of keys.
struct GenScratch {
  // g[(4 * b + j) * kChunk + i], key i's seed s_b: G_0 and G_1 (j = 0, 1), then the value blocks
  // of its left and right children (j = 2, 3).
  std::array<Block, 8 * kChunk> g;
  std::vector<u64> v;       // [(2 * b + dir) * kChunk * L + i * L + e]: ConvertVec(value block dir)
  std::vector<u64> valpha;  // [i * L + e]
  std::vector<Block> cv_scratch;
};

// Gen for keys [k0, k0 + w) (Fig. 3 "Gen", fss-core.md "DCF").
// Key k's payload at beta[k * beta_stride] (dcf_beta_stride).
void gen_chunk(DcfKeys& key0, DcfKeys& key1, std::span<const Block> seeds,
               std::span<const u64> alpha, std::span<const u64> beta, std::size_t beta_stride,
               std::size_t k0, std::size_t w, const FixedKeyPrg& prg, GenScratch& sc) {
  const int n = key0.shape.in_bits, m = key0.shape.out_bits, L = key0.shape.payload_len;
  const auto len = static_cast<std::size_t>(L);
  const std::size_t count = key0.count;
  const u64 mask = ring_mask(m);
  std::array<std::array<Block, kChunk>, 2> s;
  std::array<std::array<u64, kChunk>, 2> t;
  sc.v.resize(4 * kChunk * len);
  sc.valpha.assign(kChunk * len, 0);
  for (std::size_t i = 0; i < w; ++i) {
    for (int b = 0; b < 2; ++b) {
      s[b][i] = seeds[2 * (k0 + i) + b].clear_lsb();
      t[b][i] = static_cast<u64>(b);
    }
    key0.root[k0 + i] = s[0][i];
    key1.root[k0 + i] = s[1][i];
  }
  const auto vat = [&](int b, u64 dir, std::size_t i) {
    return sc.v.data() + (2 * static_cast<std::size_t>(b) + dir) * kChunk * len + i * len;
  };
  for (int lv = 0; lv < n; ++lv) {
    for (int b = 0; b < 2; ++b) {
      const std::span<const Block> seeds_b(s[b].data(), w);
      const auto at = [&](int j) {
        return std::span<Block>(sc.g.data() + (4 * b + j) * kChunk, w);
      };
      prg.g_blocks(0, seeds_b, at(0));
      prg.g_blocks(1, seeds_b, at(1));
      prg.dcf_value_blocks(L, seeds_b, at(2), at(3));
    }
    // v^dir_b = ConvertVec(value block dir of s_b).
    for (int b = 0; b < 2; ++b)
      for (int dir = 0; dir < 2; ++dir)
        convert_vec(prg, sc.g.data() + (4 * b + 2 + dir) * kChunk, w, m, L, vat(b, dir, 0),
                    sc.cv_scratch);
    for (std::size_t i = 0; i < w; ++i) {
      const std::size_t k = k0 + i;
      const u64 a = bit_msb_first(alpha[k], n, lv);  // Keep = a, Lose = 1 - a
      const u64 lose = 1 - a;
      Block cs[2][2];
      u64 ct[2][2];
      for (int b = 0; b < 2; ++b)
        for (int dir = 0; dir < 2; ++dir) {
          const Block g = sc.g[(4 * b + dir) * kChunk + i];
          ct[b][dir] = g.lo & 1;
          cs[b][dir] = g.clear_lsb();
        }
      const Block cw_seed = cs[0][lose] ^ cs[1][lose];
      const u64 t1 = t[1][i];
      // cw_v = (-1)^t1 (vLose_1 - vLose_0 - Valpha) [+ (-1)^t1 beta if Lose = L, i.e. a = 1];
      // Valpha += vKeep_0 - vKeep_1 + (-1)^t1 cw_v.
      const u64* vl0 = vat(0, lose, i);
      const u64* vl1 = vat(1, lose, i);
      const u64* vk0 = vat(0, a, i);
      const u64* vk1 = vat(1, a, i);
      u64* va = sc.valpha.data() + i * len;
      const std::size_t at = static_cast<std::size_t>(lv) * count + k;
      u64* cw0 = key0.cw_v.data() + at * len;
      u64* cw1 = key1.cw_v.data() + at * len;
      const u64 beta_mask = u64{0} - a;
      for (std::size_t e = 0; e < len; ++e) {
        const u64 cw =
            neg_if(vl1[e] - vl0[e] - va[e] + (beta[k * beta_stride + e] & beta_mask), t1);
        cw0[e] = cw1[e] = cw & mask;
        va[e] = va[e] - vk1[e] + vk0[e] + neg_if(cw, t1);
      }
      const u64 cw_tl = ct[0][0] ^ ct[1][0] ^ a ^ 1;
      const u64 cw_tr = ct[0][1] ^ ct[1][1] ^ a;
      const u64 cw_tkeep = a ? cw_tr : cw_tl;
      for (int b = 0; b < 2; ++b) {
        const u64 tb = t[b][i];
        s[b][i] = cs[b][a] ^ block_if(cw_seed, tb);
        t[b][i] = ct[b][a] ^ (tb & cw_tkeep);
      }
      key0.cw_seed[at] = key1.cw_seed[at] = cw_seed;
      key0.cw_t[at] = key1.cw_t[at] = static_cast<std::uint8_t>(cw_tl | (cw_tr << 1));
    }
  }
  // cw_final = (-1)^t1 (ConvertVec(s1) - ConvertVec(s0) - Valpha).
  u64* c0 = vat(0, 0, 0);
  u64* c1 = vat(1, 0, 0);
  convert_vec(prg, s[0].data(), w, m, L, c0, sc.cv_scratch);
  convert_vec(prg, s[1].data(), w, m, L, c1, sc.cv_scratch);
  for (std::size_t i = 0; i < w; ++i) {
    const std::size_t k = k0 + i;
    for (std::size_t e = 0; e < len; ++e) {
      const u64 v = c1[i * len + e] - c0[i * len + e] - sc.valpha[i * len + e];
      key0.cw_final[k * len + e] = key1.cw_final[k * len + e] = neg_if(v, t[1][i]) & mask;
    }
  }
}

struct EvalScratch {
  std::array<Block, kChunk> vblk;  // the value block per key: G_{2+c}(s), G_2(s) where L = 1
  std::vector<u64> v, acc;         // [i * L + e]
  std::vector<Block> cv_scratch;
};

// Eval for keys [k0, k0 + w) (fss-core.md "DCF" Eval: two AES per level plus ConvertVec's).
void eval_chunk(const DcfKeys& keys, std::span<const u64> x, std::span<u64> out, std::size_t k0,
                std::size_t w, const FixedKeyPrg& prg, EvalScratch& sc) {
  const int n = keys.shape.in_bits, m = keys.shape.out_bits, L = keys.shape.payload_len;
  const auto len = static_cast<std::size_t>(L);
  const std::size_t count = keys.count;
  const u64 mask = ring_mask(m);
  std::array<Block, kChunk> s;
  std::array<u64, kChunk> t, tprev;
  sc.v.resize(kChunk * len);
  sc.acc.assign(kChunk * len, 0);
  for (std::size_t i = 0; i < w; ++i) {
    s[i] = keys.root[k0 + i];
    t[i] = static_cast<u64>(keys.party);
  }
  for (int lv = 0; lv < n; ++lv) {
    const std::size_t base = static_cast<std::size_t>(lv) * count + k0;
    std::copy_n(t.begin(), w, tprev.begin());
    prg.eval_level(x.subspan(k0, w), n - 1 - lv, std::span<Block>(s.data(), w),
                   std::span<u64>(t.data(), w), std::span(keys.cw_seed).subspan(base, w),
                   std::span(keys.cw_t).subspan(base, w), std::span<Block>(sc.vblk.data(), w),
                   len == 1 ? ValueKeys::kShared : ValueKeys::kPerChild);
    // V += ConvertVec(value block) + t * cw_v with the level's incoming t (the party's sign is
    // applied once at the end). Where L = 1 the right child's element is G_2(s).lo.
    const u64* cw = keys.cw_v.data() + base * len;
    if (len == 1) {
      const int shift = n - 1 - lv;
      for (std::size_t i = 0; i < w; ++i) {
        const Block& vb = sc.vblk[i];
        const u64 v = ((x[k0 + i] >> shift) & 1) != 0 ? vb.lo : vb.hi;
        sc.acc[i] += v + (cw[i] & (u64{0} - tprev[i]));
      }
      continue;
    }
    detail::convert_vec_extra(prg, sc.vblk.data(), w, L, sc.cv_scratch);
    const std::size_t extra = len / 2;
    for (std::size_t i = 0; i < w; ++i) {
      const u64 tmask = u64{0} - tprev[i];
      u64* acc = sc.acc.data() + i * len;
      const u64* c = cw + i * len;
      const Block* row = sc.cv_scratch.data() + i * extra;
      acc[0] += sc.vblk[i].hi + (c[0] & tmask);
      for (std::size_t e = 0; e < extra; ++e) {  // elements 2e + 1 (lo) and 2e + 2 (hi)
        acc[2 * e + 1] += row[e].lo + (c[2 * e + 1] & tmask);
        if (2 * e + 2 < len) acc[2 * e + 2] += row[e].hi + (c[2 * e + 2] & tmask);
      }
    }
  }
  // V += ConvertVec(s) + t * cw_final; output (-1)^b V.
  convert_vec(prg, s.data(), w, m, L, sc.v.data(), sc.cv_scratch);
  const auto party = static_cast<u64>(keys.party);
  for (std::size_t i = 0; i < w; ++i) {
    const u64 tmask = u64{0} - t[i];
    const std::size_t k = k0 + i;
    for (std::size_t e = 0; e < len; ++e) {
      const u64 y = sc.acc[i * len + e] + sc.v[i * len + e] + (keys.cw_final[k * len + e] & tmask);
      out[k * len + e] = neg_if(y, party) & mask;
    }
  }
}

}  // namespace

void dcf_check_shape(DcfShape shape) {
  detail::check_bits("DCF shape", "in_bits", shape.in_bits);
  detail::check_bits("DCF shape", "out_bits", shape.out_bits);
  if (shape.payload_len < 1 || shape.payload_len > kDcfMaxPayload)
    throw std::invalid_argument("DCF shape: payload_len = " + std::to_string(shape.payload_len) +
                                " is outside [1, " + std::to_string(kDcfMaxPayload) + "]");
}

void dcf_check_keys(const DcfKeys& keys) {
  dcf_check_shape(keys.shape);
  if (keys.party != 0 && keys.party != 1)
    throw std::invalid_argument("DCF keys: party " + std::to_string(keys.party) + " is not 0 or 1");
  // A resident batch's arrays live in the accelerator that checked them and released the host's
  // (Accelerator::make_resident); only that accelerator evaluates it.
  if (keys.resident) return;
  const std::size_t c = keys.count, n = static_cast<std::size_t>(keys.shape.in_bits);
  const auto len = static_cast<std::size_t>(keys.shape.payload_len);
  detail::check_size("DCF keys", "root", keys.root.size(), c);
  detail::check_size("DCF keys", "cw_seed", keys.cw_seed.size(), n * c);
  detail::check_size("DCF keys", "cw_t", keys.cw_t.size(), n * c);
  detail::check_size("DCF keys", "cw_v", keys.cw_v.size(), n * c * len);
  detail::check_size("DCF keys", "cw_final", keys.cw_final.size(), c * len);
}

std::size_t dcf_key_bits(DcfShape shape) {
  dcf_check_shape(shape);
  const auto n = static_cast<std::size_t>(shape.in_bits);
  const std::size_t lm =
      static_cast<std::size_t>(shape.payload_len) * static_cast<std::size_t>(shape.out_bits);
  return 128 + n * (128 + 2 + lm) + lm;
}

std::size_t dcf_beta_stride(DcfShape shape, std::size_t count, std::size_t beta_size,
                            const char* what) {
  const auto len = static_cast<std::size_t>(shape.payload_len);
  if (beta_size == count * len) return len;
  if (beta_size == len) return 0;
  throw std::invalid_argument(std::string(what) + ": " + std::to_string(count) + " keys need " +
                              std::to_string(count * len) + " payload elements (L = " +
                              std::to_string(len) + " a key) or " + std::to_string(len) +
                              " (one payload for every key), got " + std::to_string(beta_size));
}

std::pair<DcfKeys, DcfKeys> dcf_gen(DcfShape shape, std::span<const u64> alpha,
                                    std::span<const u64> beta, SeededPrg& rng) {
  return dcf_gen(shape, alpha, beta, rng, BatchOptions{rng.impl(), 0});
}

std::pair<DcfKeys, DcfKeys> dcf_gen(DcfShape shape, std::span<const u64> alpha,
                                    std::span<const u64> beta, SeededPrg& rng,
                                    const BatchOptions& opt) {
  dcf_check_shape(shape);
  const std::size_t count = alpha.size();
  const std::size_t beta_stride = dcf_beta_stride(shape, count, beta.size(), "dcf_gen");
  detail::check_range("dcf_gen", "alpha", alpha, shape.in_bits);
  detail::check_range("dcf_gen", "beta", beta, shape.out_bits);
  // fss-core.md "Randomness": key k draws s0 then s1, keys in order (blocks next_counter() + 2k
  // and + 2k + 1 of the stream, which is what lets an accelerator make the same keys).
  if (opt.accel != nullptr && count != 0) {
    if (auto made = opt.accel->dcf_gen(shape, alpha, beta, rng.seed(), rng.next_counter())) {
      rng.skip_blocks(2 * count);
      return std::move(*made);
    }
  }
  const FixedKeyPrg& prg = fixed_key_prg(opt.aes);
  std::vector<Block> seeds(2 * count);
  rng.next_blocks(seeds);
  std::pair<DcfKeys, DcfKeys> keys{empty_keys(shape, 0, count), empty_keys(shape, 1, count)};
  const std::size_t grain = detail::key_grain(8 * static_cast<std::size_t>(shape.in_bits));
  parallel_for(count, grain, opt.threads, [&](std::size_t begin, std::size_t end) {
    GenScratch sc;
    for (std::size_t k = begin; k < end; k += kChunk)
      gen_chunk(keys.first, keys.second, seeds, alpha, beta, beta_stride, k,
                std::min(kChunk, end - k), prg, sc);
  });
  return keys;
}

void dcf_eval(const DcfKeys& keys, std::span<const u64> x, std::span<u64> out) {
  dcf_eval(keys, x, out, BatchOptions{});
}

void dcf_eval(const DcfKeys& keys, std::span<const u64> x, std::span<u64> out,
              const BatchOptions& opt) {
  dcf_check_keys(keys);
  detail::check_size("dcf_eval", "x", x.size(), keys.count);
  detail::check_size("dcf_eval", "out", out.size(),
                     keys.count * static_cast<std::size_t>(keys.shape.payload_len));
  detail::check_range("dcf_eval", "x", x, keys.shape.in_bits);
  if (opt.accel != nullptr) {
    opt.accel->dcf_eval(keys, x, out);
    return;
  }
  require_host_keys(keys.resident, "dcf_eval");
  const FixedKeyPrg& prg = fixed_key_prg(opt.aes);
  const std::size_t grain = detail::key_grain(2 * static_cast<std::size_t>(keys.shape.in_bits));
  parallel_for(keys.count, grain, opt.threads, [&](std::size_t begin, std::size_t end) {
    EvalScratch sc;
    for (std::size_t k = begin; k < end; k += kChunk)
      eval_chunk(keys, x, out, k, std::min(kChunk, end - k), prg, sc);
  });
}

}  // namespace secinfer::fss
