// gpu_check's groups (gpu_check.h): the CPU FSS core (fss/*.cpp) and the CUDA backend (fss/cuda)
// on the same seeds and inputs, every primitive, at N = 2^20 elements by default (LUTs over larger
// domains: fewer elements, said in the check's name) and bit widths n in {16, 37, 50, 64}, m in
// {1, 37, 50, 64}. Outputs and keys must be identical; shares must also reconstruct f(x). Also the
// fused gates' multipoint DCF (fusefss::dcf_eval_multipoint) and the shared-mask gate's
// party-local part on real dealer keys (suf_keygen), against the CPU path of suf_eval. Run by the
// gpu_check program (gpu_check_main.cpp) and the Catch2 cases tagged [cuda]
// (tests/fss/cuda/gpu_equivalence_test.cpp).
#include "fss/cuda/tools/gpu_check.h"

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "fss/compile/functions.h"
#include "fss/compile/instance.h"
#include "fss/compile/suf.h"
#include "fss/cuda/cuda_check.h"
#include "fss/cuda/dcf_cuda.h"
#include "fss/cuda/device_buffer.h"
#include "fss/cuda/dpf_cuda.h"
#include "fss/cuda/dpf_et_cuda.h"
#include "fss/cuda/multipoint_dcf_cuda.h"
#include "fss/cuda/pack_cuda.h"
#include "fss/cuda/prg_cuda.h"
#include "fss/cuda/shared_mask_cuda.h"
#include "fss/cuda/tools/check_util.h"
#include "fss/cuda/tools/dealer_check.h"
#include "fss/cuda/tools/fused_act_check.h"
#include "fss/cuda/tools/masked_matmul_check.h"
#include "fss/cuda/tools/ring_matmul_check.h"
#include "fss/cuda/tools/sigma_dcf_check.h"
#include "fss/cuda/tools/vec_check.h"
#include "fss/dcf.h"
#include "fss/dpf.h"
#include "fss/engine/dealer.h"
#include "fss/engine/key_codec.h"
#include "fss/engine/key_stream.h"
#include "fss/gates/fusefss/lookup_combine.h"
#include "fss/gates/fusefss/multipoint_dcf.h"
#include "fss/gates/fusefss/suf_gate.h"
#include "fss/parallel.h"
#include "fss/prg.h"
#include "fss/ring.h"

using namespace secinfer::fss;
using namespace secinfer::fss::cuda;
using namespace secinfer::fss::cuda::tools;

namespace {

constexpr AesVariant kVariants[] = {AesVariant::kReplicatedTe0, AesVariant::kReplicatedTe4,
                                    AesVariant::kPlainTe4};

std::string shape_name(int n, int m) {
  return "n=" + std::to_string(n) + " m=" + std::to_string(m);
}

std::vector<Block> random_blocks(std::mt19937_64& g, std::size_t n) {
  std::vector<Block> v(n);
  for (auto& b : v) b = random_block(g);
  return v;
}

// ---------------------------------------------------------------- AES, PRG, packing

void check_aes(Tally& t, std::mt19937_64& g, std::size_t N) {
  // FIPS-197 Appendix C.1 on every table layout.
  const Block key{0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};
  const Block pt{0x7766554433221100ull, 0xffeeddccbbaa9988ull};
  const Block ct{0x30047b6ad8e0c469ull, 0x5ac5b47080b7cdd8ull};
  const Block rkey = random_block(g);
  const std::vector<Block> in = random_blocks(g, N);
  std::vector<Block> want(N);
  Aes128(rkey).encrypt_blocks(in, want);
  for (const AesVariant v : kVariants) {
    KernelConfig cfg;
    cfg.aes = v;
    t.run(std::string("AES-128 FIPS-197 C.1 [") + to_string(v) + "]", [&] {
      std::vector<Block> out(1);
      aes_encrypt_cuda(key, std::vector<Block>{pt}, out, cfg);
      return out[0] == ct ? std::string() : "got " + hex(out[0]);
    });
    t.run("AES-128 random key, N=" + std::to_string(N) + " [" + to_string(v) + "]", [&] {
      std::vector<Block> out(N);
      aes_encrypt_cuda(rkey, in, out, cfg);
      return diff(want, out);
    });
  }
  t.run("AES-128 a key per block, on-the-fly schedule, N=" + std::to_string(N), [&] {
    const std::vector<Block> keys = random_blocks(g, N);
    std::vector<Block> cpu(N), out(N);
    parallel_for(N, 4096, 0, [&](std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) cpu[i] = Aes128(keys[i]).encrypt(in[i]);
    });
    aes_encrypt_multikey_cuda(keys, in, out);
    return diff(cpu, out);
  });
}

void check_prg(Tally& t, std::mt19937_64& g, std::size_t N) {
  const std::vector<Block> in = random_blocks(g, N);
  const FixedKeyPrg& prg = fixed_key_prg();
  for (int j = 0; j < kPrgFixedKeys; ++j)
    t.run("G_" + std::to_string(j) + " N=" + std::to_string(N), [&] {
      std::vector<Block> want(N), out(N);
      prg.g_blocks(j, in, want);
      prg_g_cuda(j, in, out);
      return diff(want, out);
    });
  for (const u64 first : {u64{0}, u64{1} + g() % 100000}) {
    t.run(
        "SeededPrg counter mode, first block " + std::to_string(first) + ", N=" + std::to_string(N),
        [&] {
          const Block seed = random_block(g);
          SeededPrg rng(seed);
          std::vector<Block> skip(first), want(N), out(N);
          rng.next_blocks(skip);
          rng.next_blocks(want);
          seeded_prg_cuda(seed, first, out);
          return diff(want, out);
        });
  }
  for (const int m : {1, 37, 50, 64})
    for (const int L : {1, 2, 3, 5}) {
      const std::size_t n = N / 4;
      t.run("ConvertVec m=" + std::to_string(m) + " L=" + std::to_string(L) +
                " N=" + std::to_string(n),
            [&] {
              const std::vector<Block> blk(in.begin(), in.begin() + n);
              const u64 mask = mask_of(m);
              std::vector<u64> want(n * L), out(n * L);
              std::vector<Block> c(n);
              for (std::size_t i = 0; i < n; ++i) want[i * L] = blk[i].hi & mask;
              for (int k = 1; 2 * k - 1 < L; ++k) {
                for (std::size_t i = 0; i < n; ++i)
                  c[i] = blk[i] ^ Block { static_cast<u64>(k), 0 };
                prg.g_blocks(4, c, c);
                for (std::size_t i = 0; i < n; ++i) {
                  want[i * L + 2 * k - 1] = c[i].lo & mask;
                  if (2 * k < L) want[i * L + 2 * k] = c[i].hi & mask;
                }
              }
              convert_vec_cuda(blk, m, L, out);
              return diff(want, out);
            });
    }
}

void check_pack(Tally& t, std::mt19937_64& g, std::size_t N) {
  for (const int bits : {1, 7, 16, 37, 50, 63, 64})
    for (const std::size_t count : {std::size_t{1}, std::size_t{5}, N + 3}) {
      t.run("pack/unpack bits=" + std::to_string(bits) + " count=" + std::to_string(count), [&] {
        std::vector<u64> v(count), masked(count);
        for (std::size_t i = 0; i < count; ++i) {
          v[i] = g();  // unreduced: both sides reduce mod 2^bits
          masked[i] = v[i] & mask_of(bits);
        }
        const std::size_t nb = packed_bytes(count, bits);
        std::vector<std::uint8_t> want(nb), got(nb);
        pack_bits(v, bits, want);
        pack_bits_cuda(v, bits, got);
        std::vector<u64> cpu_un(count), gpu_un(count);
        unpack_bits(want, bits, cpu_un);
        unpack_bits_cuda(want, bits, gpu_un);
        return join({{"pack", diff(want, got)},
                     {"unpack", diff(cpu_un, gpu_un)},
                     {"round trip", diff(masked, gpu_un)}});
      });
    }
}

// ---------------------------------------------------------------- DPF

void check_dpf(Tally& t, std::mt19937_64& g, std::size_t N, int n, int m) {
  const DpfShape shape{n, m};
  const std::string sn = shape_name(n, m) + " N=" + std::to_string(N);
  const u64 in_mask = mask_of(n), out_mask = mask_of(m);
  std::vector<u64> alpha(N), beta(N), x(N);
  for (std::size_t k = 0; k < N; ++k) {
    alpha[k] = random_bits(g, n);
    beta[k] = random_bits(g, m);
    switch (k % 8) {
      case 0:
      case 1:
        x[k] = alpha[k];
        break;
      case 2:
        x[k] = (alpha[k] + 1) & in_mask;
        break;
      case 3:
        x[k] = (alpha[k] - 1) & in_mask;
        break;
      default:
        x[k] = random_bits(g, n);
    }
  }
  const Block seed = random_block(g);
  SeededPrg rng(seed);
  const auto [c0, c1] = dpf_gen(shape, alpha, beta, rng);
  t.run("DPF keygen " + sn, [&] {
    const auto [k0, k1] = dpf_gen_cuda(shape, alpha, beta, seed);
    return join({{"party 0", compare_keys(c0, k0)}, {"party 1", compare_keys(c1, k1)}});
  });
  std::vector<u64> y0(N), y1(N);
  dpf_eval(c0, x, y0);
  dpf_eval(c1, x, y1);
  // Keys and inputs go up once; every table layout evaluates them.
  Stream s;
  const DpfKeysDevice d0 = upload(c0, s.get()), d1 = upload(c1, s.get());
  DeviceBuffer<u64> dx(N), dout(N);
  dx.upload(std::span<const u64>(x), s.get());
  const auto eval = [&](const DpfKeysDevice& d, const KernelConfig& cfg) {
    std::vector<u64> o(N);
    CUDA_CHECK(cudaMemsetAsync(dout.data(), 0xa5, dout.bytes(), s.get()));  // poison
    dpf_eval_device(d.view(), dx.data(), dout.data(), s.get(), cfg);
    dout.download(o, s.get());
    s.sync();
    return o;
  };
  t.run("DPF eval host API (dpf_eval_cuda) " + sn, [&] {
    std::vector<u64> o0(N);
    dpf_eval_cuda(c0, x, o0);
    return diff(y0, o0);
  });
  std::vector<std::pair<std::string, KernelConfig>> cfgs;
  for (const AesVariant v : kVariants) {
    KernelConfig c;
    c.aes = v;
    c.dpf_keys_per_thread = 1;
    cfgs.emplace_back(std::string(to_string(v)) + ", 1 key per thread", c);
  }
  KernelConfig two;
  two.dpf_keys_per_thread = 2;
  cfgs.emplace_back("2 keys per thread", two);
  KernelConfig small;
  small.threads_per_block = 128;
  cfgs.emplace_back("2 keys per thread, block 128", small);
  for (const auto& [how, cfg] : cfgs) {
    t.run("DPF eval " + sn + " [" + how + "]", [&] {
      const std::vector<u64> o0 = eval(d0, cfg), o1 = eval(d1, cfg);
      std::string rec;
      for (std::size_t k = 0; k < N && rec.empty(); ++k)
        if (((o0[k] + o1[k]) & out_mask) != (x[k] == alpha[k] ? beta[k] : 0))
          rec = "key " + std::to_string(k) + " does not reconstruct f(x)";
      return join({{"party 0", diff(y0, o0)}, {"party 1", diff(y1, o1)}, {"reconstruct", rec}});
    });
  }
}

void check_dpf_full_domain(Tally& t, std::mt19937_64& g, int n, int m, std::size_t count) {
  const DpfShape shape{n, m};
  const std::size_t domain = std::size_t{1} << n;
  std::vector<u64> alpha(count), beta(count);
  for (std::size_t k = 0; k < count; ++k) {
    alpha[k] = random_bits(g, n);
    beta[k] = random_bits(g, m);
  }
  SeededPrg rng(random_block(g));
  const auto [c0, c1] = dpf_gen(shape, alpha, beta, rng);
  for (const DpfKeys* keys : {&c0, &c1}) {
    std::vector<u64> want(count * domain);
    for (std::size_t k = 0; k < count; ++k)
      dpf_eval_full_domain(*keys, k, std::span<u64>(want).subspan(k * domain, domain));
    for (const int lanes : {-1, 0, 4}) {
      if (lanes == 0 && count * domain > (std::size_t{1} << 20))
        continue;  // a thread per key: slow
      t.run("DPF full domain " + shape_name(n, m) + " keys=" + std::to_string(count) + " party " +
                std::to_string(keys->party) + " lanes_log2=" + std::to_string(lanes),
            [&] {
              KernelConfig cfg;
              cfg.lanes_log2 = lanes;
              Stream s;
              const DpfKeysDevice d = upload(*keys, s.get());
              DeviceBuffer<u64> out(count * domain);
              CUDA_CHECK(cudaMemsetAsync(out.data(), 0xa5, out.bytes(), s.get()));  // poison
              dpf_eval_full_domain_device(d.view(), 0, count, out.data(), s.get(), cfg);
              std::vector<u64> got(count * domain);
              out.download(got, s.get());
              s.sync();
              return diff(want, got);
            });
    }
    t.run("DPF full domain single-key API " + shape_name(n, m) + " party " +
              std::to_string(keys->party),
          [&] {
            std::vector<u64> got(domain);
            const std::size_t k = count - 1;
            dpf_eval_full_domain_cuda(*keys, k, got);
            return diff(
                std::vector<u64>(want.begin() + k * domain, want.begin() + (k + 1) * domain), got);
          });
  }
}

void check_lut(Tally& t, std::mt19937_64& g, int n, int m, std::size_t count) {
  const DpfShape shape{n, m};
  const std::size_t domain = std::size_t{1} << n;
  const u64 in_mask = mask_of(n), out_mask = mask_of(m);
  std::vector<u64> alpha(count), beta(count, 1), xhat(count), table(domain);
  for (std::size_t k = 0; k < count; ++k) {
    alpha[k] = random_bits(g, n);
    xhat[k] = random_bits(g, n);
  }
  for (auto& e : table) e = g();  // entries are taken mod 2^m by both sides
  SeededPrg rng(random_block(g));
  const auto [c0, c1] = dpf_gen(shape, alpha, beta, rng);
  std::vector<u64> w0(count), w1(count);
  dpf_lut_eval(c0, xhat, table, w0);
  dpf_lut_eval(c1, xhat, table, w1);
  for (const int lanes : {-1, 0, 5, 8}) {
    if (lanes > n || (lanes == 0 && count < (std::size_t{1} << 16))) continue;
    t.run(
        "DPF LUT " + shape_name(n, m) + " N=" + std::to_string(count) +
            " lanes_log2=" + std::to_string(lanes),
        [&] {
          KernelConfig cfg;
          cfg.lanes_log2 = lanes;
          std::vector<u64> o0(count), o1(count);
          dpf_lut_eval_cuda(c0, xhat, table, o0, cfg);
          dpf_lut_eval_cuda(c1, xhat, table, o1, cfg);
          std::string rec;
          for (std::size_t k = 0; k < count && rec.empty(); ++k)
            if (((o0[k] + o1[k]) & out_mask) != (table[(xhat[k] - alpha[k]) & in_mask] & out_mask))
              rec = "element " + std::to_string(k) + " does not reconstruct T[x]";
          return join({{"party 0", diff(w0, o0)}, {"party 1", diff(w1, o1)}, {"reconstruct", rec}});
        });
  }
}

// SIGMA's LUT sums over early-terminated 1-bit DPF keys (fss/dpf_et.h): the GPU's sum and count
// equal the CPU's for both parties, and the pair gives +-T[xhat - alpha] with a count of +-1.
// spread > 0: entries in [-2^(spread-1), 2^(spread-1)) mod 2^m, which the bit planes take
// (fss/lut_planes.h): both GPU kernels, planes and table reads, against the CPU's.
// skip_zeros: the table is zero on every other segment and on a random arc of the rest, and both
// sides leave out the leaves that read zero (kLutSkipZeros, fss/lut_support.h); a key whose entry
// is zero may then have a count difference of 0. leaf_log2: leaves of 2^leaf_log2 blocks (the
// fused lookups' 512-bit leaves: 2).
void check_dpf_et(Tally& t, std::mt19937_64& g, int k, int m, std::size_t count, int xor_bits = 0,
                  int spread = 0, bool skip_zeros = false, int leaf_log2 = 0) {
  const u64 xor_mask = mask_of(k) & ~mask_of(k - xor_bits);
  const u64 eval_mask = xor_mask | (skip_zeros ? kLutSkipZeros : 0);
  const std::size_t domain = std::size_t{1} << k;
  const u64 in_mask = mask_of(k), out_mask = mask_of(m);
  std::vector<u64> alpha(count), xhat(count), table(domain);
  for (std::size_t i = 0; i < count; ++i) {
    alpha[i] = random_bits(g, k);
    xhat[i] = random_bits(g, k);
  }
  alpha[0] = 0;
  alpha[count - 1] = in_mask;
  for (auto& e : table)
    e = spread == 0 ? g() & out_mask
                    : (random_bits(g, spread) - (u64{1} << (spread - 1))) & out_mask;
  if (skip_zeros) {
    const std::size_t circle = domain >> xor_bits, start = g() % circle, len = g() % circle;
    for (std::size_t i = 0; i < domain; ++i)
      if ((i / circle) % 2 == 1 || ((i % circle) - start) % circle >= len) table[i] = 0;
  }
  SeededPrg rng(random_block(g));
  const auto [k0, k1] = dpf_et_gen(k, alpha, rng, {}, leaf_log2);
  std::vector<u64> s0(count), c0(count), s1(count), c1(count);
  dpf_et_lut_eval(k0, xhat, table, m, s0, c0, {}, eval_mask);
  dpf_et_lut_eval(k1, xhat, table, m, s1, c1, {}, eval_mask);
  // The planes kernel's launch variants (KernelConfig: blocks an SM, lanes a key), then the
  // table reads.
  struct Variant {
    bool planes;
    int blocks, lanes;
  };
  for (const Variant& var : {Variant{true, 1, 0}, Variant{true, 2, 0}, Variant{true, 1, 3},
                             Variant{true, 1, 5}, Variant{true, 2, 5}, Variant{false, 1, 0}}) {
    const bool planes = var.planes;
    if (spread == 0 && (!planes || var.blocks != 1 || var.lanes != 0))
      continue;  // random entries: no planes, the table reads ran once
    KernelConfig cfg;
    cfg.lut_blocks_per_sm = var.blocks;
    cfg.lut_lanes_log2 = var.lanes;
    t.run(
        "DPF-ET LUT k=" + std::to_string(k) + " m=" + std::to_string(m) +
            " N=" + std::to_string(count) + " xor bits=" + std::to_string(xor_bits) +
            (leaf_log2 > 0 ? " leaf " + std::to_string(128 << leaf_log2) : "") +
            (skip_zeros ? " skipping zeros" : "") +
            (spread == 0
                 ? std::string()
                 : " spread=" + std::to_string(spread) +
                       (planes ? " (bit planes, " + std::to_string(var.blocks) +
                                     " block(s)/SM, 2^" + std::to_string(var.lanes) + " lanes/key)"
                               : " (table reads)")),
        [&] {
          std::vector<u64> gs0(count), gc0(count), gs1(count), gc1(count);
          dpf_et_lut_eval_cuda(k0, xhat, table, m, gs0, gc0, cfg, eval_mask, planes);
          dpf_et_lut_eval_cuda(k1, xhat, table, m, gs1, gc1, cfg, eval_mask, planes);
          std::string rec;
          for (std::size_t i = 0; i < count && rec.empty(); ++i) {
            const u64 dc = (gc0[i] - gc1[i]) & out_mask;
            const u64 want = table[lut_index(xhat[i], alpha[i], in_mask, xor_mask)];
            const u64 signed_want = dc == 1 ? want : (u64{0} - want) & out_mask;
            const bool left_out = skip_zeros && want == 0 && dc == 0;
            if (left_out) {
              if (((gs0[i] - gs1[i]) & out_mask) != 0)
                rec = "element " + std::to_string(i) + " left out but its sums differ";
            } else if ((dc != 1 && dc != out_mask) || ((gs0[i] - gs1[i]) & out_mask) != signed_want)
              rec = "element " + std::to_string(i) + " does not reconstruct +-T[x]";
          }
          return join({{"party 0 sum", diff(s0, gs0)},
                       {"party 0 count", diff(c0, gc0)},
                       {"party 1 sum", diff(s1, gs1)},
                       {"party 1 count", diff(c1, gc1)},
                       {"reconstruct", rec}});
        });
  }
}

// ---------------------------------------------------------------- DCF

void check_dcf(Tally& t, std::mt19937_64& g, std::size_t N, int n, int m, int L) {
  const DcfShape shape{n, m, L};
  const std::string sn = shape_name(n, m) + " L=" + std::to_string(L) + " N=" + std::to_string(N);
  const u64 in_mask = mask_of(n), out_mask = mask_of(m);
  const auto Lz = static_cast<std::size_t>(L);
  std::vector<u64> alpha(N), beta(N * Lz), x(N);
  for (std::size_t k = 0; k < N; ++k) {
    alpha[k] = random_bits(g, n);
    switch (k % 8) {
      case 0:
        x[k] = alpha[k];
        break;
      case 1:
        x[k] = (alpha[k] - 1) & in_mask;
        break;
      case 2:
        x[k] = (alpha[k] + 1) & in_mask;
        break;
      default:
        x[k] = random_bits(g, n);
    }
  }
  for (auto& b : beta) b = random_bits(g, m);
  const Block seed = random_block(g);
  SeededPrg rng(seed);
  const auto [c0, c1] = dcf_gen(shape, alpha, beta, rng);
  for (const int blocks : {1, 2}) {
    KernelConfig cfg;
    cfg.gen_blocks_per_sm = blocks;
    t.run("DCF keygen " + sn + " (" + std::to_string(blocks) + " block(s)/SM)", [&] {
      const auto [k0, k1] = dcf_gen_cuda(shape, alpha, beta, seed, 0, cfg);
      return join({{"party 0", compare_keys(c0, k0)}, {"party 1", compare_keys(c1, k1)}});
    });
  }
  std::vector<u64> y0(N * Lz), y1(N * Lz);
  dcf_eval(c0, x, y0);
  dcf_eval(c1, x, y1);
  Stream s;
  const DcfKeysDevice d0 = upload(c0, s.get()), d1 = upload(c1, s.get());
  DeviceBuffer<u64> dx(N), dout(N * Lz);
  dx.upload(std::span<const u64>(x), s.get());
  const auto eval = [&](const DcfKeysDevice& d, const KernelConfig& cfg) {
    std::vector<u64> o(N * Lz);
    CUDA_CHECK(cudaMemsetAsync(dout.data(), 0xa5, dout.bytes(), s.get()));  // poison
    dcf_eval_device(d.view(), dx.data(), dout.data(), s.get(), cfg);
    dout.download(o, s.get());
    s.sync();
    return o;
  };
  t.run("DCF eval host API (dcf_eval_cuda) " + sn, [&] {
    std::vector<u64> o1(N * Lz);
    dcf_eval_cuda(c1, x, o1);
    return diff(y1, o1);
  });
  std::vector<KernelConfig> cfgs;
  for (const AesVariant v : kVariants) {
    KernelConfig c;
    c.aes = v;
    cfgs.push_back(c);
  }
  if (L <= 4) {
    KernelConfig c;
    c.dcf_lanes = 2;
    cfgs.push_back(c);
    KernelConfig two;
    two.dcf_keys_per_thread = 2;
    cfgs.push_back(two);
  }
  for (const KernelConfig& cfg : cfgs) {
    const std::string how = cfg.dcf_lanes == 2             ? std::string("lane pair per key")
                            : cfg.dcf_keys_per_thread == 2 ? std::string("2 keys per thread")
                                                           : std::string(to_string(*cfg.aes));
    t.run("DCF eval " + sn + " [" + how + "]", [&] {
      const std::vector<u64> o0 = eval(d0, cfg), o1 = eval(d1, cfg);
      std::string rec;
      for (std::size_t k = 0; k < N && rec.empty(); ++k)
        for (std::size_t j = 0; j < Lz; ++j)
          if (((o0[k * Lz + j] + o1[k * Lz + j]) & out_mask) !=
              (x[k] < alpha[k] ? beta[k * Lz + j] : 0)) {
            rec = "key " + std::to_string(k) + " element " + std::to_string(j) +
                  " does not reconstruct f(x)";
            break;
          }
      return join({{"party 0", diff(y0, o0)}, {"party 1", diff(y1, o1)}, {"reconstruct", rec}});
    });
  }
}

// ---------------------------------------------------------------- multipoint DCF, shared-mask gate

// The same DCF keys in one batch (the level-major arrays interleaved again).
DcfKeys concat_dcf(const std::vector<DcfKeys>& parts) {
  DcfKeys out;
  out.shape = parts.at(0).shape;
  out.party = parts[0].party;
  for (const DcfKeys& p : parts) out.count += p.count;
  const std::size_t n = static_cast<std::size_t>(out.shape.in_bits);
  const std::size_t L = static_cast<std::size_t>(out.shape.payload_len);
  out.root.reserve(out.count);
  out.cw_seed.resize(n * out.count);
  out.cw_v.resize(n * out.count * L);
  out.cw_final.reserve(out.count * L);
  std::size_t base = 0;
  for (const DcfKeys& p : parts) {
    out.root.insert(out.root.end(), p.root.begin(), p.root.end());
    out.cw_final.insert(out.cw_final.end(), p.cw_final.begin(), p.cw_final.end());
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t k = 0; k < p.count; ++k) {
        out.cw_seed[i * out.count + base + k] = p.cw_seed[i * p.count + k];
        for (std::size_t e = 0; e < L; ++e)
          out.cw_v[(i * out.count + base + k) * L + e] = p.cw_v[(i * p.count + k) * L + e];
      }
    base += p.count;
  }
  return out;
}

// Points per key: `offsets` given: the gate's x^ - p (x^ random, with edges: a point on alpha or
// next to it, x^ = 0 and 2^n - 1, points that wrap below 0); else P points in clusters around a
// base (as the gate's points are), duplicates, alpha +- 1, 0, 2^n - 1, the far half, random.
std::vector<u64> multipoint_points(std::mt19937_64& g, int n, const std::vector<u64>& alpha,
                                   const std::vector<u64>& offsets, std::size_t P) {
  const u64 nm = mask_of(n);
  const std::size_t N = alpha.size();
  std::vector<u64> pts(N * P);
  for (std::size_t k = 0; k < N; ++k) {
    u64* o = pts.data() + k * P;
    if (!offsets.empty()) {
      u64 xh = random_bits(g, n);
      const u64 off = offsets[g() % P];
      switch (k % 8) {
        case 0:
          xh = alpha[k] + off;  // the point x^ - off is alpha
          break;
        case 1:
          xh = alpha[k] + off + (g() % 2 ? 1 : nm);  // alpha +- 1
          break;
        case 2:
          xh = off + (g() % 2 ? 0 : nm);  // a point is 0 or 2^n - 1
          break;
        case 3:
          xh = g() % 64;  // points wrap below 0
          break;
        default:
          break;
      }
      for (std::size_t j = 0; j < P; ++j) o[j] = (xh - offsets[j]) & nm;
      continue;
    }
    const u64 base = random_bits(g, n);
    for (std::size_t j = 0; j < P; ++j) {
      switch (g() % 8) {
        case 0:
          o[j] = base;
          break;
        case 1:
          o[j] = (base + g() % 4096) & nm;
          break;
        case 2:
          o[j] = (base - g() % 4096) & nm;
          break;
        case 3:
          o[j] = (alpha[k] + g() % 3 + nm) & nm;  // alpha - 1, alpha, alpha + 1
          break;
        case 4:
          o[j] = (base + (u64{1} << (n - 1))) & nm;
          break;
        case 5:
          o[j] = g() % 2 ? 0 : nm;
          break;
        default:
          o[j] = random_bits(g, n);
      }
    }
  }
  return pts;
}

void check_multipoint(Tally& t, std::mt19937_64& g, std::size_t N, int n, int m, int L,
                      std::size_t P, const std::vector<u64>& offsets, const std::string& label) {
  const DcfShape shape{n, m, L};
  const auto Lz = static_cast<std::size_t>(L);
  const u64 out_mask = mask_of(m);
  const std::string sn = "multipoint DCF " + label + " " + shape_name(n, m) +
                         " L=" + std::to_string(L) + " P=" + std::to_string(P) +
                         " N=" + std::to_string(N);
  std::vector<u64> alpha(N), beta(N * Lz);
  for (auto& a : alpha) a = random_bits(g, n);
  for (auto& b : beta) b = random_bits(g, m);
  const std::vector<u64> pts = multipoint_points(g, n, alpha, offsets, P);
  SeededPrg rng(random_block(g));
  const auto [c0, c1] = dcf_gen(shape, alpha, beta, rng, BatchOptions{AesImpl::kAuto, 0});
  std::vector<u64> y0(N * P * Lz), y1(N * P * Lz);
  fusefss::dcf_eval_multipoint(c0, P, pts, y0, 0);
  fusefss::dcf_eval_multipoint(c1, P, pts, y1, 0);
  t.run(sn + " CPU shares reconstruct f", [&] {
    for (std::size_t k = 0; k < N; ++k)
      for (std::size_t j = 0; j < P; ++j)
        for (std::size_t e = 0; e < Lz; ++e) {
          const std::size_t i = (k * P + j) * Lz + e;
          if (((y0[i] + y1[i]) & out_mask) != (pts[k * P + j] < alpha[k] ? beta[k * Lz + e] : 0))
            return "key " + std::to_string(k) + " point " + std::to_string(j) + " element " +
                   std::to_string(e);
        }
    return std::string();
  });
  Stream s;
  const DcfKeysDevice d0 = upload(c0, s.get()), d1 = upload(c1, s.get());
  DeviceBuffer<u64> dp(pts.size()), dout(y0.size());
  dp.upload(std::span<const u64>(pts), s.get());
  const auto eval = [&](const DcfKeysDevice& d, const KernelConfig& cfg, MultipointWalk walk) {
    std::vector<u64> o(y0.size());
    CUDA_CHECK(cudaMemsetAsync(dout.data(), 0xa5, dout.bytes(), s.get()));  // poison
    dcf_eval_multipoint_device(d.view(), P, dp.data(), dout.data(), s.get(), cfg, walk);
    dout.download(o, s.get());
    s.sync();
    return o;
  };
  t.run(sn + " host API (dcf_eval_multipoint_cuda, auto)", [&] {
    std::vector<u64> o(y1.size());
    dcf_eval_multipoint_cuda(c1, P, pts, o);
    return diff(y1, o);
  });
  std::vector<std::pair<MultipointWalk, KernelConfig>> runs;
  runs.emplace_back(MultipointWalk::kThreadPerPoint, KernelConfig{});
  if (multipoint_trie_supported(L, P)) {
    for (const AesVariant v : kVariants) {
      KernelConfig c;
      c.aes = v;
      runs.emplace_back(MultipointWalk::kThreadPerKey, c);
    }
    KernelConfig small;
    small.threads_per_block = 128;
    runs.emplace_back(MultipointWalk::kThreadPerKey, small);
  }
  for (const auto& [walk, cfg] : runs) {
    const std::string how = std::string(to_string(walk)) + ", " +
                            (cfg.aes ? to_string(*cfg.aes) : "default AES") + ", block " +
                            std::to_string(cfg.threads_per_block);
    t.run(sn + " [" + how + "]", [&] {
      return join(
          {{"party 0", diff(y0, eval(d0, cfg, walk))}, {"party 1", diff(y1, eval(d1, cfg, walk))}});
    });
  }
}

// The real gate: keys from the CPU dealer (suf_keygen, shared-mask lookup), read back as
// suf_eval reads them; the CPU's party-local steps (multipoint DCF, shared_mask_combine,
// shared_mask_local) against the GPU's, bit for bit; the shares also reconstruct P(x) + r_v and
// the clear helper terms.
void check_shared_mask_gate(Tally& t, std::mt19937_64& g, std::size_t N, compile::FunctionId id) {
  const int n = 50, f = 12;
  const compile::SufGate gate = compile::compile_function({id, n, f, 128});
  const std::string sn = "shared-mask gate " + gate.name + " (" + compile::describe(gate) +
                         ", real dealer keys) N=" + std::to_string(N);
  if (!compile::supports_shared_mask(gate)) {
    t.run(sn, [] { return std::string("the gate has no shared-mask lookup"); });
    return;
  }
  const Ring rn = make_ring(n);
  const u64 nm = rn.mask();
  const cuda::SharedMaskGateTables tables = fusefss::shared_mask_gate_tables(gate);
  const std::vector<u64> offs = compile::shared_mask_offsets(gate);
  const std::size_t P = offs.size(), W = static_cast<std::size_t>(tables.W);
  // Inputs: every cut and predicate bound and their neighbours, 0, 2^n - 1, the half, random;
  // masks random, 0, 2^n - 1, -a_j (no interval wraps) and ones that make x + r wrap.
  std::vector<u64> x(N), r(N), xhat(N);
  std::vector<u64> edges = {0, nm, u64{1} << (n - 1), (u64{1} << (n - 1)) - 1};
  for (const u64 o : offs)
    for (const u64 dlt : {u64{0}, u64{1}, nm}) edges.push_back((o + dlt) & nm);
  for (std::size_t i = 0; i < N; ++i) {
    x[i] = i < 4 * edges.size() ? edges[i % edges.size()]
           : i % 4 == 0         ? random_bits(g, n)
                                : (g() % 65536 - 32768) & nm;  // near 0: the fitted intervals
    switch (i % 8) {
      case 0:
        r[i] = (u64{0} - gate.cuts[g() % gate.cuts.size()]) & nm;
        break;
      case 1:
        r[i] = (nm - x[i] + g() % 16) & nm;  // x + r wraps (or lands on 2^n - 1)
        break;
      case 2:
        r[i] = g() % 2 ? 0 : nm;
        break;
      default:
        r[i] = random_bits(g, n);
    }
    xhat[i] = (x[i] + r[i]) & nm;
  }
  // The dealer.
  auto buf0 = std::make_shared<engine::KeyBuffer>(), buf1 = std::make_shared<engine::KeyBuffer>();
  engine::KeyWriter w0 = engine::KeyWriter::memory(buf0), w1 = engine::KeyWriter::memory(buf1);
  engine::Dealer dealer(rn, f, random_block(g), w0, w1);
  std::vector<u64> r_out(N);
  const std::uint32_t tag = engine::key_tag("GCHK");
  fusefss::suf_keygen(dealer, gate, compile::Padding::kOn, tag, r, r_out,
                      compile::LookupMode::kSharedMask);
  struct PartyData {
    DcfKeys keys;
    std::vector<u64> vsh, rv, v, rest;
  };
  PartyData pd[2];
  const std::size_t chunk = fusefss::chunk_elements(gate, compile::LookupMode::kSharedMask);
  for (int b = 0; b < 2; ++b) {
    engine::KeyReader rd = engine::KeyReader::memory(b == 0 ? buf0 : buf1);
    rd.expect_record(tag, N);
    std::vector<DcfKeys> parts;
    PartyData& p = pd[b];
    p.vsh.resize(N * W);
    p.rv.resize(N);
    p.v.resize(N);
    p.rest.resize(N);
    for (std::size_t c0 = 0; c0 < N; c0 += chunk) {
      const std::size_t cn = std::min(N, c0 + chunk) - c0;
      parts.push_back(engine::read_dcf_keys(rd, {n, n, static_cast<int>(W)}, cn, b));
      rd.read_packed(std::span<u64>(p.vsh).subspan(c0 * W, cn * W), n);
      rd.read_packed(std::span<u64>(p.rv).subspan(c0, cn), n);
      // The CPU's party-local steps, as suf_eval runs them.
      std::vector<u64> pts(cn * P), prod(cn * P * W);
      for (std::size_t i = 0; i < cn; ++i)
        for (std::size_t k = 0; k < P; ++k) pts[i * P + k] = rn.sub(xhat[c0 + i], offs[k]);
      fusefss::dcf_eval_multipoint(parts.back(), P, pts, prod, 0);
      parallel_for(cn, 256, 0, [&](std::size_t lo, std::size_t hi) {
        for (std::size_t i = lo; i < hi; ++i) {
          const auto sh = compile::shared_mask_combine(
              gate, xhat[c0 + i], std::span<const u64>(prod).subspan(i * P * W, P * W),
              std::span<const u64>(p.vsh).subspan((c0 + i) * W, W), b == 0);
          const fusefss::SharedMaskLocal loc =
              fusefss::shared_mask_local(gate, sh, xhat[c0 + i], p.rv[c0 + i]);
          p.v[c0 + i] = loc.v;
          p.rest[c0 + i] = loc.rest;
        }
      });
    }
    p.keys = concat_dcf(parts);
  }
  t.run(sn + " CPU shares reconstruct P(x) + r_v and the helper terms", [&] {
    for (std::size_t i = 0; i < N; ++i) {
      const std::size_t j = compile::find_interval(gate, x[i]);
      const u64 rv = rn.add(pd[0].rv[i], pd[1].rv[i]);
      if (rn.sub(rn.add(pd[0].v[i], pd[1].v[i]), rv) != compile::eval_poly(gate, j, x[i]))
        return "element " + std::to_string(i) + " (x = " + std::to_string(x[i]) + "): v";
      u64 rest = gate.konst[j];
      for (const compile::HelperTerm& h : gate.helpers)
        rest = rn.add(rest, rn.mul(rn.add(h.alpha, rn.mul(h.beta, x[i])),
                                   rn.from_signed(compile::helper_bit(gate, h, x[i]))));
      if (rn.add(pd[0].rest[i], pd[1].rest[i]) != rest)
        return "element " + std::to_string(i) + " (x = " + std::to_string(x[i]) + "): rest";
    }
    return std::string();
  });
  std::vector<std::pair<MultipointWalk, KernelConfig>> runs;
  runs.emplace_back(MultipointWalk::kAuto, KernelConfig{});
  runs.emplace_back(MultipointWalk::kThreadPerPoint, KernelConfig{});
  if (multipoint_trie_supported(static_cast<int>(W), P))
    for (const AesVariant v : kVariants) {
      KernelConfig c;
      c.aes = v;
      runs.emplace_back(MultipointWalk::kThreadPerKey, c);
    }
  for (const auto& [walk, cfg] : runs) {
    const std::string how =
        std::string(walk == MultipointWalk::kThreadPerPoint ? "three kernels, thread per point"
                    : walk == MultipointWalk::kAuto         ? "auto"
                                                            : "fused, thread per key") +
        ", " + (cfg.aes ? to_string(*cfg.aes) : "default AES");
    t.run(sn + " GPU v, rest [" + how + "]", [&] {
      std::string err;
      for (int b = 0; b < 2; ++b) {
        std::vector<u64> v(N), rest(N);
        shared_mask_eval_cuda(pd[b].keys, tables, xhat, pd[b].vsh, pd[b].rv, v, rest, cfg, walk);
        const std::string e = join({{"v", diff(pd[b].v, v)}, {"rest", diff(pd[b].rest, rest)}});
        if (!e.empty())
          err += (err.empty() ? "" : "; ") + ("party " + std::to_string(b) + ": ") + e;
      }
      return err;
    });
  }
  t.run(sn + " GPU multipoint DCF alone == CPU (party 1)", [&] {
    std::vector<u64> pts(N * P), want(N * P * W), got(N * P * W);
    for (std::size_t i = 0; i < N; ++i)
      for (std::size_t k = 0; k < P; ++k) pts[i * P + k] = rn.sub(xhat[i], offs[k]);
    fusefss::dcf_eval_multipoint(pd[1].keys, P, pts, want, 0);
    dcf_eval_multipoint_cuda(pd[1].keys, P, pts, got);
    return diff(want, got);
  });
}

}  // namespace

namespace secinfer::fss::cuda::tools {

const std::vector<std::string>& gpu_check_groups() {
  static const std::vector<std::string> groups = {"core",        "dpf-et",        "multipoint",
                                                  "sigma-dcf",   "fused-act",     "vec",
                                                  "ring-matmul", "masked-matmul", "dealer"};
  return groups;
}

std::string gpu_check_device() {
  cudaDeviceProp prop{};
  CUDA_CHECK(cudaGetDeviceProperties(&prop, 0));
  return std::string(prop.name) + " (sm_" + std::to_string(prop.major) +
         std::to_string(prop.minor) + ", " + std::to_string(prop.multiProcessorCount) +
         " SMs), CPU AES " + (cpu_has_aesni() ? "AES-NI" : "portable");
}

std::uint64_t random_check_seed() {
  std::random_device rd;
  const std::uint64_t hi = rd();
  return (hi << 32) ^ rd();
}

void run_gpu_check_group(const std::string& group, Tally& t, std::mt19937_64& g, std::size_t N) {
  if (group == "core") {
    check_aes(t, g, N);
    check_prg(t, g, N);
    check_pack(t, g, N);
    const int dims[][2] = {{16, 1}, {37, 37}, {50, 50}, {64, 64}, {64, 1}, {16, 64}};
    for (const auto& d : dims) check_dpf(t, g, N, d[0], d[1]);
    check_dpf_full_domain(t, g, 8, 64, 64);
    check_dpf_full_domain(t, g, 16, 37, 8);
    check_dpf_full_domain(t, g, 20, 1, 2);
    // LUT: N = 2^20 elements over 2^8 tables; fewer over larger tables (the CPU reference costs
    // 2 (2^n - 1) AES per element): 2^16 elements at 2^12, 2^12 at 2^16.
    check_lut(t, g, 8, 64, N);
    check_lut(t, g, 8, 1, N / 16);
    check_lut(t, g, 12, 37, N / 16);
    check_lut(t, g, 16, 50, N / 256);
    for (const auto& d : dims)
      for (const int L : {1, 3}) check_dcf(t, g, N, d[0], d[1], L);
    check_dcf(t, g, N / 8, 37, 50, 2);
    check_dcf(t, g, N / 8, 64, 37, 5);  // L > 4: payload accumulated in memory
  } else if (group == "dpf-et") {
    // SIGMA's LUT at its table widths: GELU's and nExp's 8 bits (N), SiLU's 10, inverse's and
    // rsqrt's 13 (fewer elements), and the no-tree widths below 8.
    check_dpf_et(t, g, 8, 50, N);
    check_dpf_et(t, g, 10, 50, N / 4);
    check_dpf_et(t, g, 13, 50, N / 64);
    check_dpf_et(t, g, 6, 37, N / 16);
    check_dpf_et(t, g, 1, 64, 4096);
    check_dpf_et(t, g, 12, 50, N / 16, 3);  // the fused GELU's index (dpf_et_core.h lut_index)
    check_dpf_et(t, g, 14, 50, N / 64, 3);  // the fused SiLU's
    // Small-spread tables (the models' are): the bit planes, in shared memory and (20 bits at
    // k = 14: 42 KiB of planes) through the cache, and the table reads.
    check_dpf_et(t, g, 8, 50, N, 0, 13);
    check_dpf_et(t, g, 9, 37, N / 4, 3, 1);
    check_dpf_et(t, g, 7, 50, N / 16, 0, 13);  // no tree levels, no leaf corrections
    check_dpf_et(t, g, 12, 50, N / 16, 3, 11);
    check_dpf_et(t, g, 14, 50, N / 64, 3, 12);
    check_dpf_et(t, g, 14, 50, N / 64, 3, 20);
    check_dpf_et(t, g, 10, 64, N / 4, 0, 32);
    // Leaves that read zero left out (the fused gates' lookups): planes and table reads.
    check_dpf_et(t, g, 12, 50, N / 16, 3, 11, true);
    check_dpf_et(t, g, 14, 50, N / 64, 3, 12, true);
    // Wider leaves (the fused lookups' 512 bits, and 256): random tables, the bit planes, and
    // leaves that read zero left out at the fused gates' indices (11, 13; 12, 14 with the flag).
    check_dpf_et(t, g, 10, 50, N / 4, 0, 0, false, 1);
    check_dpf_et(t, g, 13, 50, N / 64, 0, 0, false, 2);
    check_dpf_et(t, g, 11, 50, N / 16, 2, 11, false, 2);
    check_dpf_et(t, g, 11, 50, N / 16, 2, 11, true, 2);
    check_dpf_et(t, g, 13, 50, N / 64, 2, 12, true, 2);
    check_dpf_et(t, g, 12, 50, N / 16, 3, 11, true, 2);
    check_dpf_et(t, g, 14, 50, N / 64, 3, 20, true, 2);
    check_dpf_et(t, g, 14, 50, N / 64, 3, 0, true);
    check_dpf_et(t, g, 9, 37, N / 4, 0, 5, true);
  } else if (group == "multipoint") {
    // Multipoint DCF: the GELU gate's shared-mask shape (n = m = 50, its payload W and its P
    // public offsets) at N keys; other shapes with clustered random points (trie limits: P = 32
    // is the largest trie walk, P = 33 and L = 6 walk per point).
    const compile::SufGate gelu = compile::compile_function({compile::FunctionId::kGelu, 50, 12});
    const std::vector<u64> offs = compile::shared_mask_offsets(gelu);
    check_multipoint(t, g, N, 50, 50, compile::shared_mask_payload(gelu), offs.size(), offs,
                     "GELU points");
    check_multipoint(t, g, N / 8, 64, 64, 3, 20, {}, "clustered");
    check_multipoint(t, g, N / 8, 16, 1, 1, 32, {}, "clustered");
    check_multipoint(t, g, N / 16, 37, 50, 2, 33, {}, "clustered");
    check_multipoint(t, g, N / 16, 50, 50, 6, 7, {}, "clustered");
    // The fused gates' party-local part on real dealer keys.
    check_shared_mask_gate(t, g, N, compile::FunctionId::kGelu);
    check_shared_mask_gate(t, g, N / 4, compile::FunctionId::kSilu);
  } else if (group == "sigma-dcf") {
    check_sigma_dcf(t, g, N);  // SIGMA's DCF, CPU against GPU keys and bits (sigma_dcf_check.h)
  } else if (group == "fused-act") {
    check_fused_act(t, g, std::min<std::size_t>(N, 1 << 14));
  } else if (group == "vec") {
    // The vector Space on the device against the host's, and the gates written over it
    // (vec_check.h).
    check_vec_ops(t, g, N);
    check_vec_gates(t, g, std::min<std::size_t>(N, 1 << 16));
  } else if (group == "ring-matmul") {
    // The ring matrix product, every implementation, against the CPU's (ring_matmul_check.h).
    check_ring_matmul(t, g);
  } else if (group == "masked-matmul") {
    // The linear layer's party-local product (masked_matmul_check.h).
    check_masked_matmul(t, g);
  } else if (group == "dealer") {
    // The inline dealer's DCF / DPF key generation on the GPU against the CPU's (dealer_check.h).
    check_dealer(t, g, N);
  } else {
    throw std::invalid_argument("gpu_check: no group \"" + group + "\"");
  }
}

}  // namespace secinfer::fss::cuda::tools
