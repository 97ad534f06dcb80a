// The fused nExp (fss/gates/fusefss/fused_nexp.h): its secure output equals SIGMA's nExp function
// bit for bit for fresh random inputs and masks, softmax's range, the clip bound, the byte
// boundaries and the ring ends; five exchanges of the counted sizes; key and message sizes never
// depend on the masks.
#include "fss/gates/fusefss/fused_nexp.h"

#include <cstdio>
#include <filesystem>
#include <optional>
#include <random>
#include <vector>

#include "fss/gates/sigma/nexp.h"
#include "fss/gates/sigma/nonlinear.h"
#include "fss/gates/sigma/sigma_nonlinear_util.h"

namespace secinfer::fss::fusefss {
namespace {

using engine::GateArgs;
using engine::UnaryGate;
using sigma::test::expected_cost;
using sigma::test::fresh_seed;
using sigma::test::Opening;

const UnaryGate kGate{"fused_nexp",       "nexp",          "nexp", &fused_nexp_clear,
                      &fused_nexp_keygen, &fused_nexp_eval};

// Softmax gives max - x in [0, 2^(n-f)): half the inputs in the tables' [0, 2^16), then the rest
// of that range, then anything, then the edges (the clip bound P = 2^16 - 1, the byte borders,
// negative values and the ring ends).
std::vector<u64> inputs(const Ring& r, int f, std::mt19937_64& g, std::size_t n) {
  using sigma::test::uniform;
  auto x = uniform(r, g, n / 2, 0, (1 << 16) + 256);
  for (u64 v : uniform(r, g, n / 4, 0, (std::int64_t{1} << (r.bits - f)) - 1)) x.push_back(v);
  for (std::size_t i = 0; i < n / 4; ++i) x.push_back(r.reduce(g()));
  for (std::int64_t v : {0,     1,     2,     255,   256,    257, 511,  512,  65279,  65280, 65533,
                         65534, 65535, 65536, 65537, 131071, -1,  -255, -256, -65535, -65536})
    x.push_back(r.from_signed(v));
  x.push_back(u64{1} << (r.bits - 1));
  x.push_back(r.mask() >> 1);
  x.push_back(r.mask());
  return x;
}

TEST_CASE("fused nExp: secure = SIGMA's nExp, five exchanges", "[gates][fusefss][nexp]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  const UnaryGate sigma_nexp{
      "nexp", "nexp", "nexp", &sigma::nexp_clear, &sigma::nexp_keygen, &sigma::nexp_eval};
  for (int n : {37, 50, 48, 51}) {
    const int f = 12;
    INFO("n = " << n);
    const Ring r = make_ring(n);
    const auto x = inputs(r, f, g, 2400);
    const auto want = sigma::test::run_clear(sigma_nexp, n, f, GateArgs{}, x);
    CHECK(sigma::test::run_clear(kGate, n, f, GateArgs{}, x) == want);
    const auto run =
        sigma::test::run_unary(kGate, sigma::test::options(n, f, g()), GateArgs{}, x, 64);
    CHECK(sigma::test::mismatches(x, run.y[0], want, "fused_nexp") == 0);
    CHECK(run.y[0] == run.y[1]);
    const std::size_t N = x.size();
    // The flags; the two lookups' signs and sums (in f + 3 bits: narrow_lookup.h); the product
    // (in 2f + 3 bits: TrWithSlack's bound); TrWithSlack's bit and output.
    const int w = f + 3, wz = 2 * f + 3;
    const std::size_t signs_and_first_sum = 2 * packed_bytes(N, 1) + packed_bytes(N, w);
    const auto e = expected_cost(
        std::vector<Opening>{{2 * N, 1}, {N, w, signs_and_first_sum}, {N, wz}, {N, 1}, {N, n}});
    sigma::test::check_cost(run.comm[0], e);
    sigma::test::check_cost(run.comm[1], e);
    std::printf(
        "[fusefss fused_nexp] n=%d N=%zu: online %llu B/party, %llu rounds; key %.1f "
        "B/element\n",
        n, N, static_cast<unsigned long long>(run.comm[0].bytes_sent),
        static_cast<unsigned long long>(run.comm[0].rounds),
        double(run.comm[0].key_bytes) / double(N));
  }
}

TEST_CASE("fused nExp with the DCF TrWithSlack: secure = SIGMA's nExp, four exchanges",
          "[gates][fusefss][nexp]") {
  // GateArgs::dcf_trunc (--fusefss-trunc dcf): the last step opens y^ in one exchange.
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  const UnaryGate sigma_nexp{
      "nexp", "nexp", "nexp", &sigma::nexp_clear, &sigma::nexp_keygen, &sigma::nexp_eval};
  GateArgs dcf;
  dcf.dcf_trunc = true;
  for (int n : {37, 50}) {
    const int f = 12;
    INFO("n = " << n);
    const Ring r = make_ring(n);
    const auto x = inputs(r, f, g, 1200);
    const auto want = sigma::test::run_clear(sigma_nexp, n, f, GateArgs{}, x);
    const auto run = sigma::test::run_unary(kGate, sigma::test::options(n, f, g()), dcf, x, 64);
    CHECK(sigma::test::mismatches(x, run.y[0], want, "fused_nexp/dcf") == 0);
    CHECK(run.y[0] == run.y[1]);
    const std::size_t N = x.size();
    const int w = f + 3, wz = 2 * f + 3;
    const std::size_t signs_and_first_sum = 2 * packed_bytes(N, 1) + packed_bytes(N, w);
    const auto e = expected_cost(
        std::vector<Opening>{{2 * N, 1}, {N, w, signs_and_first_sum}, {N, wz}, {N, n}});
    sigma::test::check_cost(run.comm[0], e);
    sigma::test::check_cost(run.comm[1], e);
  }
}

TEST_CASE("fused nExp: key and message sizes never depend on the masks", "[gates][fusefss][nexp]") {
  // 1000 dealer seeds (fresh masks, fresh keys) on the same inputs, half of them with extreme
  // input masks: every run writes the same key bytes and sends the same messages.
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  const int n = 50, f = 12;
  const Ring r = make_ring(n);
  const std::vector<u64> x = {0, r.mask(), 65535, 65536, u64{1} << (n - 1)};
  CHECK(sigma::test::size_changes_over_masks(kGate, n, f, x, g) == 0);
}

TEST_CASE("fused nExp: file key mode gives the same outputs as inline", "[gates][fusefss][nexp]") {
  // The key file carries the two SIGMA DCF batches, the two DPF-ET batches and the shares.
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  const int n = 50, f = 12;
  const Ring r = make_ring(n);
  const auto x = inputs(r, f, g, 400);
  CHECK(sigma::test::file_mode_differences(kGate, n, f, x, g(), "fused_nexp") == 0);
}

TEST_CASE("fused nExp: rings too narrow are refused", "[gates][fusefss][nexp]") {
  const engine::ClearCtx narrow{make_ring(26), 12};
  std::vector<u64> x(4), y(4);
  CHECK_THROWS_WITH(fused_nexp_clear(narrow, GateArgs{}, x, y), Catch::Contains("too narrow"));
}

}  // namespace
}  // namespace secinfer::fss::fusefss
