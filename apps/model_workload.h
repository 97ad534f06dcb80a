// The model workload (secure inference of --model): the plug-in point of the model runner.
#pragma once

#include <stdexcept>

#include "apps/options.h"
#include "fss/accelerator.h"
#include "models/runner.h"
#include "net/channel.h"
#include "profiling/recorder.h"

namespace secinfer::apps {

// A run that would not fit in memory, refused up front: the message says what was needed and what
// was available. The party records status "oom" and exits with kExitOom.
class OutOfMemoryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Same contract as run_workload() (apps/workload.h): offline phase (key generation, or key loading
// under --dealer file) inside rec.begin_offline()/end_offline(), then opt.warmup + opt.runs runs
// inside rec.begin_run(i < opt.warmup)/end_run(), every operator inside its profiling::Scope.
// Throws OutOfMemoryError when the memory estimate exceeds what is available. accel: the party's
// FSS evaluations (models::RunOptions::accel; null = the CPU).
// The model runner's options of a party run (or of `secinfer deal`, party ignored).
models::RunOptions to_model_options(const RunOptions& o);

void run_model_workload(const RunOptions& opt, net::Channel& ch, profiling::Recorder& rec,
                        const fss::Accelerator* accel = nullptr);

}  // namespace secinfer::apps
