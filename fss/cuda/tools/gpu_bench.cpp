// gpu_bench: throughput of every CUDA FSS kernel on the device, against two ceilings measured on
// the same GPU: a pure AES kernel (counter blocks under one fixed key, XOR-folded so it writes
// almost nothing) and a device-to-device copy. For each primitive: elements/s, AES blocks/s
// achieved (elements/s x AES calls per element), and that rate over the pure AES rate (the
// primitive's AES bound; target >= 50%); for full-domain work and LUTs also the bytes-and-AES
// bound max(AES / AES rate, bytes / copy bandwidth) and measured time over it (target <= 2).
// Multipoint DCF and shared-mask gate rows: elements are keys; their AES count is stated there.
// Kernel time by CUDA events, median of several runs after a warm-up. Prints a table last.
//   gpu_bench [--md FILE] [--quick] [--lut | --keygen]
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "fss/compile/functions.h"
#include "fss/compile/instance.h"
#include "fss/cuda/dcf_core.h"
#include "fss/cuda/dcf_cuda.h"
#include "fss/cuda/device_buffer.h"
#include "fss/cuda/dpf_cuda.h"
#include "fss/cuda/dpf_et_cuda.h"
#include "fss/cuda/multipoint_core.h"
#include "fss/cuda/multipoint_dcf_cuda.h"
#include "fss/cuda/pack_cuda.h"
#include "fss/cuda/prg_cuda.h"
#include "fss/cuda/shared_mask_cuda.h"
#include "fss/cuda/sigma_dcf_cuda.h"
#include "fss/cuda/tools/ring_matmul_bench.h"
#include "fss/dpf_et.h"
#include "fss/gates/fusefss/lookup_combine.h"
#include "fss/gates/fusefss/trunc_act.h"
#include "fss/lut_planes.h"
#include "fss/lut_support.h"

using namespace secinfer::fss;
using namespace secinfer::fss::cuda;

namespace {

struct Row {
  std::string name;
  double elems_per_s = 0;
  double aes_per_elem = 0;  // 0: not AES work
  double aes_per_s = 0;
  double aes_ratio = 0;    // aes_per_s / pure AES rate
  double bound_ratio = 0;  // measured time / bytes-and-AES bound (0: not computed)
  std::string note;
};

class Bench {
 public:
  explicit Bench(int reps) : reps_(reps) {
    CUDA_CHECK(cudaEventCreate(&a_));
    CUDA_CHECK(cudaEventCreate(&b_));
  }
  ~Bench() {
    cudaEventDestroy(a_);
    cudaEventDestroy(b_);
  }
  // Median seconds of fn() on `stream` (one warm-up run first).
  double time(cudaStream_t stream, const std::function<void()>& fn) {
    fn();
    CUDA_CHECK(cudaStreamSynchronize(stream));
    std::vector<double> t;
    for (int r = 0; r < reps_; ++r) {
      CUDA_CHECK(cudaEventRecord(a_, stream));
      fn();
      CUDA_CHECK(cudaEventRecord(b_, stream));
      CUDA_CHECK(cudaEventSynchronize(b_));
      float ms = 0;
      CUDA_CHECK(cudaEventElapsedTime(&ms, a_, b_));
      t.push_back(ms * 1e-3);
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
  }

 private:
  int reps_;
  cudaEvent_t a_{}, b_{};
};

std::vector<u64> random_u64(std::mt19937_64& g, std::size_t n, int bits) {
  std::vector<u64> v(n);
  const u64 m = ring_mask(bits);
  for (auto& x : v) x = g() & m;
  return v;
}

template <class T>
DeviceBuffer<T> to_dev(const std::vector<T>& v, cudaStream_t s) {
  DeviceBuffer<T> d(v.size());
  d.upload(std::span<const T>(v), s);
  return d;
}

std::string fmt(double v) {
  char b[32];
  if (v == 0) return "-";
  if (v >= 1e9)
    std::snprintf(b, sizeof b, "%.2fG", v / 1e9);
  else if (v >= 1e6)
    std::snprintf(b, sizeof b, "%.2fM", v / 1e6);
  else if (v >= 1e3)
    std::snprintf(b, sizeof b, "%.2fk", v / 1e3);
  else
    std::snprintf(b, sizeof b, "%.2f", v);
  return b;
}
std::string pct(double r) {
  if (r == 0) return "-";
  char b[16];
  std::snprintf(b, sizeof b, "%.0f%%", 100 * r);
  return b;
}
std::string times(double r) {
  if (r == 0) return "-";
  char b[16];
  std::snprintf(b, sizeof b, "%.2fx", r);
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  std::string md_path;
  bool quick = false, lut_only = false, keygen_only = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--md" && i + 1 < argc)
      md_path = argv[++i];
    else if (a == "--quick")
      quick = true;
    else if (a == "--lut")  // the ceilings and the DPF-ET LUT rows only
      lut_only = true;
    else if (a == "--keygen")  // the ceilings and the key generation rows only
      keygen_only = true;
    else {
      std::fprintf(stderr, "usage: gpu_bench [--md FILE] [--quick] [--lut | --keygen]\n");
      return 2;
    }
  }
  if (lut_only && keygen_only) {
    std::fprintf(stderr,
                 "gpu_bench: --lut and --keygen each pick one section; give one of them (or "
                 "neither, for every row)\n");
    return 2;
  }
  try {
    cudaDeviceProp prop{};
    CUDA_CHECK(cudaGetDeviceProperties(&prop, 0));
    int clock_khz = 0;
    CUDA_CHECK(cudaDeviceGetAttribute(&clock_khz, cudaDevAttrClockRate, 0));
    std::printf("gpu_bench: %s, %d SMs, %.0f MHz max SM clock, %.0f MiB\n", prop.name,
                prop.multiProcessorCount, clock_khz / 1e3,
                static_cast<double>(prop.totalGlobalMem) / (1 << 20));
    std::fflush(stdout);
    Bench bench(quick ? 3 : 7);
    Stream st;
    cudaStream_t s = st.get();
    std::mt19937_64 g(12345);
    std::vector<Row> rows;
    const std::size_t N = std::size_t{1} << 20;

    // ---- ceilings: copy bandwidth and pure AES, every table layout
    double copy_bw = 0;
    {
      const std::size_t bytes = std::size_t{1} << 30;
      DeviceBuffer<std::uint8_t> a(bytes), b(bytes);
      CUDA_CHECK(cudaMemsetAsync(a.data(), 1, bytes, s));
      const double t = bench.time(s, [&] {
        CUDA_CHECK(cudaMemcpyAsync(b.data(), a.data(), bytes, cudaMemcpyDeviceToDevice, s));
      });
      copy_bw = 2.0 * bytes / t;
      rows.push_back(
          {"device copy 1 GiB (read+write bytes/s)", 0, 0, 0, 0, 0, fmt(copy_bw) + "B/s"});
    }
    double aes_rate[3] = {0, 0, 0};
    const AesVariant variants[] = {AesVariant::kReplicatedTe0, AesVariant::kReplicatedTe4,
                                   AesVariant::kPlainTe4};
    {
      const std::size_t max_threads = static_cast<std::size_t>(prop.multiProcessorCount) * 2048;
      const u64 per = quick ? 128 : 1024;
      DeviceBuffer<Block> out(max_threads);
      for (int vi = 0; vi < 3; ++vi)
        for (const int unroll : {1, 2, 4})
          for (const int block : {256, 512}) {
            KernelConfig cfg;
            cfg.aes = variants[vi];
            cfg.threads_per_block = block;
            std::size_t threads = 0;
            const double t = bench.time(s, [&] {
              threads = aes_throughput_device(per, unroll, out.data(), max_threads, s, cfg);
            });
            const double rate = static_cast<double>(threads) * per / t;
            aes_rate[vi] = std::max(aes_rate[vi], rate);
            rows.push_back({std::string("pure AES [") + to_string(variants[vi]) + "] unroll " +
                                std::to_string(unroll) + " block " + std::to_string(block),
                            rate, 1, rate, 0, 0, std::to_string(threads) + " threads"});
          }
      for (int vi = 0; vi < 3; ++vi)
        std::printf("pure AES %s: %.2f G blocks/s\n", to_string(variants[vi]), aes_rate[vi] / 1e9);
      std::fflush(stdout);
    }
    const auto vidx = [&](AesVariant v) {
      for (int i = 0; i < 3; ++i)
        if (variants[i] == v) return i;
      return 0;
    };
    const double aes_bound = aes_rate[vidx(kDefaultAesVariant)];
    const auto add = [&](const std::string& name, double elems, double aes_per_elem, double t,
                         AesVariant v = kDefaultAesVariant, double bound_s = 0,
                         const std::string& note = "") {
      Row r;
      r.name = name;
      r.elems_per_s = elems / t;
      r.aes_per_elem = aes_per_elem;
      r.aes_per_s = r.elems_per_s * aes_per_elem;
      r.aes_ratio = aes_per_elem > 0 ? r.aes_per_s / aes_rate[vidx(v)] : 0;
      r.bound_ratio = bound_s > 0 ? t / bound_s : 0;
      r.note = note;
      rows.push_back(r);
      std::printf("%-58s %10s elem/s  %10s AES/s  %5s of AES bound %s\n", name.c_str(),
                  fmt(r.elems_per_s).c_str(), fmt(r.aes_per_s).c_str(), pct(r.aes_ratio).c_str(),
                  note.c_str());
      std::fflush(stdout);
    };

    // ---- key generation at the dealer's shapes, 1 and 2 blocks an SM (KernelConfig::
    // gen_blocks_per_sm): the fused suite's TrFloor DCFs (fusefss/dcf_trunc.h, by 12 at n = 50:
    // the wrap, 50 levels with a 12-bit payload, and the borrow, 12 levels with a 50-bit one), a
    // 3-element payload, and SIGMA's DCF at its TrFloor widths (12 and 38 bits)
    if (!lut_only) {
      for (const int blocks : {1, 2}) {
        KernelConfig cfg;
        cfg.gen_blocks_per_sm = blocks;
        const std::string occ = " [" + std::to_string(blocks) + " block(s)/SM]";
        for (const DcfShape shape :
             {DcfShape{50, 12, 1}, DcfShape{12, 50, 1}, DcfShape{64, 64, 3}}) {
          const int n = shape.in_bits, L = shape.payload_len;
          const std::vector<u64> alpha = random_u64(g, N, n),
                                 beta = random_u64(g, N * L, shape.out_bits);
          DeviceBuffer<u64> da = to_dev(alpha, s), db = to_dev(beta, s);
          DcfKeyPairDevice keys(shape, N);
          add("DCF keygen n=" + std::to_string(n) + " m=" + std::to_string(shape.out_bits) +
                  " L=" + std::to_string(L) + " N=2^20" + occ,
              N, static_cast<double>(dcf_gen_aes(n, L)), bench.time(s, [&] {
                dcf_gen_device(da.data(), db.data(), static_cast<std::size_t>(L), Block{19, 20}, 0,
                               keys, s, cfg);
              }));
        }
        for (const int n : {12, 38}) {
          const std::vector<u64> alpha = random_u64(g, N, n);
          DeviceBuffer<u64> da = to_dev(alpha, s);
          SigmaDcfKeyPairDevice keys(n, N);
          add("SIGMA DCF n=" + std::to_string(n) + " keygen N=2^20" + occ, N,
              static_cast<double>(sigma_dcf_gen_aes(n)), bench.time(s, [&] {
                sigma_dcf_gen_device(da.data(), Block{21, 22}, 0, keys, s, cfg);
              }));
        }
      }
      // The dealer's call sizes (a bert-base seq 128 gate: 98,304 or 393,216 keys) against the
      // block size: a thread a key, so a call of a few waves ends with SMs idle (the last wave's
      // blocks on some SMs only); smaller blocks spread that wave over more SMs. Block 0 is the
      // default launch (kernel_util.cuh plan_launch: 512, or KernelConfig::small_call_block where
      // the last wave would be mostly idle). The keys are the same bits whatever the block size
      // (gpu_check compares them).
      // 27,648 keys: the size of the fused softmax / layer-norm gates' 4-word DCF calls (a row of
      // seq 128's, bert-base). The DCF eval row's AES count is the L = 1 walk's (2 n).
      for (const std::size_t count : {std::size_t{27648}, std::size_t{98304}, std::size_t{393216}})
        for (const int block : {512, 256, 128, 0}) {
          KernelConfig cfg;
          if (block > 0) {
            cfg.threads_per_block = block;
            cfg.small_call_block = 0;
          }
          const std::string tail = " N=" + std::to_string(count) +
                                   (block > 0 ? " block " + std::to_string(block) : " default");
          for (const DcfShape shape :
               {DcfShape{50, 12, 1}, DcfShape{12, 50, 1}, DcfShape{50, 64, 4}}) {
            const int n = shape.in_bits;
            const auto L = static_cast<std::size_t>(shape.payload_len);
            const std::vector<u64> alpha = random_u64(g, count, n),
                                   beta = random_u64(g, count * L, shape.out_bits),
                                   x = random_u64(g, count, n);
            DeviceBuffer<u64> da = to_dev(alpha, s), db = to_dev(beta, s), dx = to_dev(x, s),
                              out(count * L);
            DcfKeyPairDevice keys(shape, count);
            const std::string sn = "n=" + std::to_string(n) +
                                   " m=" + std::to_string(shape.out_bits) +
                                   " L=" + std::to_string(L);
            add("DCF keygen " + sn + tail, static_cast<double>(count),
                static_cast<double>(dcf_gen_aes(n, shape.payload_len)), bench.time(s, [&] {
                  dcf_gen_device(da.data(), db.data(), L, Block{23, 24}, 0, keys, s, cfg);
                }));
            if (L == 1)
              add("DCF eval " + sn + tail, static_cast<double>(count),
                  static_cast<double>(dcf_eval_aes(n, 1)), bench.time(s, [&] {
                    dcf_eval_device(keys.view(1), dx.data(), out.data(), s, cfg);
                  }));
          }
          const std::vector<u64> alpha = random_u64(g, count, 38);
          DeviceBuffer<u64> da = to_dev(alpha, s);
          SigmaDcfKeyPairDevice keys(38, count);
          add("SIGMA DCF n=38 keygen" + tail, static_cast<double>(count),
              static_cast<double>(sigma_dcf_gen_aes(38)), bench.time(s, [&] {
                sigma_dcf_gen_device(da.data(), Block{25, 26}, 0, keys, s, cfg);
              }));
        }
    }

    if (!lut_only && !keygen_only) {
      // ---- PRG-level kernels
      {
        const std::size_t n = std::size_t{1} << 24;
        DeviceBuffer<Block> a(n), b(n);
        CUDA_CHECK(cudaMemsetAsync(a.data(), 7, a.bytes(), s));
        add("G_j batch (16 B in, 16 B out)", n, 1,
            bench.time(s, [&] { prg_g_device(2, a.data(), b.data(), n, s); }));
        add("SeededPrg counter mode (16 B out)", n, 1, bench.time(s, [&] {
          seeded_prg_device(Block{1, 2}, 0, b.data(), n, s);
        }));
        add("AES a key per block, on-the-fly schedule", n, 1, bench.time(s, [&] {
          aes_encrypt_multikey_device(a.data(), a.data(), b.data(), n, s);
        }));
        DeviceBuffer<u64> cv(n * 3);
        add("ConvertVec m=64 L=3 (1 AES)", n, 1,
            bench.time(s, [&] { convert_vec_device(a.data(), n, 64, 3, cv.data(), s); }));
        for (const int bits : {1, 37, 64}) {
          const std::size_t bytes = packed_bytes(n, bits);
          DeviceBuffer<std::uint8_t> w(bytes);
          DeviceBuffer<u64> back(n);
          const double tp =
              bench.time(s, [&] { pack_bits_device(cv.data(), n, bits, w.data(), s); });
          const double tu =
              bench.time(s, [&] { unpack_bits_device(w.data(), n, bits, back.data(), s); });
          const double moved = 8.0 * n + bytes;
          add("pack " + std::to_string(bits) + "-bit", n, 0, tp, kDefaultAesVariant,
              moved / copy_bw, fmt(moved / tp) + "B/s");
          add("unpack " + std::to_string(bits) + "-bit", n, 0, tu, kDefaultAesVariant,
              moved / copy_bw, fmt(moved / tu) + "B/s");
        }
      }

      // ---- DPF
      for (const int n : {16, 64}) {
        const DpfShape shape{n, 64};
        const std::vector<u64> alpha = random_u64(g, N, n), beta = random_u64(g, N, 64),
                               x = random_u64(g, N, n);
        DeviceBuffer<u64> da = to_dev(alpha, s), db = to_dev(beta, s), dx = to_dev(x, s), out(N);
        DpfKeyPairDevice keys(shape, N);
        add("DPF keygen n=" + std::to_string(n) + " m=64 N=2^20", N,
            static_cast<double>(dpf_gen_aes(n)), bench.time(s, [&] {
              dpf_gen_device(da.data(), db.data(), Block{3, 4}, 0, keys, s);
            }));
        for (const AesVariant v : variants)
          for (const int kpt : {1, 2}) {
            KernelConfig cfg;
            cfg.aes = v;
            cfg.dpf_keys_per_thread = kpt;
            add("DPF eval n=" + std::to_string(n) + " N=2^20 [" + to_string(v) + "] " +
                    std::to_string(kpt) + " key(s)/thread",
                N, static_cast<double>(dpf_eval_aes(n)),
                bench.time(s,
                           [&] { dpf_eval_device(keys.view(0), dx.data(), out.data(), s, cfg); }),
                v);
          }
        KernelConfig b256;
        b256.threads_per_block = 256;
        add("DPF eval n=" + std::to_string(n) + " N=2^20 default, block 256", N,
            static_cast<double>(dpf_eval_aes(n)),
            bench.time(s, [&] { dpf_eval_device(keys.view(0), dx.data(), out.data(), s, b256); }));
      }

      // ---- DCF
      for (const int n : {16, 64})
        for (const int L : {1, 3}) {
          const DcfShape shape{n, 64, L};
          const std::vector<u64> alpha = random_u64(g, N, n), beta = random_u64(g, N * L, 64),
                                 x = random_u64(g, N, n);
          DeviceBuffer<u64> da = to_dev(alpha, s), db = to_dev(beta, s), dx = to_dev(x, s),
                            out(N * L);
          DcfKeyPairDevice keys(shape, N);
          const std::string sn = "n=" + std::to_string(n) + " L=" + std::to_string(L);
          add("DCF keygen " + sn + " N=2^20", N, static_cast<double>(dcf_gen_aes(n, L)),
              bench.time(s, [&] {
                dcf_gen_device(da.data(), db.data(), static_cast<std::size_t>(L), Block{5, 6}, 0,
                               keys, s);
              }));
          const double aes = static_cast<double>(dcf_eval_aes(n, L));
          for (const AesVariant v : variants)
            for (const int kpt : {1, 2}) {
              KernelConfig cfg;
              cfg.aes = v;
              cfg.dcf_keys_per_thread = kpt;
              add("DCF eval " + sn + " N=2^20 [" + to_string(v) + "] " + std::to_string(kpt) +
                      " key(s)/thread",
                  N, aes,
                  bench.time(s,
                             [&] { dcf_eval_device(keys.view(1), dx.data(), out.data(), s, cfg); }),
                  v);
            }
          const AesVariant resolved = L >= 2 ? kDcfVectorAesVariant : kDefaultAesVariant;
          add("DCF eval " + sn + " N=2^20 default (" + to_string(resolved) + ", block 512)", N, aes,
              bench.time(s, [&] { dcf_eval_device(keys.view(1), dx.data(), out.data(), s); }),
              resolved);
          KernelConfig b256;
          b256.threads_per_block = 256;
          add("DCF eval " + sn + " N=2^20 default, block 256", N, aes, bench.time(s, [&] {
            dcf_eval_device(keys.view(1), dx.data(), out.data(), s, b256);
          }));
          KernelConfig pair;
          pair.dcf_lanes = 2;
          add("DCF eval " + sn + " N=2^20 lane pair/key", N, aes, bench.time(s, [&] {
            dcf_eval_device(keys.view(1), dx.data(), out.data(), s, pair);
          }));
        }

      // ---- SIGMA's DCF (sigma_dcf_cuda.h, docs/design/sigma-dcf.md): 1-bit output, n - 7 AES per
      // point against the full-depth DCF's 2 n above. Elements are points: a thread per point, P =
      // 3 is one key at 3 points (SIGMA's GELU evaluates its DCF so). n = 6: the truth table, no
      // AES.
      for (const int n : {6, 38, 64}) {
        const std::vector<u64> alpha = random_u64(g, N, n);
        DeviceBuffer<u64> da = to_dev(alpha, s);
        SigmaDcfKeyPairDevice keys(n, N);
        const std::string sn = "SIGMA DCF n=" + std::to_string(n);
        add(sn + " keygen N=2^20", N, static_cast<double>(sigma_dcf_gen_aes(n)), bench.time(s, [&] {
          sigma_dcf_gen_device(da.data(), Block{15, 16}, 0, keys, s);
        }));
        const double aes = static_cast<double>(sigma_dcf_eval_aes(n));
        const std::string vs =
            "full-depth DCF (m=1): " + std::to_string(dcf_eval_aes(n, 1)) + " AES/point";
        for (const std::size_t P : {std::size_t{1}, std::size_t{3}}) {
          const std::vector<u64> x = random_u64(g, N * P, n);
          DeviceBuffer<u64> dx = to_dev(x, s);
          DeviceBuffer<std::uint8_t> out(N * P);
          for (const AesVariant v : variants) {
            if (n <= kSigmaDcfLeafBits && v != kDefaultAesVariant) continue;
            KernelConfig cfg;
            cfg.aes = v;
            add(sn + " eval P=" + std::to_string(P) + " N=2^20 keys [" +
                    (n <= kSigmaDcfLeafBits ? std::string("truth table") : to_string(v)) + "]",
                static_cast<double>(N * P), aes,
                bench.time(
                    s,
                    [&] { sigma_dcf_eval_device(keys.view(1), P, dx.data(), out.data(), s, cfg); }),
                v, 0, vs);
          }
        }
      }

      // ---- multipoint DCF (the fused gates' packed compare) and the shared-mask gate's local
      // part. AES/elem per key: thread per point P (n (2 + L/2) + L/2) (each point walks alone);
      // trie walk (thread per key) the AES it runs, (2 + L/2) per trie node + L/2 per distinct
      // point, averaged over these keys. The note gives points/s and the rate counted as P walks
      // (the per-point work the trie saves) over the pure AES rate.
      {
        const compile::SufGate gelu =
            compile::compile_function({compile::FunctionId::kGelu, 50, 12});
        const std::vector<u64> offs = compile::shared_mask_offsets(gelu);
        const int n = 50, W = compile::shared_mask_payload(gelu);
        const std::size_t P = offs.size();
        const std::vector<u64> alpha = random_u64(g, N, n), beta = random_u64(g, N * W, n),
                               xh = random_u64(g, N, n), vsh = random_u64(g, N * W, n),
                               rv = random_u64(g, N, n);
        std::vector<u64> pts(N * P);
        for (std::size_t k = 0; k < N; ++k)
          for (std::size_t j = 0; j < P; ++j) pts[k * P + j] = (xh[k] - offs[j]) & ring_mask(n);
        DcfKeyPairDevice keys(DcfShape{n, n, W}, N);
        {
          DeviceBuffer<u64> da = to_dev(alpha, s), db = to_dev(beta, s);
          dcf_gen_device(da.data(), db.data(), static_cast<std::size_t>(W), Block{11, 12}, 0, keys,
                         s);
          st.sync();
        }
        DeviceBuffer<u64> dp = to_dev(pts, s), dxh = to_dev(xh, s), dvsh = to_dev(vsh, s),
                          drv = to_dev(rv, s), out(N * P * W), dv(N), drest(N);
        double trie_aes = 0;
        for (std::size_t k = 0; k < N; ++k)
          trie_aes += static_cast<double>(
              dcf_multipoint_trie_aes(n, W, pts.data() + k * P, static_cast<int>(P)));
        trie_aes /= static_cast<double>(N);
        const double point_aes = static_cast<double>(dcf_multipoint_point_aes(n, W, P));
        const std::string sn = "n=50 L=" + std::to_string(W) + " P=" + std::to_string(P);
        const auto note = [&](double t, AesVariant v) {
          return fmt(static_cast<double>(N * P) / t) + " points/s; as P walks " +
                 fmt(N * point_aes / t) + " AES/s = " + pct(N * point_aes / t / aes_rate[vidx(v)]) +
                 " of AES bound";
        };
        for (const MultipointWalk walk :
             {MultipointWalk::kThreadPerPoint, MultipointWalk::kThreadPerKey})
          for (const AesVariant v : variants) {
            KernelConfig cfg;
            cfg.aes = v;
            const double t = bench.time(s, [&] {
              dcf_eval_multipoint_device(keys.view(0), P, dp.data(), out.data(), s, cfg, walk);
            });
            add("multipoint DCF GELU points " + sn + " N=2^20 [" + to_string(walk) + ", " +
                    to_string(v) + "]",
                N, walk == MultipointWalk::kThreadPerKey ? trie_aes : point_aes, t, v, 0,
                note(t, v));
          }
        const SharedMaskGateDevice gd = upload(fusefss::shared_mask_gate_tables(gelu), s);
        for (const MultipointWalk walk :
             {MultipointWalk::kThreadPerKey, MultipointWalk::kThreadPerPoint})
          for (const AesVariant v : variants) {
            KernelConfig cfg;
            cfg.aes = v;
            const double t = bench.time(s, [&] {
              shared_mask_eval_device(keys.view(0), gd.view(), dxh.data(), dvsh.data(), drv.data(),
                                      dv.data(), drest.data(), s, cfg, walk);
            });
            add(std::string("shared-mask GELU local part ") + sn + " N=2^20 [" +
                    (walk == MultipointWalk::kThreadPerKey ? "fused trie kernel"
                                                           : "3 kernels, thread per point") +
                    ", " + to_string(v) + "]",
                N, walk == MultipointWalk::kThreadPerKey ? trie_aes : point_aes, t, v, 0,
                note(t, v));
          }
        const double tc = bench.time(s, [&] {
          shared_mask_combine_device(gd.view(), dxh.data(), out.data(), dvsh.data(), drv.data(), N,
                                     dv.data(), drest.data(), s);
        });
        const double moved = 8.0 * N * (P * W + W + 4);
        add("shared-mask GELU combine + Horner alone " + sn + " N=2^20", N, 0, tc,
            kDefaultAesVariant, moved / copy_bw, fmt(moved / tc) + "B/s");
      }
      // Points without a shared structure (uniform): the trie's worst case.
      {
        const int n = 64, L = 1;
        const std::size_t P = 8;
        const std::vector<u64> alpha = random_u64(g, N, n), beta = random_u64(g, N * L, 64),
                               pts = random_u64(g, N * P, n);
        DcfKeyPairDevice keys(DcfShape{n, 64, L}, N);
        {
          DeviceBuffer<u64> da = to_dev(alpha, s), db = to_dev(beta, s);
          dcf_gen_device(da.data(), db.data(), static_cast<std::size_t>(L), Block{13, 14}, 0, keys,
                         s);
          st.sync();
        }
        DeviceBuffer<u64> dp = to_dev(pts, s), out(N * P * L);
        double trie_aes = 0;
        for (std::size_t k = 0; k < N; ++k)
          trie_aes += static_cast<double>(
              dcf_multipoint_trie_aes(n, L, pts.data() + k * P, static_cast<int>(P)));
        trie_aes /= static_cast<double>(N);
        const double point_aes = static_cast<double>(dcf_multipoint_point_aes(n, L, P));
        for (const MultipointWalk walk :
             {MultipointWalk::kThreadPerPoint, MultipointWalk::kThreadPerKey}) {
          const double t = bench.time(s, [&] {
            dcf_eval_multipoint_device(keys.view(0), P, dp.data(), out.data(), s, {}, walk);
          });
          add("multipoint DCF uniform points n=64 L=1 P=8 N=2^20 [" + std::string(to_string(walk)) +
                  ", default AES]",
              N, walk == MultipointWalk::kThreadPerKey ? trie_aes : point_aes, t,
              kDefaultAesVariant, 0,
              fmt(static_cast<double>(N * P) / t) + " points/s; as P walks " +
                  pct(N * point_aes / t / aes_bound) + " of AES bound");
        }
      }

      // ---- full domain and LUT (bytes-and-AES bound)
      {
        const int n = 16;
        const std::size_t keys_n = 256, domain = std::size_t{1} << n;
        const std::vector<u64> alpha = random_u64(g, keys_n, n), beta = random_u64(g, keys_n, 64);
        DeviceBuffer<u64> da = to_dev(alpha, s), db = to_dev(beta, s), out(keys_n * domain);
        DpfKeyPairDevice keys(DpfShape{n, 64}, keys_n);
        dpf_gen_device(da.data(), db.data(), Block{7, 8}, 0, keys, s);
        const double aes = static_cast<double>(dpf_full_domain_aes(n));
        const double bytes = 8.0 * domain + 16 + 17.0 * n + 8;
        const double bound = keys_n * std::max(aes / aes_bound, bytes / copy_bw);
        for (const int lanes : {-1, 4, 6, 8, 10, 12}) {  // 256 keys: a thread per key would idle it
          KernelConfig cfg;
          cfg.lanes_log2 = lanes;
          const int used = lanes < 0 ? auto_lanes_log2(n, keys_n, false) : lanes;
          const double t = bench.time(
              s, [&] { dpf_eval_full_domain_device(keys.view(0), 0, keys_n, out.data(), s, cfg); });
          add("DPF full domain n=16, 256 keys, lanes 2^" + std::to_string(used) +
                  (lanes < 0 ? " (auto)" : ""),
              keys_n, aes, t, kDefaultAesVariant, bound,
              "bound " + fmt(keys_n / bound) + " keys/s");
        }
      }
      for (const auto& [n, log2count] : {std::pair{8, 20}, std::pair{12, 16}, std::pair{16, 12}}) {
        const std::size_t count = std::size_t{1} << log2count, domain = std::size_t{1} << n;
        const std::vector<u64> alpha = random_u64(g, count, n), xh = random_u64(g, count, n),
                               table = random_u64(g, domain, 64);
        const std::vector<u64> ones(count, 1);
        DeviceBuffer<u64> da = to_dev(alpha, s), db = to_dev(ones, s), dx = to_dev(xh, s),
                          dt = to_dev(table, s), out(count);
        DpfKeyPairDevice keys(DpfShape{n, 64}, count);
        dpf_gen_device(da.data(), db.data(), Block{9, 10}, 0, keys, s);
        const double aes = static_cast<double>(dpf_full_domain_aes(n));
        const double bytes = 16 + 17.0 * n + 8 + 8 + 8;  // key, xhat, out (table: L2-resident)
        const double bound =
            count * std::max(aes / aes_bound, bytes / copy_bw) + 8.0 * domain / copy_bw;
        const std::vector<int> lane_set = n == 8    ? std::vector<int>{-1, 0, 2, 5}
                                          : n == 12 ? std::vector<int>{-1, 0, 5, 8}
                                                    : std::vector<int>{-1, 5, 8, 10};
        for (const int lanes : lane_set) {
          KernelConfig cfg;
          cfg.lanes_log2 = lanes;
          const int used = lanes < 0 ? auto_lanes_log2(n, count, true) : lanes;
          const double t = bench.time(s, [&] {
            dpf_lut_eval_device(keys.view(0), dx.data(), dt.data(), out.data(), s, cfg);
          });
          add("DPF LUT 2^" + std::to_string(n) + " table, N=2^" + std::to_string(log2count) +
                  ", lanes 2^" + std::to_string(used) + (lanes < 0 ? " (auto)" : ""),
              count, aes, t, kDefaultAesVariant, bound, "bound " + fmt(count / bound) + " elem/s");
        }
      }

      // ---- ring matrix product (ring_matmul_bench.h): elements/s = 64-bit multiply-adds/s
      for (const tools::RingMatmulBenchRow& r : tools::ring_matmul_bench(s, quick ? 3 : 7))
        rows.push_back({r.name, r.macs_per_s, 0, 0, 0, 0, r.note});
    }  // !lut_only && !keygen_only

    if (!keygen_only) {
      // ---- SIGMA's LUT over early-terminated 1-bit DPF keys (dpf_et_cuda.h) at the gates' shapes:
      // the sigma suite's 10-bit SiLU table, the fused GELU's 11-bit and the fused SiLU's 13-bit
      // index (2 XOR bits, the out-of-range half of the table one value, entries of 11 bits), from
      // table reads and from bit planes (fss/lut_planes.h) at 1 and 2 blocks an SM.
      // The fused gates' own tables (T' - T[C], fusefss/trunc_act.h) also with the leaves that
      // read zero left out (kLutSkipZeros, fss/lut_support.h): "skip" rows, the keys walked in the
      // order of their index (the default) or in their own ("keys unsorted").
      // The fused tables with the carry opened additively (2 XOR bits: k = 11 / 13) and as a flag
      // (3 XOR bits: k = 12 / 14, --fusefss-act fused-flag), on SIGMA's 128-bit leaves
      // (--fusefss-act fused-leaf128), and the fused gates' default: 512-bit leaves (leaf 2).
      for (const auto& [k, xor_bits, leaf_log2] :
           {std::tuple{10, 0, 0}, std::tuple{11, 2, 0}, std::tuple{13, 2, 0}, std::tuple{12, 3, 0},
            std::tuple{14, 3, 0}, std::tuple{11, 2, 2}, std::tuple{13, 2, 2}}) {
        const std::size_t count = N, domain = std::size_t{1} << k;
        const u64 xor_mask = ((u64{1} << k) - 1) & ~((u64{1} << (k - xor_bits)) - 1);
        std::vector<u64> alpha = random_u64(g, count, k), xh = random_u64(g, count, k),
                         table = random_u64(g, domain, 11);
        if (xor_bits > 0)
          table = (k - xor_bits == 9 ? fusefss::trunc_gelu_lookup(50, 12, xor_bits == 3)
                                     : fusefss::trunc_silu_lookup(50, 12, xor_bits == 3))
                      .table;
        const LutSupport support = make_lut_support(table, k, 50, xor_mask);
        SeededPrg rng(Block{11, 12});
        const auto keys = dpf_et_gen(k, alpha, rng, {}, leaf_log2).first;
        DeviceBuffer<Block> root = to_dev(keys.root, s), cw_seed = to_dev(keys.cw_seed, s),
                            leaf = to_dev(keys.leaf_cw, s);
        DeviceBuffer<std::uint8_t> cw_t = to_dev(keys.cw_t, s);
        DeviceBuffer<u64> dx = to_dev(xh, s), dt = to_dev(table, s), out(2 * count);
        const auto planes = make_lut_planes(table, k, 50, xor_mask);
        DeviceBuffer<u64> dw = to_dev(planes->words, s);
        LutPlanesView pv = planes->view();
        pv.data = dw.data();
        DpfEtKeysView v{k, leaf_log2, 0, count};
        v.root = root.data();
        v.cw_seed = cw_seed.data();
        v.cw_t = cw_t.data();
        v.leaf_cw = leaf.data();
        // A whole walk: 2 AES an inner node, 2^(w+1) a last-level node: 2^L - 2 + 2^(L+w).
        const int levels = dpf_et_levels(k, leaf_log2);
        const double aes = static_cast<double>((std::size_t{1} << levels) - 2 +
                                               (std::size_t{1} << (levels + leaf_log2)));
        const std::string shape =
            "DPF-ET LUT k=" + std::to_string(k) + " xor bits=" + std::to_string(xor_bits) +
            (leaf_log2 > 0 ? " leaf " + std::to_string(128 << leaf_log2) : "") + " N=2^20";
        // Table reads; the planes at 1 and 2 blocks an SM, a thread per key or 2 / 8 / 32 lanes a
        // key; the fused tables again leaving out the leaves that read zero.
        // Skipping walks the keys sorted by their public index (KernelConfig::lut_sort_by_index)
        // unless `sort` is false.
        struct Variant {
          int mode, lanes;
          bool skip, sort = true, reg = true;  // reg: KernelConfig::lut_register_walk
        };
        for (const Variant& var :
             {Variant{0, 0, false}, Variant{1, 0, false}, Variant{2, 0, false},
              Variant{1, 3, false}, Variant{1, 5, false}, Variant{2, 5, false}, Variant{0, 0, true},
              Variant{1, 0, true}, Variant{2, 0, true}, Variant{1, 1, true}, Variant{2, 1, true},
              Variant{1, 3, true}, Variant{2, 3, true}, Variant{0, 0, true, false},
              Variant{1, 0, true, false}, Variant{1, 0, true, true, false}}) {
          if (var.skip && xor_bits == 0) continue;
          // The flag tables (fused-flag) and the wide leaves at the default kernel only (and the
          // wide leaves at 2 lanes a key), to compare with the 128-bit leaves' rows.
          const bool default_kernel = var.mode == 1 && var.lanes == 0 && var.skip && var.sort;
          // The generic walk (its stack in local memory) beside the default kernel, the fused
          // gates' tables alone.
          if (!var.reg && !(default_kernel && xor_bits == 2)) continue;
          if (xor_bits == 3 && !default_kernel) continue;
          if (leaf_log2 > 0 && !default_kernel && !(var.mode == 1 && var.lanes == 1 && var.skip))
            continue;
          KernelConfig cfg;
          cfg.lut_blocks_per_sm = var.mode == 2 ? 2 : 1;
          cfg.lut_lanes_log2 = var.lanes;
          cfg.lut_sort_by_index = var.sort;
          cfg.lut_register_walk = var.reg;
          const double t = bench.time(s, [&] {
            dpf_et_lut_eval_device(v, dx.data(), dt.data(), 50, out.data(), out.data() + count, s,
                                   cfg, xor_mask, var.mode == 0 ? nullptr : &pv,
                                   var.skip ? &support : nullptr);
          });
          add(shape + (var.skip ? (var.sort ? " skip" : " skip, keys unsorted") : "") +
                  (var.reg ? "" : ", generic walk") +
                  (var.mode == 0
                       ? " [table reads]"
                       : " [bit planes, " + std::to_string(cfg.lut_blocks_per_sm) +
                             " block(s)/SM, 2^" + std::to_string(var.lanes) + " lanes/key]"),
              count, aes, t, kDefaultAesVariant, 0,
              var.mode == 0 ? "" : std::to_string(planes->words.size() * 8) + " B of planes");
        }
      }

      // ---- the fused gates' range test (fusefss/trunc_act.h): ONE SIGMA DCF on 37 bits at x and
      // x -+ c_hi (SiLU's c_hi = 1023 * 2^6), a thread a point (SIGMA's walk) or a thread a key
      // whose three points share the levels where their paths agree (share_prefixes). Elements are
      // keys; the AES column counts three whole walks.
      {
        const int n = 37;
        const u64 nm = (u64{1} << n) - 1, c_hi = u64{1023} << 6;
        const std::vector<u64> alpha = random_u64(g, N, n), base = random_u64(g, N, n);
        std::vector<u64> x(3 * N);
        for (std::size_t k = 0; k < N; ++k) {
          x[3 * k] = base[k];
          x[3 * k + 1] = (base[k] - c_hi) & nm;
          x[3 * k + 2] = (base[k] + c_hi) & nm;
        }
        DeviceBuffer<u64> da = to_dev(alpha, s), dx = to_dev(x, s);
        DeviceBuffer<std::uint8_t> out(3 * N);
        SigmaDcfKeyPairDevice keys(n, N);
        sigma_dcf_gen_device(da.data(), Block{17, 18}, 0, keys, s);
        // A walk a point and one walk a key.
        for (const bool shared : {false, true}) {
          SigmaDcfKeysView v = keys.view(1);
          v.share_prefixes = shared;
          const KernelConfig cfg;
          add(std::string("SIGMA DCF n=37 at x, x -+ c_hi N=2^20 keys [") +
                  (shared ? "one walk a key" : "a walk a point") + "]",
              static_cast<double>(N), 3.0 * static_cast<double>(sigma_dcf_eval_aes(n)),
              bench.time(s, [&] { sigma_dcf_eval_device(v, 3, dx.data(), out.data(), s, cfg); }),
              kDefaultAesVariant, 0, "");
        }
      }
    }  // !keygen_only

    // ---- the table
    std::string md = "GPU: " + std::string(prop.name) + ", " +
                     std::to_string(prop.multiProcessorCount) + " SMs. Pure AES (best of unroll " +
                     "1/2/4, block 256/512): ";
    for (int vi = 0; vi < 3; ++vi)
      md += std::string(vi ? ", " : "") + to_string(variants[vi]) + " " + fmt(aes_rate[vi]) +
            " blocks/s";
    md += "; default " + std::string(to_string(kDefaultAesVariant)) + ". Copy " + fmt(copy_bw) +
          "B/s (read + write).\n\n";
    md +=
        "| kernel | elements/s | AES/elem | AES blocks/s | of AES bound | time / bytes-and-AES "
        "bound | note |\n|---|---|---|---|---|---|---|\n";
    for (const Row& r : rows) {
      char aes_pe[32];
      std::snprintf(aes_pe, sizeof aes_pe, "%.0f", r.aes_per_elem);
      md += "| " + r.name + " | " + fmt(r.elems_per_s) + " | " +
            (r.aes_per_elem > 0 ? std::string(aes_pe) : "-") + " | " + fmt(r.aes_per_s) + " | " +
            pct(r.aes_ratio) + " | " + times(r.bound_ratio) + " | " + r.note + " |\n";
    }
    std::printf("\n%s", md.c_str());
    if (!md_path.empty()) {
      FILE* f = std::fopen(md_path.c_str(), "w");
      if (f != nullptr) {
        std::fputs(md.c_str(), f);
        std::fclose(f);
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gpu_bench failed: %s\n", e.what());
    return 1;
  }
  return 0;
}
