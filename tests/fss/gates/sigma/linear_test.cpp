// Property tests of SIGMA's masked Beaver-style products (fss/gates/sigma/linear.h): matmul (plain,
// transposed, shared weight, batched, causal), elementwise mul, mul_rowwise and square; opened
// output == ring product bit for bit, n in {37, 50}.
//
// Online cost on paper (per party): ONE opening of the output, ceil(C n / 8) + 8 bytes, 1 message,
// 1 round, where C = number of output entries (batches m n, or batches m (m + 1) / 2 when causal).
// Key bytes (per party, n bits per ring element, packed): 12 + ceil(.)-packed shares of
//   matmul: r_A (batches m k), r_B (k n, or batches k n), r_A r_B + r_C (C)
//   mul: 3 N;  mul_rowwise: 2 N + rows;  square: 2 N.
#include "fss/gates/sigma/linear.h"

#include <catch2/catch.hpp>
#include <cstdio>

#include "fss/engine/engine_test_util.h"
#include "fss/engine/key_stream.h"

using namespace secinfer::fss;
using namespace secinfer::fss::engine;
using namespace secinfer::fss::engine::test;
using namespace secinfer::fss::sigma;

namespace {

// Reference product computed independently of ring_matmul (naive triple loop on __int128).
std::vector<u64> naive(Ring ring, const MatmulShape& s, const std::vector<u64>& a,
                       const std::vector<u64>& b) {
  std::vector<u64> c(s.batches * s.m * s.n, 0);
  for (std::size_t bt = 0; bt < s.batches; ++bt)
    for (std::size_t i = 0; i < s.m; ++i)
      for (std::size_t j = 0; j < s.n; ++j) {
        if (s.causal && j > i) continue;
        unsigned __int128 acc = 0;
        for (std::size_t t = 0; t < s.k; ++t) {
          const std::size_t bo = s.shared_b ? 0 : bt * s.k * s.n;
          const u64 bv = s.transpose_b ? b[bo + j * s.k + t] : b[bo + t * s.n + j];
          acc += static_cast<unsigned __int128>(a[(bt * s.m + i) * s.k + t]) * bv;
        }
        c[(bt * s.m + i) * s.n + j] = static_cast<u64>(acc) & ring.mask();
      }
  return c;
}

}  // namespace

TEST_CASE("masked matmul equals the ring product", "[sigma][linear]") {
  struct Setting {
    int bits;
    MatmulShape s;
  };
  const Setting settings[] = {
      {37, {1, 64, 30, 50, false, false, false}},  // plain
      {50, {1, 33, 17, 65, true, false, false}},   // B stored transposed (K^T)
      {50, {3, 20, 16, 24, false, true, false}},   // shared weight over a batch
      {37, {4, 48, 8, 48, true, false, true}},     // causal attention scores, 4 heads
      {50, {2, 32, 32, 16, false, false, false}},  // batched AV
  };
  std::size_t total = 0;
  for (const auto& st : settings) {
    const Ring ring = make_ring(st.bits);
    const MatmulShape& s = st.s;
    const std::size_t na = s.batches * s.m * s.k, nb = (s.shared_b ? 1 : s.batches) * s.k * s.n,
                      nc = s.batches * s.m * s.n;
    const auto a = test_values(ring, na, 1000 + na);
    const auto b = test_values(ring, nb, 2000 + nb);
    auto run = run_gate(
        options(st.bits, 41), {a, b}, {st.bits, st.bits}, nc, st.bits,
        [&](Dealer& d, const auto& r, std::span<u64> ro) { matmul_keygen(d, s, r[0], r[1], ro); },
        [&](Party& p, const auto& xh, std::span<u64> yh) { matmul_eval(p, s, xh[0], xh[1], yh); });
    std::vector<u64> want(nc);
    matmul_clear({ring, 12}, s, a, b, want);
    REQUIRE(want == naive(ring, s, a, b));
    REQUIRE(run.y[0] == want);
    REQUIRE(run.y[1] == want);
    const std::size_t live = s.causal ? s.batches * s.m * (s.m + 1) / 2 : nc;
    total += live;
    for (int bt = 0; bt < 2; ++bt) {
      CHECK(run.comm[bt].bytes_sent == open_bytes(live, st.bits));
      CHECK(run.comm[bt].messages == 1);
      CHECK(run.comm[bt].rounds == 1);
      CHECK(run.key_bytes[bt] ==
            kRecordHeaderBytes + packed(na, st.bits) + packed(nb, st.bits) + packed(live, st.bits));
    }
    std::printf(
        "[gate cost] matmul n=%d b=%zu %zux%zux%zu%s: key %.1f B/out-elem, online %.2f "
        "B/out-elem/party\n",
        st.bits, s.batches, s.m, s.k, s.n, s.causal ? " causal" : "",
        double(run.key_bytes[0]) / double(live), double(open_bytes(live, st.bits)) / double(live));
  }
  CHECK(total >= 10000);
}

TEST_CASE("a weight's mask shares dealt with it: the product reads them, its key leaves them out",
          "[sigma][linear]") {
  // Ops::weight_matrix: [r_W] in its own record before the product's (the model input's), the
  // product's key only [r_A] and the correlation; the same opened product.
  for (const int bits : {37, 50}) {
    const Ring ring = make_ring(bits);
    const MatmulShape s{2, 24, 32, 40, false, true, false};  // one weight for both batches
    const std::size_t na = s.batches * s.m * s.k, nb = s.k * s.n, nc = s.batches * s.m * s.n;
    const auto a = test_values(ring, na, 3000 + bits);
    const auto b = test_values(ring, nb, 4000 + bits);
    auto run = run_gate(
        options(bits, 43), {a, b}, {bits, bits}, nc, bits,
        [&](Dealer& d, const auto& r, std::span<u64> ro) {
          weight_shares_keygen(d, r[1]);
          matmul_keygen(d, s, r[0], r[1], ro, true);
        },
        [&](Party& p, const auto& xh, std::span<u64> yh) {
          const ShareBatch rb = weight_shares_eval(p, nb);
          matmul_eval(p, s, xh[0], xh[1], yh, nullptr, &rb);
        });
    std::vector<u64> want(nc);
    matmul_clear({ring, 12}, s, a, b, want);
    REQUIRE(run.y[0] == want);
    REQUIRE(run.y[1] == want);
    for (int bt = 0; bt < 2; ++bt) {
      CHECK(run.comm[bt].bytes_sent == open_bytes(nc, bits));
      CHECK(run.key_bytes[bt] ==
            2 * kRecordHeaderBytes + packed(nb, bits) + packed(na, bits) + packed(nc, bits));
    }
  }
}

TEST_CASE("elementwise mul, mul_rowwise and square", "[sigma][linear]") {
  for (int bits : {37, 50}) {
    const Ring ring = make_ring(bits);
    const std::size_t N = 6000, cols = 60, rows = N / cols;
    const auto x = test_values(ring, N, 3000 + bits);
    const auto y = test_values(ring, N, 4000 + bits);
    const auto yr = test_values(ring, rows, 5000 + bits);
    {
      auto run = run_gate(
          options(bits, 43), {x, y}, {bits, bits}, N, bits,
          [&](Dealer& d, const auto& r, std::span<u64> ro) { mul_keygen(d, r[0], r[1], ro); },
          [&](Party& p, const auto& xh, std::span<u64> yh) { mul_eval(p, xh[0], xh[1], yh); });
      std::vector<u64> want(N);
      mul_clear({ring, 12}, x, y, want);
      REQUIRE(run.y[0] == want);
      REQUIRE(run.y[1] == want);
      CHECK(run.comm[0].bytes_sent == open_bytes(N, bits));
      CHECK(run.comm[0].rounds == 1);
      CHECK(run.key_bytes[0] == kRecordHeaderBytes + 3 * packed(N, bits));
    }
    {
      auto run = run_gate(
          options(bits, 47), {x, yr}, {bits, bits}, N, bits,
          [&](Dealer& d, const auto& r, std::span<u64> ro) {
            mul_rowwise_keygen(d, cols, r[0], r[1], ro);
          },
          [&](Party& p, const auto& xh, std::span<u64> yh) {
            mul_rowwise_eval(p, cols, xh[0], xh[1], yh);
          });
      std::vector<u64> want(N);
      mul_rowwise_clear({ring, 12}, cols, x, yr, want);
      for (std::size_t i = 0; i < N; ++i) REQUIRE(want[i] == ring.mul(x[i], yr[i / cols]));
      REQUIRE(run.y[0] == want);
      CHECK(run.comm[1].bytes_sent == open_bytes(N, bits));
      CHECK(run.comm[1].rounds == 1);
      CHECK(run.key_bytes[1] == kRecordHeaderBytes + 2 * packed(N, bits) + packed(rows, bits));
    }
    {
      auto run = run_gate(
          options(bits, 53), {x}, {bits}, N, bits,
          [&](Dealer& d, const auto& r, std::span<u64> ro) { square_keygen(d, r[0], ro); },
          [&](Party& p, const auto& xh, std::span<u64> yh) { square_eval(p, xh[0], yh); });
      std::vector<u64> want(N);
      square_clear({ring, 12}, x, want);
      REQUIRE(run.y[0] == want);
      CHECK(run.comm[0].bytes_sent == open_bytes(N, bits));
      CHECK(run.key_bytes[0] == kRecordHeaderBytes + 2 * packed(N, bits));
    }
  }
}

TEST_CASE("ring_matmul is independent of the thread count", "[sigma][linear]") {
  const Ring ring = make_ring(50);
  const std::size_t m = 70, k = 33, n = 41;
  const auto a = test_values(ring, m * k, 1), b = test_values(ring, k * n, 2);
  std::vector<u64> c1(m * n), c4(m * n);
  ring_matmul(50, m, k, n, a, b, false, c1, false, false, 1);
  ring_matmul(50, m, k, n, a, b, false, c4, false, false, 4);
  CHECK(c1 == c4);
}

TEST_CASE("linear gates reject mismatched shapes", "[sigma][linear]") {
  std::vector<u64> a(6), b(6), c(4);
  const ClearCtx ctx{make_ring(37), 12};
  CHECK_THROWS_AS(matmul_clear(ctx, {1, 2, 3, 3, false, false, false}, a, b, c),
                  std::invalid_argument);
  CHECK_THROWS_AS(mul_clear(ctx, a, b, c), std::invalid_argument);
  CHECK_THROWS_AS(mul_rowwise_clear(ctx, 4, a, b, a), std::invalid_argument);
}
