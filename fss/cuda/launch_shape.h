// The launch arithmetic of the grid-stride kernels, apart from the CUDA queries that feed it
// (aes_tables.cuh residency, kernel_util.cuh plan_launch), so that the CPU tests can check it.
#pragma once

#include <cstddef>

namespace secinfer::fss::cuda {

// Blocks of one size that one SM holds at once for a kernel (its registers and shared memory),
// and the device's SM count.
struct Residency {
  int sms = 0;
  int per_sm = 0;
};

// A launch: blocks of `block` threads, `grid` of them.
struct LaunchShape {
  unsigned grid = 1;
  int block = 0;
};

// The share of its last wave's thread slots that a call must fill to keep the configured block.
inline constexpr double kLastWaveUse = 0.85;

// The grid of blocks of `block` threads over `items` work items for a kernel of residency `r`:
// enough resident blocks to fill every SM, no more than the work needs (at least one block).
inline unsigned grid_of(const Residency& r, int block, std::size_t items) {
  const std::size_t need = (items + block - 1) / block;
  const std::size_t full = static_cast<std::size_t>(r.sms) * r.per_sm;
  const std::size_t g = need < full ? need : full;
  return static_cast<unsigned>(g < 1 ? 1 : g);
}

// Whether `items` threads in waves of the resident blocks of `block` threads leave more than
// 1 - kLastWaveUse of the last wave's slots idle (false for no items).
inline bool last_wave_underused(const Residency& r, int block, std::size_t items) {
  const std::size_t wave = static_cast<std::size_t>(r.sms) * r.per_sm * block;
  if (items == 0 || wave == 0) return false;
  const std::size_t waves = (items + wave - 1) / wave;
  return static_cast<double>(items) < kLastWaveUse * static_cast<double>(waves * wave);
}

// Whether blocks of `small` threads at residency `rs` hold at least as many threads an SM as
// blocks of `block` threads at residency `r`.
inline bool holds_as_many(const Residency& rs, int small, const Residency& r, int block) {
  return rs.per_sm * small >= r.per_sm * block;
}

// The launch of `items` work items (kernel_util.cuh plan_launch): blocks of `block` threads at
// residency `r`, unless their waves leave more than 1 - kLastWaveUse of the last wave's slots idle,
// `small` lies in (0, block) and blocks of `small` threads hold at least as many threads an SM;
// then those blocks. `small_residency()` gives theirs; it is called only when the last wave is
// underused (a CUDA occupancy query in plan_launch).
template <class SmallResidency>
LaunchShape choose_launch(const Residency& r, int block, int small, std::size_t items,
                          SmallResidency&& small_residency) {
  if (small > 0 && small < block && last_wave_underused(r, block, items)) {
    const Residency rs = small_residency();
    if (holds_as_many(rs, small, r, block)) return {grid_of(rs, small, items), small};
  }
  return {grid_of(r, block, items), block};
}

}  // namespace secinfer::fss::cuda
