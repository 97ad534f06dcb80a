// Dealer::for_range: the ranges cover [0, n) once each, whatever the grain and the thread count
// (a gate's keygen writes only its own range's outputs, so keys never depend on either).
#include <atomic>
#include <catch2/catch.hpp>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "fss/engine/dealer.h"
#include "fss/engine/key_stream.h"

using namespace secinfer::fss;
using namespace secinfer::fss::engine;

TEST_CASE("Dealer::for_range covers every element once, with the default grain or a given one",
          "[engine][dealer]") {
  KeyWriter w0 = KeyWriter::discard(), w1 = KeyWriter::discard();
  for (const int threads : {1, 3}) {
    Dealer d(make_ring(64), 12, Block{5, 6}, w0, w1);
    d.set_threads(threads);
    for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{15}, std::size_t{16},
                                std::size_t{17}, std::size_t{1000}, std::size_t{1} << 18}) {
      for (const std::size_t grain : {std::size_t{0}, std::size_t{1}, std::size_t{8}}) {
        INFO("threads " << threads << " n " << n << " grain " << grain);
        std::vector<std::atomic<int>> hits(n);
        const auto mark = [&](std::size_t lo, std::size_t hi) {
          REQUIRE(lo < hi);
          REQUIRE(hi <= n);
          for (std::size_t i = lo; i < hi; ++i) hits[i].fetch_add(1);
        };
        if (grain == 0)
          d.for_range(n, mark);  // the default grain (elementwise arithmetic)
        else
          d.for_range(n, grain, mark);
        for (std::size_t i = 0; i < n; ++i) REQUIRE(hits[i].load() == 1);
      }
    }
    CHECK_THROWS_AS(d.for_range(10, 0, [](std::size_t, std::size_t) {}), std::invalid_argument);
  }
}

TEST_CASE("Dealer::for_rows covers every row once, whatever the row width", "[engine][dealer]") {
  KeyWriter w0 = KeyWriter::discard(), w1 = KeyWriter::discard();
  for (const int threads : {1, 3}) {
    Dealer d(make_ring(64), 12, Block{5, 6}, w0, w1);
    d.set_threads(threads);
    for (const std::size_t rows :
         {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{300}}) {
      // 0 and 1: degenerate widths; 768: a few rows a range; 2^20: wider than a range's elements.
      for (const std::size_t cols :
           {std::size_t{0}, std::size_t{1}, std::size_t{768}, std::size_t{1} << 20}) {
        INFO("threads " << threads << " rows " << rows << " cols " << cols);
        std::vector<std::atomic<int>> hits(rows);
        d.for_rows(rows, cols, [&](std::size_t lo, std::size_t hi) {
          REQUIRE(lo < hi);
          REQUIRE(hi <= rows);
          for (std::size_t r = lo; r < hi; ++r) hits[r].fetch_add(1);
        });
        for (std::size_t r = 0; r < rows; ++r) REQUIRE(hits[r].load() == 1);
      }
    }
  }
}
