// gpu_check's SIGMA DCF cases (fss/cuda/sigma_dcf_cuda.h against fss/sigma_dcf.h,
// docs/design/sigma-dcf.md): at each width, N keys generated on the CPU from SeededPrg(seed) and on
// the GPU from the same seed must be identical (roots, correction words, tR bits, leaves, tables);
// the GPU's evaluation at P points per key, under every AES table layout and from keys made
// resident by CudaAccelerator (read through the host API), must equal the CPU's bit for bit, and
// the two parties' bits must XOR to [x < alpha]. Widths: truth tables (6, 7), the one-level tree
// (8), SIGMA's TrFloor / GELU / DReLU widths (12, 32, 38, 49), the fused range test's 37 and 64;
// several points also walked once a key (share_prefixes); points alpha, alpha - 1, alpha + 1 (mod
// 2^n) and random ones with the edges 0, 1, 2^(n-1), 2^n - 1.
#pragma once

#include <cstddef>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "fss/cuda/accelerator_cuda.h"
#include "fss/cuda/config.h"
#include "fss/cuda/device_buffer.h"
#include "fss/cuda/sigma_dcf_cuda.h"
#include "fss/cuda/tools/check_util.h"
#include "fss/prg.h"
#include "fss/sigma_dcf.h"

namespace secinfer::fss::cuda::tools {

inline std::string compare_sigma_dcf(const SigmaDcfKeys& want, const SigmaDcfKeys& got) {
  if (want.count != got.count || want.party != got.party || want.in_bits != got.in_bits)
    return "width, count or party differ";
  return join({{"root", diff(want.root, got.root)},
               {"cw_seed", diff(want.cw_seed, got.cw_seed)},
               {"cw_tr", diff(want.cw_tr, got.cw_tr)},
               {"leaf0", diff(want.leaf0, got.leaf0)},
               {"leaf1", diff(want.leaf1, got.leaf1)},
               {"table", diff(want.table, got.table)}});
}

inline void check_sigma_dcf_width(Tally& t, std::mt19937_64& g, std::size_t N, int n,
                                  std::size_t P) {
  const std::string sn =
      "SIGMA DCF n=" + std::to_string(n) + " P=" + std::to_string(P) + " N=" + std::to_string(N);
  const u64 nm = mask_of(n);
  std::vector<u64> alpha(N), x(N * P);
  for (std::size_t k = 0; k < N; ++k) {
    alpha[k] = random_bits(g, n);
    for (std::size_t j = 0; j < P; ++j) {
      u64& v = x[k * P + j];
      switch ((k + j) % 8) {
        case 0:
          v = alpha[k];
          break;
        case 1:
          v = (alpha[k] - 1) & nm;
          break;
        case 2:
          v = (alpha[k] + 1) & nm;
          break;
        default:
          v = random_bits(g, n);
      }
    }
  }
  const Block seed = random_block(g);
  SeededPrg rng(seed);
  const auto [c0, c1] = sigma_dcf_gen(n, alpha, rng);
  for (const int blocks : {1, 2}) {
    KernelConfig cfg;
    cfg.gen_blocks_per_sm = blocks;
    t.run(sn + " keygen (" + std::to_string(blocks) + " block(s)/SM)", [&] {
      const auto [k0, k1] = sigma_dcf_gen_cuda(n, alpha, seed, 0, cfg);
      return join({{"party 0", compare_sigma_dcf(c0, k0)}, {"party 1", compare_sigma_dcf(c1, k1)}});
    });
  }
  std::vector<std::uint8_t> y0(N * P), y1(N * P);
  sigma_dcf_eval(c0, P, x, y0);
  sigma_dcf_eval(c1, P, x, y1);
  std::string cpu_rec;
  for (std::size_t q = 0; q < N * P && cpu_rec.empty(); ++q)
    if ((y0[q] ^ y1[q]) != (x[q] < alpha[q / P] ? 1 : 0))
      cpu_rec = "CPU point " + std::to_string(q) + " does not reconstruct [x < alpha]";
  t.run(sn + " eval host API (sigma_dcf_eval_cuda)", [&] {
    std::vector<std::uint8_t> o1(N * P);
    sigma_dcf_eval_cuda(c1, P, x, o1);
    return join({{"party 1", diff(y1, o1)}, {"CPU", cpu_rec}});
  });
  t.run(sn + " eval resident (make_resident, then sigma_dcf_eval with the accelerator)", [&] {
    const CudaAccelerator gpu(0);
    SigmaDcfKeys r1 = c1;
    gpu.make_resident(r1);
    if (!r1.resident) return std::string("make_resident kept the keys on the host");
    std::vector<std::uint8_t> o1(N * P);
    sigma_dcf_eval(r1, P, x, o1, BatchOptions{AesImpl::kAuto, 0, &gpu});
    if (P == 1 || n <= kSigmaDcfLeafBits) return diff(y1, o1);
    // The same keys walked once for all P points (share_prefixes): the same bits.
    r1.share_prefixes = true;
    std::vector<std::uint8_t> o2(N * P);
    sigma_dcf_eval(r1, P, x, o2, BatchOptions{AesImpl::kAuto, 0, &gpu});
    SigmaDcfKeys h1 = c1;
    h1.share_prefixes = true;
    std::vector<std::uint8_t> o3(N * P);
    sigma_dcf_eval_cuda(h1, P, x, o3);
    return join({{"a walk a point", diff(y1, o1)},
                 {"one walk, resident", diff(y1, o2)},
                 {"one walk, host API", diff(y1, o3)}});
  });
  Stream s;
  const SigmaDcfKeysDevice d0 = upload(c0, s.get()), d1 = upload(c1, s.get());
  DeviceBuffer<u64> dx(N * P);
  DeviceBuffer<std::uint8_t> dout(N * P);
  dx.upload(std::span<const u64>(x), s.get());
  const auto eval = [&](const SigmaDcfKeysDevice& d, const KernelConfig& cfg, bool shared) {
    std::vector<std::uint8_t> o(N * P);
    CUDA_CHECK(cudaMemsetAsync(dout.data(), 0xa5, dout.bytes(), s.get()));  // poison
    SigmaDcfKeysView v = d.view();
    v.share_prefixes = shared;
    sigma_dcf_eval_device(v, P, dx.data(), dout.data(), s.get(), cfg);
    dout.download(o, s.get());
    s.sync();
    return o;
  };
  for (const AesVariant v :
       {AesVariant::kReplicatedTe0, AesVariant::kReplicatedTe4, AesVariant::kPlainTe4}) {
    if (n <= kSigmaDcfLeafBits && v != AesVariant::kReplicatedTe0) continue;  // no AES: one run
    KernelConfig cfg;
    cfg.aes = v;
    for (const bool shared : {false, true}) {
      if (shared && (P == 1 || n <= kSigmaDcfLeafBits)) continue;
      t.run(sn + " eval [" + std::string(n <= kSigmaDcfLeafBits ? "truth table" : to_string(v)) +
                (shared ? ", one walk a key" : "") + "]",
            [&] {
              const std::vector<std::uint8_t> o0 = eval(d0, cfg, shared),
                                              o1 = eval(d1, cfg, shared);
              std::string rec;
              for (std::size_t q = 0; q < N * P && rec.empty(); ++q)
                if ((o0[q] ^ o1[q]) != (x[q] < alpha[q / P] ? 1 : 0))
                  rec = "point " + std::to_string(q) + " does not reconstruct [x < alpha]";
              return join(
                  {{"party 0", diff(y0, o0)}, {"party 1", diff(y1, o1)}, {"reconstruct", rec}});
            });
    }
  }
}

// Every width above at N keys (P = 3 points per key at three of them, as SIGMA's GELU and the fused
// gate evaluate one DCF at 3 points; P = 4 once), trees at several points also in one walk a key.
inline void check_sigma_dcf(Tally& t, std::mt19937_64& g, std::size_t N) {
  const std::pair<int, std::size_t> cases[] = {{6, 3},  {7, 1},  {8, 1},  {12, 1}, {32, 3}, {37, 3},
                                               {38, 1}, {49, 1}, {50, 1}, {64, 1}, {9, 4}};
  for (const auto& [n, P] : cases) check_sigma_dcf_width(t, g, N, n, P);
}

}  // namespace secinfer::fss::cuda::tools
