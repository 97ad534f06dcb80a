// The fused gates as two parties over loopback: the opened output equals the cleartext evaluation
// of the same compiled piecewise polynomials (compile::eval_clear) bit for bit, over random inputs
// and every edge (cuts, clip bounds / predicate bounds, 0, +-1, the most negative and most
// positive values) with fresh masks, some chosen so that x + r wraps, x^ = 0 or 2^n - 1, and r =
// -a_j (no interval wraps: the padding's dummy split), at n = 50 and n = 37, padding on and off,
// with both interval lookups (the default shared-mask one and the per-cut one). Also checks the
// online cost against the derivation in suf_gate.h:
//   round 1 opens v^ (H bits per element), round 2 opens y^ (n bits per element), one message of
//   ceil(N bits / 8) bytes + the 8-byte frame header each, per party, 2 rounds in total.
#include <algorithm>
#include <catch2/catch.hpp>
#include <limits>
#include <string>

#include "fss/gates/fusefss/fusefss_test_util.h"
#include "fss/gates/fusefss/suf_gate.h"
#include "fss/gates/fusefss/suite.h"

namespace secinfer::fss::fusefss::test {
namespace {

const engine::UnaryGate& unary_of(FunctionId id, compile::Padding pad, compile::LookupMode mode) {
  // The compiled whole-ring gates: the precise mode's (the fused mode swaps some for sigma's).
  const engine::GateSuite& s = suite(pad, mode, ActMode::kPrecise);
  switch (id) {
    case FunctionId::kGelu:
      return s.gelu;
    case FunctionId::kSilu:
      return s.silu;
    case FunctionId::kNexp:
      return s.nexp;
    case FunctionId::kInverse:
      return s.inverse;
    case FunctionId::kRsqrt:
      return s.rsqrt;
  }
  return s.gelu;
}

// The signed range where the fitted intervals lie (random inputs concentrate there).
std::pair<i64, i64> fitted_range(const SufGate& g) {
  i64 lo = std::numeric_limits<i64>::max(), hi = std::numeric_limits<i64>::min();
  for (const auto& f : g.fits)
    if (f.fitted) {
      lo = std::min(lo, f.lo);
      hi = std::max(hi, f.hi);
    }
  return {lo - 64, hi + 64};
}

void check_gate(const Gates& gates, FunctionId id, int n, compile::Padding pad, std::size_t random,
                compile::LookupMode mode) {
  const FunctionParams p = params(id, n);
  const SufGate& g = gates->get(p);
  const std::uint64_t seed = fresh_seed();
  INFO("gate " << g.name << " " << compile::describe(g) << " padding "
               << (pad == compile::Padding::kOn ? "on" : "off") << " lookup " << lookup_name(mode)
               << " seed " << seed);
  auto [lo, hi] = fitted_range(g);
  // rsqrt has hundreds of cuts: the two-party run takes 64 of them (the instance test in the
  // clear takes them all).
  const std::vector<u64> x = edge_and_random_inputs(g, random, seed, lo, hi, 64);
  const std::vector<u64> masks = edge_masks(g, x, seed + 1);
  std::vector<u64> want(x.size());
  compile::eval_clear(g, x, want);

  const FusedRun run =
      run_fused(gates, unary_of(id, pad, mode), args_for(p, pad, mode), n, seed, x, masks);
  std::size_t bad = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (run.y[0][i] != want[i] || run.y[1][i] != want[i]) {
      if (bad < 5)
        UNSCOPED_INFO("mismatch at x=" << x[i] << " r=" << masks[i] << " secure=" << run.y[0][i]
                                       << " clear=" << want[i]);
      ++bad;
    }
  }
  CHECK(bad == 0);

  const std::size_t N = x.size();
  const std::uint64_t bytes = packed_bytes(N, g.poly_bits) + 8 + packed_bytes(N, n) + 8;
  for (int b = 0; b < 2; ++b) {
    CHECK(run.comm[b].rounds == 2);
    CHECK(run.comm[b].messages == 2);
    CHECK(run.comm[b].bytes_sent == bytes);
    CHECK(run.comm[b].bytes_recv == bytes);
  }
}

}  // namespace

TEST_CASE("per-cut lookup: GELU / SiLU / nExp / inverse equal their cleartext evaluation",
          "[fusefss][gate]") {
  const Gates gates = new_gates();
  for (FunctionId id :
       {FunctionId::kGelu, FunctionId::kSilu, FunctionId::kNexp, FunctionId::kInverse})
    for (auto pad : {compile::Padding::kOn, compile::Padding::kOff}) {
      check_gate(gates, id, 50, pad, 1500, compile::LookupMode::kPerCut);
      check_gate(gates, id, 37, pad, 1000, compile::LookupMode::kPerCut);
    }
}

TEST_CASE("shared-mask lookup (default): the same outputs bit for bit, n = 50 and 37",
          "[fusefss][gate]") {
  const Gates gates = new_gates();
  for (int n : {50, 37})
    for (FunctionId id :
         {FunctionId::kGelu, FunctionId::kSilu, FunctionId::kNexp, FunctionId::kInverse})
      for (auto pad : {compile::Padding::kOn, compile::Padding::kOff})
        check_gate(gates, id, n, pad, 1000, compile::LookupMode::kSharedMask);
}

TEST_CASE("fused rsqrt equals its cleartext evaluation, n = 50 and 37", "[fusefss][gate]") {
  // rsqrt (H > n) takes the per-cut lookup under both suites.
  const Gates gates = new_gates();
  for (int n : {50, 37})
    for (auto pad : {compile::Padding::kOn, compile::Padding::kOff})
      check_gate(gates, FunctionId::kRsqrt, n, pad, 100, compile::LookupMode::kPerCut);
  check_gate(gates, FunctionId::kRsqrt, 37, compile::Padding::kOn, 50,
             compile::LookupMode::kSharedMask);
}

TEST_CASE("the default suite and GateArgs select the shared-mask lookup", "[fusefss][gate]") {
  const Gates gates = new_gates();
  const FunctionParams p = params(FunctionId::kGelu, 50);
  const SufGate& g = gates->get(p);
  const std::uint64_t seed = fresh_seed();
  const std::vector<u64> x = edge_and_random_inputs(g, 64, seed, -6 << 12, 6 << 12, 8);
  const std::vector<u64> masks = edge_masks(g, x, seed + 1);
  std::vector<u64> want(x.size());
  compile::eval_clear(g, x, want);
  // The defaults: suite() and a GateArgs with param 0 (the faces called directly).
  engine::GateArgs plain;
  engine::UnaryGate direct{"gelu",      "Activation::GELU", "gelu",
                           &gelu_clear, &gelu_keygen,       &gelu_eval};
  const FusedRun def = run_fused(gates, suite().gelu, plain, 50, seed, x, masks);
  const FusedRun faces = run_fused(gates, direct, plain, 50, seed, x, masks);
  const FusedRun shared = run_fused(gates, suite(compile::Padding::kOn).gelu,
                                    args_for(p, compile::Padding::kOn), 50, seed, x, masks);
  const FusedRun per_cut = run_fused(
      gates, suite(compile::Padding::kOn, compile::LookupMode::kPerCut).gelu,
      args_for(p, compile::Padding::kOn, compile::LookupMode::kPerCut), 50, seed, x, masks);
  for (const FusedRun* r : {&def, &faces, &shared, &per_cut}) CHECK(r->y[0] == want);
  CHECK(def.key_bytes[0] == shared.key_bytes[0]);
  CHECK(faces.key_bytes[0] == shared.key_bytes[0]);
  // One DCF key per element instead of one per cut: several times smaller (~3 KB vs ~33 KB).
  CHECK(4 * shared.key_bytes[0] < per_cut.key_bytes[0]);
  CHECK(lookup_of(plain, g) == compile::LookupMode::kSharedMask);
  CHECK(compile::default_lookup(g) == compile::LookupMode::kSharedMask);
  CHECK(compile::default_lookup(gates->get(params(FunctionId::kRsqrt, 50))) ==
        compile::LookupMode::kPerCut);
}

TEST_CASE("fused gates refuse a gate compiled for another ring", "[fusefss][gate]") {
  const Gates gates = new_gates();
  const SufGate& g = gates->get(params(FunctionId::kGelu, 50));
  engine::KeyWriter w0 = engine::KeyWriter::discard(), w1 = engine::KeyWriter::discard();
  engine::Dealer d(make_ring(37), 12, Block{1, 2}, w0, w1);
  std::vector<u64> r(4), o(4);
  CHECK_THROWS_WITH(suf_keygen(d, g, compile::Padding::kOn, 1, r, o),
                    Catch::Contains("compiled for n = 50"));
  engine::GateArgs a;
  a.param = 7;
  CHECK_THROWS_WITH(padding_of(a), Catch::Contains("GateArgs::param"));
  const SufGate& rs = gates->get(params(FunctionId::kRsqrt, 50));
  engine::Dealer d50(make_ring(50), 12, Block{1, 2}, w0, w1);
  CHECK_THROWS_WITH(
      suf_keygen(d50, rs, compile::Padding::kOn, 1, r, o, compile::LookupMode::kSharedMask),
      Catch::Contains("per-cut"));
}

}  // namespace secinfer::fss::fusefss::test
