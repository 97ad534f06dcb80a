// SIGMA GELU and SiLU (fss/gates/sigma/gelu.h, silu.h): secure output == cleartext reference bit
// for bit over fresh random inputs and the edges, online cost == the paper count, key bytes per
// element and float accuracy printed.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

#include "fss/gates/sigma/gelu.h"
#include "fss/gates/sigma/sigma_nonlinear_util.h"
#include "fss/gates/sigma/silu.h"

namespace secinfer::fss::sigma::test {
namespace {

struct Act {
  const char* name;
  const UnaryGate& gate;
  int clip;             // clip bits
  double (*f)(double);  // the true function
};

double true_gelu(double x) {
  return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
}
double true_silu(double x) {
  return x / (1.0 + std::exp(-x));
}

// Random inputs: half near the table's domain, a quarter in the model's range |x| < 2^(n-f-1),
// a quarter anywhere in the ring; then the edges.
std::vector<u64> act_inputs(const Ring& r, int f, int clip, std::mt19937_64& g, std::size_t n) {
  const std::int64_t one = std::int64_t{1} << f;
  const std::int64_t range = std::int64_t{1} << (r.bits - f - 1);
  std::vector<u64> x = uniform(r, g, n / 2, -20 * one, 20 * one);
  for (u64 v : uniform(r, g, n / 4, -range, range - 1)) x.push_back(v);
  for (std::size_t i = 0; i < n / 4; ++i) x.push_back(r.reduce(g()));
  // Edges: 0, +-1, the truncation step, the clip bounds (|x| at scale 6 = 2^clip - 1 and 2^clip),
  // the model range, the most negative / most positive ring values.
  const std::int64_t step = std::int64_t{1} << (f - 6);
  const std::int64_t bound = ((std::int64_t{1} << clip) - 1) * step;
  for (std::int64_t v :
       {std::int64_t{0}, std::int64_t{1}, std::int64_t{-1}, step - 1, step, -step, -step - 1,
        bound - 1, bound, bound + step - 1, bound + step, bound + step + 1, -bound, -bound - 1,
        -bound - step, -bound - step - 1, range - 1, -range, -range - 1})
    x.push_back(r.from_signed(v));
  x.push_back(u64{1} << (r.bits - 1));  // most negative
  x.push_back(r.mask() >> 1);           // most positive
  return x;
}

// Paper count (gelu.h): TrWithSlack (carry bit, then bt bits), the two comparison bits in one
// opening, the clipped value (clip bits), the result (n bits): 5 rounds, 5 messages per party.
std::vector<Opening> act_openings(std::size_t N, int n, int f, int clip) {
  const int bt = relu_sub_lut_trunc_bits(n, f);
  return {{N, 1}, {N, bt}, {2 * N, 1}, {N, clip}, lut_sign_value(N, n), {N, n}};
}

void check_act(const Act& a) {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  std::size_t total = 0;
  for (int n : {37, 50, 48, 51}) {
    const int f = 12;
    INFO("n = " << n);
    const Ring r = make_ring(n);
    const auto x = act_inputs(r, f, a.clip, g, 2800);
    const auto want = run_clear(a.gate, n, f, GateArgs{}, x);
    const auto run = run_unary(a.gate, options(n, f, g()), GateArgs{}, x, 64);
    CHECK(mismatches(x, run.y[0], want, a.name) == 0);
    CHECK(run.y[0] == run.y[1]);
    const Expected e = expected_cost(act_openings(x.size(), n, f, a.clip));
    check_cost(run.comm[0], e);
    check_cost(run.comm[1], e);
    std::printf(
        "[sigma %s] n=%d N=%zu: online %llu B/party, %llu msgs/party, %llu rounds; "
        "key %.1f B/element\n",
        a.name, n, x.size(), static_cast<unsigned long long>(run.comm[0].bytes_sent),
        static_cast<unsigned long long>(run.comm[0].messages),
        static_cast<unsigned long long>(run.comm[0].rounds),
        double(run.comm[0].key_bytes) / double(x.size()));
    total += x.size();
  }
  CHECK(total >= 10000);
}

// Max error of the cleartext fixed-point algorithm against the true function, in ULPs of the output
// scale (2^-f), over every input at scale f in [-lim, lim].
double act_ulps(const Act& a, double lim) {
  const int n = 50, f = 12;
  const Ring r = make_ring(n);
  const std::int64_t top = static_cast<std::int64_t>(lim * 4096);
  std::vector<u64> x;
  for (std::int64_t v = -top; v <= top; ++v) x.push_back(r.from_signed(v));
  const auto y = run_clear(a.gate, n, f, GateArgs{}, x);
  double worst = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double xv = dec(r, x[i], f);
    worst = std::max(worst, std::fabs(dec(r, y[i], f) - a.f(xv)) * 4096.0);
  }
  return worst;
}

}  // namespace

TEST_CASE("sigma GELU: secure == cleartext, cost == paper count", "[gates][sigma][gelu]") {
  check_act(Act{"gelu", suite().gelu, 8, &true_gelu});
}

TEST_CASE("sigma SiLU: secure == cleartext, cost == paper count", "[gates][sigma][silu]") {
  check_act(Act{"silu", suite().silu, 10, &true_silu});
}

TEST_CASE("sigma GELU: file key mode gives the same outputs as inline", "[gates][sigma][gelu]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  const int n = 50, f = 12;
  const Ring r = make_ring(n);
  const auto x = act_inputs(r, f, 8, g, 400);
  CHECK(file_mode_differences(suite().gelu, n, f, x, g(), "sigma_gelu") == 0);
}

TEST_CASE("sigma GELU / SiLU: cleartext reference details", "[gates][sigma][gelu]") {
  const Ring r = make_ring(50);
  const ClearCtx ctx{r, 12};
  // Outside the clip range the output is ReLU(x) minus the last table entry (0 at f = 12).
  std::vector<u64> x = {r.from_signed(10 << 12), r.from_signed(-10 << 12), 0};
  std::vector<u64> y(3);
  suite().gelu.clear(ctx, GateArgs{}, x, y);
  CHECK(y[0] == x[0]);
  CHECK(y[1] == 0);
  CHECK(y[2] == 0);
  // Tables: 256 and 1024 entries, ReLU - act >= 0, decreasing towards 0.
  CHECK(gelu_table(12).size() == 256);
  CHECK(silu_table(12).size() == 1024);
  CHECK(gelu_table(12)[255] == 0);
  // A too narrow ring is refused with a message naming the fix.
  CHECK_THROWS_WITH(suite().gelu.clear(ClearCtx{make_ring(24), 12}, GateArgs{}, x, y),
                    Catch::Contains("wider ring"));
}

TEST_CASE("sigma GELU / SiLU: float accuracy (ULPs at scale 12)", "[gates][sigma][accuracy]") {
  const double g = act_ulps(Act{"gelu", suite().gelu, 8, &true_gelu}, 8.0);
  const double s = act_ulps(Act{"silu", suite().silu, 10, &true_silu}, 20.0);
  std::printf(
      "[sigma accuracy] GELU max error %.2f ULP (x in [-8, 8]); SiLU max error %.2f ULP "
      "(x in [-20, 20]); 1 ULP = 2^-12\n",
      g, s);
  // Documented bounds: the table index is |x| at scale 6 (a step of 64 ULPs in x) and entries are
  // floored; |d/dx (ReLU - act)| <= 0.5 (GELU: 0.5 + 0.13; SiLU: 0.5 + 0.1) so <= ~45 ULPs.
  CHECK(g < 48);
  CHECK(s < 48);
}

}  // namespace secinfer::fss::sigma::test
