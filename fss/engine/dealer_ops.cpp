#include "fss/engine/dealer_ops.h"

#include <stdexcept>
#include <string>

#include "fss/engine/ops_util.h"
#include "fss/gates/sigma/compare.h"
#include "fss/gates/sigma/input.h"
#include "fss/gates/sigma/linear.h"
#include "fss/gates/sigma/truncate.h"
#include "profiling/scope_names.h"

namespace secinfer::fss::engine {

DealerOps::DealerOps(Dealer& dealer, const GateSuite& gates, int party)
    : OpsBase(dealer.ring(), dealer.frac_bits(), gates), d_(&dealer), party_(party) {
  if (party != 0 && party != 1) throw std::invalid_argument("DealerOps: party must be 0 or 1");
  last_bytes_ = d_->key_bytes(party_);
}

void DealerOps::on_scope_change() {
  const std::uint64_t now = d_->key_bytes(party_);
  if (now != last_bytes_) by_scope_[last_path_] += now - last_bytes_;
  last_bytes_ = now;
  last_path_ = scope_path();
}

const std::map<std::string, std::uint64_t>& DealerOps::key_bytes_by_scope() {
  on_scope_change();
  return by_scope_;
}

Tensor DealerOps::input(int owner, std::vector<std::size_t> shape, std::span<const u64>) {
  Region r(*this, profiling::scopes::kMisc, "input");
  Tensor t = Tensor::zeros(std::move(shape));
  sigma::input_keygen(*d_, owner, t.data);
  return t;
}

Tensor DealerOps::weight(std::vector<std::size_t> shape, std::span<const u64> values) {
  Tensor t = input(0, std::move(shape), values);
  // The weight mask is fixed while the tensor lives (the model input's, for every run): where the
  // dealer's keys are made on the party's accelerator it keeps a copy, which the matmul
  // correlation's product and the split of [r_B] read in place (sigma::matmul_keygen).
  if (const Accelerator* a = d_->accelerator(); a != nullptr && a->vec_space() != nullptr)
    t.held = a->hold(t.data.host());
  return t;
}

Tensor DealerOps::weight_matrix(std::vector<std::size_t> shape, std::span<const u64> values) {
  Tensor t = weight(std::move(shape), values);
  Region r(*this, profiling::scopes::kMisc, "input");
  sigma::weight_shares_keygen(*d_, t.data, t.held.get());
  t.mask_shares = std::make_shared<const ShareBatch>();
  return t;
}

std::vector<u64> DealerOps::reveal(const Tensor& x) {
  Region r(*this, profiling::scopes::kMisc, "reveal");
  sigma::reveal_keygen(*d_, x.data);
  return std::vector<u64>(x.size(), 0);
}

Tensor DealerOps::add_const(const Tensor& a, u64) {
  return a;
}  // the mask does not move

Tensor DealerOps::matmul(const Tensor& a, const Tensor& b, const MatmulShape& s) {
  Tensor o = Tensor::zeros(matmul_out_shape(a, b, s));
  Region r(*this, profiling::scopes::kLinear, "matmul");
  sigma::matmul_keygen(*d_, s, a.data, b.data, o.data, b.mask_shares != nullptr, b.held.get());
  return o;
}

Tensor DealerOps::mul(const Tensor& a, const Tensor& b) {
  check_same_size("mul", a, b);
  Tensor o{a.shape, std::vector<u64>(a.size())};
  Region r(*this, profiling::scopes::kLinear, "mul");
  sigma::mul_keygen(*d_, a.data, b.data, o.data);
  return o;
}

Tensor DealerOps::mul_rowwise(const Tensor& a, const Tensor& b, std::size_t cols) {
  Tensor o{a.shape, std::vector<u64>(a.size())};
  Region r(*this, profiling::scopes::kLinear, "mul");
  sigma::mul_rowwise_keygen(*d_, cols, a.data, b.data, o.data);
  return o;
}

Tensor DealerOps::square(const Tensor& a) {
  Tensor o{a.shape, std::vector<u64>(a.size())};
  Region r(*this, profiling::scopes::kLinear, "mul");
  sigma::square_keygen(*d_, a.data, o.data);
  return o;
}

Tensor DealerOps::truncate(const Tensor& a, int shift, TruncKind kind) {
  Tensor o{a.shape, std::vector<u64>(a.size())};
  Region r(*this, profiling::scopes::kTruncRescale, "trunc");
  gates().truncation(kind).keygen(*d_, with_param(shift), a.data, o.data);
  return o;
}

Tensor DealerOps::relu(const Tensor& a, int bits) {
  Tensor o{a.shape, std::vector<u64>(a.size())};
  Region r(*this, profiling::scopes::kRelu, "relu");
  gates().relu_gate().keygen(*d_, with_param(bits), a.data, o.data);
  return o;
}

Tensor DealerOps::max_last(const Tensor& a, std::size_t cols, int bits) {
  Tensor o = Tensor::zeros(rows_shape(a, cols));
  Region r(*this, profiling::scopes::kSoftmax, "max");
  sigma::max_keygen(*d_, cols, a.data, o.data, bits, gates().relu_gate());
  return o;
}

Tensor DealerOps::unary(const UnaryGate& g, const Tensor& a, const GateArgs& args) {
  check_provided(gates(), g);
  Tensor o{a.shape, std::vector<u64>(a.size())};
  Region r(*this, g.top_scope, g.nested_scope);
  g.keygen(*d_, args, a.data, o.data);
  return o;
}

}  // namespace secinfer::fss::engine
