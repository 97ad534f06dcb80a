// fss::ThreadPool: parallel_for on a pool covers [0, n) with the ranges fss::parallel_for makes for
// the same part count, any number of times in a row; the first exception of a part reaches the
// caller and the pool stays usable; a loop started from inside a running loop runs inline instead
// of waiting on itself; threads = 1 runs everything on the caller.
#include "fss/thread_pool.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <random>
#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

#include "fss/parallel.h"

using secinfer::fss::parallel_for;
using secinfer::fss::ThreadPool;

namespace {
using Ranges = std::set<std::pair<std::size_t, std::size_t>>;

template <class Loop>
Ranges ranges_of(Loop&& loop) {
  std::mutex mu;
  Ranges r;
  loop([&](std::size_t b, std::size_t e) {
    std::lock_guard lock(mu);
    r.emplace(b, e);
  });
  return r;
}
}  // namespace

TEST_CASE("a pool's loops make parallel_for's ranges, every time", "[fss][parallel][pool]") {
  std::mt19937_64 g(std::random_device{}());
  for (const int threads : {1, 2, 3, 8}) {
    ThreadPool pool(threads);
    CHECK(pool.size() == threads);
    for (int rep = 0; rep < 200; ++rep) {
      const std::size_t n = g() % 5000, grain = 1 + g() % 700;
      const Ranges want = ranges_of([&](const auto& fn) { parallel_for(n, grain, threads, fn); });
      const Ranges got = ranges_of([&](const auto& fn) { parallel_for(pool, n, grain, fn); });
      REQUIRE(got == want);
      std::size_t covered = 0;
      for (const auto& [b, e] : got) covered += e - b;
      CHECK(covered == n);
    }
  }
}

TEST_CASE("a pool rethrows a part's exception and stays usable", "[fss][parallel][pool]") {
  ThreadPool pool(4);
  CHECK_THROWS_WITH(parallel_for(pool, 1000, 10,
                                 [](std::size_t b, std::size_t) {
                                   if (b > 0) throw std::runtime_error("part failed");
                                 }),
                    "part failed");
  std::atomic<std::size_t> sum{0};
  parallel_for(pool, 1000, 10, [&](std::size_t b, std::size_t e) { sum += e - b; });
  CHECK(sum == 1000);
}

TEST_CASE("a loop inside a pool's loop runs inline", "[fss][parallel][pool]") {
  ThreadPool pool(4);
  std::atomic<std::size_t> inner{0};
  parallel_for(pool, 64, 1, [&](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i)
      parallel_for(pool, 10, 1, [&](std::size_t ib, std::size_t ie) { inner += ie - ib; });
  });
  CHECK(inner == 640);
}
