// Ops of the online phase for one party: a tensor holds the public MASKED values xhat = x + r;
// every gate op calls the gate's *_eval face, which reads this party's next key and opens its
// output with the peer. Both parties run the same call sequence and hold equal tensors.
#pragma once

#include "fss/engine/ops_base.h"
#include "fss/engine/party.h"

namespace secinfer::fss::engine {

class PartyOps final : public OpsBase {
 public:
  PartyOps(Party& party, const GateSuite& gates);

  Party& party() { return *p_; }

  Tensor input(int owner, std::vector<std::size_t> shape, std::span<const u64> values) override;
  Tensor weight(std::vector<std::size_t> shape, std::span<const u64> values) override;
  Tensor weight_matrix(std::vector<std::size_t> shape, std::span<const u64> values) override;
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
  // The owner's masked values, opened to both parties, on the host.
  Tensor masked_input(int owner, std::vector<std::size_t> shape, std::span<const u64> values);

  Party* p_;
};

}  // namespace secinfer::fss::engine
