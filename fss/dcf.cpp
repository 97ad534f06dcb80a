// DCF key generation and evaluation: Boyle, Chandran, Gilboa, Gupta, Ishai, Kumar, Rathee,
// "Function Secret Sharing for Mixed-Mode and Fixed-Point Secure Computation", Eurocrypt 2021,
// Fig. 3, with vector payloads (L elements), its tree grown as the half-tree of Guo et al.,
// Eurocrypt 2023 (one correlation-robust hash a node gives both children), and the exact PRG /
// ConvertVec of docs/design/fss-core.md "DCF". Keys are processed kChunk at a time per tree
// level so the AES calls of many keys are batched (AES-NI: 8 blocks in flight).
#include "fss/dcf.h"

#include <algorithm>
#include <array>

#include "fss/accelerator.h"
#include "fss/parallel.h"
#include "fss/tree_common.h"

namespace secinfer::fss {
namespace {

using detail::bit_msb_first;
using detail::convert_vec;
using detail::half_tree_hash;
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
  k.cw_v.resize(n * count * len);
  k.cw_final.resize(count * len);
  return k;
}

// Per-thread scratch for one chunk of keys.
struct GenScratch {
  // g[(3 * b + j) * kChunk + i], key i's node s_b: the half-tree hash H(s_b) (j = 0), then the
  // value blocks of its left and right children (j = 1, 2).
  std::array<Block, 6 * kChunk> g;
  std::vector<u64> v;       // [(2 * b + dir) * kChunk * L + i * L + e]: ConvertVec(value block dir)
  std::vector<u64> valpha;  // [i * L + e]
  std::vector<Block> cv_scratch;
};

// Gen for keys [k0, k0 + w) (Fig. 3 "Gen" over the half-tree, fss-core.md "DCF").
// Key k's payload at beta[k * beta_stride] (dcf_beta_stride).
void gen_chunk(DcfKeys& key0, DcfKeys& key1, std::span<const Block> seeds,
               std::span<const u64> alpha, std::span<const u64> beta, std::size_t beta_stride,
               std::size_t k0, std::size_t w, const FixedKeyPrg& prg, GenScratch& sc) {
  const int n = key0.shape.in_bits, m = key0.shape.out_bits, L = key0.shape.payload_len;
  const auto len = static_cast<std::size_t>(L);
  const std::size_t count = key0.count;
  const u64 mask = ring_mask(m);
  // s[b][i]: party b's node on alpha's path; its bit 0 is the control bit. s0 ^ s1 = Delta at
  // every level (Delta's bit 0 set), so exactly one party's control bit is set.
  std::array<std::array<Block, kChunk>, 2> s;
  sc.v.resize(4 * kChunk * len);
  sc.valpha.assign(kChunk * len, 0);
  for (std::size_t i = 0; i < w; ++i) {
    // Root s0 = block 2k, Delta = block 2k + 1 with bit 0 set, s1 = s0 ^ Delta.
    s[0][i] = seeds[2 * (k0 + i)];
    s[1][i] = s[0][i] ^ half_tree_delta(seeds[2 * (k0 + i) + 1]);
    key0.root[k0 + i] = s[0][i];
    key1.root[k0 + i] = s[1][i];
  }
  const auto vat = [&](int b, u64 dir, std::size_t i) {
    return sc.v.data() + (2 * static_cast<std::size_t>(b) + dir) * kChunk * len + i * len;
  };
  const auto slot = [&](int b, int j) {
    return std::span<Block>(sc.g.data() + (3 * b + j) * kChunk, w);
  };
  for (int lv = 0; lv < n; ++lv) {
    for (int b = 0; b < 2; ++b) {
      const std::span<const Block> nodes(s[b].data(), w);
      half_tree_hash(prg, nodes, slot(b, 0));
      prg.dcf_value_blocks(L, nodes, slot(b, 1), slot(b, 2));
    }
    // v^dir_b = ConvertVec(value block dir of s_b).
    for (int b = 0; b < 2; ++b)
      for (int dir = 0; dir < 2; ++dir)
        convert_vec(prg, slot(b, 1 + dir).data(), w, m, L, vat(b, dir, 0), sc.cv_scratch);
    for (std::size_t i = 0; i < w; ++i) {
      const std::size_t k = k0 + i;
      const u64 a = bit_msb_first(alpha[k], n, lv);  // Keep = a, Lose = 1 - a
      const u64 lose = 1 - a;
      const u64 t1 = static_cast<u64>(s[1][i].lsb());
      const Block h0 = slot(0, 0)[i], h1 = slot(1, 0)[i];
      // Child c of node s is H(s) ^ c s ^ t cw: on the path the parties' children differ by
      // c Delta ^ cw ^ H(s0) ^ H(s1), so this cw makes the Lose children equal and the Keep
      // children differ by Delta.
      const Block cw_seed = h0 ^ h1 ^ block_if(s[0][i] ^ s[1][i], lose);
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
      s[0][i] = half_tree_child(h0, s[0][i], a, cw_seed);
      s[1][i] = half_tree_child(h1, s[1][i], a, cw_seed);
      key0.cw_seed[at] = key1.cw_seed[at] = cw_seed;
    }
  }
  // cw_final = (-1)^t1 (ConvertVec(V_0(s1)) - ConvertVec(V_0(s0)) - Valpha): the leaves' nodes
  // differ by Delta, so their payload comes through the value key, not from their bits.
  u64* c0 = vat(0, 0, 0);
  u64* c1 = vat(1, 0, 0);
  for (int b = 0; b < 2; ++b) {
    prg.dcf_value_blocks(L, 0, std::span<const Block>(s[b].data(), w), slot(b, 1));
    convert_vec(prg, slot(b, 1).data(), w, m, L, b == 0 ? c0 : c1, sc.cv_scratch);
  }
  for (std::size_t i = 0; i < w; ++i) {
    const std::size_t k = k0 + i;
    const auto t1 = static_cast<u64>(s[1][i].lsb());
    for (std::size_t e = 0; e < len; ++e) {
      const u64 v = c1[i * len + e] - c0[i * len + e] - sc.valpha[i * len + e];
      key0.cw_final[k * len + e] = key1.cw_final[k * len + e] = neg_if(v, t1) & mask;
    }
  }
}

struct EvalScratch {
  std::array<Block, kChunk> h;            // H(s) per key
  std::array<Block, kChunk> vblk;         // the value block per key: G_{2+c}(s), G_2(s) where L = 1
  std::array<std::uint8_t, kChunk> vkey;  // 2 + c: the value block's fixed key (L >= 2)
  std::vector<u64> v, acc;                // [i * L + e]
  std::vector<Block> cv_scratch;
};

// Eval for keys [k0, k0 + w) (fss-core.md "DCF" Eval: two AES per level plus ConvertVec's, and
// one for the leaf).
void eval_chunk(const DcfKeys& keys, std::span<const u64> x, std::span<u64> out, std::size_t k0,
                std::size_t w, const FixedKeyPrg& prg, EvalScratch& sc) {
  const int n = keys.shape.in_bits, m = keys.shape.out_bits, L = keys.shape.payload_len;
  const auto len = static_cast<std::size_t>(L);
  const std::size_t count = keys.count;
  const u64 mask = ring_mask(m);
  std::array<Block, kChunk> s;  // the node; bit 0 is its control bit t
  const std::span<Block> nodes(s.data(), w), vblk(sc.vblk.data(), w);
  sc.v.resize(kChunk * len);
  sc.acc.assign(kChunk * len, 0);
  std::copy_n(keys.root.begin() + static_cast<std::ptrdiff_t>(k0), w, s.begin());
  for (int lv = 0; lv < n; ++lv) {
    const std::size_t base = static_cast<std::size_t>(lv) * count + k0;
    const int shift = n - 1 - lv;
    half_tree_hash(prg, nodes, std::span<Block>(sc.h.data(), w));
    if (len == 1) {
      prg.g_blocks(2, nodes, vblk);
    } else {
      for (std::size_t i = 0; i < w; ++i)
        sc.vkey[i] = static_cast<std::uint8_t>(2 + ((x[k0 + i] >> shift) & 1));
      prg.g_multi(std::span<const std::uint8_t>(sc.vkey.data(), w), nodes, vblk);
      detail::convert_vec_extra(prg, sc.vblk.data(), w, L, sc.cv_scratch);
    }
    // V += ConvertVec(value block) + t * cw_v with the level's incoming t (the party's sign is
    // applied once at the end). Where L = 1 the right child's element is G_2(s).lo. Then the
    // node moves to child c: H(s) ^ c s ^ t cw_seed.
    const u64* cw = keys.cw_v.data() + base * len;
    const std::size_t extra = len / 2;
    for (std::size_t i = 0; i < w; ++i) {
      const u64 c = (x[k0 + i] >> shift) & 1;
      const auto t = static_cast<u64>(s[i].lsb());
      const u64 tmask = u64{0} - t;
      u64* acc = sc.acc.data() + i * len;
      const u64* cwi = cw + i * len;
      const Block& vb = sc.vblk[i];
      if (len == 1) {
        acc[0] += (c != 0 ? vb.lo : vb.hi) + (cwi[0] & tmask);
      } else {
        const Block* row = sc.cv_scratch.data() + i * extra;
        acc[0] += vb.hi + (cwi[0] & tmask);
        for (std::size_t e = 0; e < extra; ++e) {  // elements 2e + 1 (lo) and 2e + 2 (hi)
          acc[2 * e + 1] += row[e].lo + (cwi[2 * e + 1] & tmask);
          if (2 * e + 2 < len) acc[2 * e + 2] += row[e].hi + (cwi[2 * e + 2] & tmask);
        }
      }
      s[i] = half_tree_child(sc.h[i], s[i], c, keys.cw_seed[base + i]);
    }
  }
  // V += ConvertVec(V_0(s)) + t * cw_final; output (-1)^b V.
  prg.g_blocks(2, nodes, vblk);
  convert_vec(prg, sc.vblk.data(), w, m, L, sc.v.data(), sc.cv_scratch);
  const auto party = static_cast<u64>(keys.party);
  for (std::size_t i = 0; i < w; ++i) {
    const u64 tmask = u64{0} - static_cast<u64>(s[i].lsb());
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
  detail::check_size("DCF keys", "cw_v", keys.cw_v.size(), n * c * len);
  detail::check_size("DCF keys", "cw_final", keys.cw_final.size(), c * len);
}

std::size_t dcf_key_bits(DcfShape shape) {
  dcf_check_shape(shape);
  const auto n = static_cast<std::size_t>(shape.in_bits);
  const std::size_t lm =
      static_cast<std::size_t>(shape.payload_len) * static_cast<std::size_t>(shape.out_bits);
  return 128 + n * (128 + lm) + lm;
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
  detail::check_range("dcf_gen", "alpha", alpha, shape.in_bits, opt.pool);
  detail::check_range("dcf_gen", "beta", beta, shape.out_bits, opt.pool);
  // fss-core.md "Randomness": key k draws s0 then Delta, keys in order (blocks next_counter() + 2k
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
  const std::size_t grain = detail::key_grain(4 * static_cast<std::size_t>(shape.in_bits));
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
