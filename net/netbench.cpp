#include "net/netbench.h"

#include <chrono>
#include <vector>

#include "profiling/scope.h"

namespace secinfer::net {

NetbenchResult run_netbench(Channel& channel, std::size_t bytes, int rounds) {
  profiling::Scope scope("NetBench");
  std::vector<std::uint8_t> mine;
  std::vector<std::uint8_t> theirs;
  {
    // Buffers in a scope of their own, so that NetBench/exchange is the network alone.
    profiling::Scope setup("setup");
    mine.resize(bytes);
    theirs.resize(bytes);
    // Non-constant payload, so no layer below can shortcut it.
    for (std::size_t i = 0; i < bytes; ++i) mine[i] = static_cast<std::uint8_t>(i * 131 + 7);
  }
  const auto start = std::chrono::steady_clock::now();
  for (int r = 0; r < rounds; ++r) {
    profiling::Scope ex("exchange");
    channel.exchange(mine, theirs);
  }
  NetbenchResult res;
  res.wall_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (rounds > 0) res.ms_per_round = res.wall_ms / rounds;
  if (res.wall_ms > 0) {
    res.mib_per_s = 2.0 * static_cast<double>(bytes) * rounds / (1 << 20) / (res.wall_ms / 1000);
  }
  return res;
}

}  // namespace secinfer::net
