// One dealer of a model run for the key-stream tests (dealer_streams_test, gpu_dealer_run_test):
// its two writers (each party's keys kept in a memory buffer or dropped), the dealer (on the CPU,
// or with an accelerator generating keys and splitting shares there), and the run's dealer state,
// dealt as run_party's inline dealer deals it: the model input (every step's weight masks), then
// step by step (embed, each layer, the head).
//
//   DealerLane both(o, {true, true}), p1(o, {false, true}, &accel);
//   both.model_input(); p1.model_input();
//   for (std::size_t s = 0; s < both.steps(); ++s) { both.step(s); p1.step(s); ... }
#pragma once

#include <array>
#include <memory>
#include <vector>

#include "fss/engine/dealer.h"
#include "fss/engine/dealer_ops.h"
#include "fss/engine/key_stream.h"
#include "models/registry.h"
#include "models/run_config.h"
#include "models/runner.h"
#include "models/runner_impl.h"
#include "models/transformer.h"

namespace secinfer::test {

class DealerLane {
 public:
  // keep[p]: party p's keys go to buffer(p), else they are dropped (an inline dealer keeps one).
  // accel: the accelerator of a GPU dealer (null: the CPU's); threads: the dealer's threads.
  DealerLane(const models::RunOptions& o, std::array<bool, 2> keep,
             const fss::Accelerator* accel = nullptr, int threads = 2)
      : c_(models::find_model(o.model)),
        batch_(static_cast<std::size_t>(o.batch)),
        seq_(static_cast<std::size_t>(o.seq)),
        t_(c_, batch_, seq_) {
    for (int p = 0; p < 2; ++p) {
      if (keep[p]) {
        buffers_[p] = std::make_shared<fss::engine::KeyBuffer>();
        if (accel != nullptr) fss::engine::keep_batches_on(*buffers_[p], *accel);
        writers_[p] =
            std::make_unique<fss::engine::KeyWriter>(fss::engine::KeyWriter::memory(buffers_[p]));
      } else {
        writers_[p] = std::make_unique<fss::engine::KeyWriter>(fss::engine::KeyWriter::discard());
      }
    }
    dealer_ = std::make_unique<fss::engine::Dealer>(fss::Ring{c_.ring_bits}, c_.frac_bits,
                                                    models::dealer_seed(o.seed), *writers_[0],
                                                    *writers_[1]);
    dealer_->set_threads(threads);
    dealer_->set_gate_options(models::gate_options_for(o));
    if (accel != nullptr) dealer_->set_accelerator(accel);
    const auto& suite = models::suite_for(o.system, o.padding, o.lookup, o.fuse_act, o.fuse_trunc);
    ops_ = std::make_unique<fss::engine::DealerOps>(*dealer_, suite, keep[0] ? 0 : 1);
  }
  DealerLane(const DealerLane&) = delete;
  DealerLane& operator=(const DealerLane&) = delete;

  std::size_t steps() const { return c_.layers + 2; }
  // The model input: every step's weight masks (models::weights_masked_once).
  void model_input() {
    weights_ = models::detail::deal_model_weights(*ops_, t_, c_, batch_, seq_, 0);
  }
  // Step s's gates (embedding input), after model_input().
  void step(std::size_t s) {
    models::detail::deal_step_gates(*ops_, t_, c_, batch_, seq_, 0, s, weights_.at(s), hd_);
  }
  // Waits for the keys made on an accelerator (before their device copies are read).
  void finish() { dealer_->finish_keys(); }
  // Party p's keys so far (null where dropped).
  const std::shared_ptr<fss::engine::KeyBuffer>& buffer(int p) const { return buffers_[p]; }
  std::uint64_t key_bytes(int p) const { return dealer_->key_bytes(p); }

 private:
  const models::ModelConfig& c_;
  std::size_t batch_, seq_;
  models::Transformer t_;
  std::array<std::shared_ptr<fss::engine::KeyBuffer>, 2> buffers_;
  std::array<std::unique_ptr<fss::engine::KeyWriter>, 2> writers_;
  std::unique_ptr<fss::engine::Dealer> dealer_;
  std::unique_ptr<fss::engine::DealerOps> ops_;
  std::vector<models::detail::StepWeights> weights_;
  models::Tensor hd_;
};

// Consumes every byte buffered in `b` (queued batch objects serialised) and returns them.
inline std::vector<std::uint8_t> drain(fss::engine::KeyBuffer& b) {
  const auto v = b.consume_view(b.available());
  return {v.begin(), v.end()};
}

}  // namespace secinfer::test
