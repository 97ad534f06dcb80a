// Ops on cleartext fixed-point values: every gate's *_clear face (the reference the secure run
// must match bit for bit). Communication-free, keyless.
#pragma once

#include <memory>

#include "fss/engine/ops_base.h"

namespace secinfer::fss::engine {

class ClearOps final : public OpsBase {
 public:
  // `gate_cache`: the compiled fused gates to use (fss/compile/gate_cache.h); null: a fresh one.
  ClearOps(Ring ring, int frac_bits, const GateSuite& gates,
           std::shared_ptr<compile::GateCache> gate_cache = nullptr);

  Tensor input(int owner, std::vector<std::size_t> shape, std::span<const u64> values) override;
  Tensor weight(std::vector<std::size_t> shape, std::span<const u64> values) override;
  std::vector<u64> reveal(const Tensor& x) override;
  Tensor add_const(const Tensor& a, u64 c) override;
  Tensor matmul(const Tensor& a, const Tensor& b, const MatmulShape& s) override;
  Tensor mul(const Tensor& a, const Tensor& b) override;
  Tensor mul_rowwise(const Tensor& a, const Tensor& b, std::size_t cols) override;
  Tensor square(const Tensor& a) override;
  Tensor truncate(const Tensor& a, int shift, TruncKind kind) override;
  Tensor relu(const Tensor& a, int bits) override;
  Tensor max_last(const Tensor& a, std::size_t cols, int bits) override;
  Tensor unary(const UnaryGate& g, const Tensor& a, const GateArgs& args) override;

 private:
  ClearCtx ctx() const { return ClearCtx{ring_, frac_bits_, gate_cache_.get()}; }
  std::shared_ptr<compile::GateCache> gate_cache_;
};

}  // namespace secinfer::fss::engine
