#include "models/trace_ops.h"

#include <functional>
#include <numeric>

namespace secinfer::models {

using Kind = TracedOp::Kind;

TraceOps::TraceOps(fss::Ring ring, int frac_bits, const fss::engine::GateSuite& gates)
    : ring_(ring), frac_bits_(frac_bits), gates_(&gates) {}

std::size_t TraceOps::numel(const Tensor& t) {
  if (t.shape.empty()) return 0;
  return std::accumulate(t.shape.begin(), t.shape.end(), std::size_t{1}, std::multiplies<>());
}

Tensor TraceOps::record(TracedOp op, std::vector<std::size_t> out_shape) {
  Tensor t;
  t.shape = std::move(out_shape);
  op.step = step_;
  op.elements = numel(t);
  ops_.push_back(op);
  return t;
}

Tensor TraceOps::input(int owner, std::vector<std::size_t> shape, std::span<const u64>) {
  TracedOp op;
  op.kind = Kind::kInput;
  op.owner = owner;
  return record(op, std::move(shape));
}

Tensor TraceOps::weight(std::vector<std::size_t> shape, std::span<const u64> values) {
  return input(0, std::move(shape), values);
}

Tensor TraceOps::weight_matrix(std::vector<std::size_t> shape, std::span<const u64> values) {
  Tensor t = weight(shape, values);
  TracedOp op;
  op.kind = Kind::kWeightShares;
  record(op, std::move(shape));
  t.mask_shares = std::make_shared<const fss::ShareBatch>();
  return t;
}

std::vector<u64> TraceOps::reveal(const Tensor& x) {
  TracedOp op;
  op.kind = Kind::kReveal;
  record(op, x.shape);
  return {};
}

// Local ops: no keys; recorded for the activation estimate.
Tensor TraceOps::add(const Tensor& a, const Tensor&) {
  return record({}, a.shape);
}
Tensor TraceOps::sub(const Tensor& a, const Tensor&) {
  return record({}, a.shape);
}
Tensor TraceOps::add_const(const Tensor& a, u64) {
  return record({}, a.shape);
}
Tensor TraceOps::mul_const(const Tensor& a, u64) {
  return record({}, a.shape);
}
Tensor TraceOps::add_bias(const Tensor& a, const Tensor&) {
  return record({}, a.shape);
}

Tensor TraceOps::sum_last(const Tensor& a) {
  return record({}, fss::engine::summed_last_shape(a.shape));
}

Tensor TraceOps::broadcast_rows(const Tensor& b, std::size_t cols) {
  std::vector<std::size_t> s = b.shape;
  s.push_back(cols);
  return record({}, s);
}

Tensor TraceOps::gather(const Tensor&, const Tensor&, const GatherIndex&,
                        std::vector<std::size_t> shape) {
  Tensor t;
  t.shape = std::move(shape);
  return t;
}

Tensor TraceOps::transpose_heads(const Tensor&, std::size_t batch, std::size_t seq,
                                 std::size_t heads, std::size_t head_dim, bool inverse) {
  return record({}, inverse ? std::vector<std::size_t>{batch, seq, heads * head_dim}
                            : std::vector<std::size_t>{batch, heads, seq, head_dim});
}

Tensor TraceOps::matmul(const Tensor& a, const Tensor& b, const MatmulShape& s) {
  TracedOp op;
  op.kind = Kind::kMatmul;
  op.mm = s;
  op.b_shares_dealt = b.mask_shares != nullptr;
  op.in_elements = numel(a);
  return record(op, {s.batches, s.m, s.n});
}

Tensor TraceOps::mul(const Tensor& a, const Tensor&) {
  TracedOp op;
  op.kind = Kind::kMul;
  return record(op, a.shape);
}

Tensor TraceOps::mul_rowwise(const Tensor& a, const Tensor&, std::size_t cols) {
  TracedOp op;
  op.kind = Kind::kMulRowwise;
  op.cols = cols;
  return record(op, a.shape);
}

Tensor TraceOps::square(const Tensor& a) {
  TracedOp op;
  op.kind = Kind::kSquare;
  return record(op, a.shape);
}

Tensor TraceOps::truncate(const Tensor& a, int shift, TruncKind kind) {
  TracedOp op;
  op.kind = Kind::kTruncate;
  op.shift = shift;
  op.trunc = kind;
  return record(op, a.shape);
}

Tensor TraceOps::relu(const Tensor& a, int bits) {
  TracedOp op;
  op.kind = Kind::kRelu;
  op.bits = bits;
  return record(op, a.shape);
}

Tensor TraceOps::max_last(const Tensor& a, std::size_t cols, int bits) {
  TracedOp op;
  op.kind = Kind::kMax;
  op.bits = bits;
  op.cols = cols;
  op.in_elements = numel(a);
  return record(op, {cols ? numel(a) / cols : 0});
}

Tensor TraceOps::unary(const UnaryGate& g, const Tensor& a, const GateArgs& args) {
  TracedOp op;
  op.kind = Kind::kUnary;
  op.gate = &g;
  op.args = args;
  op.cols = args.cols;
  return record(op, a.shape);
}

Tensor TraceOps::softmax(const Tensor& a, std::size_t cols, SoftmaxMask mask) {
  TracedOp op;
  op.kind = Kind::kSoftmax;
  op.cols = cols;
  op.mask = mask;
  return record(op, a.shape);
}

Tensor TraceOps::layernorm(const Tensor& a, const Tensor&, const Tensor&, std::size_t cols) {
  TracedOp op;
  op.kind = Kind::kLayerNorm;
  op.cols = cols;
  return record(op, a.shape);
}

Tensor TraceOps::rmsnorm(const Tensor& a, const Tensor&, std::size_t cols) {
  TracedOp op;
  op.kind = Kind::kRmsNorm;
  op.cols = cols;
  return record(op, a.shape);
}

}  // namespace secinfer::models
