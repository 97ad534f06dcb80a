#include "fss/gates/sigma/suite.h"

#include "fss/gates/sigma/nonlinear.h"

namespace secinfer::fss::sigma {

const engine::GateSuite& suite() {
  static const engine::GateSuite s = [] {
    engine::GateSuite g;
    g.id = engine::Suite::kSigma;
    g.name = "sigma";
    g.gelu = {"gelu", "Activation::GELU", "gelu", &gelu_clear, &gelu_keygen, &gelu_eval};
    g.silu = {"silu", "Activation::SiLU", "silu", &silu_clear, &silu_keygen, &silu_eval};
    g.nexp = {"nexp", "Softmax", "nexp", &nexp_clear, &nexp_keygen, &nexp_eval};
    g.inverse = {"inverse", "Softmax", "inv", &inverse_clear, &inverse_keygen, &inverse_eval};
    g.rsqrt = {"rsqrt", "LayerNorm", "rsqrt", &rsqrt_clear, &rsqrt_keygen, &rsqrt_eval};
    g.softmax = &softmax;
    g.layernorm = &layernorm;
    g.rmsnorm = &rmsnorm;
    return g;
  }();
  return s;
}

}  // namespace secinfer::fss::sigma
