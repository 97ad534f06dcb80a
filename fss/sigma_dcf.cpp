// SIGMA's DCF (Gupta et al., PoPETs 2024; GPU-MPC fss/gpu_dpf.cu): key generation and evaluation
// exactly as docs/design/sigma-dcf.md fixes them. Keys are processed kChunk at a time per tree
// level so the AES calls of many keys (or points) are batched (AES-NI: 8 blocks in flight).
#include "fss/sigma_dcf.h"

#include <algorithm>
#include <array>
#include <bit>
#include <stdexcept>
#include <string>

#include "fss/accelerator.h"
#include "fss/cuda/sigma_dcf_core.h"
#include "fss/parallel.h"
#include "fss/tree_common.h"
#include "fss/uninit_vector.h"

namespace secinfer::fss {
namespace {

using detail::bit_msb_first;
using detail::kChunk;

constexpr int kLeaf = kSigmaDcfLeafBits;

// Tree depth d = n - 7: levels 0..d-2 carry (cw_seed, tR), level d - 1 the two leaf blocks.
std::size_t depth(int n) {
  return static_cast<std::size_t>(n - kLeaf);
}

// Block with only bit `pos` (0..127) set.
Block unit_block(u64 pos) {
  return pos < 64 ? Block{u64{1} << pos, 0} : Block{0, u64{1} << (pos - 64)};
}

// Parity of the bits of `leaf` that the output reads (sigma-dcf.md "Eval"): above pos when the
// last tree step went right (c = 1), at and below pos when it went left.
u64 leaf_parity(Block leaf, u64 pos, u64 c) {
  // low = bits 0..pos set.
  const Block low = pos < 63    ? Block{(u64{2} << pos) - 1, 0}
                    : pos == 63 ? Block{~u64{0}, 0}
                                : Block{~u64{0}, pos == 127 ? ~u64{0} : (u64{2} << (pos - 64)) - 1};
  const Block m = c ? Block{~low.lo, ~low.hi} : low;
  return static_cast<u64>(std::popcount(leaf.lo & m.lo) + std::popcount(leaf.hi & m.hi)) & 1;
}

// Arrays of `count` keys, not zeroed (UninitVector): the caller writes every element.
SigmaDcfKeys empty_keys(int n, int party, std::size_t count) {
  SigmaDcfKeys k;
  k.in_bits = n;
  k.party = party;
  k.count = count;
  if (n <= kLeaf) {
    k.table.resize(count * sigma_dcf_table_words(n));
    return k;
  }
  k.root.resize(count);
  k.cw_seed.resize((depth(n) - 1) * count);
  k.cw_tr.resize(count);
  k.leaf0.resize(count);
  k.leaf1.resize(count);
  return k;
}

// Gen for keys [k0, k0 + w) (sigma-dcf.md "Gen"): per level, G_0 and G_1 of both parties' seeds.
void gen_chunk(SigmaDcfKeys& key0, SigmaDcfKeys& key1, std::span<const Block> seeds,
               std::span<const u64> alpha, std::size_t k0, std::size_t w, const FixedKeyPrg& prg) {
  const int n = key0.in_bits;
  const std::size_t d = depth(n), count = key0.count;
  std::array<std::array<Block, kChunk>, 2> s;  // current nodes, bit 0 = control bit
  std::array<std::array<Block, kChunk>, 2> in;
  std::array<std::array<std::array<Block, kChunk>, 2>, 2> g;  // g[b][c][i] = G_c(clear(s_b))
  for (std::size_t i = 0; i < w; ++i) {
    const Block a = seeds[2 * (k0 + i)], b = seeds[2 * (k0 + i) + 1];
    // Root control bits t_0 = 1 XOR t_1: the roots lie on alpha's path.
    s[1][i] = b;
    s[0][i] = a.clear_lsb() ^ Block { (b.lo & 1) ^ 1, 0 };
    key0.root[k0 + i] = s[0][i];
    key1.root[k0 + i] = s[1][i];
    key0.cw_tr[k0 + i] = key1.cw_tr[k0 + i] = 0;
  }
  for (std::size_t lv = 0; lv < d; ++lv) {
    for (int b = 0; b < 2; ++b) {
      for (std::size_t i = 0; i < w; ++i) in[b][i] = s[b][i].clear_lsb();
      for (int c = 0; c < 2; ++c)
        prg.g_blocks(c, std::span<const Block>(in[b].data(), w),
                     std::span<Block>(g[b][c].data(), w));
    }
    const bool last = lv + 1 == d;
    for (std::size_t i = 0; i < w; ++i) {
      const std::size_t k = k0 + i;
      const u64 a = bit_msb_first(alpha[k], n, static_cast<int>(lv));  // Keep = a
      const Block x0 = g[0][0][i] ^ g[1][0][i], x1 = g[0][1][i] ^ g[1][1][i];
      if (last) {
        // Leaves: the children's XOR, plus alpha's low 7 bits as a unit vector on alpha's side.
        const Block e = unit_block(alpha[k] & ((u64{1} << kLeaf) - 1));
        key0.leaf0[k] = key1.leaf0[k] = x0 ^ block_if(e, 1 - a);
        key0.leaf1[k] = key1.leaf1[k] = x1 ^ block_if(e, a);
        continue;
      }
      const u64 tl = (x0.lo & 1) ^ a ^ 1, tr = (x1.lo & 1) ^ a;
      const Block seed = (a ? x0 : x1).clear_lsb();  // Lose = 1 - a
      const Block cw = seed ^ Block { tl, 0 };
      key0.cw_seed[lv * count + k] = key1.cw_seed[lv * count + k] = cw;
      key0.cw_tr[k] |= tr << lv;
      key1.cw_tr[k] |= tr << lv;
      const Block keep_cw = seed ^ Block { a ? tr : tl, 0 };
      for (int b = 0; b < 2; ++b) s[b][i] = g[b][a][i] ^ block_if(keep_cw, s[b][i].lo & 1);
    }
  }
}

struct EvalScratch {
  std::array<Block, kChunk> s;   // node seeds, bit 0 cleared (the control bit is in t)
  std::array<u64, kChunk> t;     // control bits
  std::array<Block, kChunk> cw;  // this level's seed correction for the point's direction
  std::array<std::uint8_t, kChunk> cwt;
  std::array<u64, kChunk> p, prev;
  std::array<std::size_t, kChunk> key;
};

// Eval of points [q0, q0 + w) (point q belongs to key q / P), sigma-dcf.md "Eval". A level runs
// as FixedKeyPrg::eval_level (AES and correction fused, 8 blocks in flight) on the node split into
// seed (bit 0 cleared) and control bit, with the level's corrections gathered per point first.
void eval_chunk(const SigmaDcfKeys& keys, std::size_t P, std::span<const u64> x,
                std::span<std::uint8_t> out, std::size_t q0, std::size_t w, const FixedKeyPrg& prg,
                EvalScratch& sc) {
  const int n = keys.in_bits;
  const std::size_t d = depth(n), count = keys.count;
  for (std::size_t i = 0; i < w; ++i) {
    sc.key[i] = P == 1 ? q0 + i : (q0 + i) / P;
    const Block r = keys.root[sc.key[i]];
    sc.s[i] = r.clear_lsb();
    sc.t[i] = r.lo & 1;
    sc.p[i] = 0;
    sc.prev[i] = 0;  // the virtual direction before the root
  }
  for (std::size_t lv = 0; lv < d; ++lv) {
    const bool last = lv + 1 == d;
    const Block* cws = last ? nullptr : keys.cw_seed.data() + lv * count;
    for (std::size_t i = 0; i < w; ++i) {
      const std::size_t k = sc.key[i];
      const u64 c = bit_msb_first(x[q0 + i], n, static_cast<int>(lv));
      // Prefix parity: the node's control bit counts where the path turns.
      sc.p[i] ^= (c ^ sc.prev[i]) & sc.t[i];
      sc.prev[i] = c;
      // The correction as eval_level reads it: seed part (bit 0 clear), bit 0 = t correction for
      // direction 0, bit 1 for direction 1.
      if (last) {
        const Block l0 = keys.leaf0[k], l1 = keys.leaf1[k];
        sc.cw[i] = (c ? l1 : l0).clear_lsb();
        sc.cwt[i] = static_cast<std::uint8_t>((l0.lo & 1) | ((l1.lo & 1) << 1));
      } else {
        const Block cw = cws[k];
        sc.cw[i] = cw.clear_lsb();
        sc.cwt[i] = static_cast<std::uint8_t>((cw.lo & 1) | (((keys.cw_tr[k] >> lv) & 1) << 1));
      }
    }
    prg.eval_level(x.subspan(q0, w), n - 1 - static_cast<int>(lv), std::span<Block>(sc.s.data(), w),
                   std::span<u64>(sc.t.data(), w), std::span<const Block>(sc.cw.data(), w),
                   std::span<const std::uint8_t>(sc.cwt.data(), w));
  }
  const u64 flip =
      static_cast<u64>(keys.party);  // party 1 complements: [x >= alpha] -> [x < alpha]
  for (std::size_t i = 0; i < w; ++i) {
    const u64 xv = x[q0 + i];
    const Block leaf = sc.s[i] ^ Block { sc.t[i], 0 };  // the leaf block, bit 0 included
    const u64 bit = sc.p[i] ^ leaf_parity(leaf, xv & ((u64{1} << kLeaf) - 1), sc.prev[i]) ^ flip;
    out[q0 + i] = static_cast<std::uint8_t>(bit);
  }
}

void check_bits(int n) {
  detail::check_bits("SIGMA DCF", "in_bits", n);
}

}  // namespace

std::size_t sigma_dcf_key_bits(int in_bits) {
  check_bits(in_bits);
  if (in_bits <= kLeaf) return std::size_t{1} << in_bits;
  return 129 * static_cast<std::size_t>(in_bits) - 648;
}

std::size_t sigma_dcf_eval_aes(int in_bits) {
  check_bits(in_bits);
  return in_bits <= kLeaf ? 0 : depth(in_bits);
}

std::size_t sigma_dcf_gen_aes(int in_bits) {
  check_bits(in_bits);
  return in_bits <= kLeaf ? 1 : 4 * depth(in_bits) + 2;
}

void sigma_dcf_check_keys(const SigmaDcfKeys& keys) {
  check_bits(keys.in_bits);
  if (keys.party != 0 && keys.party != 1)
    throw std::invalid_argument("SIGMA DCF keys: party " + std::to_string(keys.party) +
                                " is not 0 or 1");
  if (keys.resident) return;  // its arrays were checked by the accelerator that holds them
  const std::size_t c = keys.count;
  const int n = keys.in_bits;
  const bool tree = n > kLeaf;
  const std::size_t d = tree ? depth(n) : 1;
  detail::check_size("SIGMA DCF keys", "root", keys.root.size(), tree ? c : 0);
  detail::check_size("SIGMA DCF keys", "cw_seed", keys.cw_seed.size(), tree ? (d - 1) * c : 0);
  detail::check_size("SIGMA DCF keys", "cw_tr", keys.cw_tr.size(), tree ? c : 0);
  detail::check_size("SIGMA DCF keys", "leaf0", keys.leaf0.size(), tree ? c : 0);
  detail::check_size("SIGMA DCF keys", "leaf1", keys.leaf1.size(), tree ? c : 0);
  detail::check_size("SIGMA DCF keys", "table", keys.table.size(),
                     tree ? 0 : c * sigma_dcf_table_words(n));
}

std::pair<SigmaDcfKeys, SigmaDcfKeys> sigma_dcf_gen(int in_bits, std::span<const u64> alpha,
                                                    SeededPrg& rng) {
  return sigma_dcf_gen(in_bits, alpha, rng, BatchOptions{rng.impl(), 0});
}

std::pair<SigmaDcfKeys, SigmaDcfKeys> sigma_dcf_gen(int in_bits, std::span<const u64> alpha,
                                                    SeededPrg& rng, const BatchOptions& opt) {
  check_bits(in_bits);
  detail::check_range("sigma_dcf_gen", "alpha", alpha, in_bits, opt.pool);
  const std::size_t count = alpha.size();
  const auto empty_pair = [&] {
    return std::pair<SigmaDcfKeys, SigmaDcfKeys>{empty_keys(in_bits, 0, count),
                                                 empty_keys(in_bits, 1, count)};
  };
  // Key k's table is block next_counter() + k of the stream, a tree's roots blocks + 2k and
  // + 2k + 1, which is what lets an accelerator make the same keys (docs/design/sigma-dcf.md
  // "Randomness"). Asked before the host arrays exist: zeroing both parties' keys on the host only
  // to drop them cost more than the accelerator's generation.
  if (opt.accel != nullptr && count != 0) {
    if (auto made = opt.accel->sigma_dcf_gen(in_bits, alpha, rng.seed(), rng.next_counter())) {
      rng.skip_blocks(in_bits <= kLeaf ? count : 2 * count);
      return std::move(*made);
    }
  }
  if (in_bits <= kLeaf) {
    auto keys = empty_pair();
    UninitVector<Block> r(count);  // one block per key: party 0's table share
    rng.next_blocks(r);
    // Truth tables (sigma-dcf.md "Truth table"), one key at a time as the GPU's core makes them;
    // a layer's GELU has millions: filled on the pool.
    const std::size_t words = sigma_dcf_table_words(in_bits);
    parallel_for(count, std::size_t{1} << 16, opt.threads, [&](std::size_t lo, std::size_t hi) {
      for (std::size_t k = lo; k < hi; ++k)
        cuda::sigma_dcf_table_gen(in_bits, r[k], alpha[k], keys.first.table.data() + k * words,
                                  keys.second.table.data() + k * words);
    });
    return keys;
  }
  auto keys = empty_pair();
  const FixedKeyPrg& prg = fixed_key_prg(opt.aes);
  std::vector<Block> seeds(2 * count);  // per key, in key order: the two root blocks
  rng.next_blocks(seeds);
  const std::size_t grain = detail::key_grain(4 * depth(in_bits));
  parallel_for(count, grain, opt.threads, [&](std::size_t begin, std::size_t end) {
    for (std::size_t k = begin; k < end; k += kChunk)
      gen_chunk(keys.first, keys.second, seeds, alpha, k, std::min(kChunk, end - k), prg);
  });
  return keys;
}

void sigma_dcf_eval(const SigmaDcfKeys& keys, std::size_t points_per_key, std::span<const u64> x,
                    std::span<std::uint8_t> out, const BatchOptions& opt) {
  sigma_dcf_check_keys(keys);
  if (points_per_key < 1) throw std::invalid_argument("sigma_dcf_eval: points_per_key is 0");
  const std::size_t total = keys.count * points_per_key;
  detail::check_size("sigma_dcf_eval", "x", x.size(), total);
  detail::check_size("sigma_dcf_eval", "out", out.size(), total);
  const int n = keys.in_bits;
  detail::check_range("sigma_dcf_eval", "x", x, n);
  if (n <= kLeaf && keys.resident) {  // the tables held by an accelerator: read there
    if (opt.accel != nullptr && opt.accel->sigma_dcf_eval(keys, points_per_key, x, out)) return;
    require_host_keys(keys.resident, "sigma_dcf_eval");
  }
  if (n <= kLeaf) {  // a table read per point, on the host's threads (no AES to offload)
    const std::size_t words = sigma_dcf_table_words(n);
    parallel_for(total, std::size_t{1} << 16, opt.threads, [&](std::size_t lo, std::size_t hi) {
      for (std::size_t q = lo; q < hi; ++q) {
        const std::size_t k = q / points_per_key;
        out[q] = static_cast<std::uint8_t>((keys.table[k * words + x[q] / 64] >> (x[q] % 64)) & 1);
      }
    });
    return;
  }
  if (opt.accel != nullptr && opt.accel->sigma_dcf_eval(keys, points_per_key, x, out)) return;
  require_host_keys(keys.resident, "sigma_dcf_eval");
  const FixedKeyPrg& prg = fixed_key_prg(opt.aes);
  const std::size_t grain = detail::key_grain(depth(n));
  parallel_for(total, grain, opt.threads, [&](std::size_t begin, std::size_t end) {
    EvalScratch sc;
    for (std::size_t q = begin; q < end; q += kChunk)
      eval_chunk(keys, points_per_key, x, out, q, std::min(kChunk, end - q), prg, sc);
  });
}

void sigma_dcf_eval(const SigmaDcfKeys& keys, std::span<const u64> x, std::span<u64> out,
                    const BatchOptions& opt) {
  detail::check_size("sigma_dcf_eval", "out", out.size(), x.size());
  std::vector<std::uint8_t> bits(x.size());
  sigma_dcf_eval(keys, 1, x, bits, opt);
  parallel_for(bits.size(), std::size_t{1} << 16, opt.threads, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) out[i] = bits[i];
  });
}

// ---- key records (sigma-dcf.md "Key size")

namespace {

// Little-endian bit writer / reader over a byte span (pack_bits' order).
// A field of up to 64 bits touches at most 9 bytes; they are read or OR-ed whole (the span is
// zero-filled before writing).
struct BitWriter {
  std::span<std::uint8_t> out;
  std::size_t pos = 0;
  void put(u64 v, int bits) {
    const std::size_t at = pos / 8;
    const unsigned shift = pos % 8;
    const unsigned __int128 w =
        static_cast<unsigned __int128>(bits == 64 ? v : v & ((u64{1} << bits) - 1)) << shift;
    const std::size_t nbytes = (shift + static_cast<unsigned>(bits) + 7) / 8;
    for (std::size_t i = 0; i < nbytes; ++i) out[at + i] |= static_cast<std::uint8_t>(w >> (8 * i));
    pos += static_cast<std::size_t>(bits);
  }
  void put(Block v) {
    put(v.lo, 64);
    put(v.hi, 64);
  }
};

struct BitReader {
  std::span<const std::uint8_t> in;
  std::size_t pos = 0;
  u64 get(int bits) {
    const std::size_t at = pos / 8;
    const unsigned shift = pos % 8;
    const std::size_t nbytes = (shift + static_cast<unsigned>(bits) + 7) / 8;
    unsigned __int128 w = 0;
    for (std::size_t i = 0; i < nbytes; ++i)
      w |= static_cast<unsigned __int128>(in[at + i]) << (8 * i);
    pos += static_cast<std::size_t>(bits);
    const u64 v = static_cast<u64>(w >> shift);
    return bits == 64 ? v : v & ((u64{1} << bits) - 1);
  }
  Block get_block() {
    const u64 lo = get(64);
    return Block{lo, get(64)};
  }
};

}  // namespace

std::size_t sigma_dcf_record_bytes(int n) {
  return (sigma_dcf_key_bits(n) + 7) / 8;
}

void sigma_dcf_pack_keys(const SigmaDcfKeys& keys, std::span<std::uint8_t> out, int threads) {
  sigma_dcf_check_keys(keys);
  require_host_keys(keys.resident, "sigma_dcf_pack_keys");
  const int n = keys.in_bits;
  const std::size_t rb = sigma_dcf_record_bytes(n);
  detail::check_size("sigma_dcf_pack_keys", "out (bytes)", out.size(), keys.count * rb);
  std::fill(out.begin(), out.end(), std::uint8_t{0});
  parallel_for(keys.count, 4096, threads, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t k = lo; k < hi; ++k) {
      BitWriter w{out.subspan(k * rb, rb)};
      if (n <= kLeaf) {
        const std::size_t words = sigma_dcf_table_words(n);
        const int bits = 1 << n;
        for (std::size_t j = 0; j < words; ++j)
          w.put(keys.table[k * words + j], std::min(64, bits - 64 * static_cast<int>(j)));
        continue;
      }
      w.put(keys.root[k]);
      for (std::size_t lv = 0; lv + 1 < depth(n); ++lv) {
        w.put(keys.cw_seed[lv * keys.count + k]);
        w.put((keys.cw_tr[k] >> lv) & 1, 1);
      }
      w.put(keys.leaf0[k]);
      w.put(keys.leaf1[k]);
    }
  });
}

SigmaDcfKeys sigma_dcf_unpack_keys(int in_bits, int party, std::size_t count,
                                   std::span<const std::uint8_t> in, int threads) {
  check_bits(in_bits);
  if (party != 0 && party != 1)
    throw std::invalid_argument("sigma_dcf_unpack_keys: party " + std::to_string(party) +
                                " is not 0 or 1");
  const std::size_t rb = sigma_dcf_record_bytes(in_bits);
  if (count != 0 && in.size() / count != rb)
    throw std::invalid_argument("sigma_dcf_unpack_keys: " + std::to_string(in.size()) +
                                " bytes for " + std::to_string(count) + " keys of " +
                                std::to_string(rb) + " bytes");
  detail::check_size("sigma_dcf_unpack_keys", "in (bytes)", in.size(), count * rb);
  SigmaDcfKeys keys = empty_keys(in_bits, party, count);
  const std::size_t bits = sigma_dcf_key_bits(in_bits);
  parallel_for(count, 4096, threads, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t k = lo; k < hi; ++k) {
      BitReader r{in.subspan(k * rb, rb)};
      if (in_bits <= kLeaf) {
        const std::size_t words = sigma_dcf_table_words(in_bits);
        const int tb = 1 << in_bits;
        for (std::size_t j = 0; j < words; ++j)
          keys.table[k * words + j] = r.get(std::min(64, tb - 64 * static_cast<int>(j)));
      } else {
        keys.root[k] = r.get_block();
        keys.cw_tr[k] = 0;  // empty_keys leaves the arrays unwritten: the bits are OR-ed in
        for (std::size_t lv = 0; lv + 1 < depth(in_bits); ++lv) {
          keys.cw_seed[lv * count + k] = r.get_block();
          keys.cw_tr[k] |= r.get(1) << lv;
        }
        keys.leaf0[k] = r.get_block();
        keys.leaf1[k] = r.get_block();
      }
      if (r.get(static_cast<int>(rb * 8 - bits)) != 0)
        throw std::runtime_error("sigma_dcf_unpack_keys: key " + std::to_string(k) +
                                 " has non-zero padding bits");
    }
  });
  return keys;
}

std::size_t serialized_size(const SigmaDcfKeys& keys) {
  return sigma_dcf_record_bytes(keys.in_bits) * keys.count;
}

void serialize_keys(const SigmaDcfKeys& keys, std::span<std::uint8_t> out) {
  sigma_dcf_pack_keys(keys, out, 0);
}

std::vector<std::uint8_t> serialize_keys(const SigmaDcfKeys& keys) {
  std::vector<std::uint8_t> out(serialized_size(keys));
  sigma_dcf_pack_keys(keys, out, 0);
  return out;
}

}  // namespace secinfer::fss
