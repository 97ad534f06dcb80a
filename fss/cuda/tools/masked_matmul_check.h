// gpu_check's masked matmul cases (CudaAccelerator::masked_matmul, the sigma suite's linear layer
// on the device): c = ahat ([party 0] bhat - rb) - ra bhat against the CPU's two
// sigma::detail::ring_matmul_batched products, for both parties, with bhat and rb staged from the
// host or held on the device (Accelerator::hold, make_resident of a ShareBatch), at BERT-base's
// FFN shape (shared B), its attention shapes (batched, B^T, causal) and a small odd one; random
// unreduced inputs. A second accelerator must refuse operands held by the first (false, not a
// wrong product).
#pragma once

#include <cstddef>
#include <random>
#include <string>
#include <vector>

#include "fss/cuda/accelerator_cuda.h"
#include "fss/cuda/tools/check_util.h"
#include "fss/cuda/tools/ring_matmul_check.h"
#include "fss/gates/sigma/ring_matmul.h"
#include "fss/share_batch.h"

namespace secinfer::fss::cuda::tools {

inline void check_masked_matmul_case(Tally& t, std::mt19937_64& g, const CudaAccelerator& gpu,
                                     const RingGemmCase& c, int bits, int party, bool held) {
  const std::string name = std::string("masked matmul ") + c.name + " " +
                           std::to_string(c.batches) + "x" + std::to_string(c.m) + "x" +
                           std::to_string(c.k) + "x" + std::to_string(c.n) +
                           (c.transpose_b ? " B^T" : "") + (c.causal ? " causal" : "") +
                           " bits=" + std::to_string(bits) + " party " + std::to_string(party) +
                           (held ? " (B operands held)" : " (B operands staged)");
  t.run(name, [&]() -> std::string {
    RingGemm rg;
    static_cast<RingMatmulShape&>(rg) =
        RingMatmulShape{bits, c.batches, c.m, c.k, c.n, c.transpose_b, c.shared_b, c.causal};
    const std::size_t na = ring_gemm_a_size(rg), nb = ring_gemm_b_size(rg),
                      nc = ring_gemm_c_size(rg);
    std::vector<u64> ahat(na), ra(na), bhat(nb), rb(nb);
    for (auto* v : {&ahat, &ra, &bhat, &rb})
      for (auto& x : *v) x = g();
    // The CPU: bt = [party 0] bhat - rb, acc = ahat bt, t2 = ra bhat, want = acc - t2.
    const u64 mask = mask_of(bits);
    std::vector<u64> bt(nb), acc(nc, 0), t2(nc, 0), want(nc);
    for (std::size_t i = 0; i < nb; ++i) bt[i] = ((party == 0 ? bhat[i] : 0) - rb[i]) & mask;
    const sigma::detail::RingMatmulArgs args = cpu_matmul_args(rg);
    sigma::detail::ring_matmul_batched(args, ahat, bt, acc);
    sigma::detail::ring_matmul_batched(args, ra, bhat, t2);
    for (std::size_t i = 0; i < nc; ++i) want[i] = (acc[i] - t2[i]) & mask;

    std::vector<u64> got(nc, 7);
    bool ok = false;
    if (held) {
      const auto hb = gpu.hold(bhat);
      ShareBatch shares{bits, nb, rb};
      gpu.make_resident(shares);
      if (!hb || !shares.resident) return "the B operands were not held";
      ok = gpu.masked_matmul(rg, party, ahat, ra, {{}, hb.get()}, {{}, shares.resident.get()}, got);
      const CudaAccelerator other(0);  // operands held by another accelerator: refused
      std::vector<u64> unused(nc);
      if (other.masked_matmul(rg, party, ahat, ra, {{}, hb.get()}, {{}, shares.resident.get()},
                              unused))
        return "another accelerator took operands held by the first";
    } else {
      ok = gpu.masked_matmul(rg, party, ahat, ra, {bhat, nullptr}, {rb, nullptr}, got);
    }
    if (!ok) return "masked_matmul declined";
    return diff(want, got);
  });
}

inline void check_masked_matmul(Tally& t, std::mt19937_64& g) {
  const CudaAccelerator gpu(0);
  const RingGemmCase cases[] = {
      {"FFN up", 1, 128, 768, 3072, false, true, false, false},
      {"QK^T", 12, 128, 64, 128, true, false, false, false},
      {"QK^T causal", 12, 128, 64, 128, true, false, true, false},
      {"odd", 3, 37, 29, 53, false, false, false, true},
  };
  for (const RingGemmCase& c : cases)
    for (const int bits : {50, 37})
      for (const int party : {0, 1})
        for (const bool held : {false, true})
          check_masked_matmul_case(t, g, gpu, c, bits, party, held);
}

}  // namespace secinfer::fss::cuda::tools
