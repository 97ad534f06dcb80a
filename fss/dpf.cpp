// DPF key generation and evaluation: Boyle, Gilboa, Ishai, "Function Secret Sharing:
// Improvements and Extensions", CCS 2016, Fig. 1, with the exact PRG, bit order and conversion of
// docs/design/fss-core.md "DPF". Keys are processed kChunk at a time per tree level so the AES
// calls of many keys are batched (AES-NI: 8 blocks in flight).
#include "fss/dpf.h"

#include <algorithm>
#include <array>

#include "fss/accelerator.h"
#include "fss/parallel.h"
#include "fss/tree_common.h"

namespace secinfer::fss {
namespace {

using detail::bit_msb_first;
using detail::kChunk;
using detail::neg_if;

constexpr int kMaxFullDomainBits = 24;
// Full-domain evaluation expands subtrees of this depth breadth first in per-thread buffers
// (2^10 seeds = 16 KiB), so memory stays small for any n and subtrees run in parallel.
constexpr int kSubtreeBits = 10;

DpfKeys empty_keys(DpfShape shape, int party, std::size_t count) {
  DpfKeys k;
  k.shape = shape;
  k.party = party;
  k.count = count;
  const auto n = static_cast<std::size_t>(shape.in_bits);
  k.root.resize(count);
  k.cw_seed.resize(n * count);
  k.cw_t.resize(n * count);
  k.cw_out.resize(count);
  return k;
}

// Gen for keys [k0, k0 + w), w <= kChunk (Fig. 1 "Gen", fss-core.md "DPF").
void gen_chunk(DpfKeys& key0, DpfKeys& key1, std::span<const Block> seeds,
               std::span<const u64> alpha, std::span<const u64> beta, std::size_t k0, std::size_t w,
               const FixedKeyPrg& prg) {
  const int n = key0.shape.in_bits;
  const std::size_t count = key0.count;
  std::array<std::array<Block, kChunk>, 2> s;
  std::array<std::array<u64, kChunk>, 2> t;
  // child[(2 * b + dir) * kChunk + i] = G_dir(s_b) of key k0 + i.
  std::array<Block, 4 * kChunk> child;
  for (std::size_t i = 0; i < w; ++i) {
    for (int b = 0; b < 2; ++b) {
      s[b][i] = seeds[2 * (k0 + i) + b].clear_lsb();
      t[b][i] = static_cast<u64>(b);
    }
    key0.root[k0 + i] = s[0][i];
    key1.root[k0 + i] = s[1][i];
  }
  for (int lv = 0; lv < n; ++lv) {
    for (int b = 0; b < 2; ++b)
      for (int dir = 0; dir < 2; ++dir)
        prg.g_blocks(dir, std::span<const Block>(s[b].data(), w),
                     std::span<Block>(child.data() + (2 * b + dir) * kChunk, w));
    for (std::size_t i = 0; i < w; ++i) {
      const std::size_t k = k0 + i;
      const u64 a = bit_msb_first(alpha[k], n, lv);  // Keep = a, Lose = 1 - a
      Block cs[2][2];
      u64 ct[2][2];
      for (int b = 0; b < 2; ++b)
        for (int dir = 0; dir < 2; ++dir) {
          const Block g = child[(2 * b + dir) * kChunk + i];
          ct[b][dir] = g.lo & 1;
          cs[b][dir] = g.clear_lsb();
        }
      const Block cw_seed = cs[0][1 - a] ^ cs[1][1 - a];
      const u64 cw_tl = ct[0][0] ^ ct[1][0] ^ a ^ 1;
      const u64 cw_tr = ct[0][1] ^ ct[1][1] ^ a;
      const u64 cw_tkeep = a ? cw_tr : cw_tl;
      for (int b = 0; b < 2; ++b) {
        const u64 tb = t[b][i];
        s[b][i] = cs[b][a] ^ block_if(cw_seed, tb);
        t[b][i] = ct[b][a] ^ (tb & cw_tkeep);
      }
      const std::size_t at = static_cast<std::size_t>(lv) * count + k;
      key0.cw_seed[at] = key1.cw_seed[at] = cw_seed;
      key0.cw_t[at] = key1.cw_t[at] = static_cast<std::uint8_t>(cw_tl | (cw_tr << 1));
    }
  }
  // cw_out = (-1)^t1 * (beta - Convert(s0) + Convert(s1)).
  const u64 mask = ring_mask(key0.shape.out_bits);
  for (std::size_t i = 0; i < w; ++i) {
    const std::size_t k = k0 + i;
    const u64 v = beta[k] - (s[0][i].hi & mask) + (s[1][i].hi & mask);
    key0.cw_out[k] = key1.cw_out[k] = neg_if(v, t[1][i]) & mask;
  }
}

// Eval for keys [k0, k0 + w) (fss-core.md "DPF" Eval: one AES per level).
void eval_chunk(const DpfKeys& keys, std::span<const u64> x, std::span<u64> out, std::size_t k0,
                std::size_t w, const FixedKeyPrg& prg) {
  const int n = keys.shape.in_bits;
  const std::size_t count = keys.count;
  std::array<Block, kChunk> s;
  std::array<u64, kChunk> t;
  for (std::size_t i = 0; i < w; ++i) {
    s[i] = keys.root[k0 + i];
    t[i] = static_cast<u64>(keys.party);
  }
  for (int lv = 0; lv < n; ++lv) {
    const std::size_t base = static_cast<std::size_t>(lv) * count + k0;
    prg.eval_level(x.subspan(k0, w), n - 1 - lv, std::span<Block>(s.data(), w),
                   std::span<u64>(t.data(), w), std::span(keys.cw_seed).subspan(base, w),
                   std::span(keys.cw_t).subspan(base, w));
  }
  const u64 mask = ring_mask(keys.shape.out_bits);
  const auto party = static_cast<u64>(keys.party);
  for (std::size_t i = 0; i < w; ++i) {
    const u64 y = (s[i].hi & mask) + ((u64{0} - t[i]) & keys.cw_out[k0 + i]);
    out[k0 + i] = neg_if(y, party) & mask;
  }
}

// Breadth-first expansion buffers, reused across subtrees and keys of one thread.
struct Workspace {
  std::vector<Block> cur, next;
  std::vector<std::uint8_t> tcur, tnext;
};

// Expands `nodes` seeds (with control bits) at depth `depth` of key k by `levels` levels, breadth
// first (two AES per inner node): on return ws.cur / ws.tcur hold the nodes << levels
// descendants in natural order.
void expand(const DpfKeys& keys, std::size_t k, int depth, int levels, std::size_t nodes,
            Workspace& ws, const FixedKeyPrg& prg) {
  const std::size_t final_nodes = nodes << levels;
  ws.cur.resize(final_nodes);
  ws.tcur.resize(final_nodes);
  ws.next.resize(final_nodes);
  ws.tnext.resize(final_nodes);
  for (int l = 0; l < levels; ++l) {
    const std::size_t at = static_cast<std::size_t>(depth + l) * keys.count + k;
    prg.expand_level(std::span<const Block>(ws.cur.data(), nodes),
                     std::span<const std::uint8_t>(ws.tcur.data(), nodes), keys.cw_seed[at],
                     keys.cw_t[at], std::span<Block>(ws.next.data(), 2 * nodes),
                     std::span<std::uint8_t>(ws.tnext.data(), 2 * nodes));
    std::swap(ws.cur, ws.next);
    std::swap(ws.tcur, ws.tnext);
    nodes *= 2;
  }
}

void check_full_domain_bits(const char* what, int n) {
  if (n > kMaxFullDomainBits)
    throw std::invalid_argument(std::string(what) + ": in_bits = " + std::to_string(n) +
                                " is above " + std::to_string(kMaxFullDomainBits) +
                                " (2^in_bits outputs per key)");
}

// out[j] = y_b(j) for all j in [0, 2^n) of key k; `threads` splits the subtrees.
void full_domain(const DpfKeys& keys, std::size_t k, std::span<u64> out, const FixedKeyPrg& prg,
                 int threads, Workspace& top_ws) {
  const int n = keys.shape.in_bits;
  const int top = n > kSubtreeBits ? n - kSubtreeBits : 0;  // levels above the subtrees
  const int sub = n - top;
  top_ws.cur.assign(1, keys.root[k]);
  top_ws.tcur.assign(1, static_cast<std::uint8_t>(keys.party));
  expand(keys, k, 0, top, 1, top_ws, prg);
  const std::size_t subtrees = std::size_t{1} << top;
  const u64 mask = ring_mask(keys.shape.out_bits);
  const auto party = static_cast<u64>(keys.party);
  const u64 cw_out = keys.cw_out[k];
  const auto run = [&](std::size_t begin, std::size_t end, Workspace& ws) {
    for (std::size_t r = begin; r < end; ++r) {
      const Block seed = top_ws.cur[r];  // copies: ws may be top_ws itself
      const std::uint8_t t = top_ws.tcur[r];
      ws.cur.assign(1, seed);
      ws.tcur.assign(1, t);
      expand(keys, k, top, sub, 1, ws, prg);
      u64* o = out.data() + (r << sub);
      const std::size_t leaves = std::size_t{1} << sub;
      for (std::size_t j = 0; j < leaves; ++j) {
        const u64 y = (ws.cur[j].hi & mask) + ((u64{0} - ws.tcur[j]) & cw_out);
        o[j] = neg_if(y, party) & mask;
      }
    }
  };
  if (subtrees == 1) {
    run(0, 1, top_ws);
    return;
  }
  // Subtrees of 2^sub leaves cost 2^(sub+1) AES each.
  const std::size_t grain = std::max<std::size_t>(1, detail::kGrainAes >> (sub + 1));
  parallel_for(subtrees, grain, threads, [&](std::size_t begin, std::size_t end) {
    Workspace ws;
    run(begin, end, ws);
  });
}

}  // namespace

void dpf_check_shape(DpfShape shape) {
  detail::check_bits("DPF shape", "in_bits", shape.in_bits);
  detail::check_bits("DPF shape", "out_bits", shape.out_bits);
}

void dpf_check_keys(const DpfKeys& keys) {
  dpf_check_shape(keys.shape);
  if (keys.party != 0 && keys.party != 1)
    throw std::invalid_argument("DPF keys: party " + std::to_string(keys.party) + " is not 0 or 1");
  // As dcf_check_keys: a resident batch was checked by the accelerator that holds its arrays.
  if (keys.resident) return;
  const std::size_t c = keys.count, n = static_cast<std::size_t>(keys.shape.in_bits);
  detail::check_size("DPF keys", "root", keys.root.size(), c);
  detail::check_size("DPF keys", "cw_seed", keys.cw_seed.size(), n * c);
  detail::check_size("DPF keys", "cw_t", keys.cw_t.size(), n * c);
  detail::check_size("DPF keys", "cw_out", keys.cw_out.size(), c);
}

std::size_t dpf_key_bits(DpfShape shape) {
  dpf_check_shape(shape);
  return 128 + static_cast<std::size_t>(shape.in_bits) * (128 + 2) +
         static_cast<std::size_t>(shape.out_bits);
}

std::pair<DpfKeys, DpfKeys> dpf_gen(DpfShape shape, std::span<const u64> alpha,
                                    std::span<const u64> beta, SeededPrg& rng) {
  return dpf_gen(shape, alpha, beta, rng, BatchOptions{rng.impl(), 0});
}

std::pair<DpfKeys, DpfKeys> dpf_gen(DpfShape shape, std::span<const u64> alpha,
                                    std::span<const u64> beta, SeededPrg& rng,
                                    const BatchOptions& opt) {
  dpf_check_shape(shape);
  detail::check_size("dpf_gen", "beta", beta.size(), alpha.size());
  detail::check_range("dpf_gen", "alpha", alpha, shape.in_bits, opt.pool);
  detail::check_range("dpf_gen", "beta", beta, shape.out_bits, opt.pool);
  const std::size_t count = alpha.size();
  // fss-core.md "Randomness": key k draws s0 then s1, keys in order (blocks next_counter() + 2k
  // and + 2k + 1 of the stream, which is what lets an accelerator make the same keys).
  if (opt.accel != nullptr && count != 0) {
    if (auto made = opt.accel->dpf_gen(shape, alpha, beta, rng.seed(), rng.next_counter())) {
      rng.skip_blocks(2 * count);
      return std::move(*made);
    }
  }
  const FixedKeyPrg& prg = fixed_key_prg(opt.aes);
  std::vector<Block> seeds(2 * count);
  rng.next_blocks(seeds);
  std::pair<DpfKeys, DpfKeys> keys{empty_keys(shape, 0, count), empty_keys(shape, 1, count)};
  const std::size_t grain = detail::key_grain(4 * static_cast<std::size_t>(shape.in_bits));
  parallel_for(count, grain, opt.threads, [&](std::size_t begin, std::size_t end) {
    for (std::size_t k = begin; k < end; k += kChunk)
      gen_chunk(keys.first, keys.second, seeds, alpha, beta, k, std::min(kChunk, end - k), prg);
  });
  return keys;
}

void dpf_eval(const DpfKeys& keys, std::span<const u64> x, std::span<u64> out) {
  dpf_eval(keys, x, out, BatchOptions{});
}

void dpf_eval(const DpfKeys& keys, std::span<const u64> x, std::span<u64> out,
              const BatchOptions& opt) {
  dpf_check_keys(keys);
  detail::check_size("dpf_eval", "x", x.size(), keys.count);
  detail::check_size("dpf_eval", "out", out.size(), keys.count);
  detail::check_range("dpf_eval", "x", x, keys.shape.in_bits);
  if (opt.accel != nullptr) {
    opt.accel->dpf_eval(keys, x, out);
    return;
  }
  require_host_keys(keys.resident, "dpf_eval");
  const FixedKeyPrg& prg = fixed_key_prg(opt.aes);
  const std::size_t grain = detail::key_grain(static_cast<std::size_t>(keys.shape.in_bits));
  parallel_for(keys.count, grain, opt.threads, [&](std::size_t begin, std::size_t end) {
    for (std::size_t k = begin; k < end; k += kChunk)
      eval_chunk(keys, x, out, k, std::min(kChunk, end - k), prg);
  });
}

void dpf_eval_full_domain(const DpfKeys& keys, std::size_t k, std::span<u64> out) {
  dpf_eval_full_domain(keys, k, out, BatchOptions{});
}

void dpf_eval_full_domain(const DpfKeys& keys, std::size_t k, std::span<u64> out,
                          const BatchOptions& opt) {
  dpf_check_keys(keys);
  require_host_keys(keys.resident, "dpf_eval_full_domain");
  check_full_domain_bits("dpf_eval_full_domain", keys.shape.in_bits);
  if (k >= keys.count)
    throw std::invalid_argument("dpf_eval_full_domain: key index " + std::to_string(k) +
                                " is outside the batch of " + std::to_string(keys.count));
  detail::check_size("dpf_eval_full_domain", "out", out.size(),
                     std::size_t{1} << keys.shape.in_bits);
  Workspace ws;
  full_domain(keys, k, out, fixed_key_prg(opt.aes), opt.threads, ws);
}

void dpf_lut_eval(const DpfKeys& keys, std::span<const u64> xhat, std::span<const u64> table,
                  std::span<u64> out) {
  dpf_lut_eval(keys, xhat, table, out, BatchOptions{});
}

void dpf_lut_eval(const DpfKeys& keys, std::span<const u64> xhat, std::span<const u64> table,
                  std::span<u64> out, const BatchOptions& opt) {
  dpf_check_keys(keys);
  const int n = keys.shape.in_bits;
  check_full_domain_bits("dpf_lut_eval", n);
  const std::size_t domain = std::size_t{1} << n;
  detail::check_size("dpf_lut_eval", "table", table.size(), domain);
  detail::check_size("dpf_lut_eval", "xhat", xhat.size(), keys.count);
  detail::check_size("dpf_lut_eval", "out", out.size(), keys.count);
  detail::check_range("dpf_lut_eval", "xhat", xhat, n);
  if (opt.accel != nullptr) {
    opt.accel->dpf_lut_eval(keys, xhat, table, out);
    return;
  }
  require_host_keys(keys.resident, "dpf_lut_eval");
  const FixedKeyPrg& prg = fixed_key_prg(opt.aes);
  const u64 mask = ring_mask(keys.shape.out_bits);
  // Keys in parallel, each key's tree on one thread.
  const std::size_t grain = std::max<std::size_t>(1, detail::kGrainAes / (2 * domain));
  parallel_for(keys.count, grain, opt.threads, [&](std::size_t begin, std::size_t end) {
    Workspace ws;
    std::vector<u64> y(domain);
    for (std::size_t k = begin; k < end; ++k) {
      full_domain(keys, k, y, prg, 1, ws);
      // sum_j T[(xhat - j) mod 2^n] * y_b(j): j <= xhat reads T[xhat - j], j > xhat wraps.
      const std::size_t xh = static_cast<std::size_t>(xhat[k]);
      u64 acc = 0;
      for (std::size_t j = 0; j <= xh; ++j) acc += table[xh - j] * y[j];
      for (std::size_t j = xh + 1; j < domain; ++j) acc += table[domain + xh - j] * y[j];
      out[k] = acc & mask;
    }
  });
}

}  // namespace secinfer::fss
