// The fused truncation + activation gates (fss/gates/fusefss/trunc_act.h): the cleartext face is
// sigma's TrFloor then GELU / SiLU bit for bit on the whole ring; the secure output equals it for
// fresh random inputs, masks and the edges (the ring ends, the clip bounds, and x within the clip
// range of +-2^(m-1), where a range test without the sign in the table index fails:
// docs/design/fused-trunc-act.md "Why d is in the index"); the online cost is the six openings, or
// five with the table's carry a flag.
#include "fss/gates/fusefss/trunc_act.h"

#include <cstdio>
#include <filesystem>
#include <optional>
#include <random>
#include <tuple>
#include <vector>

#include "fss/dpf_et.h"
#include "fss/fss_test_util.h"
#include "fss/gates/sigma/gelu.h"
#include "fss/gates/sigma/nonlinear.h"
#include "fss/gates/sigma/sigma_nonlinear_util.h"
#include "fss/gates/sigma/truncate.h"
#include "fss/lut_support.h"
#include "fss/prg.h"

namespace secinfer::fss::fusefss {
namespace {

using engine::UnaryGate;
using sigma::test::expected_cost;
using sigma::test::fresh_seed;
using sigma::test::lut_sign_value;
using sigma::test::Opening;

struct Fused {
  const char* name;
  UnaryGate gate;
  void (*act_clear)(const ClearCtx&, const GateArgs&, std::span<const u64>, std::span<u64>);
  int clip;
  FusedLookup (*lookup)(int n, int f, bool carry_flag, bool sigma_leaf);
};

std::vector<Fused> gates() {
  return {{"trunc_gelu",
           {"trunc_gelu", "g", "g", &trunc_gelu_clear, &trunc_gelu_keygen, &trunc_gelu_eval},
           &sigma::gelu_clear,
           8,
           &trunc_gelu_lookup},
          {"trunc_silu",
           {"trunc_silu", "s", "s", &trunc_silu_clear, &trunc_silu_keygen, &trunc_silu_eval},
           &sigma::silu_clear,
           10,
           &trunc_silu_lookup}};
}

// X at scale 2f over the whole ring: uniform ring values, values whose x = floor(X / 2^f) lies near
// the clip bounds +-C 2^(f-6), near +-2^(m-1) (and within C 2^(f-6) of it), and the ring ends;
// each with random low bits.
std::vector<u64> inputs(const Ring& r, int f, int clip, std::mt19937_64& g, std::size_t n) {
  const int m = r.bits - f;
  const std::int64_t c = ((std::int64_t{1} << clip) - 1) << (f - 6);
  const std::int64_t half = std::int64_t{1} << (m - 1);
  const auto X = [&](std::int64_t x) {
    return r.from_signed(x * (std::int64_t{1} << f) + static_cast<std::int64_t>(g() % (1u << f)));
  };
  std::vector<u64> out;
  for (std::size_t i = 0; i < n / 2; ++i) out.push_back(r.reduce(g()));
  for (std::size_t i = 0; i < n / 4; ++i)
    out.push_back(X(static_cast<std::int64_t>(g() % (4 * c)) - 2 * c));
  for (std::size_t i = 0; i < n / 4; ++i) {
    const std::int64_t d = static_cast<std::int64_t>(g() % (2 * c + 2));
    out.push_back(i % 2 ? X(half - 1 - d) : X(-half + d));
  }
  for (std::int64_t x :
       {std::int64_t{0}, std::int64_t{-1}, std::int64_t{1}, c - 1, c, c + 1, -c, -c - 1, -c + 1,
        half - 1, -half, half - c, half - c - 1, -half + c, -half + c - 1, -half + c + 64})
    out.push_back(X(x));
  out.push_back(u64{1} << (r.bits - 1));  // the most negative X
  out.push_back(r.mask() >> 1);           // the most positive X
  out.push_back(0);
  out.push_back(r.mask());
  return out;
}

TEST_CASE("fused trunc + activation: clear face = sigma's TrFloor then the activation",
          "[gates][fusefss][trunc_act]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (const Fused& fz : gates()) {
    for (int n : {37, 50, 64}) {
      const int f = 12;
      INFO(fz.name << " n = " << n);
      const Ring r = make_ring(n);
      const ClearCtx ctx{r, f};
      const auto x = inputs(r, f, fz.clip, g, 20000);
      std::vector<u64> t(x.size()), want(x.size()), got(x.size());
      sigma::trunc_floor_clear(ctx, sigma::TruncParams{f, 0, 0}, x, t);
      fz.act_clear(ctx, GateArgs{}, t, want);
      fz.gate.clear(ctx, GateArgs{}, x, got);
      std::size_t bad = 0;
      for (std::size_t i = 0; i < x.size(); ++i) bad += got[i] != want[i];
      CHECK(bad == 0);
    }
  }
}

// Secure output = clear output for every gate at n = 37 and 50, with `args` (where the table's
// carry goes) and the openings `opens(N, n, m, clip, w)` lists (w: the lookup's value width,
// narrow_lookup.h); prints the cost.
template <class Opens>
void check_secure(const GateArgs& args, const char* mode, Opens opens) {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (const Fused& fz : gates()) {
    for (int n : {37, 50}) {
      const int f = 12, m = n - f;
      INFO(fz.name << " n = " << n);
      const Ring r = make_ring(n);
      const auto x = inputs(r, f, fz.clip, g, 1200);
      const auto want = sigma::test::run_clear(fz.gate, n, f, GateArgs{}, x);
      const auto run =
          sigma::test::run_unary(fz.gate, sigma::test::options(n, f, g()), args, x, 64);
      CHECK(sigma::test::mismatches(x, run.y[0], want, fz.name) == 0);
      CHECK(run.y[0] == run.y[1]);
      const std::size_t N = x.size();
      const int vbits = fz.lookup(n, f, args.fused_carry_flag, args.fused_sigma_leaf).value_bits;
      const auto e = expected_cost(opens(N, n, m, fz.clip, vbits));
      sigma::test::check_cost(run.comm[0], e);
      sigma::test::check_cost(run.comm[1], e);
      std::printf(
          "[fusefss %s%s] n=%d N=%zu: online %llu B/party, %llu rounds; key %.1f B/element\n",
          fz.name, mode, n, N, static_cast<unsigned long long>(run.comm[0].bytes_sent),
          static_cast<unsigned long long>(run.comm[0].rounds),
          double(run.comm[0].key_bytes) / double(N));
    }
  }
}

TEST_CASE("fused trunc + activation: secure = clear, six openings", "[gates][fusefss][trunc_act]") {
  // The carry opened additively: z = c6 + rho in clip + 1 bits after the three flag bits.
  check_secure(GateArgs{}, "", [](std::size_t N, int n, int m, int clip, int w) {
    return std::vector<Opening>{{N, 1}, {N, m}, {3 * N, 1}, {N, clip + 1}, lut_sign_value(N, w),
                                {N, n}};
  });
}

TEST_CASE("fused trunc + activation with the carry a flag: secure = clear, five openings",
          "[gates][fusefss][trunc_act]") {
  // GateArgs::fused_carry_flag (--fusefss-act fused-flag): c6^ is a third flag of the index.
  GateArgs flag;
  flag.fused_carry_flag = true;
  check_secure(flag, ", carry flag", [](std::size_t N, int n, int m, int, int w) {
    return std::vector<Opening>{{N, 1}, {N, m}, {3 * N, 1}, lut_sign_value(N, w), {N, n}};
  });
}

TEST_CASE("fused trunc + activation: file key mode gives the same outputs as inline",
          "[gates][fusefss][trunc_act]") {
  // The key file carries the SIGMA DCF batches serialised (sigma_dcf_pack_keys records).
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  const int n = 50, f = 12;
  const Ring r = make_ring(n);
  const Fused fz = gates().front();
  const auto x = inputs(r, f, fz.clip, g, 400);
  CHECK(sigma::test::file_mode_differences(fz.gate, n, f, x, g(), "trunc_gelu") == 0);
}

TEST_CASE("fused trunc + activation: key and message sizes never depend on the masks",
          "[gates][fusefss][trunc_act]") {
  // 1000 dealer seeds (fresh masks, fresh keys) on the same inputs, half of them with extreme
  // input masks: every run writes the same key bytes and sends the same messages.
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  const int n = 50, f = 12;
  const Ring r = make_ring(n);
  const Fused fz = gates().front();
  const std::vector<u64> x = {0, r.mask(), u64{1} << (n - 1), r.from_signed(4096 * 100)};
  CHECK(sigma::test::size_changes_over_masks(fz.gate, n, f, x, g) == 0);
  UnaryGate flag = fz.gate;  // the carry as a flag (--fusefss-act fused-flag)
  flag.keygen = [](Dealer& d, const GateArgs& a, std::span<const u64> in, std::span<u64> out) {
    GateArgs b = a;
    b.fused_carry_flag = true;
    trunc_gelu_keygen(d, b, in, out);
  };
  flag.eval = [](Party& p, const GateArgs& a, std::span<const u64> in, std::span<u64> out) {
    GateArgs b = a;
    b.fused_carry_flag = true;
    trunc_gelu_eval(p, b, in, out);
  };
  CHECK(sigma::test::size_changes_over_masks(flag, n, f, x, g) == 0);
}

// How much of the lookup's tree the skipping keeps (fused-trunc-act.md "Leaves that read zero"):
// over 1,000 public indices from a fixed seed, the leaf blocks and tree nodes (each a PRG call)
// whose leaves may read a nonzero entry of T' - T[C]. Printed, as docs/perf.md quotes them.
TEST_CASE("fused trunc + activation: the lookup keeps a fraction of its tree",
          "[gates][fusefss][trunc_act]") {
  for (const auto& [name, lookup, act] :
       {std::tuple{"trunc_gelu", trunc_gelu_lookup(50, 12), sigma::gelu_table(12)},
        std::tuple{"trunc_silu", trunc_silu_lookup(50, 12), sigma::silu_table(12)},
        std::tuple{"trunc_gelu, carry flag", trunc_gelu_lookup(50, 12, true),
                   sigma::gelu_table(12)},
        std::tuple{"trunc_silu, carry flag", trunc_silu_lookup(50, 12, true),
                   sigma::silu_table(12)}}) {
    INFO(name);
    // The activation table's flat tail: entries past the last one that differs from T[C].
    std::size_t last = 0;
    for (std::size_t t = 0; t < act.size(); ++t)
      if (act[t] != act.back()) last = t;
    std::printf("[fusefss %s lookup] T: entry %zu of %zu is the last that differs from T[C]\n",
                name, last, act.size());
    const LutSupport sup = make_lut_support(lookup.table, lookup.k, 50, lookup.xor_mask);
    const int levels = lookup.k - 7;
    std::mt19937_64 g(1);
    double blocks = 0, nodes = 0;
    const int trials = 1000;
    for (int i = 0; i < trials; ++i) {
      const u64 xhat = g() & ring_mask(lookup.k);
      for (int level = 1; level <= levels; ++level)
        for (u64 q = 0; q < (u64{1} << level); ++q) {
          const u64 span = u64{128} << (levels - level);
          const bool kept = sup.any(xhat, q * span, span);
          nodes += kept;
          if (level == levels) blocks += kept;
        }
    }
    blocks /= trials;
    nodes /= trials;
    const int all_nodes = (2 << levels) - 2;
    std::printf("[fusefss %s lookup] k=%d: %.1f of %d leaf blocks, %.1f of %d tree nodes kept\n",
                name, lookup.k, blocks, 1 << levels, nodes, all_nodes);
    CHECK(nodes < 0.5 * all_nodes);
  }
}

// "Wider leaves": the lookup's walks counted, PRG call by PRG call (each one AES), on real keys
// of both leaf widths over 1,000 public indices from a fixed seed. The 512-bit leaves' walk is
// two levels shorter and computes only the 128-bit blocks it reads. Printed, as docs/perf.md
// quotes them; scripts/lookup_leaf_width.py models the same counts.
TEST_CASE("fused trunc + activation: 512-bit leaves take fewer AES a lookup",
          "[gates][fusefss][trunc_act]") {
  for (const auto& [name, wide, narrow] :
       {std::tuple{"trunc_gelu", trunc_gelu_lookup(50, 12), trunc_gelu_lookup(50, 12, false, true)},
        std::tuple{"trunc_silu", trunc_silu_lookup(50, 12),
                   trunc_silu_lookup(50, 12, false, true)}}) {
    INFO(name);
    REQUIRE(wide.leaf_log2 == 2);
    REQUIRE(narrow.leaf_log2 == 0);
    REQUIRE(wide.table == narrow.table);
    const int k = wide.k;
    const LutSupport sup = make_lut_support(wide.table, k, 50, wide.xor_mask);
    const std::size_t n = 1000;
    std::mt19937_64 g(1);
    std::vector<u64> alpha(n), xhat(n);
    for (std::size_t i = 0; i < n; ++i) {
      alpha[i] = g() & ring_mask(k);
      xhat[i] = g() & ring_mask(k);
    }
    double aes[2] = {0, 0};
    std::vector<u64> sums[2];
    for (int which = 0; which < 2; ++which) {
      const FusedLookup& lk = which == 0 ? narrow : wide;
      SeededPrg rng(Block{7, 8});
      const DpfEtKeys keys = dpf_et_gen(k, alpha, rng, {}, lk.leaf_log2).first;
      std::size_t calls = 0;
      const test::CountingPrg prg{&fixed_key_prg(), &calls};
      const auto table = [&lk](std::size_t j) { return lk.table[j]; };
      for (std::size_t i = 0; i < n; ++i) {
        u64 sum = 0, count = 0;
        dpf_et_lut_one(prg, k, lk.leaf_log2, 0, keys.root[i],
                       keys.cw_seed.empty() ? nullptr : keys.cw_seed.data() + i,
                       keys.cw_t.empty() ? nullptr : keys.cw_t.data() + i, keys.leaf_cw.data() + i,
                       n, xhat[i], lk.xor_mask, table, sum, count, &sup);
        sums[which].push_back(sum & ring_mask(50));
      }
      aes[which] = static_cast<double>(calls) / static_cast<double>(n);
      std::printf("[fusefss %s lookup] k=%d, leaves of %d bits: %.1f AES a key, %zu key bytes\n",
                  name, k, 128 << lk.leaf_log2, aes[which], dpf_et_key_bytes(k, 1, lk.leaf_log2));
    }
    CHECK(aes[1] < 0.6 * aes[0]);
  }
}

TEST_CASE("fused trunc + activation: bad settings are refused", "[gates][fusefss][trunc_act]") {
  const ClearCtx ctx{make_ring(50), 12};
  std::vector<u64> x(4), y(4);
  GateArgs other_shift;
  other_shift.param = 10;
  CHECK_THROWS_WITH(trunc_gelu_clear(ctx, other_shift, x, y),
                    Catch::Contains("truncates by frac_bits = 12, not by 10"));
  const ClearCtx narrow{make_ring(28), 12};
  CHECK_THROWS_WITH(trunc_gelu_clear(narrow, GateArgs{}, x, y),
                    Catch::Contains("use a wider ring"));
  const ClearCtx low_f{make_ring(50), 6};
  CHECK_THROWS_WITH(trunc_gelu_clear(low_f, GateArgs{}, x, y),
                    Catch::Contains("at least 7 fractional bits"));
}

}  // namespace
}  // namespace secinfer::fss::fusefss
