// Shared part of ClearOps, DealerOps and PartyOps: the local linear ops, which are the same
// formula on values, masks and masked values (masks of a + b are r_a + r_b, of c * a are c r_a,
// ...), plus the scope handling of every gate op. add_const differs (a mask does not move).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "fss/engine/ops.h"

namespace secinfer::fss::engine {

class OpsBase : public Ops {
 public:
  OpsBase(Ring ring, int frac_bits, const GateSuite& gates);

  Ring ring() const override { return ring_; }
  int frac_bits() const override { return frac_bits_; }
  const GateSuite& gates() const override { return *gates_; }

  Tensor add(const Tensor& a, const Tensor& b) override;
  Tensor sub(const Tensor& a, const Tensor& b) override;
  Tensor mul_const(const Tensor& a, u64 c) override;
  Tensor add_bias(const Tensor& a, const Tensor& bias) override;
  Tensor sum_last(const Tensor& a) override;
  Tensor broadcast_rows(const Tensor& b, std::size_t cols) override;
  Tensor transpose_heads(const Tensor& x, std::size_t batch, std::size_t seq, std::size_t heads,
                         std::size_t head_dim, bool inverse) override;
  Tensor gather(const Tensor& a, const Tensor& b, const GatherIndex& index,
                std::vector<std::size_t> shape) override;

 protected:
  Ring ring_;
  int frac_bits_;
  const GateSuite* gates_;
};

// Shape checks shared by the implementations; throw std::invalid_argument naming the op and sizes.
void check_same_size(const char* op, const Tensor& a, const Tensor& b);
void check_rows(const char* op, const Tensor& a, std::size_t cols);
// Output shape of a matmul and checks of the operand sizes.
std::vector<std::size_t> matmul_out_shape(const Tensor& a, const Tensor& b, const MatmulShape& s);
// Throws std::logic_error when the suite lacks the gate.
void check_provided(const GateSuite& suite, const UnaryGate& g);

}  // namespace secinfer::fss::engine
