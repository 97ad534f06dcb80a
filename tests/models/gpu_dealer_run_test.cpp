// The GPU dealer of a whole model run against the CPU dealer (built into test_cuda_equivalence,
// hidden: scripts/gpu_check.sh runs them on the device). For each party's inline dealer (its own
// keys kept in memory, the other party's dropped), the model input and one run of a model are
// dealt from the same seed on the CPU and with the CUDA accelerator generating the DCF, DPF,
// SIGMA DCF and DPF-ET keys and splitting the shares on the device. Every resident batch is then
// copied back, and the two key streams must be the same bytes, of the same length.
// [cuda][dealer-run]: bert-tiny, whole streams. [cuda][cuda-long][dealer-run-base]: bert-base at
// its benchmark shape (seq 128), one case a suite ([dealer-run-base-sigma],
// [dealer-run-base-fusefss]), compared step by step so that one step's keys are held at once
// (minutes: gpu_check.sh runs it unless --no-long, run_cuda_checks only when asked); its
// CPU side is one dealer of both parties' streams (the same bytes as each inline dealer's:
// dealer_streams_test.cpp), its GPU side the two parties' inline dealers.
#include <cuda_runtime.h>

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <variant>
#include <vector>

#include "fss/cuda/accelerator_cuda.h"
#include "fss/cuda/cuda_check.h"
#include "fss/cuda/tools/check_util.h"
#include "fss/engine/key_stream.h"
#include "models/run_config.h"
#include "tests/models/dealer_lane.h"

namespace {

using namespace secinfer;
using fss::engine::KeyBatch;
using fss::engine::KeyBuffer;

// Every resident batch in `buffer` swapped for its host copy; the number swapped.
std::size_t copy_back(KeyBuffer& buffer, const fss::cuda::CudaAccelerator& accel) {
  std::size_t swapped = 0;
  buffer.for_each_object([&](KeyBatch& b) {
    std::visit(
        [&](auto& k) {
          using K = std::decay_t<decltype(k)>;
          if (!k.resident) return;
          ++swapped;
          if constexpr (std::is_same_v<K, fss::ShareBatch>) {
            const fss::u64* d = accel.resident_values(k);
            if (d == nullptr) throw std::runtime_error("a resident share batch of another kind");
            k.values.resize(k.count);
            CUDA_CHECK(
                cudaMemcpy(k.values.data(), d, k.count * sizeof(fss::u64), cudaMemcpyDeviceToHost));
            k.resident = nullptr;
          } else {
            k = accel.copy_to_host(k);
          }
        },
        b);
  });
  return swapped;
}

// "" when the two streams hold the same bytes (both drained), else what differs.
std::string same_stream(KeyBuffer& cpu, KeyBuffer& gpu) {
  if (cpu.available() != gpu.available())
    return "the streams' lengths differ: CPU " + std::to_string(cpu.available()) + ", GPU " +
           std::to_string(gpu.available());
  return fss::cuda::tools::diff(test::drain(cpu), test::drain(gpu));
}

const char* system_name(models::System s) {
  return s == models::System::kSigma ? "sigma" : "fusefss";
}

// One sequence of `model` at `seq` under `system`, dealt from `seed`.
models::RunOptions run_of(const char* model, int seq, models::System system, std::uint64_t seed) {
  models::RunOptions o;
  o.model = model;
  o.seq = seq;
  o.batch = 1;
  o.system = system;
  o.seed = seed;
  return o;
}

}  // namespace

TEST_CASE("GPU dealer's whole-run keys equal the CPU dealer's", "[cuda][.][dealer-run]") {
  fss::cuda::tools::Tally t;
  const fss::cuda::CudaAccelerator accel(0, {}, 0, /*device_vectors=*/true);
  for (const models::System system : {models::System::kSigma, models::System::kFuseFss}) {
    const models::RunOptions o = run_of("bert-tiny", 32, system, 7);
    for (int party = 0; party < 2; ++party) {
      const std::string name = std::string("dealer run bert-tiny seq 32 ") + system_name(system) +
                               " party " + std::to_string(party);
      t.run(name, [&]() -> std::string {
        const std::array<bool, 2> keep{party == 0, party == 1};
        test::DealerLane cpu(o, keep), gpu(o, keep, &accel);
        for (test::DealerLane* l : {&cpu, &gpu}) {
          l->model_input();
          for (std::size_t s = 0; s < l->steps(); ++s) l->step(s);
          l->finish();
        }
        if (cpu.key_bytes(party) != gpu.key_bytes(party))
          return "key bytes differ: CPU " + std::to_string(cpu.key_bytes(party)) + ", GPU " +
                 std::to_string(gpu.key_bytes(party));
        if (copy_back(*gpu.buffer(party), accel) == 0) return "no batch was made on the GPU";
        return same_stream(*cpu.buffer(party), *gpu.buffer(party));
      });
    }
  }
  CHECK(t.failed() == 0);
  CHECK(t.passed() == 4);
  // The ends of the phases read the keygen clock: the generation calls by kind in the summary.
  const std::string summary = accel.summary();
  INFO(summary);
  CHECK(summary.find("the keygen stream's time by call") != std::string::npos);
  CHECK(summary.find("DCF n=") != std::string::npos);
}

namespace {

// The bert-base key check of one suite (both parties, step by step).
void bert_base_step_by_step(models::System system) {
  fss::cuda::tools::Tally t;
  const fss::cuda::CudaAccelerator accel(0, {}, 0, /*device_vectors=*/true);
  const models::RunOptions o = run_of("bert-base", 128, system, 11);
  // Every dealer on all hardware threads (they run one after another).
  test::DealerLane cpu(o, {true, true}, nullptr, 0);
  test::DealerLane gpu0(o, {true, false}, &accel, 0), gpu1(o, {false, true}, &accel, 0);
  // After each part (the model input, then each step), every lane's new keys compared, drained.
  const auto compare = [&](const std::string& part) {
    const std::string name =
        std::string("dealer bert-base seq 128 ") + system_name(system) + ", " + part;
    t.run(name, [&]() -> std::string {
      std::string err;
      for (int p = 0; p < 2; ++p) {
        test::DealerLane& g = p == 0 ? gpu0 : gpu1;
        g.finish();
        if (cpu.key_bytes(p) != g.key_bytes(p))
          err += "party " + std::to_string(p) + ": key bytes differ (CPU " +
                 std::to_string(cpu.key_bytes(p)) + ", GPU " + std::to_string(g.key_bytes(p)) +
                 "); ";
        copy_back(*g.buffer(p), accel);
        const std::string d = same_stream(*cpu.buffer(p), *g.buffer(p));
        if (!d.empty()) err += "party " + std::to_string(p) + ": " + d + "; ";
      }
      return err;
    });
  };
  for (test::DealerLane* l : {&cpu, &gpu0, &gpu1}) l->model_input();
  compare("the model input");
  for (std::size_t s = 0; s < cpu.steps(); ++s) {
    for (test::DealerLane* l : {&cpu, &gpu0, &gpu1}) l->step(s);
    compare(s == 0                ? std::string("embed")
            : s + 1 < cpu.steps() ? "layer " + std::to_string(s - 1)
                                  : std::string("head"));
  }
  CHECK(t.failed() == 0);
  CHECK(t.passed() == 12 + 3);
}

}  // namespace

// One case a suite (each a few minutes), so that a device call can run one: [dealer-run-base]
// picks both.
TEST_CASE("GPU dealer's bert-base keys equal the CPU dealer's, step by step: sigma",
          "[cuda][cuda-long][.][dealer-run-base][dealer-run-base-sigma]") {
  bert_base_step_by_step(models::System::kSigma);
}

TEST_CASE("GPU dealer's bert-base keys equal the CPU dealer's, step by step: fusefss",
          "[cuda][cuda-long][.][dealer-run-base][dealer-run-base-fusefss]") {
  bert_base_step_by_step(models::System::kFuseFss);
}

// Not a check: how long one party's inline dealer of a bert-base run takes with the GPU to itself
// (no peer process beside it), and where the keygen stream's time goes, for both suites. With
// both parties on one GPU each party's keygen phase also waits for the peer's kernels; this
// tells the two apart. Prints, asserts nothing about time (docs/perf.md records the output).
// scripts/device_round.sh runs it with DEALER_ALONE=1.
TEST_CASE("GPU dealer alone: one party's bert-base run, timed", "[cuda-probe][.][dealer-alone]") {
  const int threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency() / 2));
  for (const models::System system : {models::System::kFuseFss, models::System::kSigma}) {
    const fss::cuda::CudaAccelerator accel(0, {}, 0, /*device_vectors=*/true);
    const models::RunOptions o = run_of("bert-base", 128, system, 11);
    std::vector<double> ms;
    for (int run = 0; run < 4; ++run) {  // the first a warm-up, as the harness's
      // Party 0's inline dealer (its keys kept on the GPU, party 1's dropped), a fresh one a run.
      test::DealerLane lane(o, {true, false}, &accel, threads);
      lane.model_input();
      lane.finish();
      const auto start = std::chrono::steady_clock::now();
      for (std::size_t s = 0; s < lane.steps(); ++s) lane.step(s);
      lane.finish();
      ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count());
    }
    std::printf("dealer alone, bert-base seq 128 %s party 0, %d threads: runs (ms) %.1f (warm-up)",
                system_name(system), threads, ms[0]);
    for (std::size_t r = 1; r < ms.size(); ++r) std::printf(", %.1f", ms[r]);
    std::printf("\n  accelerator (4 runs and their model inputs): %s\n", accel.summary().c_str());
    std::fflush(stdout);
    CHECK(ms.size() == 4);
  }
}
