// Property tests of SIGMA's comparison family (fss/gates/sigma/compare.h): DReLU, select, ReLU and
// the max tree; opened output == cleartext reference bit for bit, n in {37, 50}.
//
// Online cost on paper (per party, N elements; opening = ceil(N b / 8) + 8 bytes, 1 msg, 1 round):
//   DReLU  : open(N, 1)                          = 1 msg, 1 round
//   select : open(N, n)                          = 1 msg, 1 round
//   ReLU   : DReLU + select                      = 2 msgs, 2 rounds
//   max    : per level l = 1..L, L = ceil(log2 cols), one ReLU on rows * floor(w_l / 2) pairs
//            (w_1 = cols, w_{l+1} = ceil(w_l / 2))  = 2 L msgs, 2 L rounds.
// Key bytes (per party): DReLU 12 + 48 (DCF batch header) + N ceil(dcf_key_bits(n-1, 1) / 8)
//   + ceil(N / 8);
//   select 12 + 5 ceil(N n / 8); ReLU = both.
#include "fss/gates/sigma/compare.h"

#include <catch2/catch.hpp>
#include <cstdio>

#include "fss/engine/engine_test_util.h"
#include "fss/engine/key_codec.h"
#include "fss/sigma_dcf.h"

using namespace secinfer::fss;
using namespace secinfer::fss::engine;
using namespace secinfer::fss::engine::test;
using namespace secinfer::fss::sigma;

namespace {
std::uint64_t drelu_key(std::size_t n, int bits) {
  return kRecordHeaderBytes + sigma_dcf_record_bytes(bits - 1) * n + packed(n, 1);
}
std::uint64_t select_key(std::size_t n, int bits) {
  return kRecordHeaderBytes + 5 * packed(n, bits);
}
}  // namespace

TEST_CASE("DReLU opens the sign bit under a one-bit mask", "[sigma][compare]") {
  for (int bits : {37, 50}) {
    const Ring ring = make_ring(bits);
    const std::size_t N = 5000;
    const auto x = test_values(ring, N, 600 + bits);
    auto run = run_gate(
        options(bits, 21), {x}, {bits}, N, 1,
        [&](Dealer& d, const auto& r, std::span<u64> ro) { drelu_keygen(d, r[0], ro); },
        [&](Party& p, const auto& xh, std::span<u64> yh) { drelu_eval(p, xh[0], yh); });
    std::vector<u64> want(N);
    drelu_clear({ring, 12}, x, want);
    REQUIRE(run.y[0] == want);
    REQUIRE(run.y[1] == want);
    CHECK((run.wraps > 0 && run.no_wraps > 0));
    CHECK(want[0] == 1);  // DReLU(0) = 1
    CHECK(want[2] == 0);  // DReLU(-1) = 0
    for (int b = 0; b < 2; ++b) {
      CHECK(run.comm[b].bytes_sent == open_bytes(N, 1));
      CHECK(run.comm[b].rounds == 1);
      CHECK(run.comm[b].messages == 1);
      CHECK(run.key_bytes[b] == drelu_key(N, bits));
    }
    std::printf("[gate cost] drelu  n=%d: key %.1f B/elem, online %.3f B/elem/party\n", bits,
                double(drelu_key(N, bits)) / N, double(open_bytes(N, 1)) / N);
  }
}

TEST_CASE("comparison x >= y is DReLU(x - y)", "[sigma][compare]") {
  for (int bits : {37, 50}) {
    const Ring ring = make_ring(bits);
    const std::size_t N = 5000;
    const i64 bound = i64{1} << (bits - 2);  // |x - y| < 2^(n-1)
    const auto x = test_values(ring, N, 650 + bits, -bound, bound - 1);
    auto y = test_values(ring, N, 660 + bits, -bound, bound - 1);
    for (std::size_t i = 0; i < 50; ++i) y[i] = x[i];  // ties: x >= x
    auto run = run_gate(
        options(bits, 22), {x, y}, {bits, bits}, N, 1,
        [&](Dealer& d, const auto& r, std::span<u64> ro) { geq_keygen(d, r[0], r[1], ro); },
        [&](Party& p, const auto& xh, std::span<u64> yh) { geq_eval(p, xh[0], xh[1], yh); });
    std::vector<u64> want(N);
    geq_clear({ring, 12}, x, y, want);
    for (std::size_t i = 0; i < N; ++i)
      REQUIRE(want[i] == (ring.to_signed(x[i]) >= ring.to_signed(y[i]) ? 1u : 0u));
    REQUIRE(run.y[0] == want);
    REQUIRE(run.y[1] == want);
    CHECK(run.comm[0].bytes_sent == open_bytes(N, 1));
    CHECK(run.comm[0].rounds == 1);
    CHECK(run.key_bytes[0] == drelu_key(N, bits));
  }
}

TEST_CASE("select returns x or 0 by a masked bit", "[sigma][compare]") {
  for (int bits : {37, 50}) {
    const Ring ring = make_ring(bits);
    const std::size_t N = 5000;
    const auto x = test_values(ring, N, 700 + bits);
    std::vector<u64> d(N);
    for (std::size_t i = 0; i < N; ++i) d[i] = (x[i] * 0x9E3779B97F4A7C15ull >> 63) & 1;
    auto run = run_gate(
        options(bits, 23), {d, x}, {1, bits}, N, bits,
        [&](Dealer& dl, const auto& r, std::span<u64> ro) { select_keygen(dl, r[0], r[1], ro); },
        [&](Party& p, const auto& xh, std::span<u64> yh) { select_eval(p, xh[0], xh[1], yh); });
    std::vector<u64> want(N);
    select_clear({ring, 12}, d, x, want);
    REQUIRE(run.y[0] == want);
    for (int b = 0; b < 2; ++b) {
      CHECK(run.comm[b].bytes_sent == open_bytes(N, bits));
      CHECK(run.comm[b].rounds == 1);
      CHECK(run.key_bytes[b] == select_key(N, bits));
    }
  }
}

TEST_CASE("ReLU equals max(x, 0) on the whole ring", "[sigma][compare]") {
  for (int bits : {37, 50}) {
    const Ring ring = make_ring(bits);
    const std::size_t N = 5000;
    const auto x = test_values(ring, N, 800 + bits);
    auto run = run_gate(
        options(bits, 29), {x}, {bits}, N, bits,
        [&](Dealer& d, const auto& r, std::span<u64> ro) { relu_keygen(d, r[0], ro); },
        [&](Party& p, const auto& xh, std::span<u64> yh) { relu_eval(p, xh[0], yh); });
    std::vector<u64> want(N);
    relu_clear({ring, 12}, x, want);
    REQUIRE(run.y[0] == want);
    REQUIRE(run.y[1] == want);
    CHECK((run.wraps > 0 && run.no_wraps > 0));
    for (std::size_t i = 0; i < N; ++i) {
      const i64 v = ring.to_signed(x[i]);
      REQUIRE(want[i] == ring.from_signed(v > 0 ? v : 0));
    }
    const std::uint64_t online = open_bytes(N, 1) + open_bytes(N, bits);
    for (int b = 0; b < 2; ++b) {
      CHECK(run.comm[b].bytes_sent == online);
      CHECK(run.comm[b].messages == 2);
      CHECK(run.comm[b].rounds == 2);
      CHECK(run.key_bytes[b] == drelu_key(N, bits) + select_key(N, bits));
    }
    std::printf("[gate cost] relu   n=%d: key %.1f B/elem, online %.2f B/elem/party\n", bits,
                double(drelu_key(N, bits) + select_key(N, bits)) / N, double(online) / N);
  }
}

TEST_CASE("max over rows is a tree of ReLU(a - b) + b", "[sigma][compare]") {
  struct Setting {
    int bits;
    std::size_t rows, cols;
  };
  for (Setting st : {Setting{37, 200, 7}, Setting{50, 64, 33}, Setting{50, 50, 128},
                     Setting{37, 300, 1}, Setting{50, 100, 2}}) {
    const Ring ring = make_ring(st.bits);
    const std::size_t N = st.rows * st.cols;
    const i64 bound = i64{1} << (st.bits - 2);  // |a - b| < 2^(n-1)
    const auto x = test_values(ring, N, 900 + st.cols, -bound, bound - 1);
    auto run = run_gate(
        options(st.bits, 31), {x}, {st.bits}, st.rows, st.bits,
        [&](Dealer& d, const auto& r, std::span<u64> ro) { max_keygen(d, st.cols, r[0], ro); },
        [&](Party& p, const auto& xh, std::span<u64> yh) { max_eval(p, st.cols, xh[0], yh); });
    std::vector<u64> want(st.rows);
    max_clear({ring, 12}, st.cols, x, want);
    REQUIRE(run.y[0] == want);
    REQUIRE(run.y[1] == want);
    CHECK((run.wraps > 0 && run.no_wraps > 0));
    for (std::size_t r = 0; r < st.rows; ++r) {
      i64 m = ring.to_signed(x[r * st.cols]);
      for (std::size_t j = 1; j < st.cols; ++j) m = std::max(m, ring.to_signed(x[r * st.cols + j]));
      REQUIRE(want[r] == ring.from_signed(m));
    }
    std::uint64_t online = 0, levels = 0;
    for (std::size_t w = st.cols; w > 1; w = (w + 1) / 2, ++levels) {
      const std::size_t pairs = st.rows * (w / 2);
      online += open_bytes(pairs, 1) + open_bytes(pairs, st.bits);
    }
    for (int b = 0; b < 2; ++b) {
      CHECK(run.comm[b].bytes_sent == online);
      CHECK(run.comm[b].rounds == 2 * levels);
      CHECK(run.comm[b].messages == 2 * levels);
    }
  }
}

TEST_CASE("ReLU in SIGMA's reduced ring: right mod 2^m inside its bound, m-bit openings",
          "[sigma][compare][reduced]") {
  // n = 50, m = n - f + 2 = 40 (the softmax max): DReLU on the low m - 1 bits, select in m bits.
  const int n = 50, m = 40;
  const Ring ring = make_ring(n), narrow = make_ring(m);
  const std::size_t N = 5000;
  const i64 bound = i64{1} << (m - 2);  // |x| < 2^(m-2)
  auto x = test_values(ring, N, 4242, -bound, bound - 1);
  // Edges of the bound, 0, +-1; and inputs with garbage above bit m (only the low m bits count).
  const i64 edges[] = {0, 1, -1, bound - 1, -bound, bound / 2, -(bound / 2)};
  for (std::size_t i = 0; i < std::size(edges); ++i) x[i] = ring.from_signed(edges[i]);
  for (std::size_t i = 100; i < 200; ++i) x[i] = ring.reduce(x[i] + (u64{0x2b5} << m));
  auto run = run_gate(
      options(n, 41), {x}, {n}, N, n,
      [&](Dealer& d, const auto& r, std::span<u64> ro) { relu_keygen(d, r[0], ro, m); },
      [&](Party& p, const auto& xh, std::span<u64> yh) { relu_eval(p, xh[0], yh, m); });
  std::vector<u64> want(N);
  relu_clear({ring, 12}, x, want, m);
  // The harness opens y - r in the model's ring: only the low m bits are the gate's output.
  for (int b = 0; b < 2; ++b)
    for (u64& v : run.y[b]) v &= narrow.mask();
  REQUIRE(run.y[0] == want);
  REQUIRE(run.y[1] == want);
  for (std::size_t i = 0; i < N; ++i) {
    const i64 v = narrow.to_signed(x[i] & narrow.mask());
    REQUIRE(want[i] == narrow.from_signed(v > 0 ? v : 0));
  }
  const std::uint64_t online = open_bytes(N, 1) + open_bytes(N, m);
  for (int b = 0; b < 2; ++b) {
    CHECK(run.comm[b].bytes_sent == online);
    CHECK(run.comm[b].rounds == 2);
    // DReLU on m - 1 bits: SIGMA's DCF on m - 2 bits; the select's five shares of m bits.
    CHECK(run.key_bytes[b] == drelu_key(N, m - 1) + select_key(N, m));
  }
}

TEST_CASE("max in SIGMA's reduced ring equals the max mod 2^m", "[sigma][compare][reduced]") {
  const int n = 50, m = 40;
  const Ring ring = make_ring(n), narrow = make_ring(m);
  for (std::size_t cols : {std::size_t{1}, std::size_t{2}, std::size_t{7}, std::size_t{128}}) {
    const std::size_t rows = 40, N = rows * cols;
    const i64 bound = i64{1} << (m - 3);  // scores below 2^(m-3): differences below 2^(m-2)
    const auto x = test_values(ring, N, 5000 + cols, -bound, bound - 1);
    auto run = run_gate(
        options(n, 43), {x}, {n}, rows, n,
        [&](Dealer& d, const auto& r, std::span<u64> ro) { max_keygen(d, cols, r[0], ro, m); },
        [&](Party& p, const auto& xh, std::span<u64> yh) { max_eval(p, cols, xh[0], yh, m); });
    std::vector<u64> want(rows);
    max_clear({ring, 12}, cols, x, want, m);
    // Right mod 2^m only (the higher bits of the secure and the clear tree differ).
    for (u64& v : want) v &= narrow.mask();
    for (int b = 0; b < 2; ++b)
      for (u64& v : run.y[b]) v &= narrow.mask();
    REQUIRE(run.y[0] == want);
    REQUIRE(run.y[1] == want);
    std::uint64_t online = 0;
    for (std::size_t r = 0; r < rows; ++r) {
      i64 mx = ring.to_signed(x[r * cols]);
      for (std::size_t j = 1; j < cols; ++j) mx = std::max(mx, ring.to_signed(x[r * cols + j]));
      REQUIRE((want[r] & narrow.mask()) == (ring.from_signed(mx) & narrow.mask()));
    }
    for (std::size_t w = cols; w > 1; w = (w + 1) / 2)
      online += open_bytes(rows * (w / 2), 1) + open_bytes(rows * (w / 2), m);
    for (int b = 0; b < 2; ++b) CHECK(run.comm[b].bytes_sent == online);
  }
}
