// SIGMA's DPF lookup table (fss/gates/sigma/lut.h): secure == cleartext bit for bit for tables of
// 2^8 .. 2^16 random entries, with and without the pre-shift (TrWithSlack n -> k bits), online
// cost == the paper count, key bytes per element printed; and the public tables' contents.
#include <cmath>
#include <cstdio>

#include "fss/gates/sigma/lut.h"
#include "fss/gates/sigma/nl_tables.h"
#include "fss/gates/sigma/sigma_nonlinear_util.h"

namespace secinfer::fss::sigma::test {
namespace {

const UnaryGate& lut_gate() {
  static const UnaryGate g{"lut", "Misc", "lut", &lut_clear, &lut_keygen, &lut_eval};
  return g;
}

}  // namespace

// Paper count (lut.h): pre-shift s > 0 adds TrWithSlack (1 bit, then k bits); SIGMA's lookup opens
// the sign bit and the masked value (1 + n bits), then the output (n bits): 2 or 4 rounds.
TEST_CASE("sigma LUT: secure == cleartext, cost == paper count", "[gates][sigma][lut]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  struct Setting {
    int n, k, shift;
    std::size_t count;
  };
  std::size_t total = 0;
  for (const Setting s :
       {Setting{50, 8, 0, 4000}, Setting{37, 8, 12, 3000}, Setting{48, 12, 6, 2600},
        Setting{51, 16, 0, 300}, Setting{50, 16, 20, 200}}) {
    INFO("n = " << s.n << ", k = " << s.k << ", shift = " << s.shift);
    const Ring r = make_ring(s.n);
    std::vector<u64> table(std::size_t{1} << s.k);
    for (auto& t : table) t = r.reduce(g());
    GateArgs args;
    args.table = table;
    args.table_bits = s.k;
    args.param = s.shift;
    std::vector<u64> x(s.count);
    for (auto& v : x) v = r.reduce(g());
    // Edges: 0, +-1, the index bounds 2^k - 1 and 2^k (after the shift), extremes of the ring.
    for (std::int64_t v : {std::int64_t{0}, std::int64_t{1}, std::int64_t{-1}})
      x.push_back(r.from_signed(v));
    for (u64 v : {(u64{1} << s.k) - 1, u64{1} << s.k}) {
      x.push_back(r.reduce(v << s.shift));
      x.push_back(r.reduce((v << s.shift) - 1));
    }
    x.push_back(u64{1} << (s.n - 1));
    x.push_back(r.mask() >> 1);
    const auto want = run_clear(lut_gate(), s.n, 12, args, x);
    const auto run = run_unary(lut_gate(), options(s.n, 12, g()), args, x, 32);
    CHECK(mismatches(x, run.y[0], want, "lut") == 0);
    CHECK(run.y[0] == run.y[1]);
    const std::size_t N = x.size();
    std::vector<Opening> opens;
    if (s.shift > 0) opens = {{N, 1}, {N, s.k}};
    opens.push_back(lut_sign_value(N, s.n));
    opens.push_back({N, s.n});
    const Expected e = expected_cost(opens);
    check_cost(run.comm[0], e);
    check_cost(run.comm[1], e);
    std::printf(
        "[sigma lut] n=%d k=%d shift=%d N=%zu: online %llu B/party, %llu rounds; key %.1f "
        "B/element\n",
        s.n, s.k, s.shift, N, static_cast<unsigned long long>(run.comm[0].bytes_sent),
        static_cast<unsigned long long>(run.comm[0].rounds),
        double(run.comm[0].key_bytes) / double(N));
    total += N;
  }
  CHECK(total >= 10000);
}

TEST_CASE("sigma LUT: bad arguments are refused clearly", "[gates][sigma][lut]") {
  const ClearCtx ctx{make_ring(50), 12};
  std::vector<u64> table(100), x(1), y(1);
  GateArgs args;
  args.table = table;
  args.table_bits = 8;
  CHECK_THROWS_WITH(lut_clear(ctx, args, x, y), Catch::Contains("expected 2^8"));
  table.resize(256);
  args.table = table;
  args.param = 45;
  CHECK_THROWS_WITH(lut_clear(ctx, args, x, y), Catch::Contains("pre-shift"));
}

TEST_CASE("sigma tables: contents follow SIGMA's generators", "[gates][sigma][lut]") {
  // ReLU - GELU at 0 is 0; at 1.0 (index 64) it is 1 - GELU(1) = 0.158655..., floored at scale 12.
  const auto gt = relu_sub_gelu_table(8, 12);
  CHECK(gt[0] == 0);
  CHECK(gt[64] == static_cast<u64>((1.0 - 0.5 * (1.0 + std::erf(1.0 / std::sqrt(2.0)))) * 4096));
  // exp tables: entry 0 is exactly 2^f; the high-byte step is 2^8 / 2^12 = 1/16.
  const auto lo = nexp_table(8, 12, 12), hi = nexp_table(8, 4, 12);
  CHECK(lo[0] == 4096);
  CHECK(hi[0] == 4096);
  CHECK(hi[16] == static_cast<u64>(std::exp(-1.0) * 4096));
  // Inverse: entry i = 2^18 / i, entry 0 stands for the table size.
  const auto inv = inverse_table(13, 6, 12);
  CHECK(inv[1] == (u64{1} << 18));
  CHECK(inv[64] == 4096);
  CHECK(inv[0] == (u64{1} << 18) / 8192);
  // rsqrt: code 0 is val = 1, code (0 << 6) | 24 is val = 2^24 -> 2^24 / sqrt(2^24 / cols).
  const auto rs = rsqrt_table(256, 12);
  CHECK(rs.size() == 8192);
  CHECK(rs[0] == static_cast<u64>(std::ldexp(1.0, 24) / std::sqrt(1.0 / 256)));
  CHECK(rs[24] == static_cast<u64>(std::ldexp(1.0, 24) / std::sqrt(std::ldexp(1.0, 24) / 256)));
}

// The n-bit-output DPF lookup ("improved sigma", GateOptions::Lut::kNbit): the same outputs in one
// opening of n bits, keys of 128 + k 130 + n bits per element.
TEST_CASE("sigma LUT, n-bit variant: secure == cleartext in one round", "[gates][sigma][lut]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (const int k : {8, 13}) {
    const int n = 50;
    const Ring r = make_ring(n);
    std::vector<u64> table(std::size_t{1} << k);
    for (auto& t : table) t = r.reduce(g());
    GateArgs args;
    args.table = table;
    args.table_bits = k;
    std::vector<u64> x(1500);
    for (auto& v : x) v = r.reduce(g());
    x.push_back(0);
    x.push_back(r.mask());
    const auto want = run_clear(lut_gate(), n, 12, args, x);
    TwoPartyOptions o = options(n, 12, g());
    o.gate_options.lut = engine::GateOptions::Lut::kNbit;
    const auto run = run_unary(lut_gate(), o, args, x, 32);
    CHECK(mismatches(x, run.y[0], want, "lut nbit") == 0);
    const Expected e = expected_cost({{x.size(), n}});
    check_cost(run.comm[0], e);
    check_cost(run.comm[1], e);
  }
}

}  // namespace secinfer::fss::sigma::test
