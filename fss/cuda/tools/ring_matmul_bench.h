// gpu_bench's ring matrix product rows: every implementation of ring_matmul_device
// (fss/cuda/ring_matmul_cuda.h) and kAuto at BERT-base's seq-128 shapes, bits 37 / 50 / 64: time
// per call (CUDA events, median after a warm-up, scratch preallocated), effective rate in 64-bit
// multiply-adds per second (batches m k n / time; half that work for causal), and per
// implementation the whole layer's six products (QKV, Q K^T, A V per head, output projection,
// FFN up and down) and x 12 for the model. The "best" layer row takes the fastest implementation
// per shape: what kAuto should reach; compare kAuto's layer row to see whether its rule
// (ring_matmul.cu, "the choice") needs new throughputs.
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "fss/cuda/cuda_check.h"
#include "fss/cuda/device_buffer.h"
#include "fss/cuda/ring_matmul_cuda.h"

namespace secinfer::fss::cuda::tools {

struct RingMatmulBenchRow {
  std::string name;
  double macs_per_s = 0;  // 64-bit multiply-adds (the product's, not the limbs')
  std::string note;       // time per call, T multiply-adds/s, the implementation auto ran
};

struct RingMatmulBenchShape {
  const char* name;
  std::size_t batches, m, k, n;
  bool transpose_b, shared_b, causal;
  bool in_layer;  // one of the layer's six products
};

inline std::vector<RingMatmulBenchRow> ring_matmul_bench(cudaStream_t s, int reps) {
  const RingMatmulBenchShape shapes[] = {
      {"QKV projection", 1, 128, 768, 2304, false, true, false, true},
      {"Q K^T per head", 12, 128, 64, 128, true, false, false, true},
      {"Q K^T per head, causal", 12, 128, 64, 128, true, false, true, false},
      {"A V per head", 12, 128, 128, 64, false, false, false, true},
      {"output projection", 1, 128, 768, 768, false, true, false, true},
      {"FFN up", 1, 128, 768, 3072, false, true, false, true},
      {"FFN down", 1, 128, 3072, 768, false, true, false, true},
  };
  const RingGemmImpl impls[] = {RingGemmImpl::kSimt, RingGemmImpl::kFp64Limbs,
                                RingGemmImpl::kInt8Limbs, RingGemmImpl::kAuto};
  constexpr int kImpls = 4, kAutoIndex = 3;
  cudaEvent_t e0{}, e1{};
  CUDA_CHECK(cudaEventCreate(&e0));
  CUDA_CHECK(cudaEventCreate(&e1));
  const auto time = [&](const auto& fn) {
    fn();
    CUDA_CHECK(cudaStreamSynchronize(s));
    std::vector<double> t;
    for (int r = 0; r < reps; ++r) {
      CUDA_CHECK(cudaEventRecord(e0, s));
      fn();
      CUDA_CHECK(cudaEventRecord(e1, s));
      CUDA_CHECK(cudaEventSynchronize(e1));
      float ms = 0;
      CUDA_CHECK(cudaEventElapsedTime(&ms, e0, e1));
      t.push_back(ms * 1e-3);
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
  };
  const auto fmt = [](const char* f, double v) {
    char b[64];
    std::snprintf(b, sizeof b, f, v);
    return std::string(b);
  };
  std::vector<RingMatmulBenchRow> rows;
  std::mt19937_64 rng(777);
  for (const int bits : {37, 50, 64}) {
    double layer[kImpls] = {}, layer_best = 0, layer_macs = 0;
    for (const RingMatmulBenchShape& sh : shapes) {
      RingGemm g;
      g.bits = bits;
      g.batches = sh.batches;
      g.m = sh.m;
      g.k = sh.k;
      g.n = sh.n;
      g.transpose_b = sh.transpose_b;
      g.shared_b = sh.shared_b;
      g.causal = sh.causal;
      std::vector<u64> a(ring_gemm_a_size(g)), b(ring_gemm_b_size(g));
      for (auto& x : a) x = rng();
      for (auto& x : b) x = rng();
      DeviceBuffer<u64> da(a.size()), db(b.size()), dc(ring_gemm_c_size(g));
      da.upload(a, s);
      db.upload(b, s);
      double macs = static_cast<double>(g.batches) * g.m * g.k * g.n;
      if (g.causal) macs *= 0.5 * (g.m + 1) / g.m;  // the j <= i outputs
      double best = 0;
      for (int ii = 0; ii < kImpls; ++ii) {
        g.impl = impls[ii];
        if (!ring_gemm_available(g.impl, g)) continue;
        RingMatmulBenchRow r;
        r.name = "ring matmul " + std::string(sh.name) + " " + std::to_string(g.batches) + "x" +
                 std::to_string(g.m) + "x" + std::to_string(g.k) + "x" + std::to_string(g.n) +
                 " bits=" + std::to_string(bits) + " [" + to_string(g.impl) + "]";
        double t = 0;
        try {  // a refused cuBLAS GEMM (say int8 on this GPU) costs its rows, not the bench
          DeviceBuffer<std::uint8_t> ws(ring_matmul_workspace_bytes(g));
          t = time([&] {
            ring_matmul_device(g, da.data(), db.data(), dc.data(), s, ws.data(), ws.size());
          });
        } catch (const std::runtime_error& e) {
          CUDA_CHECK(cudaStreamSynchronize(s));
          r.note = std::string("failed: ") + e.what();
          std::printf("%-78s %s\n", r.name.c_str(), r.note.c_str());
          rows.push_back(r);
          layer[ii] = -1e30;  // no layer row for it
          continue;
        }
        if (sh.in_layer) layer[ii] += t;
        if (ii != kAutoIndex) best = best == 0 ? t : std::min(best, t);
        r.macs_per_s = macs / t;
        r.note = fmt("%.1f us/call, ", t * 1e6) + fmt("%.2f T mul-add/s", macs / t / 1e12) +
                 (g.impl == RingGemmImpl::kAuto
                      ? std::string(", ran ") + to_string(ring_gemm_impl_for(g))
                      : std::string());
        std::printf("%-78s %s\n", r.name.c_str(), r.note.c_str());
        std::fflush(stdout);
        rows.push_back(r);
      }
      if (sh.in_layer) {
        layer_best += best;
        layer_macs += macs;
      }
    }
    const auto layer_row = [&](const std::string& what, double t) {
      RingMatmulBenchRow r;
      r.name = "ring matmul BERT-base seq-128 layer (6 products) bits=" + std::to_string(bits) +
               " [" + what + "]";
      r.macs_per_s = layer_macs / t;
      r.note = fmt("%.3f ms/layer, ", t * 1e3) + fmt("%.2f ms/model (12 layers), ", 12 * t * 1e3) +
               fmt("%.2f T mul-add/s", layer_macs / t / 1e12);
      std::printf("%-78s %s\n", r.name.c_str(), r.note.c_str());
      std::fflush(stdout);
      rows.push_back(r);
    };
    for (int ii = 0; ii < kImpls; ++ii)
      if (layer[ii] > 0) layer_row(to_string(impls[ii]), layer[ii]);
    layer_row("best per shape", layer_best);
  }
  cudaEventDestroy(e0);
  cudaEventDestroy(e1);
  return rows;
}

}  // namespace secinfer::fss::cuda::tools
