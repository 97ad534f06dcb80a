#include "fss/engine/ops.h"

#include <functional>
#include <numeric>
#include <stdexcept>
#include <string>

#include "fss/engine/ops_base.h"
#include "fss/gates/sigma/compare.h"
#include "fss/gates/sigma/truncate.h"
#include "profiling/scope.h"
#include "profiling/scope_names.h"

namespace secinfer::fss::engine {

const UnaryGate& GateSuite::truncation(TruncKind kind) const {
  if (kind == TruncKind::kFloor)
    return trunc_floor.provided() ? trunc_floor : sigma::trunc_floor_gate();
  return trunc_slack.provided() ? trunc_slack : sigma::trunc_slack_gate();
}

const UnaryGate& GateSuite::relu_gate() const {
  return relu.provided() ? relu : sigma::relu_gate();
}

Tensor Tensor::zeros(std::vector<std::size_t> shape) {
  Tensor t;
  const std::size_t n =
      std::accumulate(shape.begin(), shape.end(), std::size_t{1}, std::multiplies<>());
  t.shape = std::move(shape);
  t.data.assign(n, 0);
  return t;
}

std::size_t Tensor::checked_size() const {
  const std::size_t n =
      std::accumulate(shape.begin(), shape.end(), std::size_t{1}, std::multiplies<>());
  if (n != data.size()) {
    throw std::invalid_argument("tensor shape holds " + std::to_string(n) +
                                " elements but data has " + std::to_string(data.size()));
  }
  return n;
}

Ops::~Ops() = default;

std::shared_ptr<const GatherIndex> Ops::gather_index(
    const std::string& key, const std::function<std::vector<u64>()>& make) {
  if (const auto it = gather_cache_.find(key); it != gather_cache_.end()) return it->second;
  auto index = std::make_shared<GatherIndex>(GatherIndex{make(), std::nullopt});
  const std::size_t bytes = index->positions.size() * sizeof(u64) * 2;  // host and device
  if (gather_cache_bytes_ + bytes > kGatherCacheBytes) {  // callers keep what they hold
    gather_cache_.clear();
    gather_cache_bytes_ = 0;
  }
  gather_cache_.emplace(key, index);
  gather_cache_bytes_ += bytes;
  return index;
}

Ops::Region::Region(Ops& ops, std::string_view top, std::string_view nested)
    : ops_(ops), path_len_(ops.path_.size()) {
  const std::string_view name = ops.depth_ == 0 ? top : nested;
  ++ops_.depth_;
  if (!name.empty()) {
    scope_ = std::make_unique<profiling::Scope>(name);
    if (!ops_.path_.empty()) ops_.path_ += '/';
    ops_.path_ += name;
    ops_.on_scope_change();
  }
}

Ops::Region::~Region() {
  --ops_.depth_;
  if (scope_) {
    // Notify before the profiler scope closes, so work inside is still attributed to it.
    ops_.path_.resize(path_len_);
    ops_.on_scope_change();
    scope_.reset();
  }
}

namespace {
[[noreturn]] void missing(const GateSuite& s, const char* what) {
  throw std::logic_error(std::string("the '") + std::string(s.name) + "' gate suite has no " +
                         what + " yet: implement it or pick another --system");
}
const UnaryGate& need(const GateSuite& s, const UnaryGate& g, const char* what) {
  if (!g.provided()) missing(s, what);
  return g;
}
}  // namespace

Tensor Ops::gelu(const Tensor& a) {
  return unary(need(gates(), gates().gelu, "gelu"), a, {});
}
Tensor Ops::silu(const Tensor& a) {
  return unary(need(gates(), gates().silu, "silu"), a, {});
}
Tensor Ops::trunc_gelu(const Tensor& a, int shift) {
  if (!gates().trunc_gelu.provided()) return gelu(truncate(a, shift, TruncKind::kFloor));
  GateArgs args;
  args.param = shift;
  return unary(gates().trunc_gelu, a, args);
}
Tensor Ops::trunc_silu(const Tensor& a, int shift) {
  if (!gates().trunc_silu.provided()) return silu(truncate(a, shift, TruncKind::kFloor));
  GateArgs args;
  args.param = shift;
  return unary(gates().trunc_silu, a, args);
}
Tensor Ops::nexp(const Tensor& a) {
  return unary(need(gates(), gates().nexp, "nexp"), a, {});
}
Tensor Ops::inverse(const Tensor& a, std::size_t cols) {
  GateArgs args;
  args.cols = cols;
  return unary(need(gates(), gates().inverse, "inverse"), a, args);
}
Tensor Ops::rsqrt(const Tensor& a, std::size_t cols) {
  GateArgs args;
  args.cols = cols;
  return unary(need(gates(), gates().rsqrt, "rsqrt"), a, args);
}

Tensor Ops::softmax(const Tensor& a, std::size_t cols, SoftmaxMask mask) {
  if (!gates().softmax) missing(gates(), "softmax");
  Region r(*this, profiling::scopes::kSoftmax, "softmax");
  return gates().softmax(*this, a, cols, mask);
}

Tensor Ops::layernorm(const Tensor& a, const Tensor& gamma, const Tensor& beta, std::size_t cols) {
  if (!gates().layernorm) missing(gates(), "layernorm");
  Region r(*this, profiling::scopes::kLayerNorm, "layernorm");
  return gates().layernorm(*this, a, gamma, beta, cols);
}

Tensor Ops::rmsnorm(const Tensor& a, const Tensor& gamma, std::size_t cols) {
  if (!gates().rmsnorm) missing(gates(), "rmsnorm");
  Region r(*this, profiling::scopes::kLayerNorm, "rmsnorm");
  return gates().rmsnorm(*this, a, gamma, cols);
}

}  // namespace secinfer::fss::engine
