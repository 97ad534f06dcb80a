// gpu_check's dealer cases: fss::dcf_gen / fss::dpf_gen / fss::sigma_dcf_gen / fss::dpf_et_gen with
// the CUDA accelerator in BatchOptions (the inline dealer's key generation on the GPU) against the
// CPU's generator from the same SeededPrg stream. The stream stands at an odd position (a hi half
// buffered), as a dealer's does after drawing masks; the GPU's keys, copied back, must equal the
// CPU's array by array, both streams must stand at the same place afterwards, and the resident keys
// must evaluate through the accelerator as the CPU's keys do on the CPU. A budget too small for any
// batch must fall back to the CPU's generator with the same keys.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "fss/batch_options.h"
#include "fss/cuda/accelerator_cuda.h"
#include "fss/cuda/cuda_check.h"
#include "fss/cuda/device_buffer.h"
#include "fss/cuda/tools/check_util.h"
#include "fss/cuda/tools/ring_matmul_check.h"
#include "fss/cuda/tools/sigma_dcf_check.h"
#include "fss/cuda/upload_ring.h"
#include "fss/dcf.h"
#include "fss/dpf.h"
#include "fss/dpf_et.h"
#include "fss/prg.h"
#include "fss/sigma_dcf.h"

namespace secinfer::fss::cuda::tools {

// Two streams of one seed, both advanced by `draws` u64s (odd: a hi half stays buffered).
inline std::pair<SeededPrg, SeededPrg> twin_streams(std::mt19937_64& g, std::size_t draws) {
  const Block seed{g(), g()};
  std::pair<SeededPrg, SeededPrg> s{SeededPrg(seed), SeededPrg(seed)};
  for (std::size_t i = 0; i < draws; ++i) {
    s.first.next_u64();
    s.second.next_u64();
  }
  return s;
}

inline std::string same_position(SeededPrg& a, SeededPrg& b) {
  const u64 x = a.next_u64(), y = b.next_u64();
  return x == y ? "" : "the streams stand at different places afterwards";
}

// The n values of a resident share batch, copied back (after finish_keygen: its kernels done).
inline std::vector<u64> resident_copy(const u64* d, std::size_t n) {
  std::vector<u64> v(n);
  CUDA_CHECK(cudaMemcpy(v.data(), d, n * sizeof(u64), cudaMemcpyDeviceToHost));
  return v;
}

// "" when two batches are equal array by array, else what differs (gpu_check's key checks).
inline std::string compare_keys(const DcfKeys& want, const DcfKeys& got) {
  if (want.count != got.count || want.party != got.party) return "count or party differ";
  return join({{"root", diff(want.root, got.root)},
               {"cw_seed", diff(want.cw_seed, got.cw_seed)},
               {"cw_v", diff(want.cw_v, got.cw_v)},
               {"cw_final", diff(want.cw_final, got.cw_final)}});
}

inline std::string compare_keys(const DpfKeys& want, const DpfKeys& got) {
  if (want.count != got.count || want.party != got.party) return "count or party differ";
  return join({{"root", diff(want.root, got.root)},
               {"cw_seed", diff(want.cw_seed, got.cw_seed)},
               {"cw_t", diff(want.cw_t, got.cw_t)},
               {"cw_out", diff(want.cw_out, got.cw_out)}});
}

// SIGMA's DCF (the sigma suite's comparisons and truncations, the fused gates' carries): trees and
// truth tables (n <= 7) made on the GPU; 3 points per key as GELU's range test evaluates them.
inline void check_dealer_sigma_dcf(Tally& t, std::mt19937_64& g, const CudaAccelerator& gpu,
                                   std::size_t N, int n) {
  const std::string name = "dealer SIGMA DCF on the GPU n=" + std::to_string(n) +
                           (n > kSigmaDcfLeafBits ? "" : " (truth table)") +
                           " N=" + std::to_string(N);
  t.run(name, [&]() -> std::string {
    const std::size_t P = 3;
    std::vector<u64> alpha(N), x(N * P);
    for (std::size_t k = 0; k < N; ++k) {
      alpha[k] = random_bits(g, n);
      for (std::size_t j = 0; j < P; ++j)
        x[k * P + j] = (k + j) % 4 == 0 ? alpha[k] : random_bits(g, n);
    }
    auto [cpu_rng, gpu_rng] = twin_streams(g, 2 * (g() % 50) + 1);
    const auto want = sigma_dcf_gen(n, alpha, cpu_rng, BatchOptions{});
    const auto got = sigma_dcf_gen(n, alpha, gpu_rng, BatchOptions{AesImpl::kAuto, 0, &gpu});
    if (got.first.resident == nullptr || got.second.resident == nullptr)
      return "the keys were not generated on the GPU";
    const SigmaDcfKeys g0 = gpu.copy_to_host(got.first);
    const SigmaDcfKeys g1 = gpu.copy_to_host(got.second);
    std::vector<std::uint8_t> y_cpu(N * P), y_gpu(N * P);
    sigma_dcf_eval(want.second, P, x, y_cpu, BatchOptions{});
    sigma_dcf_eval(got.second, P, x, y_gpu, BatchOptions{AesImpl::kAuto, 0, &gpu});
    return join({{"party 0", compare_sigma_dcf(want.first, g0)},
                 {"party 1", compare_sigma_dcf(want.second, g1)},
                 {"eval", diff(y_cpu, y_gpu)},
                 {"stream", same_position(cpu_rng, gpu_rng)}});
  });
}

// SIGMA's lookup keys (1-bit early-terminated DPF, fss/dpf_et.h) made on the GPU: array by array
// the CPU's, and the lookup sums of the resident keys (through the accelerator) the CPU's sums of
// the CPU's keys. k = 7 has no tree levels, 8 one, 12 / 14 the fused tables' indices; leaf_log2:
// leaves of 2^leaf_log2 blocks (the fused lookups' 512-bit leaves: 2).
inline void check_dealer_dpf_et(Tally& t, std::mt19937_64& g, const CudaAccelerator& gpu,
                                std::size_t N, int k, int leaf_log2 = 0) {
  const std::string name = "dealer DPF-ET on the GPU k=" + std::to_string(k) +
                           (leaf_log2 > 0 ? " leaf " + std::to_string(128 << leaf_log2) : "") +
                           " N=" + std::to_string(N);
  t.run(name, [&]() -> std::string {
    std::vector<u64> alpha(N), xhat(N), table(std::size_t{1} << k);
    for (std::size_t i = 0; i < N; ++i) {
      alpha[i] = random_bits(g, k);
      xhat[i] = random_bits(g, k);
    }
    for (u64& v : table) v = random_bits(g, 20);
    auto [cpu_rng, gpu_rng] = twin_streams(g, 2 * (g() % 50) + 1);
    const auto want = dpf_et_gen(k, alpha, cpu_rng, BatchOptions{}, leaf_log2);
    const auto got =
        dpf_et_gen(k, alpha, gpu_rng, BatchOptions{AesImpl::kAuto, 0, &gpu}, leaf_log2);
    if (got.first.resident == nullptr || got.second.resident == nullptr)
      return std::string("the keys were not generated on the GPU");
    const DpfEtKeys g0 = gpu.copy_to_host(got.first), g1 = gpu.copy_to_host(got.second);
    const auto same = [](const DpfEtKeys& a, const DpfEtKeys& b) {
      if (a.count != b.count || a.party != b.party || a.in_bits != b.in_bits ||
          a.leaf_log2 != b.leaf_log2)
        return std::string("count, party, width or leaf width differ");
      return join({{"root", diff(a.root, b.root)},
                   {"cw_seed", diff(a.cw_seed, b.cw_seed)},
                   {"cw_t", diff(a.cw_t, b.cw_t)},
                   {"leaf_cw", diff(a.leaf_cw, b.leaf_cw)}});
    };
    std::vector<u64> s_cpu(N), c_cpu(N), s_gpu(N), c_gpu(N);
    dpf_et_lut_eval(want.second, xhat, table, 20, s_cpu, c_cpu, BatchOptions{});
    dpf_et_lut_eval(got.second, xhat, table, 20, s_gpu, c_gpu,
                    BatchOptions{AesImpl::kAuto, 0, &gpu});
    return join({{"party 0", same(want.first, g0)},
                 {"party 1", same(want.second, g1)},
                 {"sums", diff(s_cpu, s_gpu)},
                 {"counts", diff(c_cpu, c_gpu)},
                 {"stream", same_position(cpu_rng, gpu_rng)}});
  });
}

// one_payload: beta holds one payload of L for every key (fss::dcf_beta_stride 0).
inline void check_dealer_dcf(Tally& t, std::mt19937_64& g, const CudaAccelerator& gpu,
                             std::size_t N, DcfShape shape, bool expect_resident,
                             bool one_payload = false) {
  const std::string name = std::string("dealer DCF on the GPU") +
                           (expect_resident ? "" : " (budget full: CPU fallback)") +
                           (one_payload ? " (one payload for all keys)" : "") +
                           " n=" + std::to_string(shape.in_bits) +
                           " m=" + std::to_string(shape.out_bits) +
                           " L=" + std::to_string(shape.payload_len) + " N=" + std::to_string(N);
  t.run(name, [&]() -> std::string {
    const auto L = static_cast<std::size_t>(shape.payload_len);
    std::vector<u64> alpha(N), beta(one_payload ? L : N * L), x(N);
    for (std::size_t k = 0; k < N; ++k) {
      alpha[k] = random_bits(g, shape.in_bits);
      x[k] = k % 4 == 0 ? alpha[k] : random_bits(g, shape.in_bits);
    }
    for (auto& b : beta) b = random_bits(g, shape.out_bits);
    auto [cpu_rng, gpu_rng] = twin_streams(g, 2 * (g() % 50) + 1);
    const auto want = dcf_gen(shape, alpha, beta, cpu_rng, BatchOptions{});
    const auto got = dcf_gen(shape, alpha, beta, gpu_rng, BatchOptions{AesImpl::kAuto, 0, &gpu});
    if ((got.first.resident != nullptr) != expect_resident)
      return expect_resident ? "the keys were not generated on the GPU"
                             : "the keys were resident although the budget was full";
    const DcfKeys g0 = expect_resident ? gpu.copy_to_host(got.first) : got.first;
    const DcfKeys g1 = expect_resident ? gpu.copy_to_host(got.second) : got.second;
    std::vector<u64> v_cpu(N * L), v_gpu(N * L);
    dcf_eval(want.first, x, v_cpu, BatchOptions{});
    dcf_eval(got.first, x, v_gpu, BatchOptions{AesImpl::kAuto, 0, &gpu});
    return join({{"party 0", compare_keys(want.first, g0)},
                 {"party 1", compare_keys(want.second, g1)},
                 {"eval", diff(v_cpu, v_gpu)},
                 {"stream", same_position(cpu_rng, gpu_rng)}});
  });
}

inline void check_dealer_dpf(Tally& t, std::mt19937_64& g, const CudaAccelerator& gpu,
                             std::size_t N, DpfShape shape) {
  const std::string name = "dealer DPF on the GPU n=" + std::to_string(shape.in_bits) +
                           " m=" + std::to_string(shape.out_bits) + " N=" + std::to_string(N);
  t.run(name, [&]() -> std::string {
    std::vector<u64> alpha(N), beta(N), x(N);
    for (std::size_t k = 0; k < N; ++k) {
      alpha[k] = random_bits(g, shape.in_bits);
      beta[k] = random_bits(g, shape.out_bits);
      x[k] = k % 4 == 0 ? alpha[k] : random_bits(g, shape.in_bits);
    }
    auto [cpu_rng, gpu_rng] = twin_streams(g, 2 * (g() % 50) + 1);
    const auto want = dpf_gen(shape, alpha, beta, cpu_rng, BatchOptions{});
    const auto got = dpf_gen(shape, alpha, beta, gpu_rng, BatchOptions{AesImpl::kAuto, 0, &gpu});
    if (got.first.resident == nullptr) return "the keys were not generated on the GPU";
    std::vector<u64> v_cpu(N), v_gpu(N);
    dpf_eval(want.second, x, v_cpu, BatchOptions{});
    dpf_eval(got.second, x, v_gpu, BatchOptions{AesImpl::kAuto, 0, &gpu});
    return join({{"party 0", compare_keys(want.first, gpu.copy_to_host(got.first))},
                 {"party 1", compare_keys(want.second, gpu.copy_to_host(got.second))},
                 {"eval", diff(v_cpu, v_gpu)},
                 {"stream", same_position(cpu_rng, gpu_rng)}});
  });
}

// The dealer's share split on the GPU (CudaAccelerator::seeded_shares, engine::Dealer's
// share_on_device): party 0's batch is the stream's next n values, party 1's v minus those, masked,
// as the CPU's fill() makes them; odd and even counts, a hi half buffered or not; each stream ends
// where the CPU's does. A budget too small for the batch makes nothing and leaves it to the host.
// held: v is read from the accelerator's own copy (hold, as a dealer's weight mask is).
inline void check_dealer_shares(Tally& t, std::mt19937_64& g, const CudaAccelerator& gpu,
                                std::size_t n, int bits, bool pending, bool expect_made = true,
                                bool held = false) {
  const std::string name = "dealer shares on the GPU bits=" + std::to_string(bits) +
                           " n=" + std::to_string(n) + (pending ? " (a hi half buffered)" : "") +
                           (expect_made ? "" : " (budget full: host)") +
                           (held ? " (v held on the GPU)" : "");
  t.run(name, [&]() -> std::string {
    std::vector<u64> v(n);
    for (u64& x : v) x = random_bits(g, 64);
    const Block seed{g(), g()};
    SeededPrg ref0(seed), ref1(seed), p0(seed), p1(seed);
    if (pending)
      for (SeededPrg* s : {&ref0, &ref1, &p0, &p1}) s->next_u64();
    std::vector<u64> want0(n), want1(n);
    ref0.fill(want0, bits);
    ref1.fill(want1, bits);
    const u64 mask = ring_mask(bits);
    for (std::size_t i = 0; i < n; ++i) want1[i] = (v[i] - want1[i]) & mask;
    ShareBatch b0{bits, n, {}}, b1{bits, n, {}};
    const std::shared_ptr<const ResidentKeys> v_held = held ? gpu.hold(v) : nullptr;
    if (held && !v_held) return std::string("hold() declined v");
    b0.resident = gpu.seeded_shares(seed, p0.take_slice(n), bits, {});
    b1.resident =
        gpu.seeded_shares(seed, p1.take_slice(n), bits,
                          held ? Accelerator::Operand{{}, v_held.get()} : Accelerator::Operand{v});
    const std::string stream =
        join({{"party 0", same_position(ref0, p0)}, {"party 1", same_position(ref1, p1)}});
    if (!expect_made)
      return b0.resident || b1.resident ? "shares were made although the budget was full"
                                        : join({{"stream", stream}});
    const u64* d0 = gpu.resident_values(b0);
    const u64* d1 = gpu.resident_values(b1);
    if (d0 == nullptr || d1 == nullptr) return "the shares were not made on the GPU";
    gpu.finish_keygen();  // the kernels may still run on the accelerator's stream
    return join({{"party 0", diff(want0, resident_copy(d0, n))},
                 {"party 1", diff(want1, resident_copy(d1, n))},
                 {"stream", stream}});
  });
}

// A ring product's shape and operands, uniform in the ring, and its check name (the dealer's
// product checks).
struct ProductOperands {
  RingGemm rg;
  std::vector<u64> a, b;
};
inline ProductOperands random_product_operands(std::mt19937_64& g, const RingMatmulShape& shape) {
  ProductOperands p;
  static_cast<RingMatmulShape&>(p.rg) = shape;
  p.a.resize(ring_gemm_a_size(p.rg));
  p.b.resize(ring_gemm_b_size(p.rg));
  for (u64& x : p.a) x = random_bits(g, shape.bits);
  for (u64& x : p.b) x = random_bits(g, shape.bits);
  return p;
}
inline std::string product_check_name(const std::string& what, const RingMatmulShape& shape) {
  return what + ": " +
         ring_gemm_shape_text(shape.batches, shape.m, shape.k, shape.n, shape.transpose_b,
                              shape.shared_b, shape.causal);
}

// The dealer's ring product (CudaAccelerator::ring_matmul, the matmul correlation's r_A r_B) with
// B staged up from the host and with B held on the GPU (a weight mask of the model input, read in
// place), against the CPU's.
inline void check_dealer_ring_matmul(Tally& t, std::mt19937_64& g, const CudaAccelerator& gpu,
                                     const RingMatmulShape& shape) {
  t.run(product_check_name("dealer ring matmul, B staged and held", shape), [&]() -> std::string {
    const auto [rg, a, b] = random_product_operands(g, shape);
    const std::size_t nc = ring_gemm_c_size(rg);
    std::vector<u64> want(nc, 0), staged(nc, 1), held(nc, 1);
    sigma::detail::ring_matmul_batched(cpu_matmul_args(rg), a, b, want);
    if (!gpu.ring_matmul(shape, a, Accelerator::Operand{b}, staged))
      return std::string("declined with B on the host");
    const std::shared_ptr<const ResidentKeys> b_held = gpu.hold(b);
    if (!b_held) return std::string("hold() declined B");
    if (!gpu.ring_matmul(shape, a, Accelerator::Operand{{}, b_held.get()}, held))
      return std::string("declined with B held");
    return join({{"staged", diff(want, staged)}, {"held", diff(want, held)}});
  });
}

// The matmul correlation's shares made on the GPU (CudaAccelerator::matmul_correlation_shares,
// party 0's inline dealer in sigma::matmul_keygen): v = (a b)[live] + fresh, the live entries in
// order (each batch's lower triangle when causal), then v minus the stream's next values, masked;
// against the CPU's product and fill() from the same stream, with B staged and held, a hi half
// buffered; the stream must end where the CPU's does.
inline void check_dealer_matmul_correlation(Tally& t, std::mt19937_64& g,
                                            const CudaAccelerator& gpu,
                                            const RingMatmulShape& shape) {
  const std::string name =
      product_check_name("dealer matmul correlation shares, B staged and held", shape);
  t.run(name, [&]() -> std::string {
    const auto [rg, a, b] = random_product_operands(g, shape);
    std::vector<u64> prod(ring_gemm_c_size(rg), 0);
    sigma::detail::ring_matmul_batched(cpu_matmul_args(rg), a, b, prod);
    std::vector<std::size_t> live;
    for (std::size_t bi = 0; bi < shape.batches; ++bi)
      for (std::size_t i = 0; i < shape.m; ++i)
        for (std::size_t j = 0; j < (shape.causal ? i + 1 : shape.n); ++j)
          live.push_back((bi * shape.m + i) * shape.n + j);
    std::vector<u64> fresh(live.size());
    for (u64& x : fresh) x = random_bits(g, shape.bits);
    const u64 mask = ring_mask(shape.bits);
    const Block seed{g(), g()};
    SeededPrg ref(seed), staged(seed), held(seed);
    for (SeededPrg* s : {&ref, &staged, &held}) s->next_u64();  // a hi half buffered
    std::vector<u64> want(live.size());
    ref.fill(want, shape.bits);
    SeededPrg ref_end = ref;  // where both streams must stand afterwards
    for (std::size_t i = 0; i < live.size(); ++i)
      want[i] = (prod[live[i]] + fresh[i] - want[i]) & mask;
    const std::shared_ptr<const ResidentKeys> b_held = gpu.hold(b);
    if (!b_held) return std::string("hold() declined B");
    ShareBatch got_staged{shape.bits, live.size(), {}}, got_held{shape.bits, live.size(), {}};
    got_staged.resident = gpu.matmul_correlation_shares(
        shape, a, Accelerator::Operand{b}, fresh, seed, staged.take_slice(live.size()), shape.bits);
    got_held.resident =
        gpu.matmul_correlation_shares(shape, a, Accelerator::Operand{{}, b_held.get()}, fresh, seed,
                                      held.take_slice(live.size()), shape.bits);
    const u64* d_staged = gpu.resident_values(got_staged);
    const u64* d_held = gpu.resident_values(got_held);
    if (d_staged == nullptr || d_held == nullptr) return std::string("declined");
    gpu.finish_keygen();
    return join({{"staged", diff(want, resident_copy(d_staged, live.size()))},
                 {"held", diff(want, resident_copy(d_held, live.size()))},
                 {"stream", join({{"staged", same_position(ref, staged)},
                                  {"held", same_position(ref_end, held)}})}});
  });
}

// The upload ring (UploadRing): pieces of 1 byte to more than a slot, most of them small ones
// that share a slot, through a ring small enough to wrap around many times; each source buffer
// is overwritten as soon as put() returns. The device copy must equal what was put, byte for byte.
inline void check_upload_ring(Tally& t, std::mt19937_64& g) {
  t.run("upload ring: small pieces side by side, pieces over a slot, many wrap-arounds",
        [&]() -> std::string {
          constexpr std::size_t kSlot = 64 << 10;
          UploadRing ring(3, kSlot);
          ThreadPool pool(2);
          Stream stream;
          std::vector<std::size_t> sizes;
          for (int i = 0; i < 600; ++i) {
            const std::uint64_t kind = g() % 10;
            sizes.push_back(kind < 7   ? 1 + g() % 4096                   // a few KiB: side by side
                            : kind < 9 ? 1 + g() % kSlot                  // up to a slot
                                       : kSlot + 1 + g() % (3 * kSlot));  // over a slot
          }
          std::size_t total = 0;
          for (std::size_t n : sizes) total += n;
          std::vector<std::uint8_t> want(total), src;
          for (std::uint8_t& b : want) b = static_cast<std::uint8_t>(g());
          DeviceBuffer<std::uint8_t> dev(total);
          std::size_t at = 0;
          for (std::size_t n : sizes) {
            src.assign(want.begin() + static_cast<std::ptrdiff_t>(at),
                       want.begin() + static_cast<std::ptrdiff_t>(at + n));
            ring.put(dev.data() + at, src.data(), n, stream.get(), pool);
            std::fill(src.begin(), src.end(), std::uint8_t{0});  // the ring copied it already
            at += n;
          }
          stream.sync();
          std::vector<std::uint8_t> got(total);
          CUDA_CHECK(cudaMemcpy(got.data(), dev.data(), total, cudaMemcpyDeviceToHost));
          return got == want ? std::string() : std::string("the device copy differs");
        });
}

inline void check_dealer(Tally& t, std::mt19937_64& g, std::size_t N) {
  const CudaAccelerator gpu(0);
  // SIGMA's truncation (13-bit low part, 1-bit payload), DReLU / GELU widths, vector payloads
  // (the fused gates' L = 4 and a longer one kept in memory on the device).
  const DcfShape dcf_shapes[] = {{13, 1, 1}, {50, 1, 1}, {37, 50, 2}, {50, 50, 4}, {64, 37, 5}};
  for (const DcfShape& s : dcf_shapes) check_dealer_dcf(t, g, gpu, N / 4, s, true);
  // The truncations' DCFs (fusefss/dcf_trunc.h): one payload for every key.
  for (const DcfShape& s : {DcfShape{50, 12, 1}, DcfShape{12, 50, 1}, DcfShape{16, 64, 3}})
    check_dealer_dcf(t, g, gpu, N / 4, s, true, /*one_payload=*/true);
  const DpfShape dpf_shapes[] = {{8, 64}, {16, 50}, {50, 1}};
  for (const DpfShape& s : dpf_shapes) check_dealer_dpf(t, g, gpu, N / 4, s);
  // SIGMA's DCF: TrFloor's 12 and 38 bits, DReLU's 49, the softmax max's 38, n = 8 (no inner
  // level), a truth table (6), the widest (64).
  for (int n : {12, 38, 49, 8, 6, 64}) check_dealer_sigma_dcf(t, g, gpu, N / 4, n);
  // DPF-ET: no tree levels (7), one (8), the fused tables (11, 13; 12, 14 under fused-flag).
  for (int k : {7, 8, 11, 12, 13, 14}) check_dealer_dpf_et(t, g, gpu, N / 16, k);
  // The fused lookups' 512-bit leaves (11, 13; 12, 14 under fused-flag) and a 256-bit one.
  for (int k : {11, 12, 13, 14}) check_dealer_dpf_et(t, g, gpu, N / 16, k, 2);
  check_dealer_dpf_et(t, g, gpu, N / 16, 9, 1);
  // Shares: the ring's 50 bits and the full 64; odd, even and tiny counts.
  for (const bool pending : {false, true}) {
    check_dealer_shares(t, g, gpu, N + 1, 50, pending);
    check_dealer_shares(t, g, gpu, N, 64, pending);
    check_dealer_shares(t, g, gpu, 1, 37, pending);
  }
  check_dealer_shares(t, g, gpu, N + 1, 50, false, true, true);  // v held: a weight mask
  check_dealer_shares(t, g, gpu, N, 64, true, true, true);
  // The matmul correlation's products: a projection, attention's causal Q K^T per head, a shared B.
  check_dealer_ring_matmul(t, g, gpu, RingMatmulShape{50, 1, 64, 192, 96, false, false, false});
  check_dealer_ring_matmul(t, g, gpu, RingMatmulShape{50, 4, 32, 16, 32, true, false, true});
  check_dealer_ring_matmul(t, g, gpu, RingMatmulShape{64, 3, 16, 40, 24, false, true, false});
  // The same shapes for the correlation's shares: entries in order, the causal triangles packed.
  check_dealer_matmul_correlation(t, g, gpu,
                                  RingMatmulShape{50, 1, 64, 192, 96, false, false, false});
  check_dealer_matmul_correlation(t, g, gpu, RingMatmulShape{50, 4, 32, 16, 32, true, false, true});
  check_dealer_matmul_correlation(t, g, gpu,
                                  RingMatmulShape{64, 3, 16, 40, 24, false, true, false});
  check_upload_ring(t, g);
  const CudaAccelerator full(0, KernelConfig{}, 1);  // a one-byte key budget: nothing fits
  check_dealer_dcf(t, g, full, N / 16, DcfShape{50, 50, 2}, false);
  check_dealer_shares(t, g, full, 7, 50, true, false);
}

}  // namespace secinfer::fss::cuda::tools
