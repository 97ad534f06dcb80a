// The early-terminated 1-bit DPF (fss/dpf_et.h): for fresh random alpha and the edges 0 and
// 2^k - 1, at every domain width from 1 to 13 bits (no tree, one level, several) and every leaf
// width the domain takes (SIGMA's 128-bit leaves, the fused suite's 256- and 512-bit ones), the
// two parties' full domains XOR to [j == alpha]; the lookup-table sums obey the identities SIGMA's
// LUT relies on (count_0 - count_1 = +-1 and sum_0 - sum_1 = that sign times T[xhat - alpha]);
// serialisation round-trips; keys do not depend on the thread count.
#include "fss/dpf_et.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <vector>

#include "fss/lut_planes.h"
#include "fss/prg.h"
#include "fss_test_util.h"

using namespace secinfer::fss;
using secinfer::fss::test::fresh_seed;

namespace {

std::vector<u64> alphas(std::mt19937_64& g, int k, std::size_t n) {
  std::vector<u64> a(n);
  for (auto& v : a) v = g() & ring_mask(k);
  a[0] = 0;
  if (n > 1) a[1] = ring_mask(k);
  return a;
}

Block seed_block(std::uint64_t s) {
  return Block{s, s ^ 0x9e3779b97f4a7c15ULL};
}

// Fresh public indices of k bits, the edges 0 and 2^k - 1 at `edge` and edge + 1, and a table of
// 2^k fresh entries under out_mask.
struct LutInputs {
  std::vector<u64> xhat, table;
};
LutInputs lut_inputs(std::mt19937_64& g, int k, std::size_t n, u64 out_mask, std::size_t edge) {
  LutInputs in{std::vector<u64>(n), std::vector<u64>(std::size_t{1} << k)};
  for (auto& v : in.xhat) v = g() & ring_mask(k);
  in.xhat[edge] = 0;
  in.xhat[edge + 1] = ring_mask(k);
  for (auto& v : in.table) v = g() & out_mask;
  return in;
}

// The leaf widths (log2 of 128-bit blocks) a k-bit domain takes.
std::vector<int> leaf_widths(int k) {
  std::vector<int> out;
  for (int w = 0; w <= kDpfEtMaxLeafLog2; ++w)
    if (dpf_et_shape_ok(k, w)) out.push_back(w);
  return out;
}

}  // namespace

TEST_CASE("dpf_et: full domains XOR to the point function", "[fss][dpf_et]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (int k = 1; k <= 13; ++k)
    for (int w : leaf_widths(k)) {
      INFO("k = " << k << ", leaves of 2^" << w << " blocks");
      const std::vector<u64> alpha = alphas(g, k, 6);
      SeededPrg rng(seed_block(seed + static_cast<std::uint64_t>(k)));
      const auto [k0, k1] = dpf_et_gen(k, alpha, rng, {}, w);
      std::vector<u64> y0(std::size_t{1} << k), y1(y0.size());
      for (std::size_t i = 0; i < alpha.size(); ++i) {
        dpf_et_eval_full_domain(k0, i, y0);
        dpf_et_eval_full_domain(k1, i, y1);
        for (std::size_t j = 0; j < y0.size(); ++j) {
          REQUIRE(y0[j] <= 1);
          REQUIRE((y0[j] ^ y1[j]) == (j == alpha[i] ? 1u : 0u));
        }
      }
    }
}

TEST_CASE("dpf_et: LUT sums give +-T[xhat - alpha] and a count of +-1", "[fss][dpf_et]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  const int out_bits = 50;
  const u64 m = ring_mask(out_bits);
  for (int k : {1, 6, 7, 8, 9, 10, 13})
    for (int w : leaf_widths(k)) {
      INFO("k = " << k << ", leaves of 2^" << w << " blocks");
      const std::size_t n = 300;
      const std::vector<u64> alpha = alphas(g, k, n);
      const auto [xhat, table] = lut_inputs(g, k, n, m, 2);
      SeededPrg rng(seed_block(seed ^ static_cast<std::uint64_t>(k)));
      const auto [k0, k1] = dpf_et_gen(k, alpha, rng, {}, w);
      std::vector<u64> s0(n), c0(n), s1(n), c1(n);
      dpf_et_lut_eval(k0, xhat, table, out_bits, s0, c0);
      dpf_et_lut_eval(k1, xhat, table, out_bits, s1, c1);
      for (std::size_t i = 0; i < n; ++i) {
        const u64 dc = (c0[i] - c1[i]) & m;
        REQUIRE(c0[i] <= (u64{1} << k));
        REQUIRE((dc == 1 || dc == m));
        const u64 t = table[(xhat[i] - alpha[i]) & ring_mask(k)];
        const u64 want = dc == 1 ? t : (u64{0} - t) & m;
        REQUIRE(((s0[i] - s1[i]) & m) == want);
      }
    }
}

TEST_CASE("dpf_et: LUT sums with XOR-combined top index bits", "[fss][dpf_et]") {
  // The fused gates' index (dpf_et_core.h lut_index): the top h bits combine by XOR, the low
  // k - h by subtraction; at the point alpha the entry read is (xhat ^ a_hi, xhat - a_lo).
  const std::uint64_t seed = fresh_seed();
  INFO("seed = " << seed);
  std::mt19937_64 g(seed);
  const int out_bits = 50;
  const u64 m = ring_mask(out_bits);
  for (const auto& [k, h] : {std::pair{12, 3}, std::pair{9, 1}, std::pair{14, 3}, std::pair{8, 8}})
    for (int w : leaf_widths(k)) {
      INFO("k = " << k << ", xor bits = " << h << ", leaves of 2^" << w << " blocks");
      const std::size_t n = 200;
      const u64 xm = ring_mask(k) & ~ring_mask(k - h), lo = ring_mask(k - h);
      const std::vector<u64> alpha = alphas(g, k, n);
      const auto [xhat, table] = lut_inputs(g, k, n, m, 0);
      SeededPrg rng(seed_block(seed ^ static_cast<std::uint64_t>(k * 64 + h)));
      const auto [k0, k1] = dpf_et_gen(k, alpha, rng, {}, w);
      std::vector<u64> s0(n), c0(n), s1(n), c1(n);
      dpf_et_lut_eval(k0, xhat, table, out_bits, s0, c0, {}, xm);
      dpf_et_lut_eval(k1, xhat, table, out_bits, s1, c1, {}, xm);
      for (std::size_t i = 0; i < n; ++i) {
        const u64 dc = (c0[i] - c1[i]) & m;
        REQUIRE((dc == 1 || dc == m));
        const u64 idx = ((xhat[i] ^ alpha[i]) & xm) | ((xhat[i] - alpha[i]) & lo);
        const u64 want = dc == 1 ? table[idx] : (u64{0} - table[idx]) & m;
        REQUIRE(((s0[i] - s1[i]) & m) == want);
      }
    }
  SeededPrg rng(seed_block(seed));
  const auto keys = dpf_et_gen(8, std::vector<u64>{1}, rng);
  std::vector<u64> x{0}, t(256), s(1), c(1);
  CHECK_THROWS_WITH(dpf_et_lut_eval(keys.first, x, t, 50, s, c, {}, 0x0F),
                    Catch::Contains("not a run of the top bits"));
}

TEST_CASE("dpf_et: LUT sums from bit planes equal the table reads, party by party",
          "[fss][dpf_et]") {
  // Tables whose entries spread over at most kLutMaxPlanes bits take the bit-plane sums
  // (fss/lut_planes.h); each party's sum must equal sum_j y_b(j) T[lut_index(xhat, j)] mod
  // 2^out_bits read off its full domain, for constant tables, negative entries, the widest spread
  // the planes take, the 6-bit low fields at the edge and XOR-combined top bits.
  const std::uint64_t seed = fresh_seed();
  INFO("seed = " << seed);
  std::mt19937_64 g(seed);
  struct Case {
    int k, h, out_bits, spread;
    bool negative;
    bool constant_top = false;  // the segments under the top XOR bit hold one value (no planes)
  };
  for (const Case& cs :
       {Case{7, 0, 50, 12, false}, Case{8, 0, 50, 0, false}, Case{8, 2, 50, 13, true},
        Case{9, 3, 37, 1, false}, Case{10, 0, 64, 32, true}, Case{12, 3, 50, 11, false, true},
        Case{14, 3, 50, 20, true}, Case{14, 3, 50, 11, true, true}, Case{11, 0, 64, 31, false},
        Case{13, 4, 50, 9, false, true}}) {
    INFO("k = " << cs.k << ", xor bits = " << cs.h << ", out_bits = " << cs.out_bits
                << ", spread = " << cs.spread << (cs.negative ? ", negative" : ""));
    const u64 m = ring_mask(cs.out_bits), dmask = ring_mask(cs.k);
    const u64 xm = dmask & ~ring_mask(cs.k - cs.h);
    const std::size_t n = 40;
    const std::vector<u64> alpha = alphas(g, cs.k, n);
    std::vector<u64> xhat(n), table(std::size_t{1} << cs.k);
    for (auto& v : xhat) v = g() & dmask;
    xhat[0] = 0;
    xhat[1] = dmask;
    // Entries base + [0, 2^spread): the base negative (mod 2^out_bits) when asked.
    const u64 base = cs.negative ? (u64{0} - (u64{1} << 20) - 3) & m : u64{5};
    const std::size_t seg_len = std::size_t{1} << (cs.k - cs.h);
    const std::size_t top = cs.constant_top ? table.size() / 2 : table.size();
    for (std::size_t i = 0; i < table.size(); ++i)
      table[i] = i < top ? (base + (g() & ring_mask(cs.spread))) & m : (base + 7) & m;
    table[3] = base;  // both ends of the spread appear
    table[top - 1] = (base + ring_mask(cs.spread)) & m;
    const auto planes = make_lut_planes(table, cs.k, cs.out_bits, xm);
    REQUIRE(planes.has_value());
    int most = 0;
    for (std::size_t seg = 0; seg < (std::size_t{1} << cs.h); ++seg) {
      most = std::max(most, planes->planes(seg));
      if (seg * seg_len >= top) CHECK(planes->planes(seg) == 0);
    }
    CHECK(most == cs.spread);
    for (int w : leaf_widths(cs.k)) {
      INFO("leaves of 2^" << w << " blocks");
      SeededPrg rng(seed_block(seed ^ static_cast<std::uint64_t>(cs.k * 64 + cs.h)));
      const auto [k0, k1] = dpf_et_gen(cs.k, alpha, rng, {}, w);
      std::vector<u64> y(table.size()), s(n), c(n);
      for (const DpfEtKeys* keys : {&k0, &k1}) {
        dpf_et_lut_eval(*keys, xhat, table, cs.out_bits, s, c, {}, xm);
        for (std::size_t i = 0; i < n; ++i) {
          dpf_et_eval_full_domain(*keys, i, y);
          u64 want = 0, count = 0;
          for (std::size_t j = 0; j < y.size(); ++j) {
            want += y[j] * table[lut_index(xhat[i], j, dmask, xm)];
            count += y[j];
          }
          REQUIRE(c[i] == count);
          REQUIRE(s[i] == (want & m));
        }
      }
    }
  }
  // Where the planes do not apply: narrow domains, low fields under 6 bits, wide spreads.
  const std::vector<u64> t6(64, 1), t8(256, 1);
  std::vector<u64> wide(256, 0);
  wide[7] = u64{1} << 33;
  CHECK_FALSE(make_lut_planes(t6, 6, 50, 0).has_value());
  CHECK_FALSE(make_lut_planes(t8, 8, 50, ring_mask(8) & ~ring_mask(5)).has_value());
  CHECK_FALSE(make_lut_planes(wide, 8, 50, 0).has_value());
  const std::vector<u64> t11(2048, 1);  // 5 XOR bits: more segments than the planes take
  CHECK_FALSE(make_lut_planes(t11, 11, 50, ring_mask(11) & ~ring_mask(6)).has_value());
  CHECK(make_lut_planes(t8, 8, 50, 0).has_value());
}

TEST_CASE("dpf_et: bit-plane sums split over 2^a lanes add up to the whole key's",
          "[fss][dpf_et]") {
  // The GPU's lanes-per-key walk (dpf_et_lut_planes_part with a > 0): each lane walks to its
  // depth-a node and sums its subtree; the lanes' sums and counts must add up to the one-lane
  // sum, for every a the tree allows, with and without XOR-combined index bits.
  const std::uint64_t seed = fresh_seed();
  INFO("seed = " << seed);
  std::mt19937_64 g(seed);
  const FixedKeyPrg& prg = fixed_key_prg();
  for (const auto& [k, h] :
       {std::pair{14, 3}, std::pair{12, 3}, std::pair{10, 0}, std::pair{9, 1}}) {
    INFO("k = " << k << ", xor bits = " << h);
    const u64 xm = ring_mask(k) & ~ring_mask(k - h);
    std::vector<u64> table(std::size_t{1} << k);
    for (auto& v : table) v = g() & ring_mask(11);
    const auto planes = make_lut_planes(table, k, 50, xm);
    REQUIRE(planes.has_value());
    const LutPlanesView pv = planes->view();
    const auto word = [&pv](std::size_t j) { return pv.data[j]; };
    const std::size_t n = 24;
    const std::vector<u64> alpha = alphas(g, k, n);
    for (int w : leaf_widths(k)) {
      INFO("leaves of 2^" << w << " blocks");
      SeededPrg rng(seed_block(seed ^ static_cast<std::uint64_t>(k)));
      const auto [k0, k1] = dpf_et_gen(k, alpha, rng, {}, w);
      const int levels = dpf_et_levels(k, w);
      for (const DpfEtKeys* keys : {&k0, &k1}) {
        for (std::size_t i = 0; i < n; ++i) {
          const u64 xhat = g() & ring_mask(k);
          const Block* cw = keys->cw_seed.empty() ? nullptr : keys->cw_seed.data() + i;
          const std::uint8_t* ct = keys->cw_t.empty() ? nullptr : keys->cw_t.data() + i;
          const Block* leaf = keys->leaf_cw.data() + i;
          u64 want_s = 0, want_c = 0;
          dpf_et_lut_planes_one(prg, k, w, keys->party, keys->root[i], cw, ct, leaf, n, xhat, pv,
                                word, want_s, want_c);
          for (int a = 1; a <= std::min(5, levels - 1); ++a) {
            u64 s = 0, c = 0;
            for (unsigned r = 0; r < (1u << a); ++r) {
              u64 ps = 0, pc = 0;
              dpf_et_lut_planes_part(prg, k, w, keys->party, keys->root[i], cw, ct, leaf, n, xhat,
                                     pv, word, a, r, ps, pc);
              if (levels - a - 1 <= kDpfEtRegDepth) {  // the GPU's register-stack instantiation
                u64 rs = 0, rc = 0;
                dpf_et_lut_planes_part<kDpfEtRegDepth>(prg, k, w, keys->party, keys->root[i], cw,
                                                       ct, leaf, n, xhat, pv, word, a, r, rs, rc);
                REQUIRE(rs == ps);
                REQUIRE(rc == pc);
              }
              s += ps;
              c += pc;
            }
            INFO("a = " << a);
            REQUIRE(c == want_c);
            REQUIRE((s & ring_mask(50)) == (want_s & ring_mask(50)));
          }
        }
      }
    }
  }
}

TEST_CASE("dpf_et: serialisation round-trips and threads do not change keys", "[fss][dpf_et]") {
  const std::uint64_t seed = fresh_seed();
  std::mt19937_64 g(seed);
  for (int k : {5, 8, 10, 12})
    for (int w : leaf_widths(k)) {
      INFO("k = " << k << ", leaves of 2^" << w << " blocks");
      const std::vector<u64> alpha = alphas(g, k, 1000);
      SeededPrg r1(seed_block(seed)), r2(seed_block(seed));
      BatchOptions one;
      one.threads = 1;
      const auto a = dpf_et_gen(k, alpha, r1, one, w);
      const auto b = dpf_et_gen(k, alpha, r2, {}, w);
      REQUIRE(a.first.root == b.first.root);
      REQUIRE(a.second.root == b.second.root);
      REQUIRE(a.first.cw_seed == b.first.cw_seed);
      REQUIRE(a.first.cw_t == b.first.cw_t);
      REQUIRE(a.first.leaf_cw == b.first.leaf_cw);
      std::vector<std::uint8_t> bytes(dpf_et_key_bytes(k, alpha.size(), w));
      dpf_et_serialize(a.second, bytes);
      const DpfEtKeys back = dpf_et_deserialize(bytes, k, alpha.size(), 1, w);
      REQUIRE(back.leaf_log2 == w);
      REQUIRE(back.root == a.second.root);
      REQUIRE(back.cw_seed == a.second.cw_seed);
      REQUIRE(back.cw_t == a.second.cw_t);
      REQUIRE(back.leaf_cw == a.second.leaf_cw);
    }
  // 16 bytes of root, 17 per inner level, 32 of leaf CWs (SIGMA's k = 8 key: 16 + 32 + tR).
  REQUIRE(dpf_et_key_bytes(7, 1) == 16);
  REQUIRE(dpf_et_key_bytes(8, 1) == 48);
  REQUIRE(dpf_et_key_bytes(13, 2) == 2 * (16 + 17 * 5 + 32));
  // Wider leaves: a level fewer per doubling, leaf CWs of 2^(w+1) blocks (the fused SiLU's
  // 13-bit index: 133 B with SIGMA's leaves, 195 B with 512-bit ones).
  REQUIRE(dpf_et_key_bytes(13, 1, 1) == 16 + 17 * 4 + 64);
  REQUIRE(dpf_et_key_bytes(13, 1, 2) == 195);
  REQUIRE(dpf_et_key_bytes(9, 1, 1) == 16 + 64);
  REQUIRE_THROWS_WITH(dpf_et_key_bytes(9, 1, 2), Catch::Contains("do not fit a 9-bit domain"));
  REQUIRE_THROWS_AS(dpf_et_key_bytes(12, 1, 3), std::invalid_argument);
  REQUIRE_THROWS_AS(dpf_et_key_bytes(0, 1), std::invalid_argument);
  std::vector<u64> bad{256};
  SeededPrg rng(seed_block(seed));
  REQUIRE_THROWS_AS(dpf_et_gen(8, bad, rng), std::invalid_argument);
}

namespace {

struct Visit {
  u64 b;
  Block blk;
  bool operator==(const Visit&) const = default;
};

// The walks' contract written recursively: children first-then-second by flip's bits, 2 AES a
// kept inner or last-level node (w = 0), one a kept block of a wide leaf.
template <class Prg, class Need>
void reference_walk(const Prg& prg, int k, int w, int party, Block root, const Block* cw_seed,
                    const std::uint8_t* cw_t, const Block* leaf_cw, std::size_t stride, u64 flip,
                    const Need& need, std::vector<Visit>& out) {
  const int levels = dpf_et_levels(k, w);
  if (!need(0, u64{0})) return;
  if (levels == 0) {
    out.push_back({0, root});
    return;
  }
  const int depth = levels - 1;
  const u64 blocks = u64{1} << w;
  const auto rec = [&](const auto& self, Block s, int t, u64 q, int level) -> void {
    if (level == depth && w > 0) {
      for (int dir = 0; dir < 2; ++dir) {
        const u64 c = 2 * q + static_cast<u64>(dir);
        if (!need(levels, c)) continue;
        for (u64 sub = 0; sub < blocks; ++sub) {
          if (!need(levels + w, (c << w) | sub)) continue;
          Block blk = dpf_et_leaf_block(prg, dir, sub, s);
          if (t) blk ^= leaf_cw[(static_cast<u64>(dir) * blocks + sub) * stride];
          out.push_back({(c << w) | sub, blk});
        }
      }
      return;
    }
    const Block g[2] = {prg.g(0, s), prg.g(1, s)};
    if (level == depth) {
      for (int dir = 0; dir < 2; ++dir) {
        const u64 b = 2 * q + static_cast<u64>(dir);
        if (!need(levels, b)) continue;
        out.push_back({b, t ? g[dir] ^ leaf_cw[static_cast<std::size_t>(dir) * stride] : g[dir]});
      }
      return;
    }
    const int first = static_cast<int>((flip >> (depth - 1 - level)) & 1);
    for (const int dir : {first, 1 - first}) {
      const u64 c = 2 * q + static_cast<u64>(dir);
      if (!need(level + 1, c)) continue;
      Block gc = g[dir];
      int tc = gc.lsb();
      gc = gc.clear_lsb();
      if (t) {
        gc ^= cw_seed[static_cast<std::size_t>(level) * stride];
        tc ^= (cw_t[static_cast<std::size_t>(level) * stride] >> dir) & 1;
      }
      self(self, gc, tc, c, level + 1);
    }
  };
  rec(rec, root, party, 0, 0);
}

}  // namespace

TEST_CASE("dpf_et: the walks visit the reference's leaves in its order for its AES",
          "[fss][dpf_et]") {
  // Every shape up to 16 bits, flips 0, all ones and random, every node kept or a pseudo-random
  // part of them; the walks as the GPU instantiates them, the stack in registers (walk depth up to
  // kDpfEtRegDepth) and in an array, against reference_walk.
  const std::uint64_t seed = fresh_seed();
  INFO("seed = " << seed);
  std::mt19937_64 g(seed);
  for (int k = 1; k <= 16; ++k)
    for (int w : leaf_widths(k)) {
      INFO("k = " << k << ", leaves of 2^" << w << " blocks");
      const std::size_t n = 4;
      SeededPrg rng(seed_block(seed ^ static_cast<std::uint64_t>(k)));
      const auto [k0, k1] = dpf_et_gen(k, alphas(g, k, n), rng, {}, w);
      const int depth = std::max(dpf_et_levels(k, w) - 1, 0);
      for (const DpfEtKeys* keys : {&k0, &k1})
        for (std::size_t i = 0; i < n; ++i) {
          const Block* cw = keys->cw_seed.empty() ? nullptr : keys->cw_seed.data() + i;
          const std::uint8_t* ct = keys->cw_t.empty() ? nullptr : keys->cw_t.data() + i;
          const Block* leaf = keys->leaf_cw.empty() ? nullptr : keys->leaf_cw.data() + i;
          const u64 salt = g();
          const auto some = [salt](int level, u64 q) {  // keeps about 3 nodes in 4
            return ((salt ^ (q * 0x9e3779b97f4a7c15ULL) ^ static_cast<u64>(level) << 40) *
                        0xff51afd7ed558ccdULL >>
                    62) != 0;
          };
          const auto all = [](int, u64) { return true; };
          for (const u64 flip : {u64{0}, ring_mask(depth), g() & ring_mask(depth)}) {
            INFO("key " << i << ", party " << keys->party << ", flip " << flip);
            const auto check = [&](const auto& need, bool full) {
              std::size_t want_aes = 0;
              std::vector<Visit> want;
              reference_walk(test::CountingPrg{&fixed_key_prg(), &want_aes}, k, w, keys->party,
                             keys->root[i], cw, ct, leaf, n, flip, need, want);
              const auto run = [&](auto walk) {
                std::size_t aes = 0;
                std::vector<Visit> got;
                walk(test::CountingPrg{&fixed_key_prg(), &aes}, [&got](u64 b, Block blk) {
                  got.push_back({b, blk});
                });
                REQUIRE(got == want);
                REQUIRE(aes == want_aes);
              };
              const auto both = [&]<int kMaxDepth>() {
                run([&](const auto& prg, auto&& out) {
                  dpf_et_leaf_blocks_where<kMaxDepth>(prg, k, w, keys->party, keys->root[i], cw, ct,
                                                      leaf, n, flip, need, out);
                });
                if (full)
                  run([&](const auto& prg, auto&& out) {
                    dpf_et_leaf_blocks<kMaxDepth>(prg, k, w, keys->party, keys->root[i], cw, ct,
                                                  leaf, n, flip, out);
                  });
              };
              both.template operator()<kDpfEtMaxLevels>();
              if (depth <= kDpfEtRegDepth) both.template operator()<kDpfEtRegDepth>();
            };
            check(all, true);
            check(some, false);
          }
        }
    }
}
