// Key serialisation (fss/key_io.h): round trips of random batches, the exact serialised size,
// and rejection of truncated, corrupted and foreign input with a std::runtime_error (never a
// crash or a huge allocation).
#include "fss/key_io.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "fss_test_util.h"

using namespace secinfer::fss;
using secinfer::fss::test::fresh_seed;
using secinfer::fss::test::random_block;

namespace {

bool same(const DpfKeys& a, const DpfKeys& b) {
  return a.shape.in_bits == b.shape.in_bits && a.shape.out_bits == b.shape.out_bits &&
         a.party == b.party && a.count == b.count && a.root == b.root && a.cw_seed == b.cw_seed &&
         a.cw_t == b.cw_t && a.cw_out == b.cw_out;
}

bool same(const DcfKeys& a, const DcfKeys& b) {
  return a.shape.in_bits == b.shape.in_bits && a.shape.out_bits == b.shape.out_bits &&
         a.shape.payload_len == b.shape.payload_len && a.party == b.party && a.count == b.count &&
         a.root == b.root && a.cw_seed == b.cw_seed && a.cw_v == b.cw_v && a.cw_final == b.cw_final;
}

std::pair<DpfKeys, DpfKeys> make_dpf(std::mt19937_64& g, int n, int m, std::size_t count) {
  std::vector<u64> alpha(count), beta(count);
  for (auto& a : alpha) a = g() & ring_mask(n);
  for (auto& b : beta) b = g() & ring_mask(m);
  SeededPrg rng(random_block(g));
  return dpf_gen({n, m}, alpha, beta, rng);
}

std::pair<DcfKeys, DcfKeys> make_dcf(std::mt19937_64& g, int n, int m, int L, std::size_t count) {
  std::vector<u64> alpha(count), beta(count * static_cast<std::size_t>(L));
  for (auto& a : alpha) a = g() & ring_mask(n);
  for (auto& b : beta) b = g() & ring_mask(m);
  SeededPrg rng(random_block(g));
  return dcf_gen({n, m, L}, alpha, beta, rng);
}

// Re-seals a modified header / payload with a valid checksum, so the checks behind the CRC run.
void reseal(std::vector<std::uint8_t>& bytes) {
  const std::uint32_t c = crc32c(std::span<const std::uint8_t>(bytes).subspan(kKeyHeaderBytes),
                                 crc32c(std::span<const std::uint8_t>(bytes).first(44)));
  std::memcpy(bytes.data() + 44, &c, 4);
}

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("CRC-32C check value and chaining", "[key_io]") {
  const std::string s = "123456789";
  const std::span<const std::uint8_t> b(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
  CHECK(crc32c(b) == 0xE3069283u);
  CHECK(crc32c(b.subspan(4), crc32c(b.first(4))) == 0xE3069283u);
  CHECK(crc32c({}) == 0u);
}

TEST_CASE("Key serialisation round trips with the formula size", "[key_io]") {
  const auto seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (const int n : {1, 8, 37, 64})
    for (const int m : {1, 37, 64})
      for (const std::size_t count : {0, 1, 5, 70}) {
        INFO("n " << n << " m " << m << " count " << count);
        const auto [k0, k1] = make_dpf(g, n, m, count);
        for (const DpfKeys* k : {&k0, &k1}) {
          const auto bytes = serialize_keys(*k);
          // 48-byte header + count * ceil((128 + n * 130 + m) / 8).
          const std::size_t per_key = (128 + static_cast<std::size_t>(n) * 130 + m + 7) / 8;
          CHECK(bytes.size() == 48 + count * per_key);
          CHECK(serialized_size(*k) == bytes.size());
          CHECK(same(deserialize_dpf_keys(bytes), *k));
        }
        for (const int L : {1, 3}) {
          const auto [d0, d1] = make_dcf(g, n, m, L, count);
          for (const DcfKeys* k : {&d0, &d1}) {
            const auto bytes = serialize_keys(*k);
            // 48-byte header + count * ceil((128 + n * (128 + L * m) + L * m) / 8).
            const std::size_t lm = static_cast<std::size_t>(L * m);
            const std::size_t per_key =
                (128 + static_cast<std::size_t>(n) * (128 + lm) + lm + 7) / 8;
            CHECK(bytes.size() == 48 + count * per_key);
            CHECK(same(deserialize_dcf_keys(bytes), *k));
          }
        }
      }
}

TEST_CASE("Key batches stream in and out in order", "[key_io]") {
  const auto seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  const auto [a0, a1] = make_dpf(g, 16, 16, 33);
  const auto [b0, b1] = make_dcf(g, 64, 64, 3, 9);
  std::stringstream ss;
  write_keys(ss, a1);
  write_keys(ss, b0);
  write_keys(ss, a0);
  CHECK(same(read_dpf_keys(ss), a1));
  CHECK(same(read_dcf_keys(ss), b0));
  CHECK(same(read_dpf_keys(ss), a0));
  CHECK_THROWS_WITH(read_dpf_keys(ss), Catch::Contains("truncated"));
  // Reading the wrong kind says which kind was found.
  std::stringstream s2;
  write_keys(s2, b1);
  CHECK_THROWS_WITH(read_dpf_keys(s2), Catch::Contains("expected DPF keys, found DCF keys"));
}

TEST_CASE("Truncated key data is rejected at every length", "[key_io]") {
  const auto seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  const auto [k0, k1] = make_dcf(g, 9, 7, 2, 3);
  const auto bytes = serialize_keys(k0);
  for (std::size_t len = 0; len < bytes.size(); ++len) {
    INFO("length " << len << " of " << bytes.size());
    const std::span<const std::uint8_t> prefix(bytes.data(), len);
    CHECK_THROWS_AS(deserialize_dcf_keys(prefix), std::runtime_error);
    std::stringstream ss(std::string(bytes.begin(), bytes.begin() + static_cast<long>(len)));
    CHECK_THROWS_AS(read_dcf_keys(ss), std::runtime_error);
  }
  CHECK_THAT(error_of([&] { deserialize_dcf_keys(std::span(bytes.data(), 20)); }),
             Catch::Contains("header is 48 bytes, found 20"));
  CHECK_THAT(error_of([&] { deserialize_dcf_keys(std::span(bytes.data(), bytes.size() - 1)); }),
             Catch::Contains("truncated"));
  auto longer = bytes;
  longer.push_back(0);
  CHECK_THAT(error_of([&] { deserialize_dcf_keys(longer); }), Catch::Contains("trailing data"));
}

TEST_CASE("Randomly corrupted key data is rejected", "[key_io]") {
  const auto seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  const auto [k0, k1] = make_dpf(g, 12, 20, 4);
  const auto [d0, d1] = make_dcf(g, 12, 20, 3, 4);
  const auto dpf_bytes = serialize_keys(k1), dcf_bytes = serialize_keys(d1);
  for (int trial = 0; trial < 3000; ++trial) {
    const bool dpf = trial % 2 == 0;
    auto bytes = dpf ? dpf_bytes : dcf_bytes;
    // One byte changed: CRC-32C detects every such error; sometimes a few more bytes too.
    const int changes = trial % 10 == 0 ? 1 + static_cast<int>(g() % 4) : 1;
    for (int c = 0; c < changes; ++c)
      bytes[g() % bytes.size()] ^= static_cast<std::uint8_t>(1 + g() % 255);
    if (bytes == (dpf ? dpf_bytes : dcf_bytes)) continue;  // the changes cancelled out
    INFO("trial " << trial);
    if (dpf)
      CHECK_THROWS_AS(deserialize_dpf_keys(bytes), std::runtime_error);
    else
      CHECK_THROWS_AS(deserialize_dcf_keys(bytes), std::runtime_error);
  }
  // Random garbage of random lengths.
  for (int trial = 0; trial < 500; ++trial) {
    std::vector<std::uint8_t> junk(g() % 200);
    for (auto& b : junk) b = static_cast<std::uint8_t>(g());
    if (trial % 2 == 0 && junk.size() >= 8) std::memcpy(junk.data(), "SIFSSKEY", 8);
    CHECK_THROWS_AS(deserialize_dpf_keys(junk), std::runtime_error);
    CHECK_THROWS_AS(deserialize_dcf_keys(junk), std::runtime_error);
  }
}

TEST_CASE("Foreign or forged headers give clear errors", "[key_io]") {
  const auto seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  const auto [k0, k1] = make_dpf(g, 10, 10, 2);
  const auto good = serialize_keys(k0);

  auto b = good;
  std::memcpy(b.data(), "PK\x03\x04xxxx", 8);
  CHECK_THAT(error_of([&] { deserialize_dpf_keys(b); }),
             Catch::Contains("expected magic \"SIFSSKEY\", found \"PK\\x03\\x04xxxx\""));
  b = good;
  b[8] = 7;
  CHECK_THAT(error_of([&] { deserialize_dpf_keys(b); }),
             Catch::Contains("unsupported key format version 7"));
  CHECK_THAT(error_of([&] { deserialize_dcf_keys(good); }),
             Catch::Contains("expected DCF keys, found DPF keys"));
  b = good;
  b[10] = 9;
  CHECK_THAT(error_of([&] { deserialize_dpf_keys(b); }), Catch::Contains("unknown key kind 9"));
  b = good;
  b[11] = 2;
  CHECK_THAT(error_of([&] { deserialize_dpf_keys(b); }), Catch::Contains("party is 2"));
  b = good;
  b[12] = 65;
  CHECK_THAT(error_of([&] { deserialize_dpf_keys(b); }), Catch::Contains("in_bits is 65"));
  b = good;
  b[13] = 0;
  CHECK_THAT(error_of([&] { deserialize_dpf_keys(b); }), Catch::Contains("out_bits is 0"));
  b = good;
  b[16] = 2;
  CHECK_THAT(error_of([&] { deserialize_dpf_keys(b); }), Catch::Contains("expected 1 for DPF"));
  b = good;
  b[20] ^= 1;
  CHECK_THAT(error_of([&] { deserialize_dpf_keys(b); }), Catch::Contains("bytes per key"));
  b = good;
  b[40] = 1;
  CHECK_THAT(error_of([&] { deserialize_dpf_keys(b); }), Catch::Contains("reserved"));

  // A forged huge count (payload size consistent with it) fails on the bytes actually present,
  // without trying to allocate 2^50 keys.
  b = good;
  const std::uint64_t bpk = (128 + 10 * 130 + 10 + 7) / 8, count = std::uint64_t{1} << 50;
  const std::uint64_t payload = count * bpk;
  std::memcpy(b.data() + 24, &count, 8);
  std::memcpy(b.data() + 32, &payload, 8);
  reseal(b);
  CHECK_THAT(error_of([&] { deserialize_dpf_keys(b); }), Catch::Contains("truncated"));
  std::stringstream ss(std::string(b.begin(), b.end()));
  CHECK_THAT(error_of([&] { read_dpf_keys(ss); }), Catch::Contains("truncated"));
  // count * bytes per key overflowing 64 bits.
  const std::uint64_t huge = ~std::uint64_t{0} / 2;
  std::memcpy(b.data() + 24, &huge, 8);
  reseal(b);
  CHECK_THAT(error_of([&] { deserialize_dpf_keys(b); }), Catch::Contains("payload size"));

  // Checks behind the checksum: a seed with bit 0 set, non-zero padding.
  b = good;
  b[kKeyHeaderBytes] |= 1;  // root.lo bit 0 of key 0
  reseal(b);
  CHECK_THAT(error_of([&] { deserialize_dpf_keys(b); }), Catch::Contains("bit 0 set"));
  b = good;
  b[kKeyHeaderBytes + bpk - 1] |=
      0x80;  // 128 + 10 * 130 + 10 = 1438 bits: the top 2 bits are padding
  reseal(b);
  CHECK_THAT(error_of([&] { deserialize_dpf_keys(b); }), Catch::Contains("padding"));
  // And the unmodified data still reads.
  CHECK_NOTHROW(deserialize_dpf_keys(good));
}

TEST_CASE("Serialising malformed keys is an invalid_argument", "[key_io]") {
  std::mt19937_64 g(1);
  auto [k0, k1] = make_dpf(g, 8, 8, 2);
  auto bad = k0;
  bad.cw_out[1] = 256;
  CHECK_THROWS_AS(serialize_keys(bad), std::invalid_argument);
  bad = k0;
  bad.root[0].lo |= 1;
  CHECK_THROWS_AS(serialize_keys(bad), std::invalid_argument);
  bad = k0;
  bad.cw_seed.pop_back();
  CHECK_THROWS_AS(serialize_keys(bad), std::invalid_argument);
  std::vector<std::uint8_t> small(serialized_size(k0) - 1);
  CHECK_THROWS_AS(serialize_keys(k0, small), std::invalid_argument);
}
