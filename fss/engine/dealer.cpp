#include "fss/engine/dealer.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

#include "fss/accelerator.h"
#include "fss/compile/gate_cache.h"
#include "fss/dpf_et.h"
#include "fss/engine/add_wall.h"
#include "fss/engine/key_codec.h"
#include "fss/parallel.h"
#include "fss/sigma_dcf.h"

namespace secinfer::fss::engine {

Dealer::Dealer(Ring ring, int frac_bits, Block seed, KeyWriter& p0, KeyWriter& p1)
    : ring_(make_ring(ring.bits)), frac_bits_(frac_bits), rng_(seed), out_{&p0, &p1} {
  if (frac_bits < 0 || frac_bits >= ring.bits) {
    throw std::invalid_argument("Dealer: frac_bits " + std::to_string(frac_bits) +
                                " must be in [0, " + std::to_string(ring.bits) + ")");
  }
}

void Dealer::set_threads(int threads) {
  if (threads < 0)
    throw std::invalid_argument("Dealer: threads must be >= 0 (0 = all hardware threads), got " +
                                std::to_string(threads));
  threads_ = threads;
  pool_.reset();
}

ThreadPool& Dealer::pool() {
  if (!pool_) pool_ = std::make_unique<ThreadPool>(resolve_threads(threads_));
  return *pool_;
}

namespace {
// Shares of at least this width travel unpacked in an in-memory key stream (Dealer::share).
constexpr int kUnpackedShareBits = 32;
}  // namespace

ThreadPool* Dealer::pool_for(std::size_t n, std::size_t grain) {
  return n < 2 * grain ? nullptr : &pool();
}

void Dealer::run_range(std::size_t n, const std::function<void(std::size_t, std::size_t)>& fn,
                       std::size_t grain) {
  if (n == 0) return;
  if (ThreadPool* p = pool_for(n, grain))
    parallel_for(*p, n, grain, fn);
  else
    fn(0, n);
}

void Dealer::for_range(std::size_t n, const std::function<void(std::size_t, std::size_t)>& fn) {
  AddWall w(host_time_.loops_ns);
  run_range(n, fn);
}

void Dealer::for_range(std::size_t n, std::size_t grain,
                       const std::function<void(std::size_t, std::size_t)>& fn) {
  if (grain == 0) throw std::invalid_argument("Dealer::for_range: a grain of 0 elements");
  AddWall w(host_time_.loops_ns);
  run_range(n, fn, grain);
}

void Dealer::for_rows(std::size_t rows, std::size_t cols,
                      const std::function<void(std::size_t, std::size_t)>& fn) {
  for_range(rows, cols == 0 ? kGrain : std::max<std::size_t>(1, kGrain / cols), fn);
}

void Dealer::set_accelerator(const Accelerator* accel) {
  if (accel != nullptr && (out_[0]->writes_file() || out_[1]->writes_file()))
    throw std::invalid_argument(
        "Dealer::set_accelerator: keys made on an accelerator stay in its memory, but a key file "
        "is written here; generate file keys on the CPU (no accelerator)");
  accel_ = accel;
}

void Dealer::begin(std::uint32_t tag, std::uint64_t count) {
  out_[0]->begin_record(tag, count);
  out_[1]->begin_record(tag, count);
}

void Dealer::random(std::span<u64> out, int bits) {
  const int b = bits ? bits : ring_.bits;
  AddWall w(host_time_.random_ns);
  if (ThreadPool* p = pool_for(out.size()))
    rng_.fill(out, b, *p);
  else
    rng_.fill(out, b);
}

std::vector<u64> Dealer::random(std::size_t count, int bits) {
  std::vector<u64> v(count);
  random(v, bits);
  return v;
}

void Dealer::finish_keys() const {
  if (accel_ != nullptr) accel_->finish_keygen();
}

namespace {
// The first n elements of a buffer that keeps its memory from call to call, grown without copying
// (or zeroing) what it held.
std::span<u64> scratch(UninitVector<u64>& buffer, std::size_t n) {
  if (buffer.size() < n) {
    buffer.clear();
    buffer.resize(n);
  }
  return std::span<u64>(buffer).first(n);
}
}  // namespace

std::pair<ShareBatch, ShareBatch> Dealer::split(std::span<const u64> v, int bits, int drawn,
                                                bool pack) {
  const int b = bits ? bits : ring_.bits;
  const int stored = stored_share_bits(b);
  const std::size_t n = v.size();
  std::pair<ShareBatch, ShareBatch> s{ShareBatch{stored, n, {}}, ShareBatch{stored, n, {}}};
  // A writer that drops its party's shares (the other party's, in an inline dealer) gets a batch
  // of the right count and no values. The drawn party's shares are drawn either way, as the
  // stream's next values: the other party's are v - those. Where they are dropped they go to a
  // scratch buffer, as do the shares the caller packs (`pack`).
  const auto values = [&](int party, ShareBatch& batch) -> std::span<u64> {
    if (out_[party]->discards()) return scratch(share_scratch_, n);
    if (pack && !hands_over_unpacked(*out_[party], stored)) return scratch(packed_[party], n);
    batch.values.resize(n);
    return batch.values;
  };
  const std::span<u64> drawn_values = values(drawn, drawn == 0 ? s.first : s.second);
  random(drawn_values, b);
  if (!out_[1 - drawn]->discards())
    subtract_shares(v, drawn_values, values(1 - drawn, drawn == 0 ? s.second : s.first), b);
  return s;
}

void Dealer::subtract_shares(std::span<const u64> v, std::span<const u64> s0, std::span<u64> s1,
                             int bits) {
  const u64 mask = ring_mask(bits);
  run_range(v.size(), [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) s1[i] = (v[i] - s0[i]) & mask;
  });
}

bool Dealer::hands_over_unpacked(const KeyWriter& out, int bits) {
  return !out.discards() && bits >= kUnpackedShareBits && !out.writes_file();
}

int Dealer::pick_drawn(std::size_t count, int bits, int drawn) {
  if (drawn != kBalanced && drawn != 0 && drawn != 1)
    throw std::invalid_argument("Dealer: the drawn party " + std::to_string(drawn) +
                                " must be 0, 1 or kBalanced");
  std::uint64_t(&tally)[2] = host_time_.wide_from_v;
  if (drawn == kBalanced) drawn = tally[1] <= tally[0] ? 0 : 1;
  if (stored_share_bits(bits ? bits : ring_.bits) >= kUnpackedShareBits) tally[1 - drawn] += count;
  return drawn;
}

void Dealer::share(std::span<const u64> v, int bits) {
  share_as(v, bits, false, pick_drawn(v.size(), bits, kBalanced));
}

void Dealer::share_vec(std::span<const u64> v, int bits, int drawn) {
  share_as(v, bits, true, pick_drawn(v.size(), bits, drawn));
}

bool Dealer::share_on_device(std::span<const u64> v, int bits, bool vector,
                             const ResidentKeys* v_held, int drawn) {
  const int b = bits ? bits : ring_.bits;
  return share_made_on_device(
      v.size(), bits, vector, drawn,
      [&](const StreamSlice& slice, bool from_v) {
        return accel_->seeded_shares(
            rng_.seed(), slice, b,
            from_v ? Accelerator::Operand{v, v_held} : Accelerator::Operand{});
      },
      [&](std::vector<u64>&) { return v; });
}

bool Dealer::share_made_on_device(std::size_t count, int bits, bool vector, int drawn,
                                  const DeviceShares& make, const HostValues& host_v) {
  const int b = bits ? bits : ring_.bits;
  const int stored = stored_share_bits(b);
  const bool drop0 = out_[0]->discards(), drop1 = out_[1]->discards();
  // An inline dealer whose party computes on the accelerator: one writer keeps its shares in
  // memory (set_accelerator refuses file writers), the other drops them; wide shares only, the
  // ones an in-memory stream hands over unpacked (for the kept writer, hands_over_unpacked thus
  // tests only the width).
  if (accel_ == nullptr || accel_->vec_space() == nullptr || drop0 == drop1) return false;
  const int kept = drop0 ? 1 : 0;
  if (!hands_over_unpacked(*out_[kept], stored)) return false;
  const bool from_v = kept != drawn;  // the kept party's shares are v - slice, else the slice
  const StreamSlice slice = rng_.take_slice(count);
  ShareBatch batch{stored, count, {}};
  batch.host = vector;  // as share_as() marks them: read as vectors, moved offline
  batch.vector = vector;
  batch.resident = make(slice, from_v);
  if (!batch.resident) {  // no room: the same values made here (split()'s arithmetic)
    batch.values.resize(count);
    {
      AddWall r(host_time_.random_ns);
      rng_.fill_slice(slice, batch.values, b, pool_for(count));
    }
    if (from_v) {
      std::vector<u64> storage;
      subtract_shares(host_v(storage), batch.values, batch.values, b);  // in place
    }
  }
  out_[kept]->write_keys(std::move(batch));
  out_[1 - kept]->write_keys(ShareBatch{stored, count, {}});  // counted by size
  return true;
}

bool Dealer::share_vec_made_on_device(std::size_t count, int bits, int drawn,
                                      const DeviceShares& make, const HostValues& host_v) {
  if (drawn != 0 && drawn != 1)
    throw std::invalid_argument("Dealer::share_vec_made_on_device: party " + std::to_string(drawn) +
                                " must be 0 or 1");
  AddWall w(host_time_.share_ns);
  if (!share_made_on_device(count, bits, true, drawn, make, host_v)) return false;
  pick_drawn(count, bits, drawn);  // counted as the caller's share_vec would be otherwise
  return true;
}

void Dealer::share_as(std::span<const u64> v, int bits, bool vector, int drawn) {
  AddWall w(host_time_.share_ns);
  if (vector && share_on_device(v, bits, true, nullptr, drawn)) return;
  auto [s0, s1] = split(v, bits, drawn, /*pack=*/true);
  ThreadPool* p = pool_for(v.size());
  // Wide shares go to an in-memory stream as they are (ShareBatch::host): the same key bytes are
  // counted, but neither the dealer packs them nor the party unpacks them. Narrow ones stay
  // packed there (a 1-bit share held in 64 bits would cost 64 times the memory), as do all
  // shares of a key file: split() left those in packed_.
  const auto put = [&](int party, ShareBatch& s) {
    KeyWriter& out = *out_[party];
    if (out.discards()) {
      out.write_keys(std::move(s));  // counted by size: split() made no values for it
    } else if (hands_over_unpacked(out, s.bits)) {
      s.host = true;
      s.vector = vector;
      out.write_keys(std::move(s));
    } else {
      out.write_packed(std::span<const u64>(packed_[party]).first(s.count), s.bits, p);
    }
  };
  put(0, s0);
  put(1, s1);
}

void Dealer::share_batch(std::span<const u64> v, int bits, const ResidentKeys* v_held) {
  AddWall w(host_time_.share_ns);
  if (share_on_device(v, bits, false, v_held)) return;
  auto [s0, s1] = split(v, bits);
  out_[0]->write_keys(std::move(s0));
  out_[1]->write_keys(std::move(s1));
}

void Dealer::write_to(int party, std::span<const u64> v, int bits) {
  if (party != 0 && party != 1)
    throw std::invalid_argument("Dealer::write_to: party " + std::to_string(party) +
                                " must be 0 or 1");
  if (v.empty()) return;  // as write_packed: nothing written, nothing read
  AddWall w(host_time_.share_ns);
  const int b = stored_share_bits(bits);
  KeyWriter& out = *out_[party];
  if (hands_over_unpacked(out, b)) {
    ShareBatch s{b, v.size(), std::vector<u64>(v.begin(), v.end())};
    s.host = true;
    out.write_keys(std::move(s));
  } else {
    out.write_packed(v, b, pool_for(v.size()));
  }
}

void Dealer::write_public(std::span<const u64> v, int bits) {
  const int b = stored_share_bits(bits);
  out_[0]->write_packed(v, b);
  out_[1]->write_packed(v, b);
}

void Dealer::dcf(DcfShape shape, std::span<const u64> alpha, std::span<const u64> beta) {
  if (alpha.empty()) return;
  AddWall w(host_time_.keys_ns);
  auto [k0, k1] = dcf_gen(shape, alpha, beta, rng_, batch_options());
  // Moved: a memory writer keeps the batch as an object (no serialisation), a discarding one
  // only counts its bytes.
  write_dcf_keys(*out_[0], std::move(k0));
  write_dcf_keys(*out_[1], std::move(k1));
}

void Dealer::dpf(DpfShape shape, std::span<const u64> alpha, std::span<const u64> beta) {
  if (alpha.empty()) return;
  AddWall w(host_time_.keys_ns);
  auto [k0, k1] = dpf_gen(shape, alpha, beta, rng_, batch_options());
  write_dpf_keys(*out_[0], std::move(k0));
  write_dpf_keys(*out_[1], std::move(k1));
}

void Dealer::dpf_et(int k, std::span<const u64> alpha, int leaf_log2) {
  if (alpha.empty()) return;
  AddWall w(host_time_.keys_ns);
  auto [k0, k1] = dpf_et_gen(k, alpha, rng_, batch_options(), leaf_log2);
  out_[0]->write_keys(std::move(k0));
  out_[1]->write_keys(std::move(k1));
}

void Dealer::sigma_dcf(int n, std::span<const u64> alpha) {
  if (alpha.empty()) return;
  AddWall w(host_time_.keys_ns);
  auto [k0, k1] = sigma_dcf_gen(n, alpha, rng_, batch_options());
  out_[0]->write_keys(std::move(k0));
  out_[1]->write_keys(std::move(k1));
}

std::string Dealer::host_time_summary(std::size_t runs) const {
  return host_time_summary(runs, HostTime{});
}

std::string Dealer::host_time_summary(std::size_t runs, const HostTime& since) const {
  const HostTime h{host_time_.random_ns - since.random_ns,
                   host_time_.share_ns - since.share_ns,
                   host_time_.keys_ns - since.keys_ns,
                   host_time_.loops_ns - since.loops_ns,
                   {host_time_.wide_from_v[0] - since.wide_from_v[0],
                    host_time_.wide_from_v[1] - since.wide_from_v[1]}};
  const double per = runs == 0 ? 1.0 : static_cast<double>(runs);
  const auto ms = [per](std::uint64_t ns) {
    return std::to_string(std::llround(static_cast<double>(ns) / 1e6 / per));
  };
  const auto count = [per](std::uint64_t n) {
    return std::to_string(std::llround(static_cast<double>(n) / per));
  };
  return "dealer host time per run: masks " + ms(h.random_ns) +
         " ms (the shares' included), shares (split + pack) " + ms(h.share_ns) + " ms, FSS keys " +
         ms(h.keys_ns) + " ms, parallel loops " + ms(h.loops_ns) +
         " ms; wide shares made as v minus the stream's, party 0 / 1: " + count(h.wide_from_v[0]) +
         " / " + count(h.wide_from_v[1]) + " values";
}

compile::GateCache& Dealer::gate_cache() {
  return *shared_gate_cache();
}

const std::shared_ptr<compile::GateCache>& Dealer::shared_gate_cache() {
  if (!gate_cache_) gate_cache_ = std::make_shared<compile::GateCache>();
  return gate_cache_;
}

void Dealer::set_gate_cache(std::shared_ptr<compile::GateCache> cache) {
  if (!cache) throw std::invalid_argument("Dealer::set_gate_cache: pass a cache, not null");
  gate_cache_ = std::move(cache);
}

}  // namespace secinfer::fss::engine
