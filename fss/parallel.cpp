#include "fss/parallel.h"

#include <exception>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace secinfer::fss {

int resolve_threads(int threads) {
  if (threads < 0)
    throw std::invalid_argument("thread count " + std::to_string(threads) +
                                " is negative: pass 0 for all hardware threads");
  if (threads > 0) return threads;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

void parallel_for(std::size_t n, std::size_t grain, int threads,
                  const std::function<void(std::size_t, std::size_t)>& fn) {
  if (n == 0) return;
  if (grain == 0) grain = 1;
  const std::size_t max_parts = (n + grain - 1) / grain;
  const auto t = static_cast<std::size_t>(resolve_threads(threads));
  const std::size_t parts = t < max_parts ? t : max_parts;
  if (parts <= 1) {
    fn(0, n);
    return;
  }
  std::vector<std::exception_ptr> errors(parts);
  const auto run = [&](std::size_t p) {
    const PartRange r = part_range(n, parts, p);
    try {
      fn(r.begin, r.end);
    } catch (...) {
      errors[p] = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(parts - 1);
  for (std::size_t p = 1; p < parts; ++p) {
    try {
      pool.emplace_back(run, p);
    } catch (const std::system_error&) {
      run(p);  // no thread available: do the range here
    }
  }
  run(0);
  for (auto& th : pool) th.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace secinfer::fss
