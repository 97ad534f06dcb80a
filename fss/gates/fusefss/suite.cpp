#include "fss/gates/fusefss/suite.h"

#include "fss/gates/fusefss/dcf_relu.h"
#include "fss/gates/fusefss/dcf_trunc.h"
#include "fss/gates/fusefss/fused_nexp.h"
#include "fss/gates/fusefss/nonlinear.h"
#include "fss/gates/fusefss/trunc_act.h"
#include "fss/gates/fusefss/trunc_floor2.h"
#include "fss/gates/sigma/nonlinear.h"
#include "fss/gates/sigma/truncate.h"
#include "profiling/scope_names.h"

namespace secinfer::fss::fusefss {
namespace {

// A face of a gate with its GateArgs changed by `Set` before the call.
template <class Holder, void (*F)(Holder&, const GateArgs&, std::span<const u64>, std::span<u64>),
          void (*Set)(GateArgs&)>
void with_args(Holder& h, const GateArgs& a, std::span<const u64> in, std::span<u64> out) {
  GateArgs b = a;
  Set(b);
  F(h, b, in, out);
}

template <std::int64_t Param>
void set_param(GateArgs& a) {
  a.param = Param;
}
// Sets one of GateArgs' switches (dcf_trunc, fused_carry_flag, fused_sigma_leaf).
template <bool GateArgs::*Flag>
void set_flag(GateArgs& a) {
  a.*Flag = true;
}

using KeygenFn = void (*)(Dealer&, const GateArgs&, std::span<const u64>, std::span<u64>);
using EvalFn = void (*)(Party&, const GateArgs&, std::span<const u64>, std::span<u64>);

// The faces of a table: the gates of nonlinear.h with GateArgs::param set to the table's mode.
template <KeygenFn F, std::int64_t Param>
constexpr KeygenFn keygen_with = &with_args<Dealer, F, &set_param<Param>>;
template <EvalFn F, std::int64_t Param>
constexpr EvalFn eval_with = &with_args<Party, F, &set_param<Param>>;

// The same faces with a GateArgs switch set: dcf_trunc (the fused gates' own truncations,
// dcf_trunc.h), fused_carry_flag (the fused truncation + activation's carry as a flag) or
// fused_sigma_leaf (its lookup on SIGMA's 128-bit DPF leaves).
template <KeygenFn F, bool GateArgs::*Flag>
constexpr KeygenFn keygen_flag = &with_args<Dealer, F, &set_flag<Flag>>;
template <EvalFn F, bool GateArgs::*Flag>
constexpr EvalFn eval_flag = &with_args<Party, F, &set_flag<Flag>>;

template <std::int64_t P, ActMode A, TruncMode T>
engine::GateSuite make() {
  constexpr bool kFusedAct = A != ActMode::kPrecise;
  engine::GateSuite g;
  g.id = engine::Suite::kFuseFss;
  g.name = "fusefss";
  g.gelu = {"gelu",      profiling::scopes::kGelu,     "gelu",
            &gelu_clear, keygen_with<&gelu_keygen, P>, eval_with<&gelu_eval, P>};
  g.silu = {"silu",      profiling::scopes::kSilu,     "silu",
            &silu_clear, keygen_with<&silu_keygen, P>, eval_with<&silu_eval, P>};
  if (kFusedAct) {
    g.trunc_gelu = {"trunc_gelu",      profiling::scopes::kGelu, "gelu",
                    &trunc_gelu_clear, &trunc_gelu_keygen,       &trunc_gelu_eval};
    g.trunc_silu = {"trunc_silu",      profiling::scopes::kSilu, "silu",
                    &trunc_silu_clear, &trunc_silu_keygen,       &trunc_silu_eval};
  }
  if (A == ActMode::kFusedFlag || A == ActMode::kFusedLeaf128) {
    // The table's carry as an XOR flag, or the lookup on SIGMA's 128-bit leaves.
    constexpr bool GateArgs::*kFlag =
        A == ActMode::kFusedFlag ? &GateArgs::fused_carry_flag : &GateArgs::fused_sigma_leaf;
    g.trunc_gelu.keygen = keygen_flag<&trunc_gelu_keygen, kFlag>;
    g.trunc_gelu.eval = eval_flag<&trunc_gelu_eval, kFlag>;
    g.trunc_silu.keygen = keygen_flag<&trunc_silu_keygen, kFlag>;
    g.trunc_silu.eval = eval_flag<&trunc_silu_eval, kFlag>;
  }
  g.nexp = {"nexp",      profiling::scopes::kSoftmax,  "nexp",
            &nexp_clear, keygen_with<&nexp_keygen, P>, eval_with<&nexp_eval, P>};
  g.inverse = {"inverse",      profiling::scopes::kSoftmax,     "inv",
               &inverse_clear, keygen_with<&inverse_keygen, P>, eval_with<&inverse_eval, P>};
  g.rsqrt = {"rsqrt",      profiling::scopes::kLayerNorm, "rsqrt",
             &rsqrt_clear, keygen_with<&rsqrt_keygen, P>, eval_with<&rsqrt_eval, P>};
  if (kFusedAct) {
    // SIGMA's nExp function in 5 exchanges (fused_nexp.h: the clip and the byte borrow as table
    // entries, the two lookups multiplied without a Beaver round) instead of the whole-ring gate.
    g.nexp = {
        "nexp",          profiling::scopes::kSoftmax, "nexp", &fused_nexp_clear, &fused_nexp_keygen,
        &fused_nexp_eval};
    // The row inverse as an early-terminated lookup (SIGMA's: a 13-bit table at seq 128, one
    // 1-bit-leaf DPF a row) instead of the whole-ring 1-ULP gate: the fused mode's accuracy is
    // SIGMA's throughout (docs/accuracy.md), and the precise gate cost 3x sigma's at BERT-base.
    g.inverse = {"inverse",
                 profiling::scopes::kSoftmax,
                 "inv",
                 &sigma::inverse_clear,
                 &sigma::inverse_keygen,
                 &sigma::inverse_eval};
    // SIGMA's nExp reads only n - f + 2 bits of max - x, so the row max runs in that ring as
    // SIGMA's does (docs/design/sigma-softmax-max.md): shorter comparisons, narrower openings.
    g.softmax_max_reduced = true;
  }
  if (T != TruncMode::kSigma) {
    // The rescaling truncations (after matmuls, LayerNorm's and the softmax's products) with
    // half SIGMA's exchanges: each step's comparison a DCF with a ring payload (dcf_trunc.h),
    // the same functions.
    g.trunc_floor = {"trunc_floor",
                     profiling::scopes::kTruncRescale,
                     "trunc",
                     sigma::trunc_floor_gate().clear,
                     &trunc_floor_keygen,
                     &trunc_floor_eval};
    g.trunc_slack = {"trunc_slack",
                     profiling::scopes::kTruncRescale,
                     "trunc",
                     sigma::trunc_slack_gate().clear,
                     &trunc_slack_keygen,
                     &trunc_slack_eval};
    if (T == TruncMode::kSigma2) {
      // The same gates, TrFloor from SIGMA's comparison keys and SIGMA's own TrWithSlack: under
      // MPS its two exchanges cost less than the ring-payload DCF's AES (dcf-truncation.md).
      g.trunc_floor.keygen = &trunc_floor2_keygen;
      g.trunc_floor.eval = &trunc_floor2_eval;
      g.trunc_slack = sigma::trunc_slack_gate();
    }
    // The softmax max's ReLU the same way: the comparison's DCF carries what the select needs,
    // one exchange a level of the tree instead of two (dcf_relu.h), SIGMA's function.
    if (T == TruncMode::kDcfMax)
      g.relu = {"relu",          profiling::scopes::kRelu, "relu",
                &dcf_relu_clear, &dcf_relu_keygen,         &dcf_relu_eval};
    // The fused nExp's TrWithSlack as well. The fused truncation + activation keeps SIGMA's
    // truncate-reduce: its DCF version saves one exchange for 155 B more key an element
    // (974.5 against 819.4 B for trunc-gelu), and on the H200 the two ran within each other's
    // spread (docs/perf.md, session 17), so the smaller key is the default.
    if (kFusedAct) {
      g.nexp.keygen = keygen_flag<&fused_nexp_keygen, &GateArgs::dcf_trunc>;
      g.nexp.eval = eval_flag<&fused_nexp_eval, &GateArgs::dcf_trunc>;
    }
  }
  g.softmax = &sigma::softmax;
  g.layernorm = &sigma::layernorm;
  g.rmsnorm = &sigma::rmsnorm;
  return g;
}

template <ActMode A, TruncMode T>
const engine::GateSuite& suite_of(compile::Padding padding, compile::LookupMode lookup) {
  // Immutable once built (C++ guarantees a thread-safe first initialisation).
  static const engine::GateSuite shared_on = make<0, A, T>();
  static const engine::GateSuite shared_off = make<kPaddingOffParam, A, T>();
  static const engine::GateSuite per_cut_on = make<kPerCutParam, A, T>();
  static const engine::GateSuite per_cut_off = make<kPerCutParam | kPaddingOffParam, A, T>();
  const bool pad = padding == compile::Padding::kOn;
  if (lookup == compile::LookupMode::kPerCut) return pad ? per_cut_on : per_cut_off;
  return pad ? shared_on : shared_off;
}

template <TruncMode T>
const engine::GateSuite& suite_with(compile::Padding padding, compile::LookupMode lookup,
                                    ActMode act) {
  switch (act) {
    case ActMode::kPrecise:
      return suite_of<ActMode::kPrecise, T>(padding, lookup);
    case ActMode::kFusedFlag:
      return suite_of<ActMode::kFusedFlag, T>(padding, lookup);
    case ActMode::kFusedLeaf128:
      return suite_of<ActMode::kFusedLeaf128, T>(padding, lookup);
    case ActMode::kFused:
      break;
  }
  return suite_of<ActMode::kFused, T>(padding, lookup);
}

}  // namespace

const engine::GateSuite& suite(compile::Padding padding, compile::LookupMode lookup, ActMode act,
                               TruncMode trunc) {
  switch (trunc) {
    case TruncMode::kDcf:
      return suite_with<TruncMode::kDcf>(padding, lookup, act);
    case TruncMode::kDcfMax:
      return suite_with<TruncMode::kDcfMax>(padding, lookup, act);
    case TruncMode::kSigma2:
      return suite_with<TruncMode::kSigma2>(padding, lookup, act);
    case TruncMode::kSigma:
      break;
  }
  return suite_with<TruncMode::kSigma>(padding, lookup, act);
}

}  // namespace secinfer::fss::fusefss
