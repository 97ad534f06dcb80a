#include "fss/gates/fusefss/nonlinear.h"

#include <stdexcept>
#include <string>

#include "fss/engine/key_stream.h"
#include "fss/gates/fusefss/suf_gate.h"

namespace secinfer::fss::fusefss {
namespace {

using compile::FunctionId;

std::uint32_t tag_of(FunctionId id) {
  switch (id) {
    case FunctionId::kGelu:
      return engine::key_tag("FGEL");
    case FunctionId::kSilu:
      return engine::key_tag("FSIL");
    case FunctionId::kNexp:
      return engine::key_tag("FNEX");
    case FunctionId::kInverse:
      return engine::key_tag("FINV");
    case FunctionId::kRsqrt:
      return engine::key_tag("FRSQ");
  }
  return 0;
}

void check_scales(FunctionId id, int frac_bits, const GateArgs& args) {
  const int want_in = id == FunctionId::kRsqrt ? 2 * frac_bits : frac_bits;
  if ((args.in_scale >= 0 && args.in_scale != want_in) ||
      (args.out_scale >= 0 && args.out_scale != frac_bits))
    throw std::invalid_argument(std::string("fusefss ") + compile::function_name(id) +
                                ": only input scale " + std::to_string(want_in) +
                                " and output scale " + std::to_string(frac_bits) +
                                " are compiled; leave GateArgs::in_scale / out_scale at -1");
}

template <FunctionId F>
void clear_face(const ClearCtx& ctx, const GateArgs& args, std::span<const u64> x,
                std::span<u64> y) {
  compile::GateCache local;  // only without a run's cache (a direct call): compiled for this call
  compile::GateCache& cache = ctx.gate_cache ? *ctx.gate_cache : local;
  compile::eval_clear(gate_for(cache, F, ctx.ring, ctx.frac_bits, args), x, y);
}

template <FunctionId F>
void keygen_face(Dealer& d, const GateArgs& args, std::span<const u64> r_in, std::span<u64> r_out) {
  const compile::SufGate& g = gate_for(d.gate_cache(), F, d.ring(), d.frac_bits(), args);
  suf_keygen(d, g, padding_of(args), tag_of(F), r_in, r_out, lookup_of(args, g));
}

template <FunctionId F>
void eval_face(Party& p, const GateArgs& args, std::span<const u64> xhat, std::span<u64> yhat) {
  const compile::SufGate& g = gate_for(p.gate_cache(), F, p.ring(), p.frac_bits(), args);
  suf_eval(p, g, padding_of(args), tag_of(F), xhat, yhat, lookup_of(args, g));
}

}  // namespace

Padding padding_of(const GateArgs& args) {
  if (args.param < 0 || args.param > (kPaddingOffParam | kPerCutParam))
    throw std::invalid_argument("fusefss: GateArgs::param must be a combination of " +
                                std::to_string(kPaddingOffParam) + " (padding off) and " +
                                std::to_string(kPerCutParam) + " (per-cut lookup), got " +
                                std::to_string(args.param));
  return (args.param & kPaddingOffParam) ? Padding::kOff : Padding::kOn;
}

compile::LookupMode lookup_of(const GateArgs& args, const compile::SufGate& g) {
  padding_of(args);  // validates param
  return !(args.param & kPerCutParam) && compile::supports_shared_mask(g)
             ? compile::LookupMode::kSharedMask
             : compile::LookupMode::kPerCut;
}

std::int64_t param_of(Padding padding, compile::LookupMode lookup) {
  return (padding == Padding::kOff ? kPaddingOffParam : 0) |
         (lookup == compile::LookupMode::kPerCut ? kPerCutParam : 0);
}

const compile::SufGate& gate_for(compile::GateCache& cache, FunctionId id, Ring ring, int frac_bits,
                                 const GateArgs& args) {
  check_scales(id, frac_bits, args);
  compile::FunctionParams p;
  p.id = id;
  p.n = ring.bits;
  p.frac_bits = frac_bits;
  p.cols = (id == FunctionId::kInverse || id == FunctionId::kRsqrt) ? args.cols : 0;
  return cache.get(p);
}

void precompile(compile::GateCache& cache, Ring ring, int frac_bits,
                std::span<const std::size_t> inverse_cols,
                std::span<const std::size_t> rsqrt_cols) {
  GateArgs a;
  for (FunctionId id : {FunctionId::kGelu, FunctionId::kSilu, FunctionId::kNexp})
    gate_for(cache, id, ring, frac_bits, a);
  for (std::size_t c : inverse_cols) {
    a.cols = c;
    gate_for(cache, FunctionId::kInverse, ring, frac_bits, a);
  }
  for (std::size_t c : rsqrt_cols) {
    a.cols = c;
    gate_for(cache, FunctionId::kRsqrt, ring, frac_bits, a);
  }
}

#define SECINFER_FUSEFSS_FACES(X, F)                                                              \
  void X##_clear(const ClearCtx& ctx, const GateArgs& args, std::span<const u64> x,               \
                 std::span<u64> y) {                                                              \
    clear_face<F>(ctx, args, x, y);                                                               \
  }                                                                                               \
  void X##_keygen(Dealer& d, const GateArgs& args, std::span<const u64> r_in,                     \
                  std::span<u64> r_out) {                                                         \
    keygen_face<F>(d, args, r_in, r_out);                                                         \
  }                                                                                               \
  void X##_eval(Party& p, const GateArgs& args, std::span<const u64> xhat, std::span<u64> yhat) { \
    eval_face<F>(p, args, xhat, yhat);                                                            \
  }

SECINFER_FUSEFSS_FACES(gelu, FunctionId::kGelu)
SECINFER_FUSEFSS_FACES(silu, FunctionId::kSilu)
SECINFER_FUSEFSS_FACES(nexp, FunctionId::kNexp)
SECINFER_FUSEFSS_FACES(inverse, FunctionId::kInverse)
SECINFER_FUSEFSS_FACES(rsqrt, FunctionId::kRsqrt)

#undef SECINFER_FUSEFSS_FACES

}  // namespace secinfer::fss::fusefss
