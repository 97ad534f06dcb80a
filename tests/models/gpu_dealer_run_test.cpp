// The GPU dealer of a whole model run against the CPU dealer (built into test_cuda_equivalence,
// tagged [cuda] and hidden: scripts/gpu_check.sh runs it on the device). For each party's inline
// dealer (its own keys kept in memory, the other party's dropped), one run of a model is dealt
// twice from the same seed: on the CPU, and with the CUDA accelerator generating the DCF, DPF,
// SIGMA DCF and DPF-ET keys and splitting the shares on the device. Every resident batch is then
// copied back, and the two key streams must be the same bytes, of the same length.
#include <cuda_runtime.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "fss/cuda/accelerator_cuda.h"
#include "fss/cuda/cuda_check.h"
#include "fss/cuda/tools/check_util.h"
#include "fss/engine/dealer.h"
#include "fss/engine/dealer_ops.h"
#include "fss/engine/key_stream.h"
#include "models/registry.h"
#include "models/run_config.h"
#include "models/runner.h"
#include "models/runner_impl.h"
#include "models/transformer.h"

namespace {

using namespace secinfer;
using fss::engine::Dealer;
using fss::engine::DealerOps;
using fss::engine::KeyBatch;
using fss::engine::KeyBuffer;
using fss::engine::KeyWriter;

// The model input and one run of `o`'s model dealt by party `party`'s inline dealer into a buffer
// (the CPU's when accel is null); the number of key bytes written.
std::uint64_t deal_one_run(const models::RunOptions& o, int party,
                           const fss::cuda::CudaAccelerator* accel,
                           const std::shared_ptr<KeyBuffer>& buffer) {
  const models::ModelConfig& c = models::find_model(o.model);
  const auto& suite = models::suite_for(o.system, o.padding, o.lookup, o.fuse_act, o.fuse_trunc);
  if (accel != nullptr) fss::engine::keep_batches_on(*buffer, *accel);
  KeyWriter own = KeyWriter::memory(buffer), other = KeyWriter::discard();
  Dealer dealer(fss::Ring{c.ring_bits}, c.frac_bits, models::dealer_seed(o.seed),
                party == 0 ? own : other, party == 0 ? other : own);
  dealer.set_threads(2);
  dealer.set_gate_options(models::gate_options_for(o));
  if (accel != nullptr) dealer.set_accelerator(accel);
  DealerOps dops(dealer, suite, party);
  const std::size_t batch = static_cast<std::size_t>(o.batch);
  const std::size_t seq = static_cast<std::size_t>(o.seq);
  const models::Transformer t(c, batch, seq);
  // The model input (its weight masks), then a run that reuses them, as run_party deals them.
  const auto kept = models::detail::deal_model_weights(dops, t, c, batch, seq, 0);
  models::detail::deal_run(dops, t, c, batch, seq, 0, models::Schedule::kLayerByLayer, &kept);
  dealer.finish_keys();
  return dealer.key_bytes(party);
}

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

}  // namespace

TEST_CASE("GPU dealer's whole-run keys equal the CPU dealer's", "[cuda][.][dealer-run]") {
  fss::cuda::tools::Tally t;
  const fss::cuda::CudaAccelerator accel(0, {}, 0, /*device_vectors=*/true);
  for (const models::System system : {models::System::kSigma, models::System::kFuseFss}) {
    models::RunOptions o;
    o.model = "bert-tiny";
    o.seq = 32;
    o.batch = 1;
    o.system = system;
    o.seed = 7;
    for (int party = 0; party < 2; ++party) {
      const std::string name = std::string("dealer run bert-tiny seq 32 ") +
                               (system == models::System::kSigma ? "sigma" : "fusefss") +
                               " party " + std::to_string(party);
      t.run(name, [&]() -> std::string {
        const auto cpu = std::make_shared<KeyBuffer>(), gpu = std::make_shared<KeyBuffer>();
        const std::uint64_t n_cpu = deal_one_run(o, party, nullptr, cpu);
        const std::uint64_t n_gpu = deal_one_run(o, party, &accel, gpu);
        if (n_cpu != n_gpu)
          return "key bytes differ: CPU " + std::to_string(n_cpu) + ", GPU " +
                 std::to_string(n_gpu);
        if (copy_back(*gpu, accel) == 0) return "no batch was made on the GPU";
        if (cpu->available() != gpu->available()) return "the streams' lengths differ";
        const auto a = cpu->consume_view(cpu->available());
        const std::vector<std::uint8_t> want(a.begin(), a.end());
        const auto b = gpu->consume_view(gpu->available());
        const std::vector<std::uint8_t> got(b.begin(), b.end());
        return fss::cuda::tools::diff(want, got);
      });
    }
  }
  CHECK(t.failed() == 0);
  CHECK(t.passed() == 4);
}
