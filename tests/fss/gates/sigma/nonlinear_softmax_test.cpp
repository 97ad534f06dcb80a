// SIGMA softmax (bidirectional and causal), LayerNorm and RMSNorm, written once over Ops
// (fss/gates/sigma/softmax.h, layernorm.h): DealerOps + PartyOps output == ClearOps output bit for
// bit (every truncation inside is exact within its documented range), online cost == the paper
// count, float accuracy printed.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <numeric>
#include <random>

#include "fss/gates/sigma/inverse.h"
#include "fss/gates/sigma/layernorm.h"
#include "fss/gates/sigma/sigma_nonlinear_util.h"
#include "fss/gates/sigma/softmax.h"

namespace secinfer::fss::sigma::test {
namespace {

void append(std::vector<Opening>& v, const std::vector<Opening>& w) {
  v.insert(v.end(), w.begin(), w.end());
}

// Max tree (compare.h max / softmax.h ragged_max): per level one ReLU over all pairs of all rows,
// ReLU = DReLU (1 bit) then select (m bits: SIGMA's reduced ring, m = n - f + 2,
// docs/design/sigma-softmax-max.md).
std::vector<Opening> max_openings(std::vector<std::size_t> lens, int m) {
  std::vector<Opening> o;
  for (;;) {
    std::size_t pairs = 0;
    for (auto& l : lens) {
      pairs += l / 2;
      l = (l + 1) / 2;
    }
    if (pairs == 0) break;
    o.push_back({pairs, 1});
    o.push_back({pairs, m});
  }
  return o;
}

// TrFloor n -> n by s (truncate.h): truncate-reduce (1, n - s) then sign extension (1, n).
std::vector<Opening> trfloor_openings(std::size_t M, int n, int s) {
  return {{M, 1}, {M, n - s}, {M, 1}, {M, n}};
}
std::vector<Opening> trslack_openings(std::size_t M, int n) {
  return {{M, 1}, {M, n}};
}

// Softmax paper count (softmax.h): max tree in n - f + 2 bits, nExp on every computed entry,
// inverse per row, product (n bits per entry), TrWithSlack by f.
std::vector<Opening> softmax_openings(std::size_t rows, std::size_t cols, bool causal, int n,
                                      int f) {
  const auto lens = causal ? causal_row_lengths(rows, cols) : std::vector<std::size_t>(rows, cols);
  const std::size_t N = std::accumulate(lens.begin(), lens.end(), std::size_t{0});
  std::vector<Opening> o = max_openings(lens, n - f + 2);
  append(o, nexp_openings(N, n));
  append(o, inverse_openings(rows, n, cols));
  o.push_back({N, n});
  append(o, trslack_openings(N, n));
  return o;
}

// LayerNorm / RMSNorm paper count (layernorm.h).
std::vector<Opening> norm_openings(std::size_t rows, std::size_t cols, bool rms, int n, int f) {
  const std::size_t N = rows * cols;
  std::vector<Opening> o;
  if (!rms) {
    int l = 0;
    while ((std::size_t{1} << l) < cols) ++l;
    if ((std::size_t{1} << l) != cols) l = -1;
    if (l != 0) append(o, trfloor_openings(rows, n, l > 0 ? l : f));
  }
  o.push_back({rows, n});  // masked sum of squares
  append(o, rsqrt_openings(rows, n));
  o.push_back({N, n});  // d * q
  append(o, trslack_openings(N, n));
  o.push_back({N, n});  // * gamma
  append(o, trslack_openings(N, n));
  return o;
}

// Sum of the rounds of `prefix` and every scope below it.
std::uint64_t rounds_under(const std::map<std::string, std::uint64_t>& m,
                           const std::string& prefix) {
  std::uint64_t r = 0;
  for (const auto& [path, v] : m)
    if (path == prefix || path.rfind(prefix + "/", 0) == 0) r += v;
  return r;
}

std::vector<double> float_softmax_row(const std::vector<double>& x) {
  const double m = *std::max_element(x.begin(), x.end());
  std::vector<double> e(x.size());
  double s = 0;
  for (std::size_t j = 0; j < x.size(); ++j) s += (e[j] = std::exp(x[j] - m));
  for (auto& v : e) v /= s;
  return e;
}

// Attention-like logits in [-6, 6] with special rows: all equal (the row sum is exactly
// cols * 2^f), one dominant entry (others clipped at 16), spread over the model range.
std::vector<u64> softmax_inputs(const Ring& r, int f, std::size_t rows, std::size_t cols,
                                std::mt19937_64& g) {
  const std::int64_t one = std::int64_t{1} << f;
  auto x = uniform(r, g, rows * cols, -6 * one, 6 * one);
  for (std::size_t j = 0; j < cols; ++j) {
    x[0 * cols + j] = r.from_signed(3 * one);
    x[1 * cols + j] = r.from_signed(j == cols / 2 ? 10 * one : -30 * one);
    const std::int64_t range = std::int64_t{1} << (r.bits - f - 2);
    x[2 * cols + j] = r.from_signed(j % 2 ? range - 1 : -range + static_cast<std::int64_t>(j));
  }
  return x;
}

}  // namespace

TEST_CASE("sigma softmax over Ops: secure == ClearOps, cost == paper count",
          "[gates][sigma][softmax]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  struct Setting {
    int n;
    std::size_t rows, cols;
    bool causal;
  };
  std::size_t total = 0;
  double worst_ulp = 0;
  for (const Setting s : {Setting{50, 48, 128, false}, Setting{37, 64, 64, true},
                          Setting{50, 128, 128, true}, Setting{51, 16, 100, false}}) {
    const int f = 12;
    INFO("n = " << s.n << ", rows = " << s.rows << ", cols = " << s.cols
                << ", causal = " << s.causal);
    const Ring r = make_ring(s.n);
    const Tensor x{{s.rows, s.cols}, softmax_inputs(r, f, s.rows, s.cols, g)};
    const OpsFn fn = [&](engine::Ops& ops, const std::vector<Tensor>& in) {
      return ops.softmax(in[0], s.cols, {.causal = s.causal});
    };
    const auto want = run_ops_clear(s.n, f, {x}, fn);
    const auto run = run_ops(options(s.n, f, g()), {x}, fn, 64);
    CHECK(mismatches(x.data, run.y[0], want, "softmax") == 0);
    CHECK(run.y[0] == run.y[1]);
    const Expected e = expected_cost(softmax_openings(s.rows, s.cols, s.causal, s.n, f));
    check_cost(run.comm[0], e);
    check_cost(run.comm[1], e);
    const std::size_t N = s.causal ? s.rows * (s.cols + 1) / 2 : s.rows * s.cols;
    // Softmax sub-scopes (docs/design/product-spec.md "Scopes and the breakdown"), with the rounds
    // of each step.
    auto sr = scope_rounds(run.log[0]);
    for (const char* path : {"Softmax", "Softmax/max", "Softmax/nexp", "Softmax/sum", "Softmax/inv",
                             "Softmax/normalise"})
      CHECK(sr.count(path) == 1);
    const auto lens =
        s.causal ? causal_row_lengths(s.rows, s.cols) : std::vector<std::size_t>(s.rows, s.cols);
    CHECK(rounds_under(sr, "Softmax/max") == max_openings(lens, s.n - f + 2).size());
    CHECK(sr["Softmax/nexp"] == 11);
    CHECK(rounds_under(sr, "Softmax/sum") == 0);
    CHECK(sr["Softmax/inv"] == 4);
    CHECK(rounds_under(sr, "Softmax/normalise") == 3);
    std::printf(
        "[sigma softmax] n=%d %zux%zu causal=%d: online %llu B/party, %llu msgs/party, "
        "%llu rounds; key %.1f B/computed entry\n",
        s.n, s.rows, s.cols, int(s.causal), static_cast<unsigned long long>(run.comm[0].bytes_sent),
        static_cast<unsigned long long>(run.comm[0].messages),
        static_cast<unsigned long long>(run.comm[0].rounds),
        double(run.comm[0].key_bytes) / double(N));
    // Masked-out entries of a causal softmax are exactly 0.
    if (s.causal)
      for (std::size_t i = 0; i < s.rows; ++i)
        for (std::size_t j = i % s.cols + 1; j < s.cols; ++j) CHECK(want[i * s.cols + j] == 0);
    // Float accuracy of the fixed-point algorithm (rows 3.. are ordinary logits).
    for (std::size_t i = 3; i < s.rows; ++i) {
      const std::size_t len = s.causal ? i % s.cols + 1 : s.cols;
      std::vector<double> row(len);
      for (std::size_t j = 0; j < len; ++j) row[j] = dec(r, x.data[i * s.cols + j], f);
      const auto p = float_softmax_row(row);
      for (std::size_t j = 0; j < len; ++j)
        worst_ulp = std::max(worst_ulp, std::fabs(dec(r, want[i * s.cols + j], f) - p[j]) * 4096);
    }
    total += N;
  }
  std::printf("[sigma accuracy] softmax max error %.2f ULP (logits in [-6, 6], 1 ULP = 2^-12)\n",
              worst_ulp);
  CHECK(total >= 10000);
  // The row sum enters the inverse at scale 6 (relative error up to 2^-6 / s: 64 ULP at p = 1) and
  // exp entries are floored (<= 2.7 ULP each, biasing the sum down): an empirical bound.
  CHECK(worst_ulp < 128);
}

TEST_CASE("sigma LayerNorm / RMSNorm over Ops: secure == ClearOps, cost == paper count",
          "[gates][sigma][layernorm]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  struct Setting {
    int n;
    std::size_t rows, cols;
    bool rms;
    std::int64_t amp;  // |x| <= amp / 4 (scale 12 units of 0.25)
  };
  std::size_t total = 0;
  double worst_ln = 0, worst_rms = 0;
  for (const Setting s : {Setting{50, 40, 256, false, 16}, Setting{37, 24, 96, false, 8},
                          Setting{48, 40, 128, true, 16}, Setting{51, 16, 64, false, 16}}) {
    const int f = 12;
    INFO("n = " << s.n << ", rows = " << s.rows << ", cols = " << s.cols << ", rms = " << s.rms);
    const Ring r = make_ring(s.n);
    const std::int64_t one = std::int64_t{1} << f;
    Tensor x{{s.rows, s.cols}, uniform(r, g, s.rows * s.cols, -s.amp * one / 4, s.amp * one / 4)};
    for (std::size_t j = 0; j < s.cols; ++j) {
      x.data[j] = r.from_signed(one);                      // constant row
      x.data[s.cols + j] = r.from_signed(j % 2 ? 1 : -1);  // tiny variance
    }
    const Tensor gamma{{s.cols}, uniform(r, g, s.cols, one / 2, 3 * one / 2)};
    const Tensor beta{{s.cols}, uniform(r, g, s.cols, -one / 2, one / 2)};
    const OpsFn fn = [&](engine::Ops& ops, const std::vector<Tensor>& in) {
      return s.rms ? ops.rmsnorm(in[0], in[1], s.cols) : ops.layernorm(in[0], in[1], in[2], s.cols);
    };
    const auto want = run_ops_clear(s.n, f, {x, gamma, beta}, fn);
    const auto run = run_ops(options(s.n, f, g()), {x, gamma, beta}, fn, 64);
    CHECK(mismatches(x.data, run.y[0], want, s.rms ? "rmsnorm" : "layernorm") == 0);
    CHECK(run.y[0] == run.y[1]);
    const Expected e = expected_cost(norm_openings(s.rows, s.cols, s.rms, s.n, f));
    check_cost(run.comm[0], e);
    check_cost(run.comm[1], e);
    auto sr = scope_rounds(run.log[0]);
    for (const char* path :
         {"LayerNorm", "LayerNorm/variance", "LayerNorm/rsqrt", "LayerNorm/scale"})
      CHECK(sr.count(path) == 1);
    if (!s.rms) CHECK(rounds_under(sr, "LayerNorm/mean") == 4);
    CHECK(sr["LayerNorm/variance"] == 1);
    CHECK(sr["LayerNorm/rsqrt"] == 5);
    CHECK(rounds_under(sr, "LayerNorm/scale") == 6);
    std::printf(
        "[sigma %s] n=%d %zux%zu: online %llu B/party, %llu msgs/party, %llu rounds; key "
        "%.1f B/element\n",
        s.rms ? "rmsnorm" : "layernorm", s.n, s.rows, s.cols,
        static_cast<unsigned long long>(run.comm[0].bytes_sent),
        static_cast<unsigned long long>(run.comm[0].messages),
        static_cast<unsigned long long>(run.comm[0].rounds),
        double(run.comm[0].key_bytes) / double(x.size()));
    // Float accuracy (rows 2.., eps = 0 as SIGMA).
    for (std::size_t i = 2; i < s.rows; ++i) {
      double mean = 0, var = 0;
      for (std::size_t j = 0; j < s.cols; ++j) mean += dec(r, x.data[i * s.cols + j], f);
      mean = s.rms ? 0.0 : mean / double(s.cols);
      for (std::size_t j = 0; j < s.cols; ++j) {
        const double d = dec(r, x.data[i * s.cols + j], f) - mean;
        var += d * d;
      }
      var /= double(s.cols);
      for (std::size_t j = 0; j < s.cols; ++j) {
        const double d = dec(r, x.data[i * s.cols + j], f) - mean;
        double t = d / std::sqrt(var) * dec(r, gamma.data[j], f);
        if (!s.rms) t += dec(r, beta.data[j], f);
        double& w = s.rms ? worst_rms : worst_ln;
        w = std::max(w, std::fabs(dec(r, want[i * s.cols + j], f) - t) * 4096);
      }
    }
    total += x.size();
  }
  std::printf(
      "[sigma accuracy] LayerNorm max error %.2f ULP, RMSNorm max error %.2f ULP "
      "(outputs of magnitude <= ~4, 1 ULP = 2^-12)\n",
      worst_ln, worst_rms);
  // rsqrt keeps a 7-bit mantissa (relative error < 0.4%) on outputs of magnitude up to ~2.6; the
  // two truncations and the mean add a few ULP.
  CHECK(worst_ln < 96);
  CHECK(worst_rms < 96);
  CHECK(total >= 10000);
}

TEST_CASE("sigma softmax: ragged layout helpers are inverse to each other", "[gates][sigma]") {
  engine::ClearOps ops(make_ring(50), 12, suite());
  const auto lens = causal_row_lengths(7, 3);
  CHECK(lens == std::vector<std::size_t>{1, 2, 3, 1, 2, 3, 1});
  Tensor a{{7, 3}, std::vector<u64>(21)};
  std::iota(a.data.begin(), a.data.end(), u64{1});
  const Tensor c = gather_ragged(ops, a, 3, lens);
  CHECK(c.shape == std::vector<std::size_t>{13});
  CHECK(c.data.host() == std::vector<u64>{1, 4, 5, 7, 8, 9, 10, 13, 14, 16, 17, 18, 19});
  const Tensor back = scatter_ragged(ops, c, 3, lens);
  CHECK(back.shape == std::vector<std::size_t>{7, 3});
  for (std::size_t i = 0; i < 7; ++i)
    for (std::size_t j = 0; j < 3; ++j)
      CHECK(back.data[i * 3 + j] == (j < lens[i] ? a.data[i * 3 + j] : 0));
  const Tensor s = ragged_sum(ops, c, 3, lens);
  CHECK(s.data.host() == std::vector<u64>{1, 9, 24, 10, 27, 51, 19});
  const Tensor bs = ragged_broadcast(ops, s, lens);
  CHECK(bs.data.host() == std::vector<u64>{1, 9, 9, 24, 24, 24, 10, 27, 27, 51, 51, 51, 19});
  CHECK_THROWS_WITH(gather_ragged(ops, a, 2, lens), Catch::Contains("longer than its 2"));
  // The max tree against each row's max, over signed values: rows of every length 1 .. 9 (odd
  // ones pass through at each level) in the ring, then the causal rows of 3 heads' 16 x 16
  // scores in SIGMA's reduced ring of 40 bits (the result right mod 2^40).
  std::mt19937_64 g(Catch::rngSeed() + 5);
  const Ring ring = make_ring(50);
  const auto check_max = [&](const std::vector<std::size_t>& rows, int bits) {
    std::vector<u64> vals, want;
    for (const std::size_t l : rows) {
      std::int64_t best = INT64_MIN;
      for (std::size_t j = 0; j < l; ++j) {
        const auto v = static_cast<std::int64_t>(g() % (1u << 21)) - (std::int64_t{1} << 20);
        best = std::max(best, v);
        vals.push_back(ring.reduce(static_cast<u64>(v)));
      }
      want.push_back(ring.reduce(static_cast<u64>(best)));
    }
    const Tensor mx = ragged_max(ops, Tensor{{vals.size()}, vals}, rows, bits);
    CHECK(mx.shape == std::vector<std::size_t>{rows.size()});
    REQUIRE(mx.size() == rows.size());
    const u64 m = bits ? ring_mask(bits) : ~u64{0};
    for (std::size_t r = 0; r < rows.size(); ++r) {
      INFO("row " << r << " of " << rows.size() << ", bits " << bits);
      CHECK((mx.data[r] & m) == (want[r] & m));
    }
  };
  check_max({1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 1, 2, 1}, 0);
  check_max(causal_row_lengths(3 * 16, 16), 40);
  // A chunk of a decoder's queries: rows 2 .. 4 of 5 against keys 0 .. 4, per block of 3 rows.
  CHECK(causal_row_lengths(6, 5, 2) == std::vector<std::size_t>{3, 4, 5, 3, 4, 5});
  CHECK(causal_row_lengths(7, 3, 0) == lens);
  CHECK_THROWS_WITH(causal_row_lengths(4, 3, 3), Catch::Contains("first row 3"));
}

}  // namespace secinfer::fss::sigma::test
