// Ops on cleartext fixed-point values: every gate's *_clear face (the reference the secure run
// must match bit for bit). Communication-free, keyless.
#pragma once

#include "fss/engine/ops_base.h"

namespace secinfer::fss::engine {

class ClearOps final : public OpsBase {
 public:
  ClearOps(Ring ring, int frac_bits, const GateSuite& gates) : OpsBase(ring, frac_bits, gates) {}

  Tensor input(int owner, std::vector<std::size_t> shape, std::span<const u64> values) override;
  Tensor weight(std::vector<std::size_t> shape, std::span<const u64> values) override;
  std::vector<u64> reveal(const Tensor& x) override;
  Tensor add_const(const Tensor& a, u64 c) override;
  Tensor matmul(const Tensor& a, const Tensor& b, const MatmulShape& s) override;
  Tensor mul(const Tensor& a, const Tensor& b) override;
  Tensor mul_rowwise(const Tensor& a, const Tensor& b, std::size_t cols) override;
  Tensor square(const Tensor& a) override;
  Tensor truncate(const Tensor& a, int shift, TruncKind kind) override;
  Tensor relu(const Tensor& a) override;
  Tensor max_last(const Tensor& a, std::size_t cols) override;
  Tensor unary(const UnaryGate& g, const Tensor& a, const GateArgs& args) override;
};

}  // namespace secinfer::fss::engine
