// The layer-by-layer schedule (keygen of one step, its evaluation, its keys dropped): the call
// protocol with a recorder double, and the log with profiling::Recorder.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <type_traits>

#include "models/runner_impl.h"
#include "net/channel.h"
#include "profiling/recorder.h"
#include "tests/models/two_party.h"

using namespace secinfer;
using namespace secinfer::models;

namespace {

// Checks the call protocol: offline phases only while idle or while a run is paused.
class PausingRecorder {
 public:
  void begin_run(bool) { expect(state_ == kIdle, "begin_run"), state_ = kRun, ++runs; }
  void end_run() { expect(state_ == kRun, "end_run"), state_ = kIdle; }
  void pause_run() { expect(state_ == kRun, "pause_run"), state_ = kPaused; }
  void resume_run() { expect(state_ == kPaused, "resume_run"), state_ = kRun; }
  void begin_offline() {
    expect(state_ == kIdle || state_ == kPaused, "begin_offline");
    saved_ = state_;
    state_ = kOffline;
    ++offline_phases;
  }
  void end_offline() { expect(state_ == kOffline, "end_offline"), state_ = saved_; }
  void begin_model_input() {
    expect(state_ == kIdle && runs == 0 && model_inputs == 0, "begin_model_input");
    state_ = kModelInput;
    ++model_inputs;
  }
  void end_model_input() { expect(state_ == kModelInput, "end_model_input"), state_ = kIdle; }
  void set_status(profiling::Status, std::string) {}

  int runs = 0, offline_phases = 0, model_inputs = 0;

 private:
  enum State { kIdle, kRun, kPaused, kOffline, kModelInput };
  static void expect(bool ok, const char* what) {
    if (!ok) throw std::logic_error(std::string("recorder double: bad call ") + what);
  }
  State state_ = kIdle, saved_ = kIdle;
};

template <class Rec>
struct BothWith {
  ModelRunResult r[2];
  Rec rec[2];
};
using Both = BothWith<PausingRecorder>;

struct RealRecorder : profiling::Recorder {
  RealRecorder() : profiling::Recorder(nlohmann::json::object(), 0) {}
};

template <class Rec>
void run_into(BothWith<Rec>& out, RunOptions o) {
  test::on_two_parties([&](int id, net::Channel& ch) {
    RunOptions mine = o;
    mine.party = id;
    if constexpr (std::is_same_v<Rec, RealRecorder>) {
      auto active = out.rec[id].activate();
      out.r[id] = detail::run_party<profiling::Recorder>(mine, ch, out.rec[id]);
    } else {
      out.r[id] = detail::run_party(mine, ch, out.rec[id]);
    }
  });
}

// `model` at seq `seq`, batch 1: `warmup` + `runs` runs from `seed`.
RunOptions options(const char* model, long long seq, int runs, int warmup, std::uint64_t seed) {
  RunOptions o;
  o.model = model;
  o.seq = seq;
  o.runs = runs;
  o.warmup = warmup;
  o.seed = seed;
  return o;
}

Both run_layer_by_layer(RunOptions o) {
  Both out;
  run_into(out, o);
  return out;
}

}  // namespace

TEST_CASE("layer-by-layer schedule: bit-identical, one offline phase per step",
          "[models][secure][schedule]") {
  for (const char* model : {"bert-tiny", "llama-tiny"}) {
    INFO(model);
    const RunOptions o = options(model, 8, 1, 1, 21);
    const Both b = run_layer_by_layer(o);
    REQUIRE(b.r[0].status == profiling::Status::kOk);
    CHECK(b.r[0].schedule == Schedule::kLayerByLayer);
    CHECK(b.r[0].output == b.r[1].output);
    REQUIRE(b.r[0].vs_clear.has_value());
    CHECK(b.r[0].vs_clear->differing == 0);
    const std::size_t steps = find_model(model).layers + 2;
    for (const auto& rec : b.rec) {
      CHECK(rec.runs == 2);
      CHECK(rec.offline_phases == static_cast<int>(2 * steps));
      CHECK(rec.model_inputs == 1);  // the weights, masked once before the runs
    }
    CHECK(b.r[0].weights_once);
    CHECK(b.r[0].model_input_key_bytes > 0);  // party 0's weight masks
    // Fresh keys per run, the same amount.
    CHECK(b.r[0].key_bytes_per_run > 0);
    CHECK(b.r[0].online_ms.size() == 2);
  }
}

TEST_CASE("layer-by-layer schedule: the party log holds one offline phase per run",
          "[models][secure][schedule]") {
  const RunOptions o = options("bert-tiny", 8, 2, 1, 23);
  BothWith<RealRecorder> b;
  run_into(b, o);
  REQUIRE(b.r[0].status == profiling::Status::kOk);
  for (int p = 0; p < 2; ++p) {
    const nlohmann::json j = b.rec[p].to_json();
    REQUIRE(j["runs"].size() == 3);
    CHECK(j["offline"]["phase_count"] == 3);
    for (std::size_t run = 0; run < 3; ++run) {
      // The run's wall time is its online steps only (keygen excluded).
      CHECK(j["runs"][run]["wall_ms"].get<double>() <= b.r[p].online_ms[run] * 1.05 + 1.0);
      CHECK(j["offline"]["phases"][run]["key_bytes"] == b.r[p].key_bytes_per_run);
    }
    // The model input: its own phase, outside the runs' offline phases.
    REQUIRE(j["model_input"].is_object());
    CHECK(j["model_input"]["key_bytes"] == b.r[p].model_input_key_bytes);
    const bool sent = j["model_input"]["totals"]["bytes_sent"].get<std::uint64_t>() > 0;
    CHECK(sent == (p == 0));  // party 0 sends its masked weights
    // Before each online step both parties wait for each other (Channel::wait_for_peer), outside
    // the runs: a run's online clock never waits for the peer's dealer.
    const std::uint64_t steps = find_model("bert-tiny").layers + 2;
    CHECK(j["outside_runs"]["rounds"].get<std::uint64_t>() >= 3 * steps);
  }
}

TEST_CASE("keys-first and layer-by-layer give the same output", "[models][secure][schedule]") {
  RunOptions o = options("bert-tiny", 8, 1, 0, 22);
  const Both lbl = run_layer_by_layer(o);
  o.schedule = Schedule::kKeysFirst;
  const Both kf = run_layer_by_layer(o);
  CHECK(kf.r[0].schedule == Schedule::kKeysFirst);
  CHECK(lbl.r[0].output == kf.r[0].output);
  for (const auto& rec : kf.rec) CHECK(rec.offline_phases == 1);
}

// Hidden (run with: test_models "[.bert-base]"): bert-base seq 128 end to end, layer by layer,
// with the recorder double; prints the per-run times and the memory estimate.
TEST_CASE("bert-base seq 128 layer by layer", "[.bert-base]") {
  RunOptions o = options("bert-base", 128, 1, 0, 1);
  o.parties_on_host = 2;
  o.compare_clear = true;
  const Both b = run_layer_by_layer(o);
  REQUIRE(b.r[0].status == profiling::Status::kOk);
  CHECK(b.r[0].output == b.r[1].output);
  REQUIRE(b.r[0].vs_clear.has_value());
  CHECK(b.r[0].vs_clear->differing == 0);
  WARN("bert-base seq 128: online "
       << b.r[0].online_ms.back() << " ms, keygen " << b.r[0].keygen_ms.back()
       << " ms, key bytes P0 " << b.r[0].key_bytes_per_run << " P1 " << b.r[1].key_bytes_per_run
       << "; " << b.r[0].memory.describe());
}

TEST_CASE("weights masked in every run (the largest models' way) give the same output",
          "[models][secure][schedule]") {
  for (const Schedule schedule : {Schedule::kLayerByLayer, Schedule::kKeysFirst}) {
    INFO(schedule_name(schedule));
    RunOptions o = options("bert-tiny", 8, 1, 1, 24);
    o.schedule = schedule;
    const Both once = run_layer_by_layer(o);
    o.weights_once = false;
    const Both every = run_layer_by_layer(o);
    REQUIRE(every.r[0].status == profiling::Status::kOk);
    CHECK_FALSE(every.r[0].weights_once);
    CHECK(every.r[0].output == once.r[0].output);
    REQUIRE(every.r[0].vs_clear.has_value());
    CHECK(every.r[0].vs_clear->differing == 0);
    for (const auto& rec : every.rec) CHECK(rec.model_inputs == 0);
    // Every run carries the weight masks that the model input dealt once.
    CHECK(every.r[0].model_input_key_bytes == 0);
    CHECK(every.r[0].key_bytes_per_run ==
          once.r[0].key_bytes_per_run + once.r[0].model_input_key_bytes);
  }
}
