// The one place where a party run dispatches on --workload (model, netbench, microbench: see
// apps/microbench.h). The lead plugs the model runner in here (see model_workload.h); everything
// around it (connection, handshake, logs, exit status) is done by the caller (apps/party.cpp).
#pragma once

#include "apps/options.h"
#include "fss/accelerator.h"
#include "net/channel.h"
#include "profiling/recorder.h"

namespace secinfer::apps {

// Runs the workload of `opt` over the open channel `ch` with `rec` active on the calling thread:
// its offline phase if any (rec.begin_offline()/end_offline()), then opt.warmup warm-up runs and
// opt.runs measured runs, each between rec.begin_run(warmup) and rec.end_run(). Throws on failure
// (net::NetError, std::bad_alloc, std::runtime_error with a clear message); the caller records the
// failure in the log. accel: where the party's FSS evaluations run (apps/party_backend.h; null =
// the CPU); the model and microbench workloads pass it to their Party.
void run_workload(const RunOptions& opt, net::Channel& ch, profiling::Recorder& rec,
                  const fss::Accelerator* accel = nullptr);

}  // namespace secinfer::apps
