// gpu_check's fused truncation + activation cases (fss/gates/fusefss/trunc_act.h,
// docs/design/fused-trunc-act.md): the gate run by two parties over loopback with the same dealer
// seed, once on the CPU and once with each party's evaluations on a CudaAccelerator (SIGMA's DCF
// at three points, the XOR-indexed 12 / 14-bit LUT); both parties' opened outputs must be equal
// bit for bit, and the unmasked outputs must equal the cleartext face.
#pragma once

#include <cstddef>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "fss/cuda/accelerator_cuda.h"
#include "fss/cuda/tools/check_util.h"
#include "fss/engine/dealer.h"
#include "fss/engine/party.h"
#include "fss/engine/two_party_runner.h"
#include "fss/gates/fusefss/trunc_act.h"

namespace secinfer::fss::cuda::tools {

struct FusedActRun {
  std::vector<u64> yhat[2], y;
};

// One two-party run of `keygen` / `eval` on x; accel (null: the CPU) evaluates for both parties.
template <class Keygen, class Eval>
FusedActRun run_fused_act(Keygen keygen, Eval eval, const engine::GateArgs& args,
                          const std::vector<u64>& x, int n, Block seed,
                          const CudaAccelerator* accel) {
  engine::TwoPartyOptions opt;
  opt.ring = make_ring(n);
  opt.frac_bits = 12;
  opt.dealer_seed = seed;
  opt.threads = 4;
  const Ring ring = opt.ring;
  auto res = engine::run_two_party<std::vector<u64>>(opt, [&](engine::PartyContext& c) {
    const std::size_t N = x.size();
    std::vector<u64> r_in = c.dealer().random(N), r_out(N), xhat(N), yhat(N);
    c.offline([&] { keygen(c.dealer(), args, r_in, r_out); });
    for (std::size_t i = 0; i < N; ++i) xhat[i] = ring.add(ring.reduce(x[i]), r_in[i]);
    c.online([&] {
      c.party().set_accelerator(accel);
      eval(c.party(), args, xhat, yhat);
    });
    if (!c.dealer_pass() && c.id() == 0) {
      std::vector<u64> y(N);
      for (std::size_t i = 0; i < N; ++i) y[i] = ring.sub(yhat[i], r_out[i]);
      yhat.insert(yhat.end(), y.begin(), y.end());  // party 0 also returns the unmasked output
    }
    return yhat;
  });
  FusedActRun out;
  out.yhat[1] = res[1].value;
  out.yhat[0].assign(res[0].value.begin(), res[0].value.begin() + static_cast<long>(x.size()));
  out.y.assign(res[0].value.begin() + static_cast<long>(x.size()), res[0].value.end());
  return out;
}

inline void check_fused_act(Tally& t, std::mt19937_64& g, std::size_t N) {
  const CudaAccelerator accel(0);
  struct Gate {
    const char* name;
    decltype(&fusefss::trunc_gelu_keygen) keygen;
    decltype(&fusefss::trunc_gelu_eval) eval;
    decltype(&fusefss::trunc_gelu_clear) clear;
  };
  for (const Gate& gate : {Gate{"trunc-gelu", &fusefss::trunc_gelu_keygen,
                                &fusefss::trunc_gelu_eval, &fusefss::trunc_gelu_clear},
                           Gate{"trunc-silu", &fusefss::trunc_silu_keygen,
                                &fusefss::trunc_silu_eval, &fusefss::trunc_silu_clear}}) {
    // The default (512-bit lookup leaves), fused-flag, and fused-leaf128 (SIGMA's leaves).
    for (const auto& [n, carry_flag, sigma_leaf] :
         {std::tuple{50, false, false}, std::tuple{37, false, false}, std::tuple{50, true, false},
          std::tuple{50, false, true}}) {
      engine::GateArgs args;
      args.fused_carry_flag = carry_flag;  // --fusefss-act fused-flag
      args.fused_sigma_leaf = sigma_leaf;  // --fusefss-act fused-leaf128
      const Ring ring = make_ring(n);
      std::vector<u64> x(N);
      for (std::size_t i = 0; i < N; ++i)  // a quarter uniform, the rest near the clip range
        x[i] = i % 4 == 0 ? ring.reduce(g())
                          : ring.from_signed(static_cast<std::int64_t>(g() % (1u << 27)) -
                                             (std::int64_t{1} << 26));
      x[0] = 0;
      x[1] = ring.mask();
      x[2] = u64{1} << (n - 1);
      const Block seed{g(), g()};
      t.run(std::string("fused ") + gate.name + " n=" + std::to_string(n) +
                " N=" + std::to_string(N) + (carry_flag ? " carry flag" : "") +
                (sigma_leaf ? " 128-bit leaves" : "") + ": CUDA accelerator == CPU",
            [&] {
              const FusedActRun cpu =
                  run_fused_act(gate.keygen, gate.eval, args, x, n, seed, nullptr);
              const FusedActRun gpu =
                  run_fused_act(gate.keygen, gate.eval, args, x, n, seed, &accel);
              std::vector<u64> want(N);
              gate.clear(engine::ClearCtx{ring, 12}, engine::GateArgs{}, x, want);
              return join({{"party 0", diff(cpu.yhat[0], gpu.yhat[0])},
                           {"party 1", diff(cpu.yhat[1], gpu.yhat[1])},
                           {"cpu vs clear", diff(want, cpu.y)},
                           {"gpu vs clear", diff(want, gpu.y)}});
            });
    }
  }
}

}  // namespace secinfer::fss::cuda::tools
