#include "apps/workload.h"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "apps/microbench.h"
#include "apps/model_workload.h"
#include "net/netbench.h"

namespace secinfer::apps {

namespace {

void run_netbench_workload(const RunOptions& opt, net::Channel& ch, profiling::Recorder& rec) {
  for (int i = 0; i < opt.warmup + opt.runs; ++i) {
    const bool warmup = i < opt.warmup;
    rec.begin_run(warmup);
    const net::NetbenchResult r = net::run_netbench(ch, opt.netbench_bytes, opt.netbench_rounds);
    rec.end_run();
    spdlog::info("netbench {} {}: {} x {} B each way: {:.3f} ms, {:.3f} ms/round, {:.1f} MiB/s",
                 warmup ? "warm-up" : "run", warmup ? i + 1 : i - opt.warmup + 1,
                 opt.netbench_rounds, opt.netbench_bytes, r.wall_ms, r.ms_per_round, r.mib_per_s);
  }
}

}  // namespace

void run_workload(const RunOptions& opt, net::Channel& ch, profiling::Recorder& rec,
                  const fss::Accelerator* accel) {
  switch (opt.workload) {
    case models::Workload::kNetbench:
      run_netbench_workload(opt, ch, rec);
      return;
    case models::Workload::kModel:
      run_model_workload(opt, ch, rec, accel);
      return;
    case models::Workload::kMicrobench:
      run_microbench_workload(opt, ch, rec, accel);
      return;
  }
  throw std::invalid_argument("unknown workload: use --workload model, netbench or microbench");
}

}  // namespace secinfer::apps
