// Share batches (fss/share_batch.h): Dealer::share_batch draws the same randomness and writes the
// same key bytes as Dealer::share, whether the stream queues the batch as an object (memory) or
// serialises it (a key file); Party::read_share_batch returns the values either way, and a byte
// reader of a queued batch reads exactly share()'s bytes. Edge widths 1 and 64 and a count whose
// packing ends mid-byte.
#include "fss/share_batch.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include "fss/engine/dealer.h"
#include "fss/engine/engine_test_util.h"
#include "fss/engine/key_stream.h"
#include "fss/engine/party.h"

using namespace secinfer::fss;
using namespace secinfer::fss::engine;
namespace test = secinfer::fss::engine::test;

namespace {

std::vector<u64> random_values(std::mt19937_64& g, std::size_t n, int bits) {
  std::vector<u64> v(n);
  for (auto& x : v) x = g() & ring_mask(bits);
  if (n > 1) {
    v[0] = 0;
    v[1] = ring_mask(bits);
  }
  return v;
}

}  // namespace

TEST_CASE("a share batch is share()'s bytes and values, as an object or from a file",
          "[engine][keys][share_batch]") {
  std::mt19937_64 g(std::random_device{}());
  const Block seed{g(), g()};
  for (const int bits : {1, 13, 50, 64}) {
    const std::size_t n = 1 + g() % 1000;
    const std::vector<u64> v = random_values(g, n, bits);
    // The reference: share() into a memory stream, read back as shares.
    auto ref_buf = std::make_shared<KeyBuffer>();
    KeyWriter ref_w = KeyWriter::memory(ref_buf);
    KeyWriter ref_other = KeyWriter::discard();
    Dealer ref(Ring{64}, 12, seed, ref_w, ref_other);
    ref.share(v, bits);
    const std::vector<u64> after_ref = ref.random(3);
    KeyReader ref_r = KeyReader::memory(ref_buf);
    std::vector<u64> want(n);
    ref_r.read_packed(want, bits);

    // share_batch() into a memory stream: the same byte count, values, and stream position.
    auto buf = std::make_shared<KeyBuffer>();
    KeyWriter w = KeyWriter::memory(buf);
    KeyWriter other = KeyWriter::discard();
    Dealer d(Ring{64}, 12, seed, w, other);
    d.share_batch(v, bits);
    CHECK(d.random(3) == after_ref);
    CHECK(w.bytes_written() == ref_w.bytes_written());
    CHECK(other.bytes_written() == ref_other.bytes_written());
    {
      KeyReader r = KeyReader::memory(buf);
      std::optional<ShareBatch> s = r.read_object<ShareBatch>();
      REQUIRE(s.has_value());
      CHECK(s->bits == bits);
      CHECK(s->values == want);
      CHECK(r.bytes_read() == ref_w.bytes_written());
    }
    // A byte reader of a queued batch reads share()'s bytes.
    {
      auto buf2 = std::make_shared<KeyBuffer>();
      KeyWriter w2 = KeyWriter::memory(buf2);
      KeyWriter o2 = KeyWriter::discard();
      Dealer d2(Ring{64}, 12, seed, w2, o2);
      d2.share_batch(v, bits);
      KeyReader r2 = KeyReader::memory(buf2);
      std::vector<u64> got(n);
      r2.read_packed(got, bits);
      CHECK(got == want);
    }
  }
}

TEST_CASE("read_share_batch returns the dealer's shares from memory and from key files",
          "[engine][keys][share_batch]") {
  std::mt19937_64 g(std::random_device{}());
  for (const KeyMode mode : {KeyMode::kInline, KeyMode::kFile}) {
    const int bits = 37;
    const std::size_t n = 1 + g() % 500;
    const std::vector<u64> v = random_values(g, n, bits);
    TwoPartyOptions o = test::options(50, g());
    o.key_mode = mode;
    const auto dir = std::filesystem::temp_directory_path() /
                     ("secinfer_share_batch_" + std::to_string(std::random_device{}()));
    if (mode == KeyMode::kFile) o.key_dir = dir.string();
    const test::GateRun res = test::run_gate(
        o, {}, {}, n, bits,
        [&](Dealer& d, const std::vector<std::vector<u64>>&, std::span<u64> r_out) {
          d.share_batch(v, bits);
          std::fill(r_out.begin(), r_out.end(), 0);
        },
        [&](Party& p, const std::vector<std::vector<u64>>&, std::span<u64> yhat) {
          const ShareBatch s = p.read_share_batch(n, bits);
          CHECK(s.resident == nullptr);
          p.open(s.values, yhat, bits);
        });
    CHECK(res.y[0] == v);
    CHECK(res.y[1] == v);
    std::filesystem::remove_all(dir);
  }
}

TEST_CASE("a queued share batch of another size is refused", "[engine][keys][share_batch]") {
  const auto wrong = [] {
    test::run_gate(
        test::options(50), {}, {}, 1, 50,
        [](Dealer& d, const std::vector<std::vector<u64>>&, std::span<u64>) {
          d.share_batch(std::vector<u64>(10, 5));
        },
        [](Party& p, const std::vector<std::vector<u64>>&, std::span<u64>) {
          p.read_share_batch(11);
        });
  };
  CHECK_THROWS_WITH(wrong(), Catch::Contains("out of sync"));
}

TEST_CASE("shares in SIGMA's words: the same values, a word's bytes each, memory and key files",
          "[engine][keys][share_batch]") {
  // GateOptions::Shares::kWords (--sigma-shares words): u64 for values wider than 16 bits, u16 /
  // u8 for narrower ones, 1- and 2-bit values packed. share, share_vec and share_batch read back
  // the dealer's values whatever the container.
  std::mt19937_64 g(std::random_device{}());
  const GateOptions words{.shares = GateOptions::Shares::kWords};
  CHECK(words.share_storage_bits(1) == 1);
  CHECK(words.share_storage_bits(2) == 2);
  CHECK(words.share_storage_bits(3) == 8);
  CHECK(words.share_storage_bits(8) == 8);
  CHECK(words.share_storage_bits(9) == 16);
  CHECK(words.share_storage_bits(16) == 16);
  CHECK(words.share_storage_bits(17) == 64);
  CHECK(words.share_storage_bits(64) == 64);
  CHECK(GateOptions{}.share_storage_bits(37) == 37);  // packed, the default
  for (const KeyMode mode : {KeyMode::kInline, KeyMode::kFile}) {
    for (const int bits : {1, 2, 7, 12, 37, 50}) {
      const std::size_t n = 1 + g() % 300;
      const std::vector<u64> v = random_values(g, n, bits);
      TwoPartyOptions o = test::options(50, g());
      o.key_mode = mode;
      o.gate_options = words;
      const auto dir = std::filesystem::temp_directory_path() /
                       ("secinfer_share_words_" + std::to_string(std::random_device{}()));
      if (mode == KeyMode::kFile) o.key_dir = dir.string();
      INFO("bits " << bits << (mode == KeyMode::kFile ? ", key file" : ", memory"));
      const test::GateRun res = test::run_gate(
          o, {}, {}, 3 * n, bits,
          [&](Dealer& d, const std::vector<std::vector<u64>>&, std::span<u64> r_out) {
            d.share(v, bits);
            d.share_vec(v, bits);
            d.share_batch(v, bits);
            std::fill(r_out.begin(), r_out.end(), 0);
          },
          [&](Party& p, const std::vector<std::vector<u64>>&, std::span<u64> yhat) {
            std::vector<u64> mine = p.read_shares(n, bits);
            const vec::Vec as_vec = p.read_shares_vec(n, bits);
            std::vector<u64> from_vec(n);
            p.space().download(as_vec, from_vec);
            mine.insert(mine.end(), from_vec.begin(), from_vec.end());
            const ShareBatch batch = p.read_share_batch(n, bits);
            mine.insert(mine.end(), batch.values.begin(), batch.values.end());
            p.open(mine, yhat, bits);
          });
      std::vector<u64> want;
      for (int k = 0; k < 3; ++k) want.insert(want.end(), v.begin(), v.end());
      CHECK(res.y[0] == want);
      CHECK(res.y[1] == want);
      CHECK(res.key_bytes[1] == 3 * packed_bytes(n, words.share_storage_bits(bits)));
      std::filesystem::remove_all(dir);
    }
  }
}
