#include "apps/model_workload.h"

#include <spdlog/spdlog.h>

#include "apps/progress.h"
#include "models/runner.h"

namespace secinfer::apps {

models::RunOptions to_model_options(const RunOptions& o) {
  models::RunOptions m;
  m.party = o.party;
  m.model = o.model;
  m.seq = o.seq;
  m.batch = o.batch;
  m.system = o.system;
  m.padding = o.padding;
  m.lookup = o.lookup;
  m.fuse_act = o.fuse_act;
  m.fuse_trunc = o.fuse_trunc;
  m.sigma_lut = o.sigma_lut;
  m.sigma_shares = o.sigma_shares;
  m.threads = o.threads;
  m.runs = o.runs;
  m.warmup = o.warmup;
  m.dealer = o.dealer;
  m.key_dir = o.key_dir;
  m.protocol_version = kProtocolVersion;
  m.schedule = o.schedule;
  m.seed = o.seed;
  m.weights_file = o.weights_file;
  m.input_file = o.input_file;
  // Both parties on one host (loopback peer, as `secinfer local` runs them) share its memory, so
  // the memory check counts both.
  m.parties_on_host = net::is_loopback(o.peer) ? 2 : 1;
  // --key-memory is a party's budget; the check compares both parties' needs with the host's.
  m.memory_limit_bytes = o.key_memory * static_cast<std::uint64_t>(m.parties_on_host);
  // Party 0 compares the revealed output with both references (docs/accuracy.md: the cleartext
  // fixed-point evaluation of the same gates, expected bit-identical, and the double-precision
  // model).
  m.compare_clear = true;
  m.compare_float = true;
  return m;
}

void run_model_workload(const RunOptions& opt, net::Channel& ch, profiling::Recorder& rec,
                        const fss::Accelerator* accel) {
  models::RunOptions m = to_model_options(opt);
  m.accel = accel;
  // The inline dealer keeps its keys on the device under the accelerator's budget (key files are
  // uploaded at evaluation): the plan keeps a step's keys within it where the host allows.
  if (accel != nullptr && m.keys_on_device && m.dealer != models::Dealer::kFile)
    m.device_key_budget_bytes = accel->key_budget_bytes();
  Progress progress(Progress::Clock::now());
  m.on_step = [&progress](const models::StepDone& s) {
    if (auto line = progress.step_done(s, Progress::Clock::now())) spdlog::info("{}", *line);
  };
  const models::ModelRunResult r = models::run_model_party(m, ch, rec);
  if (r.status == profiling::Status::kOom) throw OutOfMemoryError(r.reason);
  if (r.status != profiling::Status::kOk) throw std::runtime_error(r.reason);
  spdlog::info("party {}: FSS keys read from: {}", opt.party, r.key_mode);
  rec.set_memory_plan({{"micro_batch", r.micro_batch},
                       {"chunk_rows", r.chunk_rows},
                       {"limit", r.plan_limit},
                       {"device_key_budget_bytes", m.device_key_budget_bytes},
                       {"estimate", r.memory.to_json()}});
  if (r.weights_once)
    spdlog::info(
        "party {}: model input: the weights masked once, before the runs, and reused by every run "
        "({:.1f} ms, {} key bytes; not part of a run's keygen)",
        opt.party, r.model_input_ms, r.model_input_key_bytes);
  else
    spdlog::info(
        "party {}: the weights are masked again in every run (the model's weights are too many "
        "to hold across runs), inside each run's keygen",
        opt.party);
  if (r.chunk_rows != 0)
    spdlog::warn(
        "party {}: not even one sequence's keys for a layer fit in {}: each layer ran as its "
        "attention inputs and then chunks of {} of its {} rows, one sequence at a time, each "
        "part's keys dealt and used in turn ({}). Rounds and messages grow with the chunks; the "
        "output is the whole batch's",
        opt.party, r.plan_limit, r.chunk_rows, opt.seq, r.memory.describe());
  else if (r.micro_batch != 0 && r.micro_batch < static_cast<std::size_t>(opt.batch))
    spdlog::warn(
        "party {}: the batch of {} ran as {} micro-batches of {} sequences, each layer's keys "
        "dealt and used one micro-batch at a time ({} per micro-batch): the whole batch's did not "
        "fit in {}. Rounds and messages are {}x those of one micro-batch; the output is the whole "
        "batch's",
        opt.party, opt.batch, static_cast<std::size_t>(opt.batch) / r.micro_batch, r.micro_batch,
        r.memory.describe(), r.plan_limit, static_cast<std::size_t>(opt.batch) / r.micro_batch);
  nlohmann::json accuracy = nlohmann::json::object();
  if (r.vs_clear) {
    spdlog::info("secure output vs cleartext fixed-point reference: {}",
                 r.vs_clear->to_json().dump());
    accuracy["vs_clear"] = r.vs_clear->to_json();
  }
  if (r.vs_float) {
    spdlog::info("secure output vs double-precision reference: {}", r.vs_float->to_json().dump());
    accuracy["vs_float"] = r.vs_float->to_json();
  }
  if (r.logits_vs_float) {
    spdlog::info(
        "next-token logits vs double-precision reference: {}; top-1 agreement {:.4f} of "
        "{} positions",
        r.logits_vs_float->to_json().dump(), r.top1_agreement.value_or(0.0), r.top1_positions);
    accuracy["logits_vs_float"] = r.logits_vs_float->to_json();
    accuracy["top1_agreement"] = r.top1_agreement.value_or(0.0);
    accuracy["top1_positions"] = r.top1_positions;
  }
  if (!r.accuracy_note.empty()) spdlog::warn("{}", r.accuracy_note);
  if (!r.host_time.empty()) spdlog::info("party {}: {}", opt.party, r.host_time);
  if (!accuracy.empty()) {
    accuracy["input"] = r.input;
    if (!opt.weights_file.empty())
      accuracy["weights"] = std::filesystem::path(opt.weights_file).filename().string();
  }
  if (!accuracy.empty()) rec.set_accuracy(std::move(accuracy));
}

}  // namespace secinfer::apps
