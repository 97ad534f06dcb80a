// Both parties tell each other whether a run fits in memory before any work, so that neither
// waits for a peer that has stopped: 17 bytes each way, outside the runs (the log's
// "outside_runs"). Used by the model runner and by `secinfer microbench`.
#pragma once

#include <cstdint>

#include "net/channel.h"

namespace secinfer::models {

struct MemoryVerdict {
  bool ok = true;
  std::uint64_t needed = 0, available = 0;  // bytes; available 0 = unknown (then ok)
  // Whether a step's keys fit the party's accelerator's key budget (true without one): a run that
  // fits the host but not this runs, its batches over the budget made on the CPU.
  bool device_ok = true;

  // ok iff available is unknown (0) or needed <= available.
  static MemoryVerdict of(std::uint64_t needed, std::uint64_t available) {
    return {available == 0 || needed <= available, needed, available};
  }
};

// Sends this party's verdict and returns the peer's (one exchange).
MemoryVerdict exchange_verdict(net::Channel& ch, const MemoryVerdict& mine);

// Sends a count and returns the peer's (8 bytes each way, one exchange): the micro-batch size
// each party's memory allows, when the whole batch does not fit.
std::uint64_t exchange_count(net::Channel& ch, std::uint64_t mine);

}  // namespace secinfer::models
