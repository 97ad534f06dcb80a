// Progress lines of a model run: run k of N, layer i of L, elapsed, the estimate of what is left.
#include "apps/progress.h"

#include <catch2/catch.hpp>

namespace secinfer::apps {
namespace {

using namespace std::chrono_literals;

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST_CASE("progress names the run, the layer, the time spent and the time left", "[apps]") {
  const Progress::Clock::time_point t0{};
  Progress p(t0, 5s);
  // 2 runs (1 warm-up) of a 2-layer model: 4 steps each, one step every 10 s.
  auto step = [](int run, std::size_t s) { return models::StepDone{run, 2, run == 0, s, 4, 2}; };
  const auto first = p.step_done(step(0, 0), t0 + 10s);
  REQUIRE(first);
  CHECK(contains(*first, "run 1 of 2 (warm-up), embedding done"));
  CHECK(contains(*first, "10.0 s elapsed, about 1 min 10 s left"));
  CHECK_FALSE(p.step_done(step(0, 1), t0 + 12s));  // too soon after the last line
  const auto layer = p.step_done(step(0, 2), t0 + 30s);
  REQUIRE(layer);
  CHECK(contains(*layer, "layer 2 of 2 done"));
  const auto run_end = p.step_done(step(0, 3), t0 + 31s);  // a run's end is always shown
  REQUIRE(run_end);
  CHECK(contains(*run_end, "output head done"));
  const auto last = p.step_done(step(1, 3), t0 + 80s);
  REQUIRE(last);
  CHECK(contains(*last, "run 2 of 2, output head done; 1 min 20 s elapsed"));
  CHECK_FALSE(contains(*last, "left"));
}

TEST_CASE("durations read in the largest sensible units", "[apps]") {
  CHECK(duration_text(0.84) == "0.8 s");
  CHECK(duration_text(185) == "3 min 5 s");
  CHECK(duration_text(7440) == "2 h 4 min");
}

}  // namespace
}  // namespace secinfer::apps
