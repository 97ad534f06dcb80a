// The CUDA backend's per-key code (fss/cuda/*_core.h: the exact functions its kernels run, one per
// thread) compiled for the host and checked against the CPU FSS core on fresh random inputs. No
// GPU needed: this guards the shared construction on every machine; scripts/gpu_check.sh runs the
// same comparison on the device.
#include <catch2/catch.hpp>
#include <random>
#include <utility>
#include <vector>

#include "fss/cuda/dcf_core.h"
#include "fss/cuda/dpf_core.h"
#include "fss/cuda/multipoint_core.h"
#include "fss/cuda/pack_core.h"
#include "fss/dcf.h"
#include "fss/dpf.h"
#include "fss/fss_test_util.h"
#include "fss/prg.h"

using namespace secinfer::fss;
using secinfer::fss::cuda::FixedPrg;
using secinfer::fss::cuda::HostTab;
using secinfer::fss::cuda::kFixedSchedules;
using secinfer::fss::test::block_from_hex;
using secinfer::fss::test::fresh_seed;
using secinfer::fss::test::random_block;

namespace {

FixedPrg<HostTab> host_prg() {
  return FixedPrg<HostTab>{HostTab{}, &kFixedSchedules.key[0].rk[0]};
}

// Random n-bit values with the edges 0, 2^n - 1 and (for x) alpha itself mixed in.
u64 random_bits(std::mt19937_64& g, int bits) {
  switch (g() % 8) {
    case 0:
      return 0;
    case 1:
      return ring_mask(bits);
    default:
      return g() & ring_mask(bits);
  }
}

// The GPU's Gen on the host for `count` keys with roots from SeededPrg(seed).
struct GpuStyleDpf {
  std::vector<Block> root0, root1, cw_seed;
  std::vector<std::uint8_t> cw_t;
  std::vector<u64> cw_out;
};

GpuStyleDpf gpu_style_dpf_gen(DpfShape shape, const std::vector<u64>& alpha,
                              const std::vector<u64>& beta, Block seed) {
  const auto prg = host_prg();
  const auto sched = cuda::aes_expand_key(HostTab{}, seed);
  const std::size_t count = alpha.size();
  GpuStyleDpf k;
  k.root0.resize(count);
  k.root1.resize(count);
  k.cw_seed.resize(count * shape.in_bits);
  k.cw_t.resize(count * shape.in_bits);
  k.cw_out.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    const Block s0 = cuda::aes_encrypt(HostTab{}, sched.rk, Block{2 * i, 0}).clear_lsb();
    const Block s1 = cuda::aes_encrypt(HostTab{}, sched.rk, Block{2 * i + 1, 0}).clear_lsb();
    k.root0[i] = s0;
    k.root1[i] = s1;
    k.cw_out[i] = cuda::dpf_gen_one(prg, shape.in_bits, ring_mask(shape.out_bits), s0, s1, alpha[i],
                                    beta[i], k.cw_seed.data() + i, k.cw_t.data() + i, count);
  }
  return k;
}

}  // namespace

TEST_CASE("CUDA AES core: FIPS-197, fixed schedules, on-the-fly schedule", "[cuda-core]") {
  const HostTab tab;
  const Block key = block_from_hex("000102030405060708090a0b0c0d0e0f");
  const auto s = cuda::aes_expand_key(tab, key);
  CHECK(cuda::aes_encrypt(tab, s.rk, block_from_hex("00112233445566778899aabbccddeeff")) ==
        block_from_hex("69c4e0d86a7b0430d8cdb78070b4c55a"));
  for (int j = 0; j < kPrgFixedKeys; ++j) {
    const Aes128 cpu(prg_fixed_key(j));
    for (int r = 0; r < 11; ++r) {
      const auto& w = kFixedSchedules.key[j].rk[r].w;
      CHECK(cuda::words_to_block(w[0], w[1], w[2], w[3]) == cpu.round_keys()[r]);
    }
  }
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (int i = 0; i < 2000; ++i) {
    const Block k = random_block(g), p = random_block(g);
    const Aes128 cpu(k);
    CHECK(cuda::aes_encrypt_otf(tab, k, p) == cpu.encrypt(p));
    CHECK(cuda::aes_encrypt(tab, cuda::aes_expand_key(tab, k).rk, p) == cpu.encrypt(p));
  }
  const auto prg = host_prg();
  const FixedKeyPrg& cpu_prg = fixed_key_prg();
  for (int i = 0; i < 2000; ++i) {
    const Block b = random_block(g);
    for (int j = 0; j < kPrgFixedKeys; ++j) CHECK(prg.g(j, b) == cpu_prg.g(j, b));
  }
}

TEST_CASE("CUDA DPF core equals the CPU DPF", "[cuda-core]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  const auto prg = host_prg();
  for (const DpfShape shape : {DpfShape{1, 1}, DpfShape{8, 1}, DpfShape{16, 37}, DpfShape{37, 64},
                               DpfShape{64, 50}, DpfShape{64, 64}}) {
    INFO("n = " << shape.in_bits << ", m = " << shape.out_bits);
    const std::size_t count = 200;
    std::vector<u64> alpha(count), beta(count), x(count);
    for (std::size_t k = 0; k < count; ++k) {
      alpha[k] = random_bits(g, shape.in_bits);
      beta[k] = random_bits(g, shape.out_bits);
      x[k] = (k % 3 == 0) ? alpha[k] : random_bits(g, shape.in_bits);
    }
    const Block prg_seed = random_block(g);
    SeededPrg rng(prg_seed);
    const auto [k0, k1] = dpf_gen(shape, alpha, beta, rng);
    const GpuStyleDpf gk = gpu_style_dpf_gen(shape, alpha, beta, prg_seed);
    CHECK(gk.root0 == k0.root);
    CHECK(gk.root1 == k1.root);
    CHECK(gk.cw_seed == k0.cw_seed);
    CHECK(gk.cw_t == k0.cw_t);
    CHECK(gk.cw_out == k0.cw_out);
    for (const DpfKeys* keys : {&k0, &k1}) {
      std::vector<u64> cpu(count);
      dpf_eval(*keys, x, cpu);
      for (std::size_t k = 0; k < count; ++k)
        CHECK(cuda::dpf_eval_one(prg, shape.in_bits, ring_mask(shape.out_bits), keys->party,
                                 keys->root[k], keys->cw_seed.data() + k, keys->cw_t.data() + k,
                                 count, keys->cw_out[k], x[k]) == cpu[k]);
    }
  }
}

TEST_CASE("CUDA DPF core full domain and LUT walk equal the CPU", "[cuda-core]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  const auto prg = host_prg();
  for (const DpfShape shape : {DpfShape{1, 8}, DpfShape{5, 1}, DpfShape{10, 37}}) {
    INFO("n = " << shape.in_bits << ", m = " << shape.out_bits);
    const std::size_t count = 4;
    const std::size_t domain = std::size_t{1} << shape.in_bits;
    std::vector<u64> alpha(count), beta(count, 1), xhat(count), table(domain);
    for (auto& a : alpha) a = random_bits(g, shape.in_bits);
    for (auto& x : xhat) x = random_bits(g, shape.in_bits);
    for (auto& t : table) t = g();
    SeededPrg rng(random_block(g));
    const auto [k0, k1] = dpf_gen(shape, alpha, beta, rng);
    const u64 mask = ring_mask(shape.out_bits);
    for (const DpfKeys* keys : {&k0, &k1}) {
      std::vector<u64> lut(count);
      dpf_lut_eval(*keys, xhat, table, lut);
      for (std::size_t k = 0; k < count; ++k) {
        std::vector<u64> cpu(domain);
        dpf_eval_full_domain(*keys, k, cpu);
        // Every split of the tree into a g-bit path prefix and a subtree walk.
        for (int gbits = 0; gbits <= shape.in_bits; ++gbits) {
          std::vector<u64> out(domain, ~u64{0});
          u64 acc = 0;
          for (u64 l = 0; l < (u64{1} << gbits); ++l) {
            Block s = keys->root[k];
            int t = keys->party;
            for (int i = 0; i < gbits; ++i)
              s = cuda::dpf_step(prg, s, t, static_cast<int>((l >> (gbits - 1 - i)) & 1),
                                 keys->cw_seed[i * count + k], keys->cw_t[i * count + k]);
            cuda::dpf_subtree(prg, shape.in_bits, keys->party, gbits, l, s, t,
                              keys->cw_seed.data() + k, keys->cw_t.data() + k, count,
                              keys->cw_out[k], mask, [&](u64 j, u64 y) {
                                out[j] = y & mask;
                                acc += table[(xhat[k] - j) & ring_mask(shape.in_bits)] * y;
                              });
          }
          CHECK(out == cpu);
          CHECK((acc & mask) == lut[k]);
        }
      }
    }
  }
}

TEST_CASE("CUDA DCF core equals the CPU DCF", "[cuda-core]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  const auto prg = host_prg();
  for (const DcfShape shape : {DcfShape{1, 1, 1}, DcfShape{16, 1, 1}, DcfShape{37, 37, 3},
                               DcfShape{50, 50, 2}, DcfShape{64, 64, 5}, DcfShape{64, 16, 1}}) {
    INFO("n = " << shape.in_bits << ", m = " << shape.out_bits << ", L = " << shape.payload_len);
    const std::size_t count = 100;
    const auto L = static_cast<std::size_t>(shape.payload_len);
    std::vector<u64> alpha(count), beta(count * L), x(count);
    for (std::size_t k = 0; k < count; ++k) {
      alpha[k] = random_bits(g, shape.in_bits);
      x[k] = (k % 4 == 0) ? alpha[k] : random_bits(g, shape.in_bits);
    }
    for (auto& b : beta) b = random_bits(g, shape.out_bits);
    const Block prg_seed = random_block(g);
    SeededPrg rng(prg_seed);
    const auto [k0, k1] = dcf_gen(shape, alpha, beta, rng);
    const u64 mask = ring_mask(shape.out_bits);
    const auto sched = cuda::aes_expand_key(HostTab{}, prg_seed);
    UninitVector<Block> cw_seed(count * shape.in_bits);  // the keys' array types
    UninitVector<u64> cw_v(count * shape.in_bits * L), cw_final(count * L);
    for (std::size_t k = 0; k < count; ++k) {
      // The root s0 and Delta (bit 0 set) are the stream's blocks 2k and 2k + 1.
      const Block s0 = cuda::aes_encrypt(HostTab{}, sched.rk, Block{2 * k, 0});
      const Block draw = cuda::aes_encrypt(HostTab{}, sched.rk, Block{2 * k + 1, 0});
      const Block s1 = s0 ^ Block { draw.lo | 1, draw.hi };
      CHECK(s0 == k0.root[k]);
      CHECK(s1 == k1.root[k]);
      cuda::dcf_gen_one<0>(prg, shape.in_bits, mask, shape.payload_len, s0, s1, alpha[k],
                           beta.data() + k * L, cw_seed.data() + k, count, cw_v.data() + k * L,
                           count * L, cw_final.data() + k * L,
                           cuda::MemVec{cw_final.data() + k * L});
    }
    CHECK(cw_seed == k0.cw_seed);
    CHECK(cw_v == k0.cw_v);
    CHECK(cw_final == k0.cw_final);
    for (const DcfKeys* keys : {&k0, &k1}) {
      std::vector<u64> cpu(count * L), gpu(count * L), gpu_reg(count * L);
      dcf_eval(*keys, x, cpu);
      for (std::size_t k = 0; k < count; ++k) {
        const auto eval = [&]<int kL>(auto&& vec) {
          cuda::dcf_eval_one<kL>(prg, shape.in_bits, mask, shape.payload_len, keys->party,
                                 keys->root[k], keys->cw_seed.data() + k, count,
                                 keys->cw_v.data() + k * L, count * L,
                                 keys->cw_final.data() + k * L, x[k], vec);
        };
        eval.template operator()<0>(cuda::MemVec{gpu.data() + k * L});
        // The kernels' register path for L <= 3 (RegVec) must agree too.
        if (L == 1) {
          cuda::RegVec<1> v{};
          eval.template operator()<1>(v);
          gpu_reg[k] = v[0];
        } else if (L == 3) {
          cuda::RegVec<3> v{};
          eval.template operator()<3>(v);
          for (int j = 0; j < 3; ++j) gpu_reg[k * 3 + j] = v[j];
        }
      }
      CHECK(gpu == cpu);
      if (L == 1 || L == 3) CHECK(gpu_reg == cpu);
    }
  }
}

namespace {
// FixedPrg's faces that the DCF core calls, each AES counted (the value blocks, dcf_value and
// dcf_values, through g): what dcf_gen_aes / dcf_eval_aes (and docs/design/sigma-dcf.md "AES
// calls") claim.
struct CountingFixedPrg {
  FixedPrg<HostTab> prg;
  long long* calls;
  Block g(int j, Block s) const {
    ++*calls;
    return prg.g(j, s);
  }
  Block expand(int j, Block s, int& t) const {
    ++*calls;
    return prg.expand(j, s, t);
  }
  Block convert_pair(Block blk, u64 k) const {
    ++*calls;
    return prg.convert_pair(blk, k);
  }
  template <class F>
  void convert_vec(Block blk, int L, u64 mask, F&& f) const {
    *calls += cuda::convert_vec_aes(L);
    prg.convert_vec(blk, L, mask, std::forward<F>(f));
  }
};
}  // namespace

TEST_CASE("CUDA DCF core: its AES calls a key are dcf_gen_aes and dcf_eval_aes", "[cuda-core]") {
  std::mt19937_64 g(fresh_seed());
  for (const DcfShape shape : {DcfShape{50, 12, 1}, DcfShape{12, 50, 1}, DcfShape{37, 37, 2},
                               DcfShape{16, 16, 3}, DcfShape{20, 8, 6}}) {
    INFO("n = " << shape.in_bits << ", m = " << shape.out_bits << ", L = " << shape.payload_len);
    const int n = shape.in_bits, L = shape.payload_len;
    const auto len = static_cast<std::size_t>(L);
    const u64 mask = ring_mask(shape.out_bits);
    std::vector<u64> beta(len, 1), cw_v(static_cast<std::size_t>(n) * len), cw_final(len);
    std::vector<Block> cw_seed(static_cast<std::size_t>(n));
    long long calls = 0;
    const CountingFixedPrg prg{host_prg(), &calls};
    const Block s0 = random_block(g), s1 = s0 ^ (random_block(g) ^ Block{1, 0});
    const u64 alpha = g() & ring_mask(n);
    cuda::dcf_gen_one<0>(prg, n, mask, L, s0, s1, alpha, beta.data(), cw_seed.data(), 1,
                         cw_v.data(), len, cw_final.data(), cuda::MemVec{cw_final.data()});
    // The two root blocks come from the SeededPrg stream: 2 of dcf_gen_aes's count.
    CHECK(calls + 2 == cuda::dcf_gen_aes(n, L));
    calls = 0;
    std::vector<u64> y(len);
    cuda::dcf_eval_one<0>(prg, n, mask, L, 0, s0, cw_seed.data(), 1, cw_v.data(), len,
                          cw_final.data(), g() & ring_mask(n), cuda::MemVec{y.data()});
    CHECK(calls == cuda::dcf_eval_aes(n, L));
  }
  // docs/perf.md: 402 before session 29, 302 before the half-tree.
  CHECK(cuda::dcf_gen_aes(50, 1) == 204);
  CHECK(cuda::dcf_eval_aes(50, 1) == 101);
}

TEST_CASE("CUDA bit-packing core equals fss::pack_bits", "[cuda-core]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (int bits = 1; bits <= 64; ++bits)
    for (const std::size_t count :
         {std::size_t{0}, std::size_t{1}, std::size_t{3}, std::size_t{67}}) {
      INFO("bits = " << bits << ", count = " << count);
      std::vector<u64> v(count);
      for (auto& x : v) x = g();
      const std::size_t nb = packed_bytes(count, bits);
      std::vector<std::uint8_t> cpu(nb), gpu(nb);
      pack_bits(v, bits, cpu);
      for (std::size_t w = 0; 4 * w < nb; ++w) {
        const std::uint32_t word = cuda::pack_word(v.data(), count, bits, w);
        for (std::size_t i = 0; i < 4 && 4 * w + i < nb; ++i)
          gpu[4 * w + i] = static_cast<std::uint8_t>(word >> (8 * i));
      }
      CHECK(gpu == cpu);
      for (std::size_t e = 0; e < count; ++e)
        CHECK(cuda::unpack_element(cpu.data(), nb, bits, e) == (v[e] & ring_mask(bits)));
    }
}

TEST_CASE("CUDA multipoint core: common_prefix counts the leading bits two points share",
          "[cuda-core]") {
  const std::uint64_t seed = test::fresh_seed();
  INFO("seed = " << seed);
  std::mt19937_64 g(seed);
  const auto naive = [](u64 a, u64 b, int n) {
    int k = 0;
    while (k < n && ((a >> (n - 1 - k)) & 1) == ((b >> (n - 1 - k)) & 1)) ++k;
    return k;
  };
  for (int n = 1; n <= 64; ++n) {
    const u64 m = ring_mask(n);
    // Edges: 0, 2^n - 1, the top bit alone, and values above 2^n (only the low n bits count).
    const u64 edges[] = {0, m, u64{1} << (n - 1), ~u64{0}, m + 1};
    for (const u64 a : edges)
      for (const u64 b : edges) REQUIRE(cuda::common_prefix(a, b, n) == naive(a, b, n));
    for (int i = 0; i < 200; ++i) {
      const u64 a = g(), b = i % 2 ? g() : a ^ (u64{1} << (g() % 64));
      REQUIRE(cuda::common_prefix(a, b, n) == naive(a, b, n));
    }
  }
}
