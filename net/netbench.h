// Network micro-benchmark: `rounds` exchanges of `bytes` each way over an open channel.
//
//   profiling::Recorder rec(cfg, party); auto g = rec.activate();
//   rec.begin_run(false); net::run_netbench(ch, 1 << 20, 10); rec.end_run();
//
// All traffic is charged to the scope "NetBench/exchange" (allocating and filling the buffers to
// "NetBench/setup"), so a merged breakdown shows the bandwidth and round-trip time of the link.
// Throws NetError like Channel.
#pragma once

#include <cstddef>

#include "net/channel.h"

namespace secinfer::net {

struct NetbenchResult {
  double wall_ms = 0;       // total of the `rounds` exchanges
  double mib_per_s = 0;     // payload sent + received per second (both directions)
  double ms_per_round = 0;  // mean wall time of one exchange
};

NetbenchResult run_netbench(Channel& channel, std::size_t bytes, int rounds);

}  // namespace secinfer::net
