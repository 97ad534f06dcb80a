// fss::ThreadPool: parallel_for on a pool covers [0, n) with part_range's ranges for
// min(kPartsPerThread * threads, ceil(n / grain)) parts (one range on a pool of one thread), any
// number of times in a row, and wakes its sleeping workers however long they slept; the first
// exception of a part reaches the caller and the pool stays usable; a loop started from inside a
// running loop runs inline instead of waiting on itself.
#include "fss/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "fss/parallel.h"

using secinfer::fss::parallel_for;
using secinfer::fss::part_range;
using secinfer::fss::PartRange;
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

TEST_CASE("a pool's loops make part_range's ranges, every time", "[fss][parallel][pool]") {
  std::mt19937_64 g(std::random_device{}());
  for (const int threads : {1, 2, 3, 8}) {
    ThreadPool pool(threads);
    CHECK(pool.size() == threads);
    for (int rep = 0; rep < 200; ++rep) {
      const std::size_t n = g() % 5000, grain = 1 + g() % 700;
      const std::size_t parts =
          threads == 1 ? 1
                       : std::min(ThreadPool::kPartsPerThread * static_cast<std::size_t>(threads),
                                  (n + grain - 1) / grain);
      Ranges want;
      for (std::size_t p = 0; n > 0 && p < parts; ++p) {
        const PartRange r = part_range(n, parts, p);
        want.emplace(r.begin, r.end);
      }
      const Ranges got = ranges_of([&](const auto& fn) { parallel_for(pool, n, grain, fn); });
      REQUIRE(got == want);
      std::size_t covered = 0;
      for (const auto& [b, e] : got) covered += e - b;
      CHECK(covered == n);
    }
  }
}

TEST_CASE("a pool's sleeping workers all wake for a loop", "[fss][parallel][pool]") {
  // After a pause longer than the workers' spin, every worker sleeps; a loop whose parts each
  // wait until all threads have started one can only finish if the caller's wake-up reaches every
  // worker (the tree of wake-ups).
  constexpr int kThreads = 6;
  ThreadPool pool(kThreads);
  for (int rep = 0; rep < 20; ++rep) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    std::atomic<int> started{0};
    pool.run(kThreads, [&](std::size_t) {
      started.fetch_add(1);
      while (started.load() < kThreads) std::this_thread::yield();
    });
    CHECK(started.load() == kThreads);
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
