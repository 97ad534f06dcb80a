// The GPU ring product's three paths (fss/cuda/ring_matmul.cu: the SIMT kernel simulated thread by
// thread from its own steps; 16-bit limbs in fp64 and signed 8-bit digits in int8/int32 with the
// kernels' limb placement and cuBLAS call parameters; fss/cuda/ring_matmul_emulate.h) against
// sigma::detail::ring_matmul_batched bit for bit: odd shapes (batches, transposed / shared B,
// causal, accumulate, k = 0), every bit width class (1, 8, 16, 17, 32, 37, 48, 50, 56, 57, 64),
// unreduced inputs with 0 and 2^64 - 1, and the largest k each path claims exact with the inputs
// that maximise its sums. Needs no GPU; the device runs of the same paths are gpu_check's.
#include <catch2/catch.hpp>
#include <random>
#include <vector>

#include "fss/cuda/ring_matmul_core.h"
#include "fss/cuda/ring_matmul_emulate.h"
#include "fss/gates/sigma/ring_matmul.h"

using namespace secinfer::fss;
using namespace secinfer::fss::cuda;

namespace {

sigma::detail::RingMatmulArgs cpu_args(const RingGemm& g) {
  sigma::detail::RingMatmulArgs r;
  r.bits = g.bits;
  r.batches = g.batches;
  r.m = g.m;
  r.k = g.k;
  r.n = g.n;
  r.transpose_b = g.transpose_b;
  r.shared_b = g.shared_b;
  r.accumulate = g.accumulate;
  r.causal = g.causal;
  r.kernel = sigma::detail::MatmulKernel::kScalar;
  return r;
}

// 0 and 2^64 - 1 one in eight each, else uniform; `fill` != 0: every entry.
std::vector<u64> inputs(std::mt19937_64& rng, std::size_t n, u64 fill = 0) {
  std::vector<u64> v(n);
  for (auto& x : v) {
    const u64 r = rng();
    x = fill != 0 ? fill : (r % 8 == 0 ? 0 : r % 8 == 1 ? ~u64{0} : rng());
  }
  return v;
}

// C0 random (unreduced: causal's untouched entries must survive as they are); the SIMT simulation
// and both limb emulations where they apply against the CPU kernel.
void check(std::mt19937_64& rng, const RingGemm& g, u64 fill = 0, bool simt = true) {
  const std::vector<u64> a = inputs(rng, ring_gemm_a_size(g), fill);
  const std::vector<u64> b = inputs(rng, ring_gemm_b_size(g), fill);
  std::vector<u64> c0(ring_gemm_c_size(g));
  for (auto& x : c0) x = rng();
  std::vector<u64> want = c0;
  sigma::detail::ring_matmul_batched(cpu_args(g), a, b, want);
  if (simt)
    for (const int sms : {132, 1}) {  // the H200's SMs (k split where tiles are few), and one
      std::vector<u64> got = c0;
      ring_gemm::simt_emulated(g, a, b, got, sms);
      CHECK(got == want);
    }
  if (ring_gemm::fp64_exact(g)) {
    std::vector<u64> got = c0;
    ring_gemm::fp64_limbs_emulated(g, a, b, got);
    CHECK(got == want);
  }
  if (ring_gemm::int8_exact(g)) {
    std::vector<u64> got = c0;
    ring_gemm::int8_limbs_emulated(g, a, b, got);
    CHECK(got == want);
  }
}

}  // namespace

TEST_CASE("balanced base-256 digits recompose x mod 2^bits", "[cuda][ring_matmul]") {
  std::mt19937_64 rng(1);
  for (const int bits : {1, 7, 8, 9, 37, 50, 56, 57, 63, 64})
    for (int i = 0; i < 2000; ++i) {
      const u64 x = i == 0 ? ~u64{0} : i == 1 ? 0x7f7f7f7f7f7f7f80ULL : rng();
      signed char d[8];
      ring_gemm::digits(x, bits, d);
      u64 back = 0;
      for (int l = 0; l < ring_gemm::digit_count(bits); ++l) back += ring_gemm::digit_term(d[l], l);
      REQUIRE((back & ring_mask(bits)) == (x & ring_mask(bits)));
    }
}

TEST_CASE("SIMT, fp64 and int8 paths equal the CPU ring product", "[cuda][ring_matmul]") {
  std::mt19937_64 rng(2);
  struct Shape {
    std::size_t batches, m, k, n;
    bool transpose_b, shared_b, causal;
  };
  const Shape shapes[] = {
      {1, 1, 1, 1, false, false, false},     {3, 37, 45, 29, false, false, false},
      {2, 67, 19, 67, true, false, true},    {3, 20, 33, 20, false, true, true},
      {5, 1, 300, 65, false, true, false},   {2, 9, 17, 31, true, true, false},
      {2, 6, 0, 6, false, false, true},      {1, 5, 64, 7, true, false, false},
      {1, 130, 270, 130, true, false, true}, {2, 65, 300, 129, false, false, false},
  };
  for (const Shape& s : shapes)
    for (const int bits : {1, 8, 16, 17, 32, 37, 48, 50, 56, 57, 64})
      for (const bool acc : {false, true}) {
        RingGemm g;
        g.bits = bits;
        g.batches = s.batches;
        g.m = s.m;
        g.k = s.k;
        g.n = s.n;
        g.transpose_b = s.transpose_b;
        g.shared_b = s.shared_b;
        g.causal = s.causal;
        g.accumulate = acc;
        INFO("bits " << bits << " " << s.batches << "x" << s.m << "x" << s.k << "x" << s.n
                     << (acc ? " accumulate" : ""));
        check(rng, g);
      }
}

TEST_CASE("limb paths stay exact up to the largest k they accept", "[cuda][ring_matmul]") {
  std::mt19937_64 rng(3);
  for (const int bits : {37, 64}) {
    RingGemm g;
    g.bits = bits;
    g.m = 2;
    g.n = 3;
    // fp64: every 16-bit limb 2^16 - 1; the top diagonal reaches L k (2^16 - 1)^2 <= 2^53.
    g.k = ring_gemm::fp64_max_k(bits);
    REQUIRE(ring_gemm::fp64_exact(g));
    check(rng, g, ~u64{0}, false);
    ++g.k;
    CHECK_FALSE(ring_gemm::fp64_exact(g));
    // int8: every digit -128; the top diagonal reaches L8 kp 2^14 <= 2^31 - 1.
    g.k = ring_gemm::int8_max_k(bits);
    REQUIRE(ring_gemm::int8_exact(g));
    check(rng, g, 0x7f7f7f7f7f7f7f80ULL, false);
    ++g.k;
    CHECK_FALSE(ring_gemm::int8_exact(g));
  }
}
