// SIGMA's lookup opened in w bits (fss/gates/fusefss/narrow_lookup.h): secure == cleartext bit
// for bit for random tables whose entries reach the width's bound +-(2^(w-2) - 1), at every
// index including 0 and 2^k - 1, with fresh masks (so every case of the lift's wrap,
// msb_w(r_V) and msb_w(A^), occurs); one exchange of 1 + w bits for the lookup; the widths the
// fused gates' tables take; bad widths refused.
#include "fss/gates/fusefss/narrow_lookup.h"

#include <cstdio>
#include <random>
#include <stdexcept>
#include <vector>

#include "fss/engine/key_stream.h"
#include "fss/gates/fusefss/trunc_act.h"
#include "fss/gates/sigma/sigma_nonlinear_util.h"

namespace secinfer::fss::fusefss {
namespace {

using sigma::test::expected_cost;
using sigma::test::fresh_seed;
using sigma::test::lut_sign_value;
using sigma::test::Opening;

constexpr std::uint32_t kTagTest = engine::key_tag("NLKT");

// y = T[x mod 2^k] in Z_2^n, T = GateArgs::table (2^table_bits entries), opened with an output
// mask after the narrow lookup.
void clear_face(const engine::ClearCtx& ctx, const engine::GateArgs& a, std::span<const u64> x,
                std::span<u64> y) {
  for (std::size_t i = 0; i < x.size(); ++i)
    y[i] = ctx.ring.reduce(a.table[x[i] & ring_mask(a.table_bits)]);
}
void keygen_face(engine::Dealer& d, const engine::GateArgs& a, std::span<const u64> r_in,
                 std::span<u64> r_out) {
  const int n = d.ring().bits;
  d.begin(kTagTest, r_in.size());
  std::vector<u64> alpha(r_in.size());
  for (std::size_t i = 0; i < r_in.size(); ++i) alpha[i] = r_in[i] & ring_mask(a.table_bits);
  narrow_lookup_keygen(d, a.table_bits, n, narrow_lookup_width(a.table, n), alpha, 0);
  d.random(r_out, n);
  d.share_vec(r_out, n);
}
void eval_face(engine::Party& p, const engine::GateArgs& a, std::span<const u64> xhat,
               std::span<u64> yhat) {
  const int n = p.ring().bits;
  const std::size_t N = xhat.size();
  const vec::Space& sp = p.space();
  p.keys().expect_record(kTagTest, N);
  const vec::Vec xv = p.operand(xhat);
  vec::Vec idx = sp.make(N);
  sp.combine(idx, a.table_bits, 0, {{.v = &xv}});
  vec::Vec y =
      narrow_lookup_eval(p, a.table_bits, n, narrow_lookup_width(a.table, n), a.table, idx, 0, 0);
  const vec::Vec r = p.read_shares_vec(N, n);
  sp.combine(y, n, 0, {{.v = &y}, {.v = &r}});
  p.open(y, n);
  p.result(std::move(y), yhat);
}

const engine::UnaryGate& narrow_gate() {
  static const engine::UnaryGate g{"narrow_lookup", "Misc",       "narrow_lookup",
                                   &clear_face,     &keygen_face, &eval_face};
  return g;
}

}  // namespace

TEST_CASE("narrow lookup: secure == cleartext at the width's bound, 1 + w bits opened",
          "[gates][fusefss][narrow_lookup]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  struct Setting {
    int n, k, w;
  };
  for (const Setting s : {Setting{37, 8, 12}, Setting{50, 11, 12}, Setting{50, 8, 3},
                          Setting{64, 9, 20}, Setting{50, 13, 49}}) {
    INFO("n = " << s.n << ", k = " << s.k << ", w = " << s.w);
    const Ring r = make_ring(s.n);
    const auto bound = static_cast<std::int64_t>((u64{1} << (s.w - 2)) - 1);
    std::vector<u64> table(std::size_t{1} << s.k);
    for (auto& t : table)
      t = r.from_signed(static_cast<std::int64_t>(g() % static_cast<u64>(2 * bound + 1)) - bound);
    table[0] = r.from_signed(bound);  // the bound itself, both signs, and zero
    table[1] = r.from_signed(-bound);
    table[table.size() - 1] = 0;
    REQUIRE(narrow_lookup_width(table, s.n) == s.w);
    engine::GateArgs args;
    args.table = table;
    args.table_bits = s.k;
    std::vector<u64> x(3000);
    for (auto& v : x) v = r.reduce(g());
    for (u64 v : {u64{0}, u64{1}, (u64{1} << s.k) - 1, u64{1} << s.k, r.mask()}) x.push_back(v);
    const auto want = sigma::test::run_clear(narrow_gate(), s.n, 12, args, x);
    const auto run =
        sigma::test::run_unary(narrow_gate(), sigma::test::options(s.n, 12, g()), args, x, 32);
    CHECK(sigma::test::mismatches(x, run.y[0], want, "narrow_lookup") == 0);
    CHECK(run.y[0] == run.y[1]);
    const std::size_t N = x.size();
    const auto e = expected_cost({lut_sign_value(N, s.w), Opening{N, s.n}});
    sigma::test::check_cost(run.comm[0], e);
    sigma::test::check_cost(run.comm[1], e);
    std::printf("[narrow lookup] n=%d k=%d w=%d N=%zu: online %llu B/party; key %.1f B/element\n",
                s.n, s.k, s.w, N, static_cast<unsigned long long>(run.comm[0].bytes_sent),
                double(run.comm[0].key_bytes) / double(N));
  }
}

TEST_CASE("narrow lookup: the widths of the tables, and bad widths refused",
          "[gates][fusefss][narrow_lookup]") {
  const Ring r = make_ring(50);
  CHECK(narrow_lookup_width(std::vector<u64>{0}, 50) == 2);
  CHECK(narrow_lookup_width(std::vector<u64>{1}, 50) == 3);
  CHECK(narrow_lookup_width(std::vector<u64>{r.from_signed(-1)}, 50) == 3);
  CHECK(narrow_lookup_width(std::vector<u64>{r.from_signed(-2047)}, 50) == 13);
  CHECK(narrow_lookup_width(std::vector<u64>{2048}, 50) == 14);
  // The fused gates' tables at f = 12 (fused-trunc-act.md "The lookup opened in w bits").
  CHECK(trunc_gelu_lookup(50, 12).value_bits == 12);
  CHECK(trunc_silu_lookup(50, 12).value_bits == 13);
  CHECK(trunc_gelu_lookup(37, 12).value_bits == 12);
  std::mt19937_64 g(1);
  const std::vector<u64> wide(256, u64{1} << 18);  // needs 21 bits: a 20-bit ring cannot take it
  engine::GateArgs args;
  args.table = wide;
  args.table_bits = 8;
  const std::vector<u64> x = {1, 2, 3};
  CHECK_THROWS_AS(sigma::test::run_unary(narrow_gate(), sigma::test::options(20, 6, g()), args, x),
                  std::invalid_argument);
}

}  // namespace secinfer::fss::fusefss
