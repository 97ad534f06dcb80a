// SIGMA's ReLU in one exchange (fss/gates/fusefss/dcf_relu.h): the secure output equals SIGMA's
// ReLU (sigma/compare.h) bit for bit, in the ring and in the softmax max's reduced ring, on fresh
// random inputs and masks, the sign boundary of the bits DReLU reads, 0, the ring's ends and
// extreme masks; half SIGMA's exchanges, one opening of the select's width; key and message sizes
// never depend on the masks; file keys give the inline keys' outputs; the max tree through the
// suite's ReLU equals SIGMA's max.
#include "fss/gates/fusefss/dcf_relu.h"

#include <cstdio>
#include <random>
#include <vector>

#include "fss/gates/sigma/compare.h"
#include "fss/gates/sigma/sigma_nonlinear_util.h"

namespace secinfer::fss::fusefss {
namespace {

using engine::GateArgs;
using engine::UnaryGate;
using sigma::test::expected_cost;
using sigma::test::fresh_seed;
using sigma::test::Opening;

// The faces with `bits` fixed (the test helpers pass GateArgs{}); B = 0: the ring.
template <int B>
GateArgs with_bits(GateArgs a) {
  a.param = B;
  return a;
}
template <int B>
void clear_b(const ClearCtx& c, const GateArgs& a, std::span<const u64> x, std::span<u64> y) {
  dcf_relu_clear(c, with_bits<B>(a), x, y);
}
template <int B>
void keygen_b(Dealer& d, const GateArgs& a, std::span<const u64> r, std::span<u64> o) {
  dcf_relu_keygen(d, with_bits<B>(a), r, o);
}
template <int B>
void eval_b(Party& p, const GateArgs& a, std::span<const u64> x, std::span<u64> y) {
  dcf_relu_eval(p, with_bits<B>(a), x, y);
}
template <int B>
void sigma_clear_b(const ClearCtx& c, const GateArgs&, std::span<const u64> x, std::span<u64> y) {
  sigma::relu_clear(c, x, y, B);
}
template <int B>
void sigma_keygen_b(Dealer& d, const GateArgs&, std::span<const u64> r, std::span<u64> o) {
  sigma::relu_keygen(d, r, o, B);
}
template <int B>
void sigma_eval_b(Party& p, const GateArgs&, std::span<const u64> x, std::span<u64> y) {
  sigma::relu_eval(p, x, y, B);
}
template <int B>
UnaryGate gate() {
  return {"dcf_relu", "relu", "relu", &clear_b<B>, &keygen_b<B>, &eval_b<B>};
}
template <int B>
UnaryGate sigma_gate() {
  return {"relu", "relu", "relu", &sigma_clear_b<B>, &sigma_keygen_b<B>, &sigma_eval_b<B>};
}

// Anything in the ring, then the edges of the bits DReLU reads (h = the sign bit there): 0, +-1,
// +-2^h and their neighbours, the ring's top and half.
std::vector<u64> inputs(const Ring& r, int h, std::mt19937_64& g, std::size_t n) {
  std::vector<u64> x;
  for (std::size_t i = 0; i < n; ++i) x.push_back(r.reduce(g()));
  const u64 e = u64{1} << h, half = u64{1} << (r.bits - 1);
  for (u64 v : {u64{0}, u64{1}, r.mask(), e, e - 1, e + 1, r.sub(0, e), r.sub(0, e - 1),
                r.sub(0, e + 1), 2 * e - 1, 2 * e, half, half - 1, half + 1})
    x.push_back(v & r.mask());
  return x;
}

std::vector<u64> low(std::vector<u64> v, int bits) {
  for (u64& e : v) e &= ring_mask(bits);
  return v;
}

// The gate against SIGMA's ReLU at B (ring width n): the same clear function, the secure output
// equal to it mod 2^width (64 elements with edge masks), one opening of `width` bits, half SIGMA's
// exchanges; prints both costs.
template <int B>
void check_against_sigma(int n, std::mt19937_64& g) {
  const int width = B ? B : n, h = B ? B - 2 : n - 1;
  const auto x = inputs(make_ring(n), h, g, 2000);
  const UnaryGate ours = gate<B>(), theirs = sigma_gate<B>();
  const auto want = sigma::test::run_clear(theirs, n, 12, GateArgs{}, x);
  CHECK(sigma::test::run_clear(ours, n, 12, GateArgs{}, x) == want);
  const auto run =
      sigma::test::run_unary(ours, sigma::test::options(n, 12, g()), GateArgs{}, x, 64);
  CHECK(sigma::test::mismatches(x, low(run.y[0], width), want, "dcf_relu") == 0);
  CHECK(run.y[0] == run.y[1]);
  const auto e = expected_cost(std::vector<Opening>{{x.size(), width}});
  sigma::test::check_cost(run.comm[0], e);
  sigma::test::check_cost(run.comm[1], e);
  const auto base = sigma::test::run_unary(theirs, sigma::test::options(n, 12, g()), GateArgs{}, x);
  CHECK(low(base.y[0], width) == want);
  CHECK(run.comm[0].rounds * 2 == base.comm[0].rounds);
  std::printf(
      "[fusefss dcf_relu] n=%d bits=%d N=%zu: online %llu B/party in %llu rounds (sigma %llu B in "
      "%llu); key %.1f B/element (sigma %.1f)\n",
      n, B, x.size(), static_cast<unsigned long long>(run.comm[0].bytes_sent),
      static_cast<unsigned long long>(run.comm[0].rounds),
      static_cast<unsigned long long>(base.comm[0].bytes_sent),
      static_cast<unsigned long long>(base.comm[0].rounds),
      double(run.comm[0].key_bytes) / double(x.size()),
      double(base.comm[0].key_bytes) / double(x.size()));
}

TEST_CASE("DCF ReLU: secure = SIGMA's ReLU, one exchange", "[gates][fusefss][relu]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (int n : {50, 64, 37}) {
    INFO("n = " << n << ", the ring");
    check_against_sigma<0>(n, g);
  }
  for (int n : {50, 64}) {
    INFO("n = " << n << ", the softmax max's 40-bit ring");
    check_against_sigma<40>(n, g);
  }
  INFO("the smallest reduced ring");
  check_against_sigma<3>(50, g);
}

TEST_CASE("DCF ReLU: key and message sizes never depend on the masks", "[gates][fusefss][relu]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  const Ring r = make_ring(50);
  const std::vector<u64> x = {0, r.mask(), u64{1} << 38, (u64{1} << 38) - 1, u64{1} << 49};
  CHECK(sigma::test::size_changes_over_masks(gate<40>(), 50, 12, x, g) == 0);
  CHECK(sigma::test::size_changes_over_masks(gate<0>(), 50, 12, x, g, 200) == 0);
}

TEST_CASE("DCF ReLU: file key mode gives the same outputs as inline", "[gates][fusefss][relu]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  const auto x = inputs(make_ring(50), 49, g, 300);
  CHECK(sigma::test::file_mode_differences(gate<0>(), 50, 12, x, g(), "dcf_relu") == 0);
}

TEST_CASE("DCF ReLU: the max tree through the suite's ReLU is SIGMA's max",
          "[gates][fusefss][relu]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  const int n = 50, bits = 40;
  const Ring ring = make_ring(n);
  // The suite's entry: its faces read GateArgs::param, where the tree passes bits.
  const UnaryGate relu{"relu", "relu", "relu", &dcf_relu_clear, &dcf_relu_keygen, &dcf_relu_eval};
  for (std::size_t cols : {std::size_t{128}, std::size_t{7}, std::size_t{1}}) {
    INFO("cols = " << cols);
    const std::size_t rows = 9;
    // Scores within SIGMA's bound for the reduced ring (|x| < 2^(bits-3)).
    const auto x = sigma::test::uniform(ring, g, rows * cols, -(std::int64_t{1} << (bits - 3)),
                                        (std::int64_t{1} << (bits - 3)) - 1);
    std::vector<u64> want(rows), got_clear(rows);
    sigma::max_clear({ring, 12}, cols, x, want, bits);
    sigma::max_clear({ring, 12}, cols, x, got_clear, bits, relu);
    CHECK(got_clear == want);
    auto res = engine::run_two_party<std::vector<u64>>(
        sigma::test::options(n, 12, g()), [&](engine::PartyContext& c) {
          std::vector<u64> r_in = c.dealer().random(x.size()), r_out(rows), xhat(x.size()),
                           yhat(rows), y(rows);
          c.offline([&] { sigma::max_keygen(c.dealer(), cols, r_in, r_out, bits, relu); });
          for (std::size_t i = 0; i < x.size(); ++i) xhat[i] = ring.add(x[i], r_in[i]);
          c.online([&] { sigma::max_eval(c.party(), cols, xhat, yhat, bits, relu); });
          for (std::size_t i = 0; i < rows; ++i) y[i] = ring.sub(yhat[i], r_out[i]);
          return y;
        });
    for (int b = 0; b < 2; ++b) CHECK(low(res[b].value, bits) == low(want, bits));
    std::size_t levels = 0;
    for (std::size_t w = cols; w > 1; w = (w + 1) / 2) ++levels;
    CHECK(engine::comm_counts(res[0].log).rounds == levels);
  }
}

TEST_CASE("DCF ReLU: bad widths are refused", "[gates][fusefss][relu]") {
  std::vector<u64> x(4), y(4), z(3);
  const engine::ClearCtx ctx{make_ring(50), 12};
  GateArgs a;
  a.param = 2;
  CHECK_THROWS_AS(dcf_relu_clear(ctx, a, x, y), std::invalid_argument);
  a.param = 51;
  CHECK_THROWS_AS(dcf_relu_clear(ctx, a, x, y), std::invalid_argument);
  a.param = 40;
  CHECK_THROWS_AS(dcf_relu_clear(ctx, a, x, z), std::invalid_argument);
}

}  // namespace
}  // namespace secinfer::fss::fusefss
