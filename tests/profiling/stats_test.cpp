#include "profiling/stats.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <stdexcept>
#include <vector>

using secinfer::profiling::median;
using secinfer::profiling::quantile;
using secinfer::profiling::summarize;

TEST_CASE("stats: linear interpolation between order statistics (type 7)") {
  const std::vector<double> x = {4, 1, 3, 2};  // unsorted on purpose
  const auto s = summarize(x);
  CHECK(s.median == Approx(2.5));
  CHECK(s.p25 == Approx(1.75));
  CHECK(s.p75 == Approx(3.25));
  CHECK(s.min == 1);
  CHECK(s.max == 4);
  CHECK(median(x) == Approx(2.5));
  CHECK(quantile(x, 0.0) == 1);
  CHECK(quantile(x, 1.0) == 4);
  CHECK(quantile(x, 0.1) == Approx(1.3));

  const std::vector<double> odd = {10, 30, 20, 50, 40};
  CHECK(median(odd) == 30);
  CHECK(quantile(odd, 0.25) == 20);
  CHECK(quantile(odd, 0.75) == 40);

  const std::vector<double> one = {7};
  const auto s1 = summarize(one);
  CHECK((s1.median == 7 && s1.p25 == 7 && s1.p75 == 7 && s1.min == 7 && s1.max == 7));
}

TEST_CASE("stats: bad input is refused") {
  const std::vector<double> empty;
  CHECK_THROWS_AS(median(empty), std::invalid_argument);
  CHECK_THROWS_AS(summarize(empty), std::invalid_argument);
  const std::vector<double> x = {1, 2};
  CHECK_THROWS_AS(quantile(x, -0.1), std::invalid_argument);
  CHECK_THROWS_AS(quantile(x, 1.5), std::invalid_argument);
}

TEST_CASE("stats: properties over random samples") {
  std::mt19937_64 rng(std::random_device{}());
  std::uniform_int_distribution<int> len(1, 40);
  std::normal_distribution<double> val(10.0, 5.0);
  for (int trial = 0; trial < 2000; ++trial) {
    std::vector<double> x(static_cast<std::size_t>(len(rng)));
    for (double& v : x) v = val(rng);
    const auto s = summarize(x);
    std::vector<double> sorted = x;
    std::sort(sorted.begin(), sorted.end());
    REQUIRE(s.min == sorted.front());
    REQUIRE(s.max == sorted.back());
    REQUIRE(s.min <= s.p25);
    REQUIRE(s.p25 <= s.median);
    REQUIRE(s.median <= s.p75);
    REQUIRE(s.p75 <= s.max);
    const std::size_t n = sorted.size();
    const double expect_median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    REQUIRE(s.median == Approx(expect_median));
    // Invariant under permutation and under a shift.
    std::shuffle(x.begin(), x.end(), rng);
    for (double& v : x) v += 3.0;
    REQUIRE(summarize(x).p75 == Approx(s.p75 + 3.0));
  }
}
