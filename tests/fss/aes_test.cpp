// AES-128 known answers (FIPS-197 Appendix A.1, B, C.1) on both paths, AES-NI == portable on
// random inputs, the fixed-key PRG and the seeded PRG definitions (fss-core.md).
#include <catch2/catch.hpp>
#include <random>
#include <vector>

#include "fss/prg.h"
#include "fss/thread_pool.h"
#include "fss_test_util.h"

using namespace secinfer::fss;
using secinfer::fss::test::block_from_hex;
using secinfer::fss::test::fresh_seed;
using secinfer::fss::test::random_block;

namespace {

std::vector<AesImpl> impls() {
  std::vector<AesImpl> v{AesImpl::kPortable};
  if (cpu_has_aesni()) v.push_back(AesImpl::kAesNi);
  return v;
}

const char* name(AesImpl impl) {
  return impl == AesImpl::kAesNi ? "AES-NI" : "portable";
}

}  // namespace

TEST_CASE("AES-128 FIPS-197 known answers on every path", "[aes]") {
  for (const AesImpl impl : impls()) {
    INFO("path " << name(impl));
    // Appendix B (cipher example) and A.1 (its key expansion: last round key).
    const Aes128 b(block_from_hex("2b7e151628aed2a6abf7158809cf4f3c"), impl);
    CHECK(b.impl() == impl);
    CHECK(b.round_keys()[10] == block_from_hex("d014f9a8c9ee2589e13f0cc8b6630ca6"));
    CHECK(b.round_keys()[1] == block_from_hex("a0fafe1788542cb123a339392a6c7605"));
    CHECK(b.encrypt(block_from_hex("3243f6a8885a308d313198a2e0370734")) ==
          block_from_hex("3925841d02dc09fbdc118597196a0b32"));
    // Appendix C.1 (AES-128).
    const Aes128 c(block_from_hex("000102030405060708090a0b0c0d0e0f"), impl);
    const Block pt = block_from_hex("00112233445566778899aabbccddeeff");
    const Block ct = block_from_hex("69c4e0d86a7b0430d8cdb78070b4c55a");
    CHECK(c.encrypt(pt) == ct);
    // Batch path, every batch length around the 4- and 8-way kernels, in place.
    for (std::size_t n = 0; n <= 19; ++n) {
      std::vector<Block> v(n, pt);
      c.encrypt_blocks(v, v);
      for (const Block& x : v) CHECK(x == ct);
    }
  }
}

TEST_CASE("AES-NI and portable AES agree on random keys and blocks", "[aes]") {
  if (!cpu_has_aesni()) {
    WARN("no AES-NI on this CPU: only the portable path was tested");
    return;
  }
  const auto seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (int trial = 0; trial < 50; ++trial) {
    const Block key = random_block(g);
    const Aes128 a(key, AesImpl::kAesNi), p(key, AesImpl::kPortable);
    REQUIRE(a.round_keys() == p.round_keys());
    std::vector<Block> in(109);  // 3 passes of 32 blocks on VAES, one of 8, a tail of 5
    for (auto& b : in) b = random_block(g);
    std::vector<Block> oa(in.size()), op(in.size());
    a.encrypt_blocks(in, oa);
    p.encrypt_blocks(in, op);
    CHECK(oa == op);
    CHECK(a.encrypt(in[0]) == oa[0]);
  }
}

TEST_CASE("FixedKeyPrg is G_j(s) = AES_{K_j}(s) ^ s on every path", "[aes][prg]") {
  const auto seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  std::vector<Block> in(77);  // 2 passes of 32 blocks on VAES (if the CPU has it), 8, and 5
  for (auto& b : in) b = random_block(g);
  std::vector<std::uint8_t> js(in.size());
  for (auto& j : js) j = static_cast<std::uint8_t>(g() % kPrgFixedKeys);
  std::vector<std::vector<Block>> multi;
  for (const AesImpl impl : impls()) {
    INFO("path " << name(impl));
    const FixedKeyPrg& prg = fixed_key_prg(impl);
    CHECK(prg.impl() == impl);
    for (int j = 0; j < kPrgFixedKeys; ++j) {
      const Aes128 aes(
          Block{0x9E3779B97F4A7C15ull * static_cast<u64>(j + 1), 0x7365636966657221ull}, impl);
      std::vector<Block> out(in.size());
      prg.g_blocks(j, in, out);
      for (std::size_t i = 0; i < in.size(); ++i) {
        CHECK(out[i] == (aes.encrypt(in[i]) ^ in[i]));
        CHECK(prg.g(j, in[i]) == out[i]);
      }
    }
    std::vector<Block> out(in.size());
    prg.g_multi(js, in, out);
    for (std::size_t i = 0; i < in.size(); ++i) CHECK(out[i] == prg.g(js[i], in[i]));
    multi.push_back(out);
    CHECK_THROWS_AS(prg.g(5, in[0]), std::invalid_argument);
    CHECK_THROWS_AS(prg.g(-1, in[0]), std::invalid_argument);
  }
  for (const auto& m : multi) CHECK(m == multi[0]);
}

TEST_CASE("SeededPrg is AES-CTR with block k = AES_seed(Block{k, 0})", "[prg]") {
  const auto seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  const Block key = random_block(g);
  for (const AesImpl impl : impls()) {
    INFO("path " << name(impl));
    const Aes128 aes(key, impl);
    SeededPrg a(key, impl);
    CHECK(a.impl() == impl);
    for (u64 k = 0; k < 5; ++k) CHECK(a.next_block() == aes.encrypt(Block{k, 0}));
    // next_u64: lo then hi of successive blocks; next_block drops a pending hi.
    SeededPrg b(key, impl);
    const Block b0 = aes.encrypt(Block{0, 0}), b1 = aes.encrypt(Block{1, 0}),
                b2 = aes.encrypt(Block{2, 0});
    CHECK(b.next_u64() == b0.lo);
    CHECK(b.next_u64() == b0.hi);
    CHECK(b.next_u64() == b1.lo);
    CHECK(b.next_block() == b2);
    CHECK(b.next_bits(7) == (aes.encrypt(Block{3, 0}).lo & 0x7f));
    // fill == repeated next_bits, including an odd start and a long run through the batch path.
    for (const int m : {1, 13, 64}) {
      SeededPrg c(key, impl), d(key, impl);
      c.next_u64();
      d.next_u64();
      std::vector<u64> got(301);
      c.fill(got, m);
      for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == d.next_bits(m));
      CHECK(c.next_u64() == d.next_u64());
    }
    // The pooled fill: the same values and the stream at the same place, for odd and even
    // lengths, a pending hi half or none, and ranges split over several threads.
    ThreadPool pool(3);
    for (const std::size_t len : {std::size_t{0}, std::size_t{1}, std::size_t{2},
                                  std::size_t{200'001}, std::size_t{200'002}}) {
      for (const bool pending : {false, true}) {
        SeededPrg c(key, impl), d(key, impl);
        if (pending) {
          c.next_u64();
          d.next_u64();
        }
        std::vector<u64> got(len), want(len);
        c.fill(got, 37, pool);
        d.fill(want, 37);
        CHECK(got == want);
        CHECK(c.next_u64() == d.next_u64());
        CHECK(c.next_counter() == d.next_counter());
      }
    }
    // A slice taken, then made (what an accelerator's generator makes of it), is fill(): the
    // same values for every width, and the stream at the same place.
    for (const std::size_t len :
         {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{7}, std::size_t{200'002}}) {
      for (const bool pending : {false, true}) {
        for (const int m : {1, 37, 64}) {
          SeededPrg c(key, impl), d(key, impl);
          if (pending) {
            c.next_u64();
            d.next_u64();
          }
          const StreamSlice slice = c.take_slice(len);
          CHECK(slice.count == len);
          CHECK(slice.has_head == (pending && len > 0));
          CHECK(slice.count ==
                (slice.has_head ? 1u : 0u) + 2 * slice.pairs + (slice.has_tail ? 1u : 0u));
          std::vector<u64> got(len), want(len);
          c.fill_slice(slice, got, m, len > 100 ? &pool : nullptr);
          d.fill(want, m);
          CHECK(got == want);
          CHECK(c.next_u64() == d.next_u64());
          CHECK(c.next_counter() == d.next_counter());
        }
      }
    }
    {
      SeededPrg c(key, impl);
      const StreamSlice slice = c.take_slice(5);
      std::vector<u64> wrong(4);
      CHECK_THROWS_AS(c.fill_slice(slice, wrong, 8), std::invalid_argument);
    }
    SeededPrg e(key, impl), f(key, impl);
    std::vector<Block> blocks(21);
    e.next_blocks(blocks);
    for (const Block& x : blocks) CHECK(x == f.next_block());
    std::vector<u64> bad(1);
    CHECK_THROWS_AS(e.fill(bad, 0), std::invalid_argument);
    CHECK_THROWS_AS(e.fill(bad, 65), std::invalid_argument);
  }
}
