// parallel_for (fss/parallel.h): disjoint ranges covering [0, n) for any thread count and grain,
// exceptions reach the caller.
#include "fss/parallel.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <stdexcept>
#include <vector>

using namespace secinfer::fss;

TEST_CASE("parallel_for covers [0, n) exactly once", "[parallel]") {
  for (const std::size_t n : {0, 1, 5, 64, 1000, 4097})
    for (const std::size_t grain : {0, 1, 7, 256})
      for (const int threads : {0, 1, 2, 3, 8}) {
        INFO("n " << n << " grain " << grain << " threads " << threads);
        std::vector<std::atomic<int>> hits(n);
        std::atomic<int> calls{0};
        parallel_for(n, grain, threads, [&](std::size_t b, std::size_t e) {
          REQUIRE(b < e);
          REQUIRE(e <= n);
          ++calls;
          for (std::size_t i = b; i < e; ++i) ++hits[i];
        });
        for (std::size_t i = 0; i < n; ++i) REQUIRE(hits[i] == 1);
        if (n > 0 && threads == 1) CHECK(calls == 1);
        if (n > 0 && grain > 0) CHECK(static_cast<std::size_t>(calls) <= (n + grain - 1) / grain);
      }
}

TEST_CASE("parallel_for rethrows and validates the thread count", "[parallel]") {
  CHECK_THROWS_WITH(parallel_for(100, 1, 4,
                                 [](std::size_t b, std::size_t) {
                                   if (b > 0) throw std::runtime_error("range failed");
                                 }),
                    "range failed");
  CHECK_THROWS_AS(parallel_for(10, 1, -1, [](std::size_t, std::size_t) {}), std::invalid_argument);
  CHECK(resolve_threads(3) == 3);
  CHECK(resolve_threads(0) >= 1);
}
