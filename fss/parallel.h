// A small fork-join helper for the batch FSS kernels: split [0, n) into contiguous ranges and run
// them on up to `threads` std::threads. Callers write only outputs owned by their range, so results
// never depend on the thread count.
#pragma once

#include <cstddef>
#include <functional>

namespace secinfer::fss {

// Threads to use for a request: `threads` > 0 as given, 0 = std::thread::hardware_concurrency()
// (at least 1). Negative values throw std::invalid_argument.
int resolve_threads(int threads);

// Calls fn(begin, end) on disjoint ranges covering [0, n), each at least `grain` long (except when
// n < grain), on up to resolve_threads(threads) threads; the calling thread takes one range.
// Runs inline when one range suffices. The first exception thrown by any range is rethrown.
//   parallel_for(keys.count, 64, 0, [&](std::size_t b, std::size_t e) { eval(b, e); });
void parallel_for(std::size_t n, std::size_t grain, int threads,
                  const std::function<void(std::size_t, std::size_t)>& fn);

// Range `part` of [0, n) split into `parts` contiguous ranges whose lengths differ by at most one
// (the first n % parts are one longer): the split of both parallel_for's.
struct PartRange {
  std::size_t begin, end;
};
inline PartRange part_range(std::size_t n, std::size_t parts, std::size_t part) {
  const std::size_t base = n / parts, extra = n % parts;
  const std::size_t begin = part * base + (part < extra ? part : extra);
  return {begin, begin + base + (part < extra ? 1 : 0)};
}

}  // namespace secinfer::fss
