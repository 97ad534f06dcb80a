#include "fss/gates/fusefss/suite.h"

#include "fss/gates/fusefss/nonlinear.h"
#include "fss/gates/sigma/nonlinear.h"

namespace secinfer::fss::fusefss {
namespace {

// Faces of the padding-off table: the same gates with GateArgs::param forced to padding off.
using ClearFn = void (*)(const ClearCtx&, const GateArgs&, std::span<const u64>, std::span<u64>);
using KeygenFn = void (*)(Dealer&, const GateArgs&, std::span<const u64>, std::span<u64>);
using EvalFn = void (*)(Party&, const GateArgs&, std::span<const u64>, std::span<u64>);

GateArgs off(const GateArgs& a) {
  GateArgs b = a;
  b.param = kPaddingOffParam;
  return b;
}
template <KeygenFn F>
void keygen_off(Dealer& d, const GateArgs& a, std::span<const u64> r, std::span<u64> o) {
  F(d, off(a), r, o);
}
template <EvalFn F>
void eval_off(Party& p, const GateArgs& a, std::span<const u64> x, std::span<u64> y) {
  F(p, off(a), x, y);
}

engine::GateSuite make(bool padded) {
  engine::GateSuite g;
  g.id = engine::Suite::kFuseFss;
  g.name = "fusefss";
  if (padded) {
    g.gelu = {"gelu", "Activation::GELU", "gelu", &gelu_clear, &gelu_keygen, &gelu_eval};
    g.silu = {"silu", "Activation::SiLU", "silu", &silu_clear, &silu_keygen, &silu_eval};
    g.nexp = {"nexp", "Softmax", "nexp", &nexp_clear, &nexp_keygen, &nexp_eval};
    g.inverse = {"inverse", "Softmax", "inv", &inverse_clear, &inverse_keygen, &inverse_eval};
    g.rsqrt = {"rsqrt", "LayerNorm", "rsqrt", &rsqrt_clear, &rsqrt_keygen, &rsqrt_eval};
  } else {
    g.gelu = {"gelu",      "Activation::GELU",        "gelu",
              &gelu_clear, &keygen_off<&gelu_keygen>, &eval_off<&gelu_eval>};
    g.silu = {"silu",      "Activation::SiLU",        "silu",
              &silu_clear, &keygen_off<&silu_keygen>, &eval_off<&silu_eval>};
    g.nexp = {
        "nexp", "Softmax", "nexp", &nexp_clear, &keygen_off<&nexp_keygen>, &eval_off<&nexp_eval>};
    g.inverse = {"inverse",
                 "Softmax",
                 "inv",
                 &inverse_clear,
                 &keygen_off<&inverse_keygen>,
                 &eval_off<&inverse_eval>};
    g.rsqrt = {"rsqrt",
               "LayerNorm",
               "rsqrt",
               &rsqrt_clear,
               &keygen_off<&rsqrt_keygen>,
               &eval_off<&rsqrt_eval>};
  }
  g.softmax = &sigma::softmax;
  g.layernorm = &sigma::layernorm;
  g.rmsnorm = &sigma::rmsnorm;
  return g;
}

}  // namespace

const engine::GateSuite& suite(compile::Padding padding) {
  static const engine::GateSuite on = make(true);
  static const engine::GateSuite off = make(false);
  return padding == compile::Padding::kOn ? on : off;
}

}  // namespace secinfer::fss::fusefss
