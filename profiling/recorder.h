// One party's profiler: collects the scope tree of every online run and of the offline (key
// generation) phase, and writes the party log "secinfer.party/1" (the log format is documented in
// profiling/README.md).
//
//   profiling::Recorder rec(config, /*party=*/0);
//   auto active = rec.activate();            // this thread's Scopes and charge_* now go to rec
//   rec.begin_offline(); keygen(); rec.end_offline();
//   for (int i = 0; i < warmup + runs; ++i) {
//     rec.begin_run(/*warmup=*/i < warmup);
//     { profiling::Scope s("Softmax"); ... }
//     rec.end_run();
//   }
//   rec.write(out_dir / "p0.json");
//
// Threading: a Recorder is driven by one thread at a time (the one holding its Activation).
// Scopes and charges on other threads are no-ops unless those threads activate a recorder of
// their own. Misuse (begin_run inside a run, end_run with a scope still open, activating one
// recorder on two threads at once) throws std::logic_error naming the problem.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "profiling/scope.h"

namespace secinfer::profiling {

enum class Status { kOk, kFailed, kOom };

// "ok", "failed", "oom" (the strings used in logs).
std::string_view to_string(Status s);

// Written into the party log (and the merged breakdown) when config "padding" is "off" (or false).
inline constexpr std::string_view kPaddingWarning =
    "WARNING: padding is OFF. Gate key shapes and message sizes then depend on the masks, which "
    "leaks information about secret values to the other party. This mode is INSECURE and exists "
    "only for the padding ablation; never use it to protect real data.";

namespace detail {
struct RecorderState;
struct Hooks;
}  // namespace detail

class Recorder {
 public:
  // config: free-form object (model, seq, batch, system, padding, backend, runs, warmup, threads,
  // ...), stored verbatim in the log. It must hold only settings shared by both parties: the merge
  // compares the two configs key by key (only the key "party" is ignored). Put per-party values
  // (peer address, file paths) in the environment instead. party: 0 or 1 (else invalid_argument).
  Recorder(nlohmann::json config, int party);
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Makes this recorder the current one of the calling thread while the guard lives; restores the
  // previous one (if any) when destroyed. Throws std::logic_error if the recorder is already
  // active (on this or another thread). The guard, and every Scope opened under it, must not
  // outlive the recorder.
  class Activation {
   public:
    Activation(Activation&& other) noexcept;
    Activation& operator=(Activation&&) = delete;
    Activation(const Activation&) = delete;
    Activation& operator=(const Activation&) = delete;
    ~Activation();

   private:
    friend class Recorder;
    Activation(Recorder* self, Recorder* previous);
    Recorder* self_;
    Recorder* previous_;
  };
  [[nodiscard]] Activation activate();

  // One online run; its total wall time is end - begin (steady_clock). Scopes opened in between go
  // to the online tree. Warm-up runs are kept in the log, flagged, and skipped by the merge.
  void begin_run(bool warmup);
  void end_run();

  // Pauses the run in progress (no scope may be open) and resumes it. Paused time is not part of
  // the run's wall_ms. While paused, offline phases may run (the layer-by-layer key schedule:
  // keys of one layer, evaluate it, next layer); all offline phases held inside one run are summed
  // into ONE offline phase, logged when the run ends, so the log keeps one offline phase per run.
  // end_run() on a paused run throws: resume it first.
  void pause_run();
  void resume_run();

  // One key generation phase (may happen several times, e.g. fresh keys before each run): scopes
  // go to the offline tree, where their wall time is reported as keygen_ms.
  void begin_offline();
  void end_offline();

  // The model input: the offline phase, once per execution and outside every run, in which the
  // model owner masks its weights and sends them (the masks are reused by every run). Logged as
  // "model_input" beside the per-run offline phases, never one of them (so a run's keygen_ms and
  // the median phase are the runs' own). Scopes go to the offline tree. Throws std::logic_error
  // inside a run (paused or not) or when a model input was already recorded.
  void begin_model_input();
  void end_model_input();

  // Discards the run or offline phase in progress, e.g. after an exception ended it early (call it
  // after the scopes have unwound); no-op when none is in progress. Nothing of it is logged.
  void abort_phase();

  // Adds key bytes to the offline scope at scope_path ("Softmax/nexp"; created if new) of the
  // offline phase in progress. Throws std::logic_error outside begin_offline()/end_offline():
  // wrap key generation, or key loading, in an offline phase. See also charge_key_bytes() in
  // scope.h, which charges the innermost open offline scope.
  void add_key_bytes(std::string_view scope_path, std::uint64_t bytes);

  // Outcome of the whole party run ("ok" by default). reason: what went wrong and what to do
  // (for kOom: what was needed and what was available).
  void set_status(Status s, std::string reason);

  // The id of this execution, agreed by both parties at the handshake (net::Channel::run_id(),
  // as 16 hex digits): written as the log's "run_id"; the merge refuses logs whose ids differ.
  void set_run_id(std::string id);

  // Accuracy of the run's output against references (e.g. {"vs_clear": {...}, "vs_float": {...}}),
  // stored verbatim as the log's "accuracy"; the merge copies party 0's.
  void set_accuracy(nlohmann::json accuracy);

  // How memory shaped a model run (models::ModelRunResult: the micro-batch, the row chunk, the
  // memory estimate), stored verbatim as the log's "memory_plan"; the merge keeps both parties'.
  // Rounds and messages depend on it: a run in micro-batches or row chunks has more of them.
  void set_memory_plan(nlohmann::json plan);

  // Optional second clock (CUDA backend): scopes opened while a timer is set also record GPU time.
  // The timer must outlive its use; pass nullptr to stop.
  void set_gpu_timer(GpuTimer* t);

  // Host, CPU, GPU, compiler, git commit, threads, seeds, ... stored verbatim. If never set, the
  // log holds default_environment(config["threads"] or 0).
  void set_environment(nlohmann::json env);

  // The party log, schema "secinfer.party/1". Runs and offline phases in progress are not part of
  // it (only completed ones).
  nlohmann::json to_json() const;

  // Atomic (profiling/atomic_file.h): FILE is either its old content or the complete log; no
  // temporary file is left behind on failure. Throws std::runtime_error naming the file.
  void write(const std::filesystem::path& file) const;

 private:
  friend class Scope;
  friend struct detail::Hooks;
  std::unique_ptr<detail::RecorderState> s_;
};

// Host name, OS, CPU model (/proc/cpuinfo), core count, compiler, git commit (SECINFER_GIT_COMMIT),
// version (SECINFER_VERSION), build type, UTC time, and the given thread count.
nlohmann::json default_environment(int threads);

}  // namespace secinfer::profiling
