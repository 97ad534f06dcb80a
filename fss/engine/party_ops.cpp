#include "fss/engine/party_ops.h"

#include <stdexcept>
#include <string>

#include "fss/accelerator.h"
#include "fss/engine/ops_util.h"
#include "fss/gates/sigma/compare.h"
#include "fss/gates/sigma/input.h"
#include "fss/gates/sigma/linear.h"
#include "fss/gates/sigma/truncate.h"
#include "profiling/scope_names.h"

namespace secinfer::fss::engine {

PartyOps::PartyOps(Party& party, const GateSuite& gates)
    : OpsBase(party.ring(), party.frac_bits(), gates), p_(&party) {}

Tensor PartyOps::input(int owner, std::vector<std::size_t> shape, std::span<const u64> values) {
  Region r(*this, profiling::scopes::kMisc, "input");
  Tensor t = Tensor::zeros(std::move(shape));
  sigma::input_eval(*p_, owner, values, t.data);
  return t;
}

Tensor PartyOps::weight(std::vector<std::size_t> shape, std::span<const u64> values) {
  Tensor t = input(0, std::move(shape), values);
  // The masked weight is public and fixed for the run: the accelerator keeps a copy from now on
  // (the offline phase), so a matmul does not upload it.
  if (const Accelerator* a = p_->accelerator()) t.held = a->hold(t.data);
  return t;
}

std::vector<u64> PartyOps::reveal(const Tensor& x) {
  Region r(*this, profiling::scopes::kMisc, "reveal");
  std::vector<u64> out(x.size());
  sigma::reveal_eval(*p_, x.data, out);
  return out;
}

Tensor PartyOps::add_const(const Tensor& a, u64 c) {
  Region r(*this, profiling::scopes::kMisc, "");
  Tensor o = a;
  for (auto& v : o.data) v = ring_.add(v, c);
  return o;
}

Tensor PartyOps::matmul(const Tensor& a, const Tensor& b, const MatmulShape& s) {
  Tensor o = Tensor::zeros(matmul_out_shape(a, b, s));
  Region r(*this, profiling::scopes::kLinear, "matmul");
  sigma::matmul_eval(*p_, s, a.data, b.data, o.data, b.held.get());
  return o;
}

Tensor PartyOps::mul(const Tensor& a, const Tensor& b) {
  check_same_size("mul", a, b);
  Tensor o{a.shape, std::vector<u64>(a.size())};
  Region r(*this, profiling::scopes::kLinear, "mul");
  sigma::mul_eval(*p_, a.data, b.data, o.data);
  return o;
}

Tensor PartyOps::mul_rowwise(const Tensor& a, const Tensor& b, std::size_t cols) {
  Tensor o{a.shape, std::vector<u64>(a.size())};
  Region r(*this, profiling::scopes::kLinear, "mul");
  sigma::mul_rowwise_eval(*p_, cols, a.data, b.data, o.data);
  return o;
}

Tensor PartyOps::square(const Tensor& a) {
  Tensor o{a.shape, std::vector<u64>(a.size())};
  Region r(*this, profiling::scopes::kLinear, "mul");
  sigma::square_eval(*p_, a.data, o.data);
  return o;
}

Tensor PartyOps::truncate(const Tensor& a, int shift, TruncKind kind) {
  Tensor o{a.shape, std::vector<u64>(a.size())};
  Region r(*this, profiling::scopes::kTruncRescale, "trunc");
  gates().truncation(kind).eval(*p_, with_param(shift), a.data, o.data);
  return o;
}

Tensor PartyOps::relu(const Tensor& a, int bits) {
  Tensor o{a.shape, std::vector<u64>(a.size())};
  Region r(*this, profiling::scopes::kRelu, "relu");
  gates().relu_gate().eval(*p_, with_param(bits), a.data, o.data);
  return o;
}

Tensor PartyOps::max_last(const Tensor& a, std::size_t cols, int bits) {
  Tensor o = Tensor::zeros(rows_shape(a, cols));
  Region r(*this, profiling::scopes::kSoftmax, "max");
  sigma::max_eval(*p_, cols, a.data, o.data, bits, gates().relu_gate());
  return o;
}

Tensor PartyOps::unary(const UnaryGate& g, const Tensor& a, const GateArgs& args) {
  check_provided(gates(), g);
  Tensor o{a.shape, std::vector<u64>(a.size())};
  Region r(*this, g.top_scope, g.nested_scope);
  g.eval(*p_, args, a.data, o.data);
  return o;
}

}  // namespace secinfer::fss::engine
