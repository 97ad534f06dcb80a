// Key batches moved to an accelerator in the offline phase (fss::Accelerator::make_resident via
// engine::keep_batches_on): the dealer's queued batch is handed over as it is written, its host
// arrays are released, the party's evaluation through that accelerator returns what the CPU
// returns for the original keys, the stream's byte count is unchanged, and neither the CPU path nor
// the serialiser touches a resident batch. A CPU stand-in plays the accelerator (the CUDA one is
// checked end to end on the device by scripts/gpu_e2e.sh).
#include <catch2/catch.hpp>
#include <memory>
#include <random>
#include <stdexcept>
#include <vector>

#include "fss/accelerator.h"
#include "fss/dcf.h"
#include "fss/dpf.h"
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
  void make_resident(DcfKeys& k) const override {
    auto held = std::make_shared<Held>();
    held->dcf = k;
    k.root = {};
    k.cw_seed = {};
    k.cw_t = {};
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
  mutable int made = 0;

 private:
  struct Held : ResidentKeys {
    DcfKeys dcf;
    DpfKeys dpf;
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
