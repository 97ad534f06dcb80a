// SIGMA DCF properties (docs/design/sigma-dcf.md): the two parties' bits XOR to [x < alpha] for
// fresh random and edge inputs at every width class (truth table n <= 7, the one-level tree n = 8,
// deep trees); one key at P points equals P single-point evaluations; keys and outputs do not
// depend on the AES path or the thread count; the batch code equals a one-key reference written
// from the page; key records have the size the formula gives and read back; and the CUDA
// backend's per-key code (fss/cuda/sigma_dcf_core.h) compiled for the host gives the same bits.
#include "fss/sigma_dcf.h"

#include <catch2/catch.hpp>
#include <random>
#include <vector>

#include "fss/cuda/sigma_dcf_core.h"
#include "fss_test_util.h"

using namespace secinfer::fss;
using secinfer::fss::test::fresh_seed;
using secinfer::fss::test::random_block;

namespace {

constexpr int kWidths[] = {1, 2, 3, 4, 5, 6, 7, 8, 13, 24, 37, 40, 50, 64};

// alpha and x for `count` cases: first every pair of the edges {0, 1, 2^n - 1, 2^(n-1)} for
// alpha and {0, 1, 2^n - 1, alpha, alpha - 1, alpha + 1} (mod 2^n: wrap-around) for x, then random
// alpha with x in {alpha, alpha +- 1, alpha +- 2^7 (a leaf away), random}.
struct Cases {
  std::vector<u64> alpha, x;
};

Cases make_cases(std::mt19937_64& g, int n, std::size_t count) {
  const u64 nm = ring_mask(n);
  Cases c;
  for (const u64 a : {u64{0}, u64{1} & nm, nm, (nm >> 1) + 1})
    for (const u64 x : {u64{0}, u64{1} & nm, nm, a, (a - 1) & nm, (a + 1) & nm}) {
      c.alpha.push_back(a);
      c.x.push_back(x);
    }
  while (c.alpha.size() < count) {
    const u64 a = g() & nm;
    u64 x = g() & nm;
    switch (g() % 6) {
      case 0:
        x = a;
        break;
      case 1:
        x = (a - 1) & nm;
        break;
      case 2:
        x = (a + 1) & nm;
        break;
      case 3:
        x = (a + 128) & nm;
        break;
      case 4:
        x = (a - 128) & nm;
        break;
      default:
        break;
    }
    c.alpha.push_back(a);
    c.x.push_back(x);
  }
  return c;
}

// Checks y0 XOR y1 == [x < alpha] (P points per key); returns the number of failures.
std::size_t count_bad(const std::vector<u64>& alpha, std::size_t P, const std::vector<u64>& x,
                      const std::vector<std::uint8_t>& y0, const std::vector<std::uint8_t>& y1) {
  std::size_t bad = 0;
  for (std::size_t q = 0; q < x.size(); ++q) {
    const u64 a = alpha[q / P];
    const int want = x[q] < a ? 1 : 0;
    if ((y0[q] ^ y1[q]) != want || y0[q] > 1 || y1[q] > 1) {
      if (bad++ < 3)
        FAIL_CHECK("point " << q << " alpha " << a << " x " << x[q] << " want " << want << " got "
                            << int(y0[q]) << " ^ " << int(y1[q]));
    }
  }
  return bad;
}

// How many of the P-point outputs m0 / m1 (key k's points side by side in x) differ from the
// same keys evaluated at each point alone.
std::size_t differ_from_single_points(const SigmaDcfKeys& k0, const SigmaDcfKeys& k1, std::size_t P,
                                      const std::vector<u64>& x,
                                      const std::vector<std::uint8_t>& m0,
                                      const std::vector<std::uint8_t>& m1) {
  const std::size_t count = k0.count;
  std::size_t diff = 0;
  for (std::size_t j = 0; j < P; ++j) {
    std::vector<u64> xj(count);
    for (std::size_t k = 0; k < count; ++k) xj[k] = x[k * P + j];
    std::vector<std::uint8_t> s0(count), s1(count);
    sigma_dcf_eval(k0, 1, xj, s0);
    sigma_dcf_eval(k1, 1, xj, s1);
    for (std::size_t k = 0; k < count; ++k)
      diff += (s0[k] != m0[k * P + j]) + (s1[k] != m1[k * P + j]);
  }
  return diff;
}

bool same_keys(const SigmaDcfKeys& a, const SigmaDcfKeys& b) {
  return a.in_bits == b.in_bits && a.party == b.party && a.count == b.count && a.root == b.root &&
         a.cw_seed == b.cw_seed && a.cw_tr == b.cw_tr && a.leaf0 == b.leaf0 && a.leaf1 == b.leaf1 &&
         a.table == b.table;
}

// ---- One-key reference, docs/design/sigma-dcf.md read literally (tree widths only). ----
struct RefKey {
  Block root[2];
  std::vector<Block> cw;  // levels 0..d-2, bit 0 = tL
  std::vector<int> tr;
  Block leaf[2];
};

Block child(Block node, int c) {
  return fixed_key_prg().g(c, Block{node.lo & ~u64{1}, node.hi});
}

RefKey ref_gen(int n, u64 alpha, Block a, Block b) {
  RefKey k;
  k.root[1] = b;
  k.root[0] = Block{(a.lo & ~u64{1}) | ((b.lo & 1) ^ 1), a.hi};
  Block s[2] = {k.root[0], k.root[1]};
  const int d = n - 7;
  for (int i = 0; i < d; ++i) {
    const int ai = static_cast<int>((alpha >> (n - 1 - i)) & 1);
    Block ch[2][2];
    for (int p = 0; p < 2; ++p)
      for (int c = 0; c < 2; ++c) ch[p][c] = child(s[p], c);
    const Block xl = ch[0][0] ^ ch[1][0], xr = ch[0][1] ^ ch[1][1];
    if (i == d - 1) {
      const u64 pos = alpha & 127;
      const Block e = pos < 64 ? Block{u64{1} << pos, 0} : Block{0, u64{1} << (pos - 64)};
      k.leaf[0] = ai == 0 ? (xl ^ e) : xl;
      k.leaf[1] = ai == 1 ? (xr ^ e) : xr;
      break;
    }
    const int tl = static_cast<int>(xl.lo & 1) ^ ai ^ 1;
    const int tr = static_cast<int>(xr.lo & 1) ^ ai;
    const Block lose = ai ? xl : xr;
    const Block seed{lose.lo & ~u64{1}, lose.hi};
    k.cw.push_back(Block{seed.lo | static_cast<u64>(tl), seed.hi});
    k.tr.push_back(tr);
    const Block keep_cw{seed.lo | static_cast<u64>(ai ? tr : tl), seed.hi};
    for (int p = 0; p < 2; ++p) {
      const Block next = ch[p][ai];
      s[p] = (s[p].lo & 1) ? (next ^ keep_cw) : next;
    }
  }
  return k;
}

int ref_eval(int n, const RefKey& k, int party, u64 x) {
  const int d = n - 7;
  Block s = k.root[party];
  int parity = 0, prev = 0;
  for (int i = 0; i < d; ++i) {
    const int c = static_cast<int>((x >> (n - 1 - i)) & 1);
    const int t = static_cast<int>(s.lo & 1);
    if (c != prev) parity ^= t;
    Block next = child(s, c);
    if (t) {
      if (i == d - 1)
        next ^= k.leaf[c];
      else
        next ^= c ? Block{(k.cw[i].lo & ~u64{1}) | static_cast<u64>(k.tr[i]), k.cw[i].hi} : k.cw[i];
    }
    s = next;
    prev = c;
  }
  const int pos = static_cast<int>(x & 127);
  for (int j = 0; j < 128; ++j) {
    const bool read = prev ? j > pos : j <= pos;
    const u64 bit = j < 64 ? (s.lo >> j) & 1 : (s.hi >> (j - 64)) & 1;
    if (read) parity ^= static_cast<int>(bit);
  }
  return parity ^ party;
}

cuda::FixedPrg<cuda::HostTab> host_prg() {
  return cuda::FixedPrg<cuda::HostTab>{cuda::HostTab{}, &cuda::kFixedSchedules.key[0].rk[0]};
}

}  // namespace

TEST_CASE("SIGMA DCF reconstructs [x < alpha] at every width, 10^4 fresh cases each",
          "[sigma_dcf]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (const int n : kWidths) {
    INFO("n = " << n);
    const Cases c = make_cases(g, n, 10000);
    SeededPrg rng(random_block(g));
    const auto [k0, k1] = sigma_dcf_gen(n, c.alpha, rng);
    sigma_dcf_check_keys(k0);
    sigma_dcf_check_keys(k1);
    std::vector<std::uint8_t> y0(c.x.size()), y1(c.x.size());
    sigma_dcf_eval(k0, 1, c.x, y0);
    sigma_dcf_eval(k1, 1, c.x, y1);
    CHECK(count_bad(c.alpha, 1, c.x, y0, y1) == 0);
    // The correction words are common; for trees the roots' control bits are complementary.
    CHECK(k0.cw_seed == k1.cw_seed);
    CHECK(k0.cw_tr == k1.cw_tr);
    CHECK(k0.leaf0 == k1.leaf0);
    CHECK(k0.leaf1 == k1.leaf1);
    for (std::size_t k = 0; k < k0.root.size(); ++k)
      REQUIRE(((k0.root[k].lo ^ k1.root[k].lo) & 1) == 1);
  }
}

TEST_CASE("SIGMA DCF: the full domain for small widths", "[sigma_dcf]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (const int n : {1, 3, 7, 8, 9, 10}) {
    INFO("n = " << n);
    const u64 dom = u64{1} << n;
    std::vector<u64> alpha;
    for (u64 a = 0; a < dom; ++a) alpha.push_back(a);
    std::vector<u64> x(alpha.size() * dom);  // every key at every point
    for (std::size_t k = 0; k < alpha.size(); ++k)
      for (u64 j = 0; j < dom; ++j) x[k * dom + j] = j;
    SeededPrg rng(random_block(g));
    const auto [k0, k1] = sigma_dcf_gen(n, alpha, rng);
    std::vector<std::uint8_t> y0(x.size()), y1(x.size());
    sigma_dcf_eval(k0, dom, x, y0);
    sigma_dcf_eval(k1, dom, x, y1);
    CHECK(count_bad(alpha, dom, x, y0, y1) == 0);
  }
}

TEST_CASE("SIGMA DCF: one key at P points equals P single-point evaluations", "[sigma_dcf]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (const int n : kWidths) {
    INFO("n = " << n);
    const std::size_t count = 700, P = 3;
    const Cases c = make_cases(g, n, count * P);
    std::vector<u64> alpha(c.alpha.begin(), c.alpha.begin() + count);
    // Points: key k at P of the case x's, one of them alpha's neighbour.
    std::vector<u64> x(c.x.begin(), c.x.begin() + static_cast<long>(count * P));
    for (std::size_t k = 0; k < count; ++k) x[k * P + 1] = (alpha[k] + 1) & ring_mask(n);
    SeededPrg rng(random_block(g));
    const auto [k0, k1] = sigma_dcf_gen(n, alpha, rng);
    std::vector<std::uint8_t> m0(count * P), m1(count * P);
    sigma_dcf_eval(k0, P, x, m0);
    sigma_dcf_eval(k1, P, x, m1);
    CHECK(count_bad(alpha, P, x, m0, m1) == 0);
    CHECK(differ_from_single_points(k0, k1, P, x, m0, m1) == 0);
  }
}

TEST_CASE("SIGMA DCF: points close together give each point's bit", "[sigma_dcf]") {
  // The fused gate's points (x and x -+ c, docs/design/fused-trunc-act.md): points a small offset
  // apart, equal points and points on either side of the wrap-around, across chunks and thread
  // ranges that cut a key's points apart.
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (const int n : {8, 9, 13, 37, 50, 64}) {
    for (const std::size_t P : {std::size_t{2}, std::size_t{3}, std::size_t{4}}) {
      for (const int threads : {1, 3}) {
        INFO("n = " << n << ", P = " << P << ", threads = " << threads);
        const std::size_t count = 1001;
        const u64 mask = ring_mask(n);
        std::vector<u64> alpha(count), x(count * P);
        for (std::size_t k = 0; k < count; ++k) {
          alpha[k] = g() & mask;
          const u64 base = k % 5 == 0 ? mask - (g() % 4) : g() & mask;  // near 2^n - 1 at times
          const u64 step = u64{1} << (g() % static_cast<unsigned>(n));
          for (std::size_t j = 0; j < P; ++j) {
            const u64 off = j == 0 ? 0 : j == 1 ? step : j == 2 ? 0 - step : 0;  // j = 3: = j 0
            x[k * P + j] = (base + off) & mask;
          }
          if (k % 7 == 0) x[k * P + P - 1] = alpha[k];
        }
        SeededPrg rng(random_block(g));
        const auto [k0, k1] = sigma_dcf_gen(n, alpha, rng);
        const BatchOptions opt{AesImpl::kAuto, threads};
        std::vector<std::uint8_t> m0(count * P), m1(count * P);
        sigma_dcf_eval(k0, P, x, m0, opt);
        sigma_dcf_eval(k1, P, x, m1, opt);
        CHECK(count_bad(alpha, P, x, m0, m1) == 0);
        CHECK(differ_from_single_points(k0, k1, P, x, m0, m1) == 0);
      }
    }
  }
}

TEST_CASE("SIGMA DCF: AES paths and thread counts give identical keys and outputs", "[sigma_dcf]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (const int n : {5, 8, 37, 64}) {
    INFO("n = " << n);
    const Cases c = make_cases(g, n, 1500);
    const Block s = random_block(g);
    SeededPrg r1(s), r2(s, AesImpl::kPortable);
    const auto a = sigma_dcf_gen(n, c.alpha, r1, BatchOptions{AesImpl::kAuto, 1});
    const auto b = sigma_dcf_gen(n, c.alpha, r2, BatchOptions{AesImpl::kPortable, 4});
    CHECK(same_keys(a.first, b.first));
    CHECK(same_keys(a.second, b.second));
    std::vector<std::uint8_t> ya(c.x.size()), yb(c.x.size());
    sigma_dcf_eval(a.second, 1, c.x, ya, BatchOptions{AesImpl::kAuto, 1});
    sigma_dcf_eval(a.second, 1, c.x, yb, BatchOptions{AesImpl::kPortable, 3});
    CHECK(ya == yb);
  }
}

TEST_CASE("SIGMA DCF: truth tables over several threads' ranges give the one-thread outputs",
          "[sigma_dcf]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (const int n : {3, 7}) {
    INFO("n = " << n);
    const std::size_t count = 70000, P = 3;  // 210,000 points: four ranges of 2^16
    std::vector<u64> alpha(count), x(count * P);
    for (auto& a : alpha) a = g() & ring_mask(n);
    for (auto& v : x) v = g() & ring_mask(n);
    SeededPrg rng(random_block(g));
    const auto keys = sigma_dcf_gen(n, alpha, rng);
    std::vector<std::uint8_t> y1(x.size()), y4(x.size()), z(x.size());
    sigma_dcf_eval(keys.first, P, x, y1, BatchOptions{AesImpl::kAuto, 1});
    sigma_dcf_eval(keys.first, P, x, y4, BatchOptions{AesImpl::kAuto, 4});
    sigma_dcf_eval(keys.second, P, x, z, BatchOptions{AesImpl::kAuto, 4});
    CHECK(y1 == y4);
    std::size_t wrong = 0;
    for (std::size_t q = 0; q < x.size(); ++q)
      wrong += (y4[q] ^ z[q]) != static_cast<std::uint8_t>(x[q] < alpha[q / P]);
    CHECK(wrong == 0);
  }
}

TEST_CASE("SIGMA DCF: the batch code equals the one-key reference of the page", "[sigma_dcf]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (const int n : {8, 9, 13, 40, 64}) {
    INFO("n = " << n);
    const Cases c = make_cases(g, n, 300);
    const Block s = random_block(g);
    SeededPrg rng(s);
    const auto [k0, k1] = sigma_dcf_gen(n, c.alpha, rng);
    SeededPrg draw(s);
    std::vector<Block> blocks(2 * c.alpha.size());
    draw.next_blocks(blocks);
    std::vector<std::uint8_t> y0(c.x.size()), y1(c.x.size());
    sigma_dcf_eval(k0, 1, c.x, y0);
    sigma_dcf_eval(k1, 1, c.x, y1);
    const std::size_t count = c.alpha.size();
    for (std::size_t k = 0; k < count; ++k) {
      const RefKey r = ref_gen(n, c.alpha[k], blocks[2 * k], blocks[2 * k + 1]);
      REQUIRE(k0.root[k] == r.root[0]);
      REQUIRE(k1.root[k] == r.root[1]);
      for (int i = 0; i + 1 < n - 7; ++i) {
        REQUIRE(k0.cw_seed[static_cast<std::size_t>(i) * count + k] == r.cw[i]);
        REQUIRE(static_cast<int>((k0.cw_tr[k] >> i) & 1) == r.tr[i]);
      }
      REQUIRE(k0.cw_tr[k] >> (n - 8) == 0);
      REQUIRE(k0.leaf0[k] == r.leaf[0]);
      REQUIRE(k0.leaf1[k] == r.leaf[1]);
      REQUIRE(y0[k] == ref_eval(n, r, 0, c.x[k]));
      REQUIRE(y1[k] == ref_eval(n, r, 1, c.x[k]));
    }
  }
}

TEST_CASE("SIGMA DCF: key size formula, records and AES counts", "[sigma_dcf]") {
  // 129 n - 648 bits for n >= 8 (root, n - 8 levels of cw_seed + tR, two leaves), 2^n for n <= 7.
  CHECK(sigma_dcf_key_bits(1) == 2);
  CHECK(sigma_dcf_key_bits(6) == 64);
  CHECK(sigma_dcf_key_bits(7) == 128);
  CHECK(sigma_dcf_key_bits(8) == 384);  // 48 B: root + two leaves
  CHECK((sigma_dcf_key_bits(12) + 7) / 8 == 113);
  CHECK((sigma_dcf_key_bits(32) + 7) / 8 == 435);
  CHECK((sigma_dcf_key_bits(38) + 7) / 8 == 532);
  CHECK((sigma_dcf_key_bits(49) + 7) / 8 == 710);
  CHECK((sigma_dcf_key_bits(64) + 7) / 8 == 951);
  CHECK(sigma_dcf_eval_aes(7) == 0);
  CHECK(sigma_dcf_eval_aes(8) == 1);
  CHECK(sigma_dcf_eval_aes(50) == 43);
  CHECK(sigma_dcf_gen_aes(50) == 4 * 43 + 2);
  CHECK(sigma_dcf_gen_aes(3) == 1);
  CHECK_THROWS_AS(sigma_dcf_key_bits(0), std::invalid_argument);
  CHECK_THROWS_AS(sigma_dcf_key_bits(65), std::invalid_argument);

  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (const int n : kWidths) {
    INFO("n = " << n);
    const std::size_t bits = sigma_dcf_key_bits(n);
    // The formula counts exactly the fields of the in-memory key.
    const std::size_t fields =
        n <= 7 ? (std::size_t{1} << n) : 128 + static_cast<std::size_t>(n - 8) * (128 + 1) + 256;
    CHECK(bits == fields);
    CHECK(sigma_dcf_eval_aes(n) == static_cast<std::size_t>(cuda::sigma_dcf_eval_aes_core(n)));
    CHECK(sigma_dcf_gen_aes(n) == static_cast<std::size_t>(cuda::sigma_dcf_gen_aes_core(n)));
    const Cases c = make_cases(g, n, 200);
    SeededPrg rng(random_block(g));
    const auto [k0, k1] = sigma_dcf_gen(n, c.alpha, rng);
    const std::size_t rb = (bits + 7) / 8;
    for (const SigmaDcfKeys* k : {&k0, &k1}) {
      std::vector<std::uint8_t> bytes(k->count * rb);
      sigma_dcf_pack_keys(*k, bytes);
      CHECK(same_keys(sigma_dcf_unpack_keys(n, k->party, k->count, bytes), *k));
      if (bits % 8 != 0) {
        bytes[rb - 1] |= static_cast<std::uint8_t>(0x80);  // a padding bit
        CHECK_THROWS_AS(sigma_dcf_unpack_keys(n, k->party, k->count, bytes), std::runtime_error);
      }
      bytes.pop_back();
      CHECK_THROWS_AS(sigma_dcf_unpack_keys(n, k->party, k->count, bytes), std::invalid_argument);
    }
  }
}

TEST_CASE("SIGMA DCF: bad inputs are rejected", "[sigma_dcf]") {
  SeededPrg rng(Block{1, 2});
  const std::vector<u64> alpha = {3, 300};
  CHECK_THROWS_AS(sigma_dcf_gen(8, alpha, rng), std::invalid_argument);  // 300 >= 2^8
  CHECK_THROWS_AS(sigma_dcf_gen(0, alpha, rng), std::invalid_argument);
  const std::vector<u64> ok = {3, 200};
  const auto [k0, k1] = sigma_dcf_gen(9, ok, rng);
  std::vector<std::uint8_t> out(2);
  const std::vector<u64> big = {1, 512};
  CHECK_THROWS_AS(sigma_dcf_eval(k0, 1, big, out), std::invalid_argument);
  CHECK_THROWS_AS(sigma_dcf_eval(k0, 0, ok, out), std::invalid_argument);
  std::vector<std::uint8_t> short_out(1);
  CHECK_THROWS_AS(sigma_dcf_eval(k0, 1, ok, short_out), std::invalid_argument);
  SigmaDcfKeys bad = k1;
  bad.cw_seed.pop_back();
  CHECK_THROWS_AS(sigma_dcf_eval(bad, 1, ok, out), std::invalid_argument);
  bad = k1;
  bad.party = 2;
  CHECK_THROWS_AS(sigma_dcf_eval(bad, 1, ok, out), std::invalid_argument);
}

TEST_CASE("CUDA SIGMA DCF core equals the CPU SIGMA DCF", "[sigma_dcf][cuda-core]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  const auto prg = host_prg();
  for (const int n : kWidths) {
    INFO("n = " << n);
    const Cases c = make_cases(g, n, 400);
    const std::size_t count = c.alpha.size();
    const Block s = random_block(g);
    SeededPrg rng(s);
    const auto [k0, k1] = sigma_dcf_gen(n, c.alpha, rng);
    // The GPU's Gen draws key k's blocks at counters 2k, 2k + 1 (tree) or k (table) of
    // SeededPrg(seed), as the CPU's next_blocks does from a fresh generator.
    const auto sched = cuda::aes_expand_key(cuda::HostTab{}, s);
    const auto block = [&](u64 ctr) {
      return cuda::aes_encrypt(cuda::HostTab{}, sched.rk, Block{ctr, 0});
    };
    std::vector<std::uint8_t> y0(count), y1(count);
    sigma_dcf_eval(k0, 1, c.x, y0);
    sigma_dcf_eval(k1, 1, c.x, y1);
    if (n <= 7) {
      const std::size_t words = sigma_dcf_table_words(n);
      UninitVector<u64> t0(count * words), t1(count * words);  // the keys' array type
      for (std::size_t k = 0; k < count; ++k)
        cuda::sigma_dcf_table_gen(n, block(k), c.alpha[k], t0.data() + k * words,
                                  t1.data() + k * words);
      CHECK(t0 == k0.table);
      CHECK(t1 == k1.table);
      for (std::size_t k = 0; k < count; ++k) {
        REQUIRE(cuda::sigma_dcf_table_eval(t0.data() + k * words, c.x[k]) == y0[k]);
        REQUIRE(cuda::sigma_dcf_table_eval(t1.data() + k * words, c.x[k]) == y1[k]);
      }
      continue;
    }
    UninitVector<Block> root0(count), root1(count), leaf0(count), leaf1(count);
    UninitVector<Block> cw_seed(static_cast<std::size_t>(n - 8) * count);
    UninitVector<u64> cw_tr(count);
    for (std::size_t k = 0; k < count; ++k) {
      cuda::sigma_dcf_roots(block(2 * k), block(2 * k + 1), root0[k], root1[k]);
      Block* cw = cw_seed.empty() ? nullptr : cw_seed.data() + k;  // n = 8: no levels
      cuda::sigma_dcf_gen_one(prg, n, root0[k], root1[k], c.alpha[k], cw, count, cw_tr[k], leaf0[k],
                              leaf1[k]);
    }
    CHECK(root0 == k0.root);
    CHECK(root1 == k1.root);
    CHECK(cw_seed == k0.cw_seed);
    CHECK(cw_tr == k0.cw_tr);
    CHECK(leaf0 == k0.leaf0);
    CHECK(leaf1 == k0.leaf1);
    for (const SigmaDcfKeys* keys : {&k0, &k1}) {
      const std::vector<std::uint8_t>& y = keys->party == 0 ? y0 : y1;
      for (std::size_t k = 0; k < count; ++k)
        REQUIRE(cuda::sigma_dcf_eval_one(prg, n, keys->party, keys->root[k],
                                         keys->cw_seed.empty() ? nullptr : keys->cw_seed.data() + k,
                                         count, keys->cw_tr[k], &keys->leaf0[k], &keys->leaf1[k],
                                         c.x[k]) == y[k]);
    }
  }
}

TEST_CASE("CUDA SIGMA DCF core: one walk at several points equals the CPU's walk a point",
          "[sigma_dcf][cuda-core]") {
  // sigma_dcf_eval_shared shares the levels where points' paths agree: points a small offset
  // apart (the fused gate's x, x - c, x + c), equal points, points next to alpha, and points
  // whose paths part at the root, at every width with a tree.
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  const auto prg = host_prg();
  for (const int n : {8, 9, 12, 31, 37, 38, 49, 64}) {
    INFO("n = " << n);
    const u64 nm = n == 64 ? ~u64{0} : (u64{1} << n) - 1;
    const std::size_t count = 300;
    std::vector<u64> alpha(count);
    for (u64& a : alpha) a = g() & nm;
    alpha[0] = 0;
    alpha[1] = nm;
    SeededPrg rng(random_block(g));
    const auto [k0, k1] = sigma_dcf_gen(n, alpha, rng);
    for (const int P : {2, 3, 4}) {
      std::vector<u64> x(count * P);
      for (std::size_t k = 0; k < count; ++k) {
        const u64 base = k % 3 == 0 ? alpha[k] : g() & nm;
        const u64 c = (u64{1} << (g() % static_cast<unsigned>(n))) & nm;
        for (int j = 0; j < P; ++j) {
          u64& v = x[k * P + j];
          switch ((k + static_cast<std::size_t>(j)) % 6) {
            case 0:
              v = base;
              break;
            case 1:
              v = (base - c) & nm;
              break;
            case 2:
              v = (base + c) & nm;
              break;
            case 3:
              v = (alpha[k] - 1) & nm;
              break;
            case 4:
              v = base ^ (u64{1} << (n - 1));
              break;  // parts at the root
            default:
              v = g() & nm;
          }
        }
      }
      for (const SigmaDcfKeys* keys : {&k0, &k1}) {
        std::vector<std::uint8_t> want(count * P);
        sigma_dcf_eval(*keys, P, x, want);
        for (std::size_t k = 0; k < count; ++k) {
          int got[cuda::kSigmaDcfMaxSharedPoints];
          cuda::sigma_dcf_eval_shared(prg, n, keys->party, keys->root[k],
                                      keys->cw_seed.empty() ? nullptr : keys->cw_seed.data() + k,
                                      count, keys->cw_tr[k], &keys->leaf0[k], &keys->leaf1[k],
                                      x.data() + k * P, P, got);
          for (int j = 0; j < P; ++j) REQUIRE(got[j] == want[k * P + j]);
        }
      }
    }
  }
}
