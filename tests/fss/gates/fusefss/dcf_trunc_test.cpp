// SIGMA's truncations from ring-payload DCFs (fss/gates/fusefss/dcf_trunc.h): the secure outputs
// equal SIGMA's TrFloor (over the whole ring) and TrWithSlack (over its range, |x| < 2^(n-2)) bit
// for bit on fresh random inputs and masks, the multiples of 2^f and the range's ends, with masks
// at the edges too; half SIGMA's exchanges, of the counted sizes; key and message sizes never
// depend on the masks; file keys give the inline keys' outputs. The same for the two-exchange
// TrFloor from SIGMA's comparison keys (fss/gates/fusefss/trunc_floor2.h).
#include "fss/gates/fusefss/dcf_trunc.h"

#include <cstdio>
#include <random>
#include <vector>

#include "fss/gates/fusefss/trunc_floor2.h"
#include "fss/gates/sigma/sigma_nonlinear_util.h"

namespace secinfer::fss::fusefss {
namespace {

using engine::GateArgs;
using engine::UnaryGate;
using sigma::test::expected_cost;
using sigma::test::fresh_seed;
using sigma::test::Opening;

constexpr int kShift = 12;

// The faces with the shift fixed (the test helpers pass GateArgs{}).
GateArgs with_shift(GateArgs a) {
  a.param = kShift;
  return a;
}
void clear12(const ClearCtx& c, const GateArgs& a, std::span<const u64> x, std::span<u64> y) {
  sigma::trunc_floor_gate().clear(c, with_shift(a), x, y);
}
void keygen12(Dealer& d, const GateArgs& a, std::span<const u64> r, std::span<u64> o) {
  trunc_floor_keygen(d, with_shift(a), r, o);
}
void eval12(Party& p, const GateArgs& a, std::span<const u64> x, std::span<u64> y) {
  trunc_floor_eval(p, with_shift(a), x, y);
}
void sigma_clear12(const ClearCtx& c, const GateArgs&, std::span<const u64> x, std::span<u64> y) {
  sigma::trunc_floor_clear(c, sigma::TruncParams{kShift, 0, 0}, x, y);
}
void sigma_keygen12(Dealer& d, const GateArgs&, std::span<const u64> r, std::span<u64> o) {
  sigma::trunc_floor_keygen(d, sigma::TruncParams{kShift, 0, 0}, r, o);
}
void sigma_eval12(Party& p, const GateArgs&, std::span<const u64> x, std::span<u64> y) {
  sigma::trunc_floor_eval(p, sigma::TruncParams{kShift, 0, 0}, x, y);
}

void slack_clear12(const ClearCtx& c, const GateArgs& a, std::span<const u64> x, std::span<u64> y) {
  sigma::trunc_slack_gate().clear(c, with_shift(a), x, y);
}
void slack_keygen12(Dealer& d, const GateArgs& a, std::span<const u64> r, std::span<u64> o) {
  trunc_slack_keygen(d, with_shift(a), r, o);
}
void slack_eval12(Party& p, const GateArgs& a, std::span<const u64> x, std::span<u64> y) {
  trunc_slack_eval(p, with_shift(a), x, y);
}
void sigma_slack_clear12(const ClearCtx& c, const GateArgs&, std::span<const u64> x,
                         std::span<u64> y) {
  sigma::trunc_slack_clear(c, sigma::TruncParams{kShift, 0, 0}, x, y);
}
void sigma_slack_keygen12(Dealer& d, const GateArgs&, std::span<const u64> r, std::span<u64> o) {
  sigma::trunc_slack_keygen(d, sigma::TruncParams{kShift, 0, 0}, r, o);
}
void sigma_slack_eval12(Party& p, const GateArgs&, std::span<const u64> x, std::span<u64> y) {
  sigma::trunc_slack_eval(p, sigma::TruncParams{kShift, 0, 0}, x, y);
}

void floor2_keygen12(Dealer& d, const GateArgs& a, std::span<const u64> r, std::span<u64> o) {
  trunc_floor2_keygen(d, with_shift(a), r, o);
}
void floor2_eval12(Party& p, const GateArgs& a, std::span<const u64> x, std::span<u64> y) {
  trunc_floor2_eval(p, with_shift(a), x, y);
}

const UnaryGate kGate{"dcf_trunc_floor", "trunc", "trunc", &clear12, &keygen12, &eval12};
const UnaryGate kFloor2{"trunc_floor2", "trunc",          "trunc",
                        &clear12,       &floor2_keygen12, &floor2_eval12};
const UnaryGate kSlack{"dcf_trunc_slack", "trunc",         "trunc",
                       &slack_clear12,    &slack_keygen12, &slack_eval12};
const UnaryGate kSigmaSlack{
    "trunc_slack",      "trunc", "trunc", &sigma_slack_clear12, &sigma_slack_keygen12,
    &sigma_slack_eval12};
const UnaryGate kSigma{"trunc_floor",  "trunc",         "trunc",
                       &sigma_clear12, &sigma_keygen12, &sigma_eval12};

// Anything in the ring, then the edges: 0, +-1, the multiples of 2^f and their neighbours, the
// signed extremes and the ring's top.
std::vector<u64> inputs(const Ring& r, std::mt19937_64& g, std::size_t n) {
  std::vector<u64> x;
  for (std::size_t i = 0; i < n; ++i) x.push_back(r.reduce(g()));
  for (std::int64_t v : {0, 1, -1, 4095, 4096, 4097, -4095, -4096, -4097, 8191, -8192})
    x.push_back(r.from_signed(v));
  const u64 half = u64{1} << (r.bits - 1);
  for (u64 v : {half, half - 1, half + 1, r.mask(), r.mask() - 4095, half - 4096})
    x.push_back(v & r.mask());
  return x;
}

// The DCF gate against SIGMA's on x: the same clear function, the secure output equal to it (64
// elements with edge masks), 1 / `fewer` of SIGMA's exchanges, of the sizes `opens(N, n)` lists;
// prints both costs.
template <class Opens>
void check_against_sigma(const UnaryGate& gate, const UnaryGate& sigma_gate, int n,
                         const std::vector<u64>& x, std::mt19937_64& g, Opens opens,
                         std::uint64_t fewer) {
  const auto want = sigma::test::run_clear(sigma_gate, n, kShift, GateArgs{}, x);
  CHECK(sigma::test::run_clear(gate, n, kShift, GateArgs{}, x) == want);
  const auto run =
      sigma::test::run_unary(gate, sigma::test::options(n, kShift, g()), GateArgs{}, x, 64);
  CHECK(sigma::test::mismatches(x, run.y[0], want, gate.name.data()) == 0);
  CHECK(run.y[0] == run.y[1]);
  const std::size_t N = x.size();
  const auto e = expected_cost(opens(N, n));
  sigma::test::check_cost(run.comm[0], e);
  sigma::test::check_cost(run.comm[1], e);
  const auto base =
      sigma::test::run_unary(sigma_gate, sigma::test::options(n, kShift, g()), GateArgs{}, x);
  CHECK(base.y[0] == want);
  CHECK(run.comm[0].rounds * fewer == base.comm[0].rounds);
  std::printf(
      "[fusefss %s] n=%d N=%zu: online %llu B/party in %llu rounds (sigma %llu B in %llu); key "
      "%.1f B/element (sigma %.1f)\n",
      gate.name.data(), n, N, static_cast<unsigned long long>(run.comm[0].bytes_sent),
      static_cast<unsigned long long>(run.comm[0].rounds),
      static_cast<unsigned long long>(base.comm[0].bytes_sent),
      static_cast<unsigned long long>(base.comm[0].rounds),
      double(run.comm[0].key_bytes) / double(N), double(base.comm[0].key_bytes) / double(N));
}

TEST_CASE("DCF TrFloor: secure = SIGMA's TrFloor, in one exchange and in two",
          "[gates][fusefss][trunc]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (int n : {37, 50, 64, 24}) {
    INFO("n = " << n);
    // The borrow and the wrap at public points: the value (n bits) in one exchange, SIGMA's 4.
    check_against_sigma(
        kGate, kSigma, n, inputs(make_ring(n), g, 2000), g,
        [](std::size_t N, int bits) {
          return std::vector<Opening>{{N, bits}};
        },
        4);
    // From SIGMA's comparison keys (trunc_floor2.h): the borrow's and the wrap's masked bits side
    // by side, then the value (n bits), half SIGMA's exchanges.
    check_against_sigma(
        kFloor2, kSigma, n, inputs(make_ring(n), g, 2000), g,
        [](std::size_t N, int bits) {
          return std::vector<Opening>{{N, 1, packed_bytes(N, 1)}, {N, bits}};
        },
        2);
  }
}

// TrWithSlack's range: |x| < 2^(n-2), uniform over it, then its ends and the multiples of 2^f.
std::vector<u64> slack_inputs(const Ring& r, std::mt19937_64& g, std::size_t n) {
  const std::int64_t lim = std::int64_t{1} << (r.bits - 2);
  auto x = sigma::test::uniform(r, g, n, -lim, lim - 1);
  for (std::int64_t v :
       {std::int64_t{0}, std::int64_t{1}, std::int64_t{-1}, std::int64_t{4096}, std::int64_t{-4096},
        std::int64_t{-4097}, lim - 1, -lim, lim - 4096, -lim + 4095})
    x.push_back(r.from_signed(v));
  return x;
}

TEST_CASE("DCF TrWithSlack: secure = SIGMA's TrWithSlack, one exchange",
          "[gates][fusefss][trunc]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (int n : {37, 50, 64, 24}) {
    INFO("n = " << n);
    check_against_sigma(
        kSlack, kSigmaSlack, n, slack_inputs(make_ring(n), g, 2000), g,
        [](std::size_t N, int bits) {
          return std::vector<Opening>{{N, bits}};
        },
        2);
  }
}

// TrFloor with its own input and output widths (sigma/truncate.h's TruncParams), both faces; Two:
// the two-exchange TrFloor from SIGMA's comparison keys instead of the ring-payload one.
template <int In, int Out>
void floor_clear_w(const ClearCtx& c, const GateArgs&, std::span<const u64> x, std::span<u64> y) {
  sigma::trunc_floor_clear(c, sigma::TruncParams{kShift, In, Out}, x, y);
}
template <int In, int Out, bool Two>
void floor_keygen_w(Dealer& d, const GateArgs&, std::span<const u64> r, std::span<u64> o) {
  if (Two)
    trunc_floor2_keygen(d, sigma::TruncParams{kShift, In, Out}, r, o);
  else
    dcf_trunc_floor_keygen(d, sigma::TruncParams{kShift, In, Out}, r, o);
}
template <int In, int Out, bool Two>
void floor_eval_w(Party& p, const GateArgs&, std::span<const u64> x, std::span<u64> y) {
  if (Two)
    trunc_floor2_eval(p, sigma::TruncParams{kShift, In, Out}, x, y);
  else
    dcf_trunc_floor_eval(p, sigma::TruncParams{kShift, In, Out}, x, y);
}
template <int In, int Out, bool Two = false>
void check_widths(std::mt19937_64& g) {
  INFO("in_bits " << In << ", out_bits " << Out << (Two ? ", two exchanges" : ""));
  const UnaryGate gate{"dcf_trunc_floor",
                       "trunc",
                       "trunc",
                       &floor_clear_w<In, Out>,
                       &floor_keygen_w<In, Out, Two>,
                       &floor_eval_w<In, Out, Two>};
  const int n = 50;
  const auto x = inputs(make_ring(n), g, 1000);
  const auto want = sigma::test::run_clear(gate, n, kShift, GateArgs{}, x);
  const auto run =
      sigma::test::run_unary(gate, sigma::test::options(n, kShift, g()), GateArgs{}, x, 64);
  std::vector<u64> got = run.y[0];
  for (u64& v : got) v &= ring_mask(Out);
  CHECK(sigma::test::mismatches(x, got, want, "dcf_trunc_floor") == 0);
  CHECK(run.comm[0].rounds == (Two ? 2u : 1u));
}

TEST_CASE("DCF TrFloor: other input and output widths", "[gates][fusefss][trunc]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  check_widths<40, 50>(g);  // a narrower input, sign-extended to the ring
  check_widths<50, 45>(g);  // out > in - shift: the one-exchange floor with a 7-bit wrap payload
  check_widths<50, 30>(g);  // out <= in - shift: the truncate-reduce alone
  check_widths<40, 50, true>(g);
  check_widths<50, 45, true>(g);
  check_widths<50, 30, true>(g);  // SIGMA's truncate-reduce: its two exchanges
}

TEST_CASE("DCF TrFloor: key and message sizes never depend on the masks",
          "[gates][fusefss][trunc]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  const int n = 50;
  const Ring r = make_ring(n);
  const std::vector<u64> x = {0, r.mask(), 4095, 4096, u64{1} << (n - 1)};
  CHECK(sigma::test::size_changes_over_masks(kGate, n, kShift, x, g) == 0);
  CHECK(sigma::test::size_changes_over_masks(kSlack, n, kShift, x, g) == 0);
  CHECK(sigma::test::size_changes_over_masks(kFloor2, n, kShift, x, g) == 0);
}

TEST_CASE("DCF TrFloor: file key mode gives the same outputs as inline",
          "[gates][fusefss][trunc]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  const int n = 50;
  const auto x = inputs(make_ring(n), g, 300);
  CHECK(sigma::test::file_mode_differences(kGate, n, kShift, x, g(), "dcf_trunc_floor") == 0);
  const auto xs = slack_inputs(make_ring(n), g, 300);
  CHECK(sigma::test::file_mode_differences(kSlack, n, kShift, xs, g(), "dcf_trunc_slack") == 0);
  CHECK(sigma::test::file_mode_differences(kFloor2, n, kShift, x, g(), "trunc_floor2") == 0);
}

TEST_CASE("DCF TrFloor: bad shifts are refused", "[gates][fusefss][trunc]") {
  std::vector<u64> x(4), y(4);
  const engine::ClearCtx ctx{make_ring(50), 12};
  GateArgs a;
  a.param = 50;
  CHECK_THROWS_AS(sigma::trunc_floor_gate().clear(ctx, a, x, y), std::invalid_argument);
  a.param = 49;  // TrWithSlack needs shift <= n - 2
  const UnaryGate slack{
      "dcf_trunc_slack",   "trunc",          "trunc", sigma::trunc_slack_gate().clear,
      &trunc_slack_keygen, &trunc_slack_eval};
  CHECK_THROWS_AS(
      sigma::test::run_unary(slack, sigma::test::options(50, 12, 1), a, std::vector<u64>(4)),
      std::invalid_argument);
}

}  // namespace
}  // namespace secinfer::fss::fusefss
