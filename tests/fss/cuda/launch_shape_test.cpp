// The launch arithmetic of the grid-stride kernels (fss/cuda/launch_shape.h; kernel_util.cuh
// plan_launch feeds choose_launch the CUDA occupancy queries): grids, the last wave's use, and the
// choice of the smaller block at the dealer's call sizes on an H100 (docs/perf.md, session 36).
#include "fss/cuda/launch_shape.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstddef>

using namespace secinfer::fss::cuda;

namespace {

// choose_launch with the small blocks' residency given.
LaunchShape choose(const Residency& r, int block, const Residency& rs, int small,
                   std::size_t items) {
  return choose_launch(r, block, small, items, [&] { return rs; });
}

}  // namespace

TEST_CASE("grid_of: resident blocks, no more than the work needs, at least one", "[cuda-launch]") {
  const Residency h100{132, 1};
  CHECK(grid_of(h100, 512, 0) == 1);
  CHECK(grid_of(h100, 512, 1) == 1);
  CHECK(grid_of(h100, 512, 512) == 1);
  CHECK(grid_of(h100, 512, 513) == 2);
  CHECK(grid_of(h100, 512, 98304) == 132);  // 192 blocks' work: grid-stride over 132
  CHECK(grid_of(Residency{132, 4}, 128, 98304) == 528);
  CHECK(grid_of(Residency{132, 4}, 128, 27648) == 216);
}

TEST_CASE("last_wave_underused: under kLastWaveUse of the last wave's slots", "[cuda-launch]") {
  const Residency r{132, 1};
  const std::size_t wave = 132 * 512;  // 67,584 threads
  CHECK_FALSE(last_wave_underused(r, 512, 0));
  CHECK(last_wave_underused(r, 512, 1));
  CHECK(last_wave_underused(r, 512, 27648));
  CHECK(last_wave_underused(r, 512, 98304));         // 1.45 waves: 73% of two
  CHECK_FALSE(last_wave_underused(r, 512, 393216));  // 5.8 waves: 97% of six
  CHECK_FALSE(last_wave_underused(r, 512, wave));
  CHECK_FALSE(last_wave_underused(r, 512, 2 * wave));
  // The threshold: 85% of one wave.
  const auto edge = static_cast<std::size_t>(std::ceil(kLastWaveUse * static_cast<double>(wave)));
  CHECK_FALSE(last_wave_underused(r, 512, edge));
  CHECK(last_wave_underused(r, 512, edge - 1));
  CHECK_FALSE(last_wave_underused(Residency{0, 0}, 512, 100));  // nothing resident: no choice
}

TEST_CASE("the smaller block where it holds as many threads an SM", "[cuda-launch]") {
  // The DCF generator on an H100: one 512-thread block an SM, four of 128.
  const Residency big{132, 1}, small{132, 4};
  CHECK(holds_as_many(small, 128, big, 512));
  const LaunchShape a = choose(big, 512, small, 128, 98304);
  CHECK(a.block == 128);
  CHECK(a.grid == 528);
  const LaunchShape b = choose(big, 512, small, 128, 27648);
  CHECK(b.block == 128);
  CHECK(b.grid == 216);
  const LaunchShape c = choose(big, 512, small, 128, 393216);  // full waves: 512 stays
  CHECK(c.block == 512);
  CHECK(c.grid == 132);
  // An evaluation kernel whose 128-thread blocks the shared memory caps at 6 an SM (768 threads)
  // against four 512-thread blocks (2,048): it keeps 512 even for a mostly idle last wave.
  const Residency eval_big{132, 4}, eval_small{132, 6};
  CHECK_FALSE(holds_as_many(eval_small, 128, eval_big, 512));
  const LaunchShape d = choose(eval_big, 512, eval_small, 128, 98304);
  CHECK(d.block == 512);
  CHECK(d.grid == 192);
  // SIGMA's DCF generator: one 512-thread block an SM, six of 128 (more threads).
  CHECK(holds_as_many(Residency{132, 6}, 128, Residency{132, 1}, 512));
}

TEST_CASE("choose_launch asks for the small blocks' residency only where it may take them",
          "[cuda-launch]") {
  const Residency big{132, 1}, small{132, 4};
  int asked = 0;
  const auto query = [&] {
    ++asked;
    return small;
  };
  CHECK(choose_launch(big, 512, 128, 393216, query).block == 512);  // full waves
  CHECK(asked == 0);
  CHECK(choose_launch(big, 512, 0, 98304, query).block == 512);    // no small block configured
  CHECK(choose_launch(big, 512, 512, 98304, query).block == 512);  // not smaller
  CHECK(asked == 0);
  CHECK(choose_launch(big, 512, 128, 98304, query).block == 128);
  CHECK(asked == 1);
}
