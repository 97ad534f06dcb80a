// An Ops that computes nothing: tensors carry shapes only (empty data), and every op that needs
// keys or keeps an activation is recorded. Running the forward pass on it lists, step by step,
// what the dealer will generate and what the parties will hold, in milliseconds even for
// llama2-7b, so the memory estimate (memory.h) is known before any work.
//
//   TraceOps t(ring, frac_bits, sigma::suite());
//   t.set_step(0); Tensor h = model.embed(t, {});  ...   // then read t.ops()
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "fss/engine/ops.h"

namespace secinfer::models {

using fss::u64;
using fss::engine::GateArgs;
using fss::engine::GatherIndex;
using fss::engine::MatmulShape;
using fss::engine::Ops;
using fss::engine::SoftmaxMask;
using fss::engine::Tensor;
using fss::engine::TruncKind;
using fss::engine::UnaryGate;

struct TracedOp {
  enum class Kind {
    kInput,
    kWeightShares,  // Ops::weight_matrix's mask shares (after its kInput)
    kReveal,
    kMatmul,
    kMul,
    kMulRowwise,
    kSquare,
    kTruncate,
    kRelu,
    kMax,
    kUnary,
    kSoftmax,
    kLayerNorm,
    kRmsNorm,
    kLocal
  };
  Kind kind = Kind::kLocal;
  std::size_t step = 0;
  std::size_t elements = 0;  // output elements (input elements for reveal)
  std::size_t in_elements = 0;
  std::size_t cols = 0;  // row length (softmax, norms, max, mul_rowwise, unary args)
  int owner = 0;         // input
  int shift = 0;         // truncate
  int bits = 0;          // relu / max: the reduced ring (Ops::relu), 0 = the ring
  TruncKind trunc = TruncKind::kFloor;
  SoftmaxMask mask;             // softmax
  MatmulShape mm;               // matmul
  bool b_shares_dealt = false;  // matmul: B's mask shares came with it (Tensor::mask_shares)
  const UnaryGate* gate = nullptr;
  GateArgs args;
};

class TraceOps final : public Ops {
 public:
  TraceOps(fss::Ring ring, int frac_bits, const fss::engine::GateSuite& gates);

  void set_step(std::size_t step) { step_ = step; }
  const std::vector<TracedOp>& ops() const { return ops_; }

  fss::Ring ring() const override { return ring_; }
  int frac_bits() const override { return frac_bits_; }
  const fss::engine::GateSuite& gates() const override { return *gates_; }

  Tensor input(int owner, std::vector<std::size_t> shape, std::span<const u64> values) override;
  Tensor weight(std::vector<std::size_t> shape, std::span<const u64> values) override;
  Tensor weight_matrix(std::vector<std::size_t> shape, std::span<const u64> values) override;
  std::vector<u64> reveal(const Tensor& x) override;
  Tensor add(const Tensor& a, const Tensor& b) override;
  Tensor sub(const Tensor& a, const Tensor& b) override;
  Tensor add_const(const Tensor& a, u64 c) override;
  Tensor mul_const(const Tensor& a, u64 c) override;
  Tensor add_bias(const Tensor& a, const Tensor& bias) override;
  Tensor sum_last(const Tensor& a) override;
  Tensor broadcast_rows(const Tensor& b, std::size_t cols) override;
  // Shape only, not recorded (a selection, as a reshape: no keys, no bytes).
  Tensor gather(const Tensor& a, const Tensor& b, const GatherIndex& index,
                std::vector<std::size_t> shape) override;
  Tensor transpose_heads(const Tensor& x, std::size_t batch, std::size_t seq, std::size_t heads,
                         std::size_t head_dim, bool inverse) override;
  Tensor matmul(const Tensor& a, const Tensor& b, const MatmulShape& s) override;
  Tensor mul(const Tensor& a, const Tensor& b) override;
  Tensor mul_rowwise(const Tensor& a, const Tensor& b, std::size_t cols) override;
  Tensor square(const Tensor& a) override;
  Tensor truncate(const Tensor& a, int shift, TruncKind kind) override;
  Tensor relu(const Tensor& a, int bits) override;
  Tensor max_last(const Tensor& a, std::size_t cols, int bits) override;
  Tensor unary(const UnaryGate& g, const Tensor& a, const GateArgs& args) override;
  // Recorded whole (the suites' composites work on data, which a trace does not have).
  Tensor softmax(const Tensor& a, std::size_t cols, SoftmaxMask mask) override;
  Tensor layernorm(const Tensor& a, const Tensor& gamma, const Tensor& beta,
                   std::size_t cols) override;
  Tensor rmsnorm(const Tensor& a, const Tensor& gamma, std::size_t cols) override;

  // Elements of a shape-only tensor (product of its shape).
  static std::size_t numel(const Tensor& t);

 private:
  Tensor record(TracedOp op, std::vector<std::size_t> out_shape);

  fss::Ring ring_;
  int frac_bits_;
  const fss::engine::GateSuite* gates_;
  std::size_t step_ = 0;
  std::vector<TracedOp> ops_;
};

}  // namespace secinfer::models
