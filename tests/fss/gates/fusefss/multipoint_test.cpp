// dcf_eval_multipoint (fss/gates/fusefss/multipoint_dcf.h) equals fss::dcf_eval at every point,
// for random keys (alpha, beta uniform, edges 0 and 2^n - 1 included), points that share long
// prefixes (x^ - p for small p, as the shared-mask lookup makes them), duplicates, and uniform
// points, over domain widths 1..64 and payload lengths 1..6.
#include <catch2/catch.hpp>
#include <random>

#include "fss/gates/fusefss/fusefss_test_util.h"
#include "fss/gates/fusefss/multipoint_dcf.h"
#include "fss/prg.h"

namespace secinfer::fss::fusefss::test {

TEST_CASE("multipoint DCF evaluation equals dcf_eval", "[fusefss][multipoint]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 gen(seed);
  SeededPrg rng(Block{seed, 17});
  for (int n : {1, 2, 5, 17, 37, 50, 64})
    for (int L : {1, 2, 3, 4, 5, 6}) {
      const int m = 1 + static_cast<int>(gen() % 64);
      const u64 nm = ring_mask(n), mm = ring_mask(m);
      const std::size_t count = 40, P = 1 + gen() % 14;
      std::vector<u64> alpha(count), beta(count * static_cast<std::size_t>(L));
      for (auto& a : alpha) a = gen() & nm;
      alpha[0] = 0;
      alpha[1] = nm;
      for (auto& b : beta) b = gen() & mm;
      auto [k0, k1] = dcf_gen({n, m, L}, alpha, beta, rng);
      std::vector<u64> pts(count * P);
      for (std::size_t k = 0; k < count; ++k) {
        const u64 base = gen() & nm;
        for (std::size_t j = 0; j < P; ++j) {
          const u64 r = gen();
          pts[k * P + j] = (r % 4 == 0)   ? gen() & nm                       // uniform
                           : (r % 4 == 1) ? base                             // duplicate
                                          : (base - (r >> 40) % 5000) & nm;  // shared prefix
        }
      }
      for (const DcfKeys* keys : {&k0, &k1}) {
        std::vector<u64> got(count * P * static_cast<std::size_t>(L));
        dcf_eval_multipoint(*keys, P, pts, got, 2);
        // Reference: one dcf_eval per point index j over all keys.
        std::size_t bad = 0;
        for (std::size_t j = 0; j < P; ++j) {
          std::vector<u64> x(count), want(count * static_cast<std::size_t>(L));
          for (std::size_t k = 0; k < count; ++k) x[k] = pts[k * P + j];
          dcf_eval(*keys, x, want);
          for (std::size_t k = 0; k < count; ++k)
            for (int e = 0; e < L; ++e)
              bad += got[(k * P + j) * static_cast<std::size_t>(L) + static_cast<std::size_t>(e)] !=
                     want[k * static_cast<std::size_t>(L) + static_cast<std::size_t>(e)];
        }
        CHECK(bad == 0);
      }
    }
}

}  // namespace secinfer::fss::fusefss::test
