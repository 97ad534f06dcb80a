#include "fss/engine/party_ops.h"

#include <stdexcept>
#include <string>

#include "fss/accelerator.h"
#include "fss/engine/ops_util.h"
#include "fss/gates/sigma/compare.h"
#include "fss/gates/sigma/input.h"
#include "fss/gates/sigma/linear.h"
#include "fss/gates/sigma/truncate.h"
#include "fss/vec/vec.h"
#include "profiling/scope_names.h"

namespace secinfer::fss::engine {

namespace {

// One keyed op's operands and output, bound in the party (Party::bind): a resident input is
// handed to the gate where it is, and the gate's output stays where the gate made it.
class OpIo {
 public:
  explicit OpIo(Party& p) : p_(&p) {}
  OpIo(const OpIo&) = delete;
  OpIo& operator=(const OpIo&) = delete;
  ~OpIo() {
    if (!finished_) p_->unbind_quietly();
  }
  // What the gate reads for t: a stand-in span for a resident tensor, else its host values.
  std::span<const u64> in(const Tensor& t) {
    const vec::Vec* v = t.data.vec();
    if (v != nullptr && v->space() == &p_->space()) return p_->bind(*v);
    return t.data;
  }
  // Where the gate writes an output of n elements.
  std::span<u64> out(std::size_t n) { return out_ = p_->out_span(n); }
  // The output: the vector the gate handed over, or the values it wrote.
  TensorValues finish() {
    finished_ = true;
    std::optional<vec::Vec> v = p_->unbind();
    if (v) return TensorValues::resident(std::move(*v));
    return std::vector<u64>(out_.begin(), out_.end());
  }

 private:
  Party* p_;
  std::span<u64> out_{};
  bool finished_ = false;
};

}  // namespace

PartyOps::PartyOps(Party& party, const GateSuite& gates)
    : OpsBase(party.ring(), party.frac_bits(), gates), p_(&party) {}

Tensor PartyOps::masked_input(int owner, std::vector<std::size_t> shape,
                              std::span<const u64> values) {
  Tensor t = Tensor::zeros(std::move(shape));
  sigma::input_eval(*p_, owner, values, t.data);
  return t;
}

Tensor PartyOps::input(int owner, std::vector<std::size_t> shape, std::span<const u64> values) {
  Region r(*this, profiling::scopes::kMisc, "input");
  Tensor t = masked_input(owner, std::move(shape), values);
  // An activation, so where the party's gates run: a model's first tensor is the residual stream
  // that a pre-LN decoder (GPT-2) adds every layer's output to, which would otherwise stay on the
  // host and read each output down. Its host values stay valid.
  t.data.upload_to(p_->space());
  return t;
}

Tensor PartyOps::weight(std::vector<std::size_t> shape, std::span<const u64> values) {
  Tensor t;
  {
    Region r(*this, profiling::scopes::kMisc, "input");
    t = masked_input(0, std::move(shape), values);
  }
  // The masked weight is public and fixed for the run: the accelerator keeps a copy from now on
  // (the offline phase), so a matmul does not upload it.
  if (const Accelerator* a = p_->accelerator()) t.held = a->hold(t.data);
  // A row (bias, LayerNorm's gamma and beta) also as a vector of the party's Space, for the
  // local ops that read it there; its host values stay valid.
  if (t.shape.size() == 1) t.data.upload_to(p_->space());
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
  if (const vec::Vec* v = a.data.vec()) {
    const vec::Space& sp = *v->space();
    vec::Vec out = sp.make(v->size());
    sp.combine(out, ring_.bits, c, {{.v = v}});
    return Tensor{a.shape, TensorValues::resident(std::move(out))};
  }
  Tensor o = a;
  for (auto& v : o.data) v = ring_.add(v, c);
  return o;
}

Tensor PartyOps::weight_matrix(std::vector<std::size_t> shape, std::span<const u64> values) {
  Tensor t = weight(std::move(shape), values);
  Region r(*this, profiling::scopes::kMisc, "input");
  t.mask_shares = std::make_shared<const ShareBatch>(sigma::weight_shares_eval(*p_, t.size()));
  return t;
}

Tensor PartyOps::matmul(const Tensor& a, const Tensor& b, const MatmulShape& s) {
  Tensor o{matmul_out_shape(a, b, s), {}};
  Region r(*this, profiling::scopes::kLinear, "matmul");
  OpIo io(*p_);
  const std::size_t n = s.batches * s.m * s.n;
  sigma::matmul_eval(*p_, s, io.in(a), io.in(b), io.out(n), b.held.get(), b.mask_shares.get());
  o.data = io.finish();
  return o;
}

Tensor PartyOps::mul(const Tensor& a, const Tensor& b) {
  check_same_size("mul", a, b);
  Tensor o{a.shape, {}};
  Region r(*this, profiling::scopes::kLinear, "mul");
  OpIo io(*p_);
  sigma::mul_eval(*p_, io.in(a), io.in(b), io.out(a.size()));
  o.data = io.finish();
  return o;
}

Tensor PartyOps::mul_rowwise(const Tensor& a, const Tensor& b, std::size_t cols) {
  Tensor o{a.shape, {}};
  Region r(*this, profiling::scopes::kLinear, "mul");
  OpIo io(*p_);
  sigma::mul_rowwise_eval(*p_, cols, io.in(a), io.in(b), io.out(a.size()));
  o.data = io.finish();
  return o;
}

Tensor PartyOps::square(const Tensor& a) {
  Tensor o{a.shape, {}};
  Region r(*this, profiling::scopes::kLinear, "mul");
  OpIo io(*p_);
  sigma::square_eval(*p_, io.in(a), io.out(a.size()));
  o.data = io.finish();
  return o;
}

Tensor PartyOps::truncate(const Tensor& a, int shift, TruncKind kind) {
  Tensor o{a.shape, {}};
  Region r(*this, profiling::scopes::kTruncRescale, "trunc");
  OpIo io(*p_);
  gates().truncation(kind).eval(*p_, with_param(shift), io.in(a), io.out(a.size()));
  o.data = io.finish();
  return o;
}

Tensor PartyOps::relu(const Tensor& a, int bits) {
  Tensor o{a.shape, {}};
  Region r(*this, profiling::scopes::kRelu, "relu");
  OpIo io(*p_);
  gates().relu_gate().eval(*p_, with_param(bits), io.in(a), io.out(a.size()));
  o.data = io.finish();
  return o;
}

Tensor PartyOps::max_last(const Tensor& a, std::size_t cols, int bits) {
  Tensor o{rows_shape(a, cols), {}};
  Region r(*this, profiling::scopes::kSoftmax, "max");
  OpIo io(*p_);
  sigma::max_eval(*p_, cols, io.in(a), io.out(a.size() / cols), bits, gates().relu_gate());
  o.data = io.finish();
  return o;
}

Tensor PartyOps::unary(const UnaryGate& g, const Tensor& a, const GateArgs& args) {
  check_provided(gates(), g);
  Tensor o{a.shape, {}};
  Region r(*this, g.top_scope, g.nested_scope);
  OpIo io(*p_);
  g.eval(*p_, args, io.in(a), io.out(a.size()));
  o.data = io.finish();
  return o;
}

}  // namespace secinfer::fss::engine
