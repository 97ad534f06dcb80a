#include "fss/gates/sigma/suite.h"

#include "fss/gates/sigma/nonlinear.h"
#include "profiling/scope_names.h"

namespace secinfer::fss::sigma {

const engine::GateSuite& suite() {
  static const engine::GateSuite s = [] {
    engine::GateSuite g;
    g.id = engine::Suite::kSigma;
    g.name = "sigma";
    g.gelu = {"gelu", profiling::scopes::kGelu, "gelu", &gelu_clear, &gelu_keygen, &gelu_eval};
    g.silu = {"silu", profiling::scopes::kSilu, "silu", &silu_clear, &silu_keygen, &silu_eval};
    g.nexp = {"nexp", profiling::scopes::kSoftmax, "nexp", &nexp_clear, &nexp_keygen, &nexp_eval};
    g.inverse = {"inverse",    profiling::scopes::kSoftmax, "inv", &inverse_clear, &inverse_keygen,
                 &inverse_eval};
    g.rsqrt = {"rsqrt",    profiling::scopes::kLayerNorm, "rsqrt", &rsqrt_clear, &rsqrt_keygen,
               &rsqrt_eval};
    g.softmax = &softmax;
    g.softmax_max_reduced = true;  // SIGMA's max in n - f + 2 bits (softmax.cpp)
    g.layernorm = &layernorm;
    g.rmsnorm = &rmsnorm;
    return g;
  }();
  return s;
}

}  // namespace secinfer::fss::sigma
