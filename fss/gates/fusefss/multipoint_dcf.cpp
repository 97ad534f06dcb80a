#include "fss/gates/fusefss/multipoint_dcf.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "fss/accelerator.h"
#include "fss/parallel.h"
#include "fss/prg.h"
#include "fss/tree_common.h"

namespace secinfer::fss::fusefss {
namespace {

// One node of the trie of a key's points at the current level.
struct Node {
  std::size_t key;     // key index
  std::size_t lo, hi;  // its points: order[lo, hi) (sorted by value, same prefix)
  Block s;             // node; bit 0 is its control bit (fss-core.md "DCF")
  std::size_t acc;     // offset of its accumulator (L u64) in the level's accumulator array
};

// ConvertVec_{m,L} elements 1..L-1 need G_4(blk ^ {k, 0}), k = 1 .. L/2 (fss-core.md).
void add_convert(const FixedKeyPrg& prg, std::span<const Block> blk, std::size_t L, u64* acc,
                 std::vector<Block>& scratch) {
  const std::size_t extra = L / 2;
  if (extra > 0) {
    scratch.resize(blk.size() * extra);
    for (std::size_t i = 0; i < blk.size(); ++i)
      for (std::size_t e = 0; e < extra; ++e) scratch[i * extra + e] = blk[i] ^ Block { e + 1, 0 };
    prg.g_blocks(4, scratch, scratch);
  }
  for (std::size_t i = 0; i < blk.size(); ++i) {
    u64* a = acc + i * L;
    a[0] += blk[i].hi;
    for (std::size_t e = 0; e < extra; ++e) {
      const Block& c = scratch[i * extra + e];
      a[2 * e + 1] += c.lo;
      if (2 * e + 2 < L) a[2 * e + 2] += c.hi;
    }
  }
}

void eval_range(const DcfKeys& keys, std::size_t P, std::span<const u64> points, std::span<u64> out,
                std::size_t k0, std::size_t k1, const FixedKeyPrg& prg) {
  const int n = keys.shape.in_bits;
  const std::size_t L = static_cast<std::size_t>(keys.shape.payload_len);
  const std::size_t count = keys.count;
  const u64 mask = ring_mask(keys.shape.out_bits);
  // Sorted point order per key.
  std::vector<std::size_t> order((k1 - k0) * P);
  std::vector<Node> cur, next;
  std::vector<u64> acc, nacc;
  for (std::size_t k = k0; k < k1; ++k) {
    std::size_t* o = order.data() + (k - k0) * P;
    std::iota(o, o + P, std::size_t{0});
    const u64* pk = points.data() + k * P;
    std::sort(o, o + P, [&](std::size_t a, std::size_t b) { return pk[a] < pk[b]; });
    cur.push_back({k, (k - k0) * P, (k - k0 + 1) * P, keys.root[k], acc.size()});
    acc.resize(acc.size() + L, 0);
  }
  std::vector<Block> in0, hs, gv, scratch;
  std::vector<std::pair<std::size_t, int>> child;  // (parent node, bit)
  for (int lv = 0; lv < n; ++lv) {
    const int shift = n - 1 - lv;
    child.clear();
    next.clear();
    // Split every node's points by the level's bit (sorted: the 0s come first).
    for (std::size_t i = 0; i < cur.size(); ++i) {
      const Node& nd = cur[i];
      const u64* pk = points.data() + nd.key * P;
      std::size_t mid = nd.lo;
      while (mid < nd.hi && ((pk[order[mid]] >> shift) & 1) == 0) ++mid;
      if (mid > nd.lo) {
        child.emplace_back(i, 0);
        next.push_back({nd.key, nd.lo, mid, {}, 0});
      }
      if (mid < nd.hi) {
        child.emplace_back(i, 1);
        next.push_back({nd.key, mid, nd.hi, {}, 0});
      }
    }
    // AES: the half-tree hash H(s) = G_0(sigma(s)) of every node (both its children come from
    // it), and each child's value block (FixedKeyPrg::dcf_value_blocks).
    const std::size_t nc = child.size();
    in0.resize(cur.size());
    hs.resize(cur.size());
    for (std::size_t i = 0; i < cur.size(); ++i) in0[i] = cur[i].s;
    detail::half_tree_hash(prg, in0, hs);
    gv.resize(nc);
    for (int c = 0; c < 2; ++c) {
      in0.clear();
      for (auto [pi, b] : child)
        if (b == c) in0.push_back(cur[pi].s);
      std::vector<Block> v1(in0.size());
      prg.dcf_value_blocks(L, c, in0, v1);
      for (std::size_t i = 0, j = 0; i < nc; ++i)
        if (child[i].second == c) gv[i] = v1[j++];
    }
    nacc.assign(nc * L, 0);
    add_convert(prg, gv, L, nacc.data(), scratch);
    for (std::size_t i = 0; i < nc; ++i) {
      const auto [pi, c] = child[i];
      const Node& par = cur[pi];
      const std::size_t base = static_cast<std::size_t>(lv) * count + par.key;
      const u64 t = static_cast<u64>(par.s.lsb());
      const u64 tmask = u64{0} - t;
      const u64* cw = keys.cw_v.data() + base * L;
      u64* a = nacc.data() + i * L;
      const u64* pa = acc.data() + par.acc;
      for (std::size_t e = 0; e < L; ++e) a[e] += pa[e] + (cw[e] & tmask);
      next[i].s = half_tree_child(hs[pi], par.s, static_cast<u64>(c), keys.cw_seed[base]);
      next[i].acc = i * L;
    }
    std::swap(cur, next);
    std::swap(acc, nacc);
  }
  // Leaves: V += ConvertVec(V_0(s)) + t * cw_final; output (-1)^b V to every point of the leaf.
  std::vector<Block> leaf(cur.size());
  for (std::size_t i = 0; i < cur.size(); ++i) leaf[i] = cur[i].s;
  prg.dcf_value_blocks(static_cast<int>(L), 0, leaf, leaf);
  add_convert(prg, leaf, L, acc.data(), scratch);
  for (std::size_t i = 0; i < cur.size(); ++i) {
    const Node& nd = cur[i];
    const u64 tmask = u64{0} - static_cast<u64>(nd.s.lsb());
    for (std::size_t e = 0; e < L; ++e) {
      u64 y = acc[nd.acc + e] + (keys.cw_final[nd.key * L + e] & tmask);
      if (keys.party) y = u64{0} - y;
      y &= mask;
      for (std::size_t q = nd.lo; q < nd.hi; ++q) {
        const std::size_t j = order[q];
        out[(nd.key * P + j) * L + e] = y;
      }
    }
  }
}

}  // namespace

void dcf_eval_multipoint(const DcfKeys& keys, std::size_t points_per_key,
                         std::span<const u64> points, std::span<u64> out, int threads) {
  dcf_eval_multipoint(keys, points_per_key, points, out, BatchOptions{AesImpl::kAuto, threads});
}

void dcf_eval_multipoint(const DcfKeys& keys, std::size_t points_per_key,
                         std::span<const u64> points, std::span<u64> out, const BatchOptions& opt) {
  const std::size_t P = points_per_key;
  const std::size_t L = static_cast<std::size_t>(keys.shape.payload_len);
  if (points.size() != keys.count * P || out.size() != points.size() * L)
    throw std::invalid_argument(
        "dcf_eval_multipoint: " + std::to_string(keys.count) + " keys x " + std::to_string(P) +
        " points need " + std::to_string(keys.count * P) + " points and " +
        std::to_string(keys.count * P * L) + " outputs, got " + std::to_string(points.size()) +
        " and " + std::to_string(out.size()));
  if (keys.count == 0 || P == 0) return;
  if (opt.accel != nullptr) {
    dcf_check_keys(keys);  // the device reads the key arrays by the shape's sizes
    opt.accel->dcf_eval_multipoint(keys, P, points, out);
    return;
  }
  require_host_keys(keys.resident, "dcf_eval_multipoint");
  const FixedKeyPrg& prg = fixed_key_prg(opt.aes);
  const std::size_t step = 128;  // keys per trie batch
  parallel_for((keys.count + step - 1) / step, 1, opt.threads, [&](std::size_t b, std::size_t e) {
    for (std::size_t c = b; c < e; ++c)
      eval_range(keys, P, points, out, c * step, std::min(keys.count, (c + 1) * step), prg);
  });
}

}  // namespace secinfer::fss::fusefss
