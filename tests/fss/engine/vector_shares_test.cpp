// Shares a gate reads as vectors (Dealer::share_vec, Party::read_shares_vec): the same key bytes
// as share(); in an in-memory stream a wide batch moves to the accelerator offline only when the
// accelerator keeps the party's vectors (Accelerator::vec_space), and a Space adopts it in place.
// A CPU stand-in plays the accelerator (the CUDA one runs end to end in scripts/gpu_e2e.sh with
// --gate-vectors device).
#include <catch2/catch.hpp>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include "fss/accelerator.h"
#include "fss/engine/dealer.h"
#include "fss/engine/key_stream.h"
#include "fss/thread_pool.h"
#include "fss/vec/host_space.h"

using namespace secinfer::fss;
using namespace secinfer::fss::engine;

namespace {

// Host memory standing in for a device's: a resident batch's values kept here.
struct Held : ResidentKeys {
  std::vector<u64> values;
};

// The host Space's ops, plus adopting the batches of its accelerator.
class AdoptingSpace final : public vec::Space {
 public:
  explicit AdoptingSpace(ThreadPool& pool) : host_(pool, {}) {}
  std::string describe() const override { return "stand-in device"; }
  bool on_device() const override { return true; }
  vec::Vec make(std::size_t n) const override { return rehome(host_.make(n)); }
  vec::Vec upload(std::span<const u64> v) const override { return rehome(host_.upload(v)); }
  std::optional<vec::Vec> adopt(const ShareBatch& b) const override {
    const auto* h = dynamic_cast<const Held*>(b.resident.get());
    if (h == nullptr) return std::nullopt;
    return vec::Vec(this, const_cast<u64*>(h->values.data()), b.count,
                    std::const_pointer_cast<ResidentKeys>(b.resident));
  }
  void download(const vec::Vec& v, std::span<u64> out) const override {
    check(v, out.size(), "download");
    std::copy(v.data(), v.data() + v.size(), out.begin());
  }
  void combine(vec::Vec&, int, u64, std::span<const vec::Term>) const override {}
  void row_sums(const vec::Vec&, std::size_t, int, vec::Vec&) const override {}
  void swap_axes(const vec::Vec&, std::size_t, std::size_t, std::size_t, std::size_t,
                 vec::Vec&) const override {}
  void gather(const vec::Vec&, const vec::Vec&, const vec::Vec&, vec::Vec&) const override {}
  void dcf_eval(const DcfKeys&, const vec::Vec&, vec::Vec&) const override {}
  void dpf_et_lut_eval(const DpfEtKeys&, const vec::Vec&, std::span<const u64>, int, vec::Vec&,
                       vec::Vec&, u64) const override {}
  void sigma_dcf_eval(const SigmaDcfKeys&, std::span<const DcfPoint>,
                      std::span<vec::Vec* const>) const override {}
  void pack(const vec::Vec&, int, std::span<std::uint8_t>) const override {}
  void unpack_add(std::span<const std::uint8_t>, int, vec::Vec&) const override {}

 private:
  vec::Vec rehome(vec::Vec v) const {
    auto keep = std::make_shared<vec::Vec>(std::move(v));
    u64* d = keep->data();
    const std::size_t n = keep->size();
    return vec::Vec(this, d, n, std::move(keep));
  }
  vec::HostSpace host_;
};

class ShareAccelerator final : public Accelerator {
 public:
  ShareAccelerator(ThreadPool& pool, bool vectors)
      : space_(vectors ? std::make_unique<AdoptingSpace>(pool) : nullptr) {}
  std::string describe() const override { return "share stand-in"; }
  const vec::Space* vec_space() const override { return space_.get(); }
  using Accelerator::make_resident;
  void make_resident(ShareBatch& s) const override {
    auto h = std::make_shared<Held>();
    h->values = std::move(s.values);
    s.values = {};
    s.resident = std::move(h);
    ++made;
  }
  void dcf_eval(const DcfKeys&, std::span<const u64>, std::span<u64>) const override {}
  void dpf_eval(const DpfKeys&, std::span<const u64>, std::span<u64>) const override {}
  void dpf_lut_eval(const DpfKeys&, std::span<const u64>, std::span<const u64>,
                    std::span<u64>) const override {}
  void dcf_eval_multipoint(const DcfKeys&, std::size_t, std::span<const u64>,
                           std::span<u64>) const override {}
  mutable int made = 0;

 private:
  std::unique_ptr<AdoptingSpace> space_;
};

// What a host-only dealer's share_vec(v, bits, drawn) writes for each party, and the stream's
// next four values after it.
struct HostShares {
  std::optional<ShareBatch> batch[2];
  std::vector<u64> next;
};
HostShares host_share_vec(Block seed, std::span<const u64> v, int bits, int drawn) {
  auto b0 = std::make_shared<KeyBuffer>(), b1 = std::make_shared<KeyBuffer>();
  KeyWriter h0 = KeyWriter::memory(b0), h1 = KeyWriter::memory(b1);
  Dealer host(make_ring(64), 12, seed, h0, h1);
  host.set_threads(2);
  host.share_vec(v, bits, drawn);
  HostShares out;
  out.next = host.random(4);
  out.batch[0] = KeyReader::memory(b0).read_object<ShareBatch>();
  out.batch[1] = KeyReader::memory(b1).read_object<ShareBatch>();
  REQUIRE(out.batch[0].has_value());
  REQUIRE(out.batch[1].has_value());
  return out;
}

}  // namespace

TEST_CASE("share_vec: the bytes of share(); moved offline only where the vectors live there",
          "[engine][keys][vec]") {
  std::mt19937_64 g(Catch::rngSeed() + 21);
  const std::size_t n = 300;
  std::vector<u64> v(n);
  for (u64& x : v) x = g() & ring_mask(50);
  ThreadPool pool(1);
  for (const bool vectors : {false, true}) {
    ShareAccelerator accel(pool, vectors);
    auto buffer = std::make_shared<KeyBuffer>();
    keep_batches_on(*buffer, accel);
    KeyWriter w0 = KeyWriter::memory(buffer), w1 = KeyWriter::discard();
    Dealer d(make_ring(50), 12, Block{1, 2}, w0, w1);
    d.share_vec(v, 50);  // wide: a vector batch
    d.share(v, 50);      // wide: read on the host
    d.share_vec(v, 1);   // narrow: packed bytes, as share()
    CHECK(w0.bytes_written() == 2 * packed_bytes(n, 50) + packed_bytes(n, 1));
    CHECK(accel.made == (vectors ? 1 : 0));

    KeyReader r = KeyReader::memory(buffer);
    const std::optional<ShareBatch> a = r.read_object<ShareBatch>();
    REQUIRE(a.has_value());
    CHECK(a->vector);
    CHECK((a->resident != nullptr) == vectors);
    CHECK(a->values.empty() == vectors);  // released offline when moved
    if (vectors) {
      const std::optional<vec::Vec> in_place = accel.vec_space()->adopt(*a);
      REQUIRE(in_place.has_value());
      CHECK(in_place->size() == n);
    }
    const std::optional<ShareBatch> b = r.read_object<ShareBatch>();
    REQUIRE(b.has_value());
    CHECK_FALSE(b->vector);
    CHECK(b->resident == nullptr);
    CHECK(b->values.size() == n);
  }
}

TEST_CASE("share_vec on an accelerator that makes no shares: the host's fallback is split()'s",
          "[engine][keys][vec]") {
  // Dealer::share_on_device draws the kept party's shares from a stream slice and, where the
  // accelerator declines (seeded_shares returns null, as the stand-in does), makes them on the
  // host: the same values as a host-only dealer's, and the stream left where it leaves it. With
  // either party's shares drawn (share_vec's `drawn`): those are the stream's next values, the
  // other party's v minus them.
  std::mt19937_64 g(Catch::rngSeed() + 22);
  ThreadPool pool(1);
  for (const std::size_t n : {std::size_t{300}, (std::size_t{1} << 17) + 3}) {  // inline, pool
    for (const int bits : {32, 50, 64}) {
      for (const int drawn : {0, 1}) {
        INFO("n " << n << " bits " << bits << " drawn " << drawn);
        std::vector<u64> v(n);
        for (u64& x : v) x = g() & ring_mask(bits);
        v[0] = 0;
        v[1] = ring_mask(bits);
        const Block seed{g(), g()};

        const HostShares host = host_share_vec(seed, v, bits, drawn);
        const std::optional<ShareBatch>(&want)[2] = host.batch;
        const std::vector<u64>& next = host.next;
        KeyWriter none0 = KeyWriter::discard(), none1 = KeyWriter::discard();
        Dealer stream(make_ring(64), 12, seed, none0, none1);  // the same stream, read directly
        CHECK(want[drawn]->values == stream.random(n, bits));
        for (std::size_t i = 0; i < n; ++i)
          REQUIRE(((want[0]->values[i] + want[1]->values[i]) & ring_mask(bits)) == v[i]);

        for (const int kept : {0, 1}) {
          ShareAccelerator accel(pool, true);
          auto buffer = std::make_shared<KeyBuffer>();
          KeyWriter mem = KeyWriter::memory(buffer), drop = KeyWriter::discard();
          Dealer d(make_ring(64), 12, seed, kept == 0 ? mem : drop, kept == 1 ? mem : drop);
          d.set_threads(2);
          d.set_accelerator(&accel);
          CHECK(d.reads_share_values(drawn) == (kept != drawn));
          d.share_vec(v, bits, drawn);
          CHECK(d.random(4) == next);
          CHECK(mem.bytes_written() == packed_bytes(n, bits));
          const std::optional<ShareBatch> got = KeyReader::memory(buffer).read_object<ShareBatch>();
          REQUIRE(got.has_value());
          CHECK(got->vector);
          CHECK(got->bits == want[kept]->bits);
          CHECK(got->values == want[kept]->values);
        }
      }
    }
  }
}

TEST_CASE("share_vec_made_on_device: share_vec's shares and stream; v asked for only where needed",
          "[engine][keys][vec]") {
  // Dealer::share_vec_made_on_device (the matmul correlation made on the accelerator): where the
  // maker declines (the stand-in's), the host makes the kept party's batch from the same slice,
  // calling host_v only where those shares are v minus the slice's values; without a device Space
  // (or with both writers kept) it draws nothing and says so, and the caller shares v itself.
  std::mt19937_64 g(Catch::rngSeed() + 23);
  ThreadPool pool(1);
  const std::size_t n = 301;
  const int bits = 50;
  std::vector<u64> v(n);
  for (u64& x : v) x = g() & ring_mask(bits);
  const Block seed{g(), g()};
  for (const int drawn : {0, 1}) {
    const HostShares host = host_share_vec(seed, v, bits, drawn);
    const std::optional<ShareBatch>(&want)[2] = host.batch;
    const std::vector<u64>& next = host.next;
    for (const int kept : {0, 1}) {
      INFO("drawn " << drawn << " kept " << kept);
      ShareAccelerator accel(pool, true);
      auto buffer = std::make_shared<KeyBuffer>();
      KeyWriter mem = KeyWriter::memory(buffer), drop = KeyWriter::discard();
      Dealer d(make_ring(64), 12, seed, kept == 0 ? mem : drop, kept == 1 ? mem : drop);
      d.set_accelerator(&accel);
      int made = 0, asked = 0;
      bool saw_from_v = false;
      const bool done = d.share_vec_made_on_device(
          n, bits, drawn,
          [&](const StreamSlice& slice, bool from_v) -> std::shared_ptr<const ResidentKeys> {
            ++made;
            saw_from_v = from_v;
            CHECK(slice.count == n);
            return nullptr;  // declined: the host makes them
          },
          [&](std::vector<u64>&) -> std::span<const u64> {
            ++asked;
            return v;
          });
      CHECK(done);
      CHECK(made == 1);
      CHECK(saw_from_v == (kept != drawn));
      CHECK(asked == (kept != drawn ? 1 : 0));
      CHECK(d.random(4) == next);
      const std::optional<ShareBatch> got = KeyReader::memory(buffer).read_object<ShareBatch>();
      REQUIRE(got.has_value());
      CHECK(got->vector);
      CHECK(got->values == want[kept]->values);
    }
    // Both writers kept (a separate dealer): nothing drawn, the caller shares v.
    auto m0 = std::make_shared<KeyBuffer>(), m1 = std::make_shared<KeyBuffer>();
    KeyWriter k0 = KeyWriter::memory(m0), k1 = KeyWriter::memory(m1);
    Dealer both(make_ring(64), 12, seed, k0, k1);
    const auto never = [](const StreamSlice&, bool) -> std::shared_ptr<const ResidentKeys> {
      FAIL("made on a device where share_vec splits on the host");
      return nullptr;
    };
    CHECK_FALSE(both.share_vec_made_on_device(
        n, bits, drawn, never, [&](std::vector<u64>&) -> std::span<const u64> { return v; }));
    CHECK(k0.bytes_written() == 0);
    Dealer fresh(make_ring(64), 12, seed, k0, k1);
    CHECK(both.random(4) == fresh.random(4));
    CHECK_THROWS_AS(
        both.share_vec_made_on_device(n, bits, 2, never,
                                      [&](std::vector<u64>&) -> std::span<const u64> { return v; }),
        std::invalid_argument);
  }
}

TEST_CASE("share and share_vec without a drawn party even out the parties' v-minus-stream work",
          "[engine][keys][vec]") {
  // Dealer::kBalanced: the drawn party is the one whose dealer has made more wide shares as v
  // minus the stream's so far (party 0 on a tie), so the other makes them; narrow shares are not
  // counted; a named party counts as well. The drawn party's shares are the stream's values.
  std::mt19937_64 g(Catch::rngSeed() + 24);
  const Block seed{g(), g()};
  auto b0 = std::make_shared<KeyBuffer>(), b1 = std::make_shared<KeyBuffer>();
  KeyWriter w0 = KeyWriter::memory(b0), w1 = KeyWriter::memory(b1);
  Dealer d(make_ring(64), 12, seed, w0, w1);
  KeyWriter n0 = KeyWriter::discard(), n1 = KeyWriter::discard();
  Dealer stream(make_ring(64), 12, seed, n0, n1);  // the same stream, read directly
  const auto values = [&](std::size_t n, int bits) {
    std::vector<u64> v(n);
    for (u64& x : v) x = g() & ring_mask(bits);
    return v;
  };
  struct Call {
    std::size_t n;
    int bits, drawn, want_drawn;
    std::uint64_t from_v0, from_v1;  // the tally after the call
  };
  const Call calls[] = {
      {1000, 50, Dealer::kBalanced, 0, 0, 1000},     // a tie: party 1 makes v - stream
      {300, 50, Dealer::kBalanced, 1, 300, 1000},    // party 0 has made fewer
      {500, 1, Dealer::kBalanced, 1, 300, 1000},     // narrow: not counted
      {200, 64, 1, 1, 500, 1000},                    // named: counted
      {600, 50, Dealer::kBalanced, 1, 1100, 1000},   // party 0 still fewer
      {100, 50, Dealer::kBalanced, 0, 1100, 1100}};  // now party 1
  KeyReader r0 = KeyReader::memory(b0), r1 = KeyReader::memory(b1);  // each call's, in turn
  for (const Call& c : calls) {
    INFO("n " << c.n << " bits " << c.bits);
    const std::vector<u64> v = values(c.n, c.bits);
    d.share_vec(v, c.bits, c.drawn);
    CHECK(d.host_time().wide_from_v[0] == c.from_v0);
    CHECK(d.host_time().wide_from_v[1] == c.from_v1);
    const std::vector<u64> drawn_values = stream.random(c.n, c.bits);
    std::optional<ShareBatch> s0, s1;
    std::vector<u64> p0(c.n), p1(c.n);
    if (c.bits >= 32) {  // handed over unpacked
      s0 = r0.read_object<ShareBatch>();
      s1 = r1.read_object<ShareBatch>();
      REQUIRE(s0.has_value());
      REQUIRE(s1.has_value());
      p0 = s0->values;
      p1 = s1->values;
    } else {
      const std::span<const std::uint8_t> q0 = r0.read_view(packed_bytes(c.n, c.bits)),
                                          q1 = r1.read_view(packed_bytes(c.n, c.bits));
      unpack_bits(q0, c.bits, p0);
      unpack_bits(q1, c.bits, p1);
    }
    CHECK((c.want_drawn == 0 ? p0 : p1) == drawn_values);
    for (std::size_t i = 0; i < c.n; ++i) REQUIRE(((p0[i] + p1[i]) & ring_mask(c.bits)) == v[i]);
  }
  CHECK_THROWS_AS(d.share_vec(values(4, 50), 50, 2), std::invalid_argument);
}
