// Frozen answers for fixed seeds: the CRC-32C that the key format stores for the serialised keys
// (it covers every key bit) and a few values. They pin the construction of
// docs/design/fss-core.md bit for bit (any change to the PRG, the bit order, Convert/ConvertVec,
// the seed draws or the key format changes them), on both AES paths, and give the CUDA backend
// numbers to reproduce. They were checked against an independent Python model of the page
// (AES from the `cryptography` package; the DCF's half-tree values against scripts/dcf_model.py).
// If the construction is changed on purpose, update the page, both implementations and these
// values together. (The CRCs also cover the header's format version, fss/key_io.h.)
#include <catch2/catch.hpp>
#include <vector>

#include "fss/dcf.h"
#include "fss/dpf.h"
#include "fss/key_io.h"

using namespace secinfer::fss;

namespace {

std::uint32_t stored_crc(const std::vector<std::uint8_t>& bytes) {
  return parse_key_header(bytes).crc;
}

constexpr Block kSeed{0x0123456789abcdefull, 0xfedcba9876543210ull};

std::vector<AesImpl> impls() {
  std::vector<AesImpl> v{AesImpl::kPortable};
  if (cpu_has_aesni()) v.push_back(AesImpl::kAesNi);
  return v;
}

}  // namespace

TEST_CASE("Golden DPF and DCF keys for a fixed seed", "[golden]") {
  for (const AesImpl impl : impls()) {
    INFO((impl == AesImpl::kAesNi ? "AES-NI" : "portable"));
    // DPF n = 16, m = 16: alpha = {0x1234, 0, 0xffff}, beta = {0x5678, 1, 0xffff}.
    {
      SeededPrg rng(kSeed, impl);
      const std::vector<u64> alpha{0x1234, 0, 0xffff}, beta{0x5678, 1, 0xffff};
      const auto [k0, k1] = dpf_gen({16, 16}, alpha, beta, rng, {impl, 1});
      CHECK(stored_crc(serialize_keys(k0)) == 0xf5ee2592u);
      CHECK(stored_crc(serialize_keys(k1)) == 0x488e2dd0u);
      CHECK(k0.root[0] == (Block{0xc4e804cc989e42aeull, 0x4dddc715e54b1dcdull}));
      CHECK(k0.cw_out[0] == 0x6766u);
    }
    // DCF n = 16, m = 16, L = 3: alpha = {0x1234, 0, 0xffff}, beta = 1..9.
    {
      SeededPrg rng(kSeed, impl);
      const std::vector<u64> alpha{0x1234, 0, 0xffff}, beta{1, 2, 3, 4, 5, 6, 7, 8, 9};
      const auto [k0, k1] = dcf_gen({16, 16, 3}, alpha, beta, rng, {impl, 1});
      CHECK(stored_crc(serialize_keys(k0)) == 0x18e26658u);
      CHECK(stored_crc(serialize_keys(k1)) == 0x57a81526u);
      CHECK(k1.cw_final[2] == 0xff4eu);
      std::vector<u64> x{0x1233, 0x1233, 0x1233}, y0(9), y1(9);
      dcf_eval(k0, x, y0, {impl, 1});
      dcf_eval(k1, x, y1, {impl, 1});
      CHECK(y0[0] == 0xea35u);
      CHECK(((y0[0] + y1[0]) & 0xffff) == 1);
    }
  }
}
