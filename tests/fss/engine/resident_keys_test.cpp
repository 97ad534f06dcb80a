// Key batches moved to an accelerator in the offline phase (fss::Accelerator::make_resident via
// engine::keep_batches_on): the dealer's queued batch is handed over as it is written, its host
// arrays are released, the party's evaluation through that accelerator returns what the CPU
// returns for the original keys, the stream's byte count is unchanged, and neither the CPU path nor
// the serialiser touches a resident batch. A dealer given an accelerator generates its DCF / DPF
// batches there (Accelerator::dcf_gen from the stream's seed and position) with the CPU's keys
// and stream position. A CPU stand-in plays the accelerator (the CUDA one is checked on the device
// by scripts/gpu_check.sh, group "dealer", and end to end by scripts/gpu_e2e.sh).
#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include "fss/accelerator.h"
#include "fss/dcf.h"
#include "fss/dpf.h"
#include "fss/dpf_et.h"
#include "fss/engine/dealer.h"
#include "fss/engine/key_codec.h"
#include "fss/engine/key_stream.h"
#include "fss/key_io.h"

using namespace secinfer::fss;
using namespace secinfer::fss::engine;

namespace {

// Keeps each batch's arrays in its own "memory" and evaluates from there on the CPU.
class MovingAccelerator final : public Accelerator {
 public:
  std::string describe() const override { return "moving stand-in"; }
  using Accelerator::make_resident;  // share batches stay on the host here
  void make_resident(DcfKeys& k) const override {
    auto held = std::make_shared<Held>();
    held->dcf = k;
    k.root = {};
    k.cw_seed = {};
    k.cw_v = {};
    k.cw_final = {};
    k.resident = held;
    ++made;
  }
  void make_resident(DpfKeys& k) const override {
    auto held = std::make_shared<Held>();
    held->dpf = k;
    k.root = {};
    k.cw_seed = {};
    k.cw_t = {};
    k.cw_out = {};
    k.resident = held;
    ++made;
  }
  void make_resident(DpfEtKeys& k) const override {
    auto held = std::make_shared<Held>();
    held->et = k;
    k.root = {};
    k.cw_seed = {};
    k.cw_t = {};
    k.leaf_cw = {};
    k.resident = held;
    ++made;
  }
  bool dpf_et_lut_eval(const DpfEtKeys& k, std::span<const u64> xhat, std::span<const u64> table,
                       int out_bits, std::span<u64> sum, std::span<u64> count,
                       u64 xor_mask) const override {
    secinfer::fss::dpf_et_lut_eval(held(k).et, xhat, table, out_bits, sum, count,
                                   BatchOptions{AesImpl::kAuto, 1}, xor_mask);
    return true;
  }
  void dcf_eval(const DcfKeys& k, std::span<const u64> x, std::span<u64> out) const override {
    secinfer::fss::dcf_eval(held(k).dcf, x, out, BatchOptions{AesImpl::kAuto, 1});
  }
  void dpf_eval(const DpfKeys& k, std::span<const u64> x, std::span<u64> out) const override {
    secinfer::fss::dpf_eval(held(k).dpf, x, out, BatchOptions{AesImpl::kAuto, 1});
  }
  void dpf_lut_eval(const DpfKeys& k, std::span<const u64> x, std::span<const u64> table,
                    std::span<u64> out) const override {
    secinfer::fss::dpf_lut_eval(held(k).dpf, x, table, out, BatchOptions{AesImpl::kAuto, 1});
  }
  void dcf_eval_multipoint(const DcfKeys&, std::size_t, std::span<const u64>,
                           std::span<u64>) const override {
    throw std::logic_error("not used here");
  }
  // Key generation "on the device": the CPU's generator from SeededPrg(seed) advanced to
  // first_block the slow way (block by block), then both batches moved here.
  std::optional<std::pair<DcfKeys, DcfKeys>> dcf_gen(DcfShape shape, std::span<const u64> alpha,
                                                     std::span<const u64> beta, Block seed,
                                                     u64 first_block) const override {
    return generate(seed, first_block, [&](SeededPrg& rng) {
      return secinfer::fss::dcf_gen(shape, alpha, beta, rng);
    });
  }
  std::optional<std::pair<DpfKeys, DpfKeys>> dpf_gen(DpfShape shape, std::span<const u64> alpha,
                                                     std::span<const u64> beta, Block seed,
                                                     u64 first_block) const override {
    return generate(seed, first_block, [&](SeededPrg& rng) {
      return secinfer::fss::dpf_gen(shape, alpha, beta, rng);
    });
  }
  mutable int made = 0, generated = 0;

 private:
  template <class Gen>
  std::optional<std::invoke_result_t<Gen, SeededPrg&>> generate(Block seed, u64 first_block,
                                                                Gen&& gen) const {
    SeededPrg rng(seed);
    for (u64 i = 0; i < first_block; ++i) rng.next_block();
    auto keys = gen(rng);
    make_resident(keys.first);
    make_resident(keys.second);
    ++generated;
    return keys;
  }
  struct Held : ResidentKeys {
    DcfKeys dcf;
    DpfKeys dpf;
    DpfEtKeys et;
  };
  static const Held& held(const auto& k) {
    const auto* h = dynamic_cast<const Held*>(k.resident.get());
    if (h == nullptr) throw std::logic_error("a batch this stand-in did not make resident");
    return *h;
  }
};

}  // namespace

TEST_CASE(
    "key batches made resident offline evaluate as on the CPU; nothing reads their host arrays",
    "[engine][keys][accel]") {
  std::mt19937_64 g(std::random_device{}());
  const std::size_t count = 257;
  std::vector<u64> alpha(count), beta(count), x(count);
  for (std::size_t i = 0; i < count; ++i) {
    alpha[i] = g() & ring_mask(37);
    beta[i] = g() & ring_mask(50);
    x[i] = i % 3 == 0 ? alpha[i] : g() & ring_mask(37);  // the point itself, and random ones
  }
  x[1] = 0;
  x[2] = ring_mask(37);
  SeededPrg rng(Block{g(), g()});
  auto [dcf0, dcf1] = dcf_gen(DcfShape{37, 50, 1}, alpha, beta, rng);
  auto [dpf0, dpf1] = dpf_gen(DpfShape{8, 50}, std::vector<u64>(count, 5), beta, rng);
  (void)dcf1;
  (void)dpf1;
  std::vector<u64> want_dcf(count), want_dpf(count);
  dcf_eval(dcf0, x, want_dcf);
  std::vector<u64> idx(count);
  for (std::size_t i = 0; i < count; ++i) idx[i] = x[i] & 0xff;
  dpf_eval(dpf0, idx, want_dpf);
  const std::size_t bytes = serialized_size(dcf0) + serialized_size(dpf0);

  MovingAccelerator accel;
  auto buffer = std::make_shared<KeyBuffer>();
  keep_batches_on(*buffer, accel);
  KeyWriter w = KeyWriter::memory(buffer);
  write_dcf_keys(w, DcfKeys(dcf0));
  write_dpf_keys(w, DpfKeys(dpf0));
  CHECK(accel.made == 2);               // handed over as the dealer wrote them
  CHECK(w.bytes_written() == bytes);    // the stream still counts the serialised size
  CHECK(buffer->available() == bytes);  // and reads as that many bytes

  KeyReader r = KeyReader::memory(buffer);
  const DcfKeys dcf = read_dcf_keys(r, DcfShape{37, 50, 1}, count, 0);
  const DpfKeys dpf = read_dpf_keys(r, DpfShape{8, 50}, count, 0);
  REQUIRE(dcf.resident != nullptr);
  CHECK(dcf.root.empty());  // released in the offline phase
  CHECK(dcf.cw_seed.empty());
  CHECK(dpf.cw_out.empty());

  const BatchOptions on_accel{AesImpl::kAuto, 1, &accel};
  std::vector<u64> got(count);
  dcf_eval(dcf, x, got, on_accel);
  CHECK(got == want_dcf);
  dpf_eval(dpf, idx, got, on_accel);
  CHECK(got == want_dpf);

  // Without its accelerator a resident batch is refused, never read from empty arrays.
  CHECK_THROWS_WITH(dcf_eval(dcf, x, got, BatchOptions{AesImpl::kAuto, 1}),
                    Catch::Contains("lives in an accelerator's memory"));
  CHECK_THROWS_WITH(dpf_eval(dpf, idx, got), Catch::Contains("lives in an accelerator's memory"));
  CHECK_THROWS_AS(serialize_keys(dcf), std::logic_error);
  CHECK_THROWS_AS(serialize_keys(dpf), std::logic_error);
}

TEST_CASE("a dealer with an accelerator generates the CPU's keys there and draws the same stream",
          "[engine][keys][accel][dealer]") {
  std::mt19937_64 g(std::random_device{}());
  const std::size_t count = 97;
  std::vector<u64> alpha(count), beta(2 * count), x(count), idx(count);
  for (std::size_t i = 0; i < count; ++i) {
    alpha[i] = g() & ring_mask(50);
    x[i] = i % 3 == 0 ? alpha[i] : g() & ring_mask(50);
    idx[i] = x[i] & 0xff;
  }
  x[1] = 0;
  x[2] = ring_mask(50);
  for (auto& b : beta) b = g() & ring_mask(50);
  const Block seed{g(), g()};
  const std::size_t odd = 2 * (g() % 20) + 1;  // the stream stands mid-block, a hi half buffered

  // The same dealer call sequence without and with the accelerator.
  struct Out {
    DcfKeys dcf;
    DpfKeys dpf;
    std::vector<u64> after;
  };
  MovingAccelerator accel;
  const auto deal = [&](const Accelerator* a) {
    auto buffer = std::make_shared<KeyBuffer>();
    KeyWriter own = KeyWriter::memory(buffer);
    KeyWriter other = KeyWriter::discard();
    Dealer d(Ring{50}, 12, seed, own, other);
    d.set_accelerator(a);
    d.random(odd);
    d.dcf(DcfShape{50, 50, 2}, alpha, beta);
    d.dpf(DpfShape{8, 50}, idx, std::span<const u64>(beta).first(count));
    Out o;
    o.after = d.random(5);
    KeyReader r = KeyReader::memory(buffer);
    o.dcf = read_dcf_keys(r, DcfShape{50, 50, 2}, count, 0);
    o.dpf = read_dpf_keys(r, DpfShape{8, 50}, count, 0);
    return o;
  };
  const Out cpu = deal(nullptr);
  const Out dev = deal(&accel);
  CHECK(accel.generated == 2);
  REQUIRE(dev.dcf.resident != nullptr);
  REQUIRE(dev.dpf.resident != nullptr);
  CHECK(cpu.dcf.resident == nullptr);
  CHECK(dev.after == cpu.after);  // both dealers' streams stand at the same place afterwards

  const BatchOptions on_accel{AesImpl::kAuto, 1, &accel};
  std::vector<u64> want(2 * count), got(2 * count);
  dcf_eval(cpu.dcf, x, want);
  dcf_eval(dev.dcf, x, got, on_accel);
  CHECK(got == want);
  std::vector<u64> want1(count), got1(count);
  dpf_eval(cpu.dpf, idx, want1);
  dpf_eval(dev.dpf, idx, got1, on_accel);
  CHECK(got1 == want1);
}

TEST_CASE("SeededPrg::skip_blocks consumes what next_blocks would", "[fss][prg]") {
  std::mt19937_64 g(std::random_device{}());
  const Block seed{g(), g()};
  SeededPrg a(seed), b(seed);
  a.next_u64();  // a hi half buffered: both calls drop it
  b.next_u64();
  const std::size_t n = 1 + g() % 100;
  std::vector<Block> drawn(n);
  a.next_blocks(drawn);
  CHECK(b.next_counter() + n == a.next_counter());
  b.skip_blocks(n);
  CHECK(a.next_u64() == b.next_u64());
  CHECK(a.seed() == seed);
}

TEST_CASE("a dealer writing key files refuses an accelerator", "[engine][keys][dealer]") {
  const auto path = std::filesystem::temp_directory_path() / "secinfer_dealer_accel_test.keys";
  KeyWriter file = KeyWriter::file(path.string(), KeyFileHeader{});
  KeyWriter other = KeyWriter::discard();
  Dealer d(Ring{50}, 12, Block{1, 2}, file, other);
  MovingAccelerator accel;
  CHECK_THROWS_WITH(d.set_accelerator(&accel), Catch::Contains("key file"));
  CHECK_NOTHROW(d.set_accelerator(nullptr));
  std::filesystem::remove(path);
}

TEST_CASE("early-terminated DPF batches made resident evaluate as on the CPU",
          "[engine][keys][accel]") {
  std::mt19937_64 g(std::random_device{}());
  const std::size_t count = 300;
  const int k = 8, m = 50;
  std::vector<u64> alpha(count), xhat(count), table(std::size_t{1} << k);
  for (std::size_t i = 0; i < count; ++i) {
    alpha[i] = g() & ring_mask(k);
    xhat[i] = g() & ring_mask(k);
  }
  for (auto& t : table) t = g() & ring_mask(m);
  SeededPrg rng(Block{g(), g()});
  auto [e0, e1] = dpf_et_gen(k, alpha, rng);
  (void)e1;
  std::vector<u64> want_sum(count), want_count(count);
  dpf_et_lut_eval(e0, xhat, table, m, want_sum, want_count);

  MovingAccelerator accel;
  auto buffer = std::make_shared<KeyBuffer>();
  keep_batches_on(*buffer, accel);
  KeyWriter w = KeyWriter::memory(buffer);
  w.write_keys(DpfEtKeys(e0));
  CHECK(accel.made == 1);
  CHECK(w.bytes_written() == dpf_et_key_bytes(k, count));
  CHECK(buffer->available() == dpf_et_key_bytes(k, count));

  KeyReader r = KeyReader::memory(buffer);
  std::optional<DpfEtKeys> keys = r.read_object<DpfEtKeys>();
  REQUIRE(keys);
  REQUIRE(keys->resident != nullptr);
  CHECK(keys->root.empty());
  CHECK(keys->leaf_cw.empty());
  std::vector<u64> sum(count), cnt(count);
  dpf_et_lut_eval(*keys, xhat, table, m, sum, cnt, BatchOptions{AesImpl::kAuto, 1, &accel});
  CHECK(sum == want_sum);
  CHECK(cnt == want_count);
  CHECK_THROWS_WITH(dpf_et_lut_eval(*keys, xhat, table, m, sum, cnt, BatchOptions{}),
                    Catch::Contains("lives in an accelerator's memory"));
  CHECK_THROWS_WITH(serialize_keys(*keys), Catch::Contains("lives in an accelerator's memory"));
}
