#include "fss/engine/clear_ops.h"

#include <stdexcept>
#include <string>
#include <utility>

#include "fss/compile/gate_cache.h"
#include "fss/engine/ops_util.h"
#include "fss/gates/sigma/compare.h"
#include "fss/gates/sigma/linear.h"
#include "fss/gates/sigma/truncate.h"
#include "profiling/scope_names.h"

namespace secinfer::fss::engine {

ClearOps::ClearOps(Ring ring, int frac_bits, const GateSuite& gates,
                   std::shared_ptr<compile::GateCache> gate_cache)
    : OpsBase(ring, frac_bits, gates),
      gate_cache_(gate_cache ? std::move(gate_cache) : std::make_shared<compile::GateCache>()) {}

Tensor ClearOps::input(int owner, std::vector<std::size_t> shape, std::span<const u64> values) {
  Region r(*this, profiling::scopes::kMisc, "input");
  Tensor t = Tensor::zeros(std::move(shape));
  if (owner != 0 && owner != 1) throw std::invalid_argument("input: owner must be 0 or 1");
  if (values.size() != t.size()) {
    throw std::invalid_argument("input: " + std::to_string(values.size()) +
                                " values for a tensor of " + std::to_string(t.size()));
  }
  for (std::size_t i = 0; i < t.size(); ++i) t.data[i] = ring_.reduce(values[i]);
  return t;
}

Tensor ClearOps::weight(std::vector<std::size_t> shape, std::span<const u64> values) {
  return input(0, std::move(shape), values);
}

std::vector<u64> ClearOps::reveal(const Tensor& x) {
  Region r(*this, profiling::scopes::kMisc, "reveal");
  return x.data.host();
}

Tensor ClearOps::add_const(const Tensor& a, u64 c) {
  Region r(*this, profiling::scopes::kMisc, "");
  Tensor o = a;
  for (auto& v : o.data) v = ring_.add(v, c);
  return o;
}

Tensor ClearOps::matmul(const Tensor& a, const Tensor& b, const MatmulShape& s) {
  Tensor o = Tensor::zeros(matmul_out_shape(a, b, s));
  Region r(*this, profiling::scopes::kLinear, "matmul");
  sigma::matmul_clear(ctx(), s, a.data, b.data, o.data);
  return o;
}

Tensor ClearOps::mul(const Tensor& a, const Tensor& b) {
  check_same_size("mul", a, b);
  Tensor o{a.shape, std::vector<u64>(a.size())};
  Region r(*this, profiling::scopes::kLinear, "mul");
  sigma::mul_clear(ctx(), a.data, b.data, o.data);
  return o;
}

Tensor ClearOps::mul_rowwise(const Tensor& a, const Tensor& b, std::size_t cols) {
  Tensor o{a.shape, std::vector<u64>(a.size())};
  Region r(*this, profiling::scopes::kLinear, "mul");
  sigma::mul_rowwise_clear(ctx(), cols, a.data, b.data, o.data);
  return o;
}

Tensor ClearOps::square(const Tensor& a) {
  Tensor o{a.shape, std::vector<u64>(a.size())};
  Region r(*this, profiling::scopes::kLinear, "mul");
  sigma::square_clear(ctx(), a.data, o.data);
  return o;
}

Tensor ClearOps::truncate(const Tensor& a, int shift, TruncKind kind) {
  Tensor o{a.shape, std::vector<u64>(a.size())};
  Region r(*this, profiling::scopes::kTruncRescale, "trunc");
  gates().truncation(kind).clear(ctx(), with_param(shift), a.data, o.data);
  return o;
}

Tensor ClearOps::relu(const Tensor& a, int bits) {
  Tensor o{a.shape, std::vector<u64>(a.size())};
  Region r(*this, profiling::scopes::kRelu, "relu");
  gates().relu_gate().clear(ctx(), with_param(bits), a.data, o.data);
  return o;
}

Tensor ClearOps::max_last(const Tensor& a, std::size_t cols, int bits) {
  Tensor o = Tensor::zeros(rows_shape(a, cols));
  Region r(*this, profiling::scopes::kSoftmax, "max");
  sigma::max_clear(ctx(), cols, a.data, o.data, bits, gates().relu_gate());
  return o;
}

Tensor ClearOps::unary(const UnaryGate& g, const Tensor& a, const GateArgs& args) {
  check_provided(gates(), g);
  Tensor o{a.shape, std::vector<u64>(a.size())};
  Region r(*this, g.top_scope, g.nested_scope);
  g.clear(ctx(), args, a.data, o.data);
  return o;
}

}  // namespace secinfer::fss::engine
