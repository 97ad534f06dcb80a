#include "fss/engine/party.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "fss/compile/gate_cache.h"
#include "fss/engine/add_wall.h"
#include "fss/engine/key_codec.h"
#include "fss/parallel.h"

namespace secinfer::fss::engine {

Party::Party(int id, Ring ring, int frac_bits, net::Channel& channel, KeyReader& keys, int threads,
             const Accelerator* accel)
    : id_(id),
      ring_(make_ring(ring.bits)),
      frac_bits_(frac_bits),
      ch_(&channel),
      keys_(&keys),
      threads_(threads),
      pool_(std::make_unique<ThreadPool>(threads < 1 ? 1 : threads)),
      accel_(accel),
      host_space_(std::make_unique<vec::HostSpace>(*pool_, batch_options())) {
  if (id != 0 && id != 1) {
    throw std::invalid_argument("Party: id must be 0 or 1, got " + std::to_string(id));
  }
  if (threads < 1) throw std::invalid_argument("Party: threads must be >= 1");
}

namespace {
constexpr std::size_t kGrain = std::size_t{1} << 16;  // elements per thread's range
}  // namespace

void Party::for_range(std::size_t n,
                      const std::function<void(std::size_t, std::size_t)>& fn) const {
  if (n == 0) return;
  ++host_time_.loops;
  AddWall w(host_time_.loops_ns);
  if (n < 2 * kGrain || threads_ == 1) {
    fn(0, n);
    return;
  }
  parallel_for(*pool_, n, kGrain, fn);
}

std::optional<ShareBatch> Party::take_shares(std::size_t count, int b, bool on_host) {
  std::optional<ShareBatch> s = keys_->read_object<ShareBatch>();
  if (s && (s->count != count || s->bits != b))
    throw KeyError("key stream out of sync: a gate reads " + std::to_string(count) + " shares of " +
                   std::to_string(b) + " bits where the dealer wrote " + std::to_string(s->count) +
                   " of " + std::to_string(s->bits) +
                   " (dealer and party ran different call sequences)");
  if (s && on_host && s->values.size() != count)
    throw KeyError(
        "key stream out of sync: a gate reads on the host the " + std::to_string(count) +
        " shares that the dealer made for an accelerator (Dealer::share_batch, not share)");
  return s;
}

void Party::unpack_shares(std::span<u64> out, int b) {
  unpack_bits(keys_->read_view(packed_bytes(out.size(), b)), b, out, *pool_);
}

void Party::read_shares(std::span<u64> out, int bits) {
  if (out.empty()) return;
  const int b = stored_share_bits(bits);
  ++host_time_.key_reads;
  AddWall w(host_time_.key_read_ns);
  if (std::optional<ShareBatch> s = take_shares(out.size(), b, true))
    std::copy(s->values.begin(), s->values.end(), out.begin());
  else
    unpack_shares(out, b);
}

void Party::open(std::span<const u64> my_share, std::span<u64> out, int bits) {
  OpenItem item{my_share, out, bits};
  open_many(std::span<const OpenItem>(&item, 1));
}

void Party::open_round(
    std::span<const Packing> layout,
    const std::function<void(std::size_t, std::span<std::uint8_t>)>& pack,
    const std::function<void(std::size_t, std::span<const std::uint8_t>)>& unpack_add) {
  // Each item is packed on its own byte boundary, so the message is the concatenation of the
  // per-item packings: sum_i ceil(N_i * bits_i / 8) bytes.
  std::vector<std::size_t> at(layout.size() + 1, 0);
  for (std::size_t i = 0; i < layout.size(); ++i)
    at[i + 1] = at[i] + packed_bytes(layout[i].count, layout[i].bits);
  if (at.back() == 0) return;
  ++host_time_.opens;
  if (mine_.size() < at.back()) {
    mine_ = space().host_bytes(at.back());
    theirs_ = space().host_bytes(at.back());
  }
  const std::span<std::uint8_t> mine = mine_.first(at.back()), theirs = theirs_.first(at.back());
  OpeningTiming t;
  if (trace_on_) t.start_ns = clock_ns();
  {
    AddWall w(host_time_.pack_ns);
    for (std::size_t i = 0; i < layout.size(); ++i) pack(i, mine.subspan(at[i], at[i + 1] - at[i]));
  }
  if (trace_on_) t.packed_ns = clock_ns();
  {
    AddWall w(host_time_.exchange_ns);
    ch_->exchange(mine, theirs);
  }
  if (trace_on_) t.exchanged_ns = clock_ns();
  {
    AddWall w(host_time_.unpack_ns);
    for (std::size_t i = 0; i < layout.size(); ++i)
      unpack_add(i, theirs.subspan(at[i], at[i + 1] - at[i]));
  }
  if (trace_on_) {
    t.unpacked_ns = clock_ns();
    t.bytes = at.back();
    trace_.push_back(t);
  }
}

void Party::open_many(std::span<const OpenItem> items) {
  std::vector<Packing> layout;
  for (const auto& it : items) {
    if (it.share.size() != it.out.size()) {
      throw std::invalid_argument("Party::open: share and output sizes differ (" +
                                  std::to_string(it.share.size()) + " vs " +
                                  std::to_string(it.out.size()) + ")");
    }
    layout.push_back({it.share.size(), it.bits ? it.bits : ring_.bits});
  }
  open_round(
      layout,
      [&](std::size_t i, std::span<std::uint8_t> bytes) {
        pack_bits(items[i].share, layout[i].bits, bytes, *pool_);
      },
      [&](std::size_t i, std::span<const std::uint8_t> bytes) {
        unpack_add_bits(bytes, layout[i].bits, items[i].share, items[i].out, *pool_);
      });
}

std::span<const u64> Party::bind(const vec::Vec& v) {
  bound_.push_back({&v});
  return {v.data(), v.size()};
}

std::span<u64> Party::out_span(std::size_t n) {
  if (out_.size() < n) out_.resize(n);
  out_span_ = std::span<u64>(out_).first(n);
  return out_span_;
}

void Party::unbind_quietly() {
  bound_.clear();
  out_span_ = {};
  produced_.reset();
}

std::optional<vec::Vec> Party::unbind() {
  const bool untaken = std::any_of(bound_.begin(), bound_.end(),
                                   [](const Bound& b) { return !b.taken && b.v->size() > 0; });
  bound_.clear();
  out_span_ = {};
  std::optional<vec::Vec> out = std::move(produced_);
  produced_.reset();
  if (untaken)
    throw std::logic_error(
        "a gate read a resident operand's stand-in span instead of taking it through "
        "Party::operand or Party::bound");
  return out;
}

const vec::Vec* Party::bound(std::span<const u64> xhat) {
  if (xhat.empty()) return nullptr;
  const vec::Vec* found = nullptr;
  for (Bound& b : bound_) {  // every binding of it (mul(a, a) binds a twice)
    if (b.v->data() == xhat.data() && b.v->size() == xhat.size()) {
      b.taken = true;
      found = b.v;
    }
  }
  return found;
}

std::span<const u64> Party::on_host(std::span<const u64> xhat, std::vector<u64>& scratch) {
  const vec::Vec* v = bound(xhat);
  if (v == nullptr || !v->space()->on_device()) return xhat;
  scratch.resize(v->size());
  v->space()->download(*v, scratch);
  return scratch;
}

vec::Vec Party::operand(std::span<const u64> xhat) {
  const vec::Space& sp = space();
  const vec::Vec* v = bound(xhat);
  if (v == nullptr || v->space() != &sp) return sp.upload(xhat);
  vec::Vec copy = sp.make(v->size());  // the gate may write its input vector
  sp.combine(copy, 64, 0, {{.v = v}});
  return copy;
}

void Party::result(vec::Vec&& y, std::span<u64> yhat) {
  const vec::Space& sp = space();
  if (!yhat.empty() && yhat.data() == out_span_.data() && yhat.size() == out_span_.size() &&
      y.space() == &sp && y.size() == yhat.size()) {
    produced_ = std::move(y);
    return;
  }
  sp.download(y, yhat);
}

const vec::Space& Party::space() {
  if (accel_ != nullptr && accel_->vec_space() != nullptr) return *accel_->vec_space();
  host_space_->set_eval_options(batch_options());
  return *host_space_;
}

void Party::open(vec::Vec& v, int bits) {
  const VecOpenItem item{&v, bits};
  open_many(std::span<const VecOpenItem>(&item, 1));
}

void Party::open_many(std::span<const VecOpenItem> items) {
  std::vector<Packing> layout;
  for (const VecOpenItem& it : items)
    layout.push_back({it.v->size(), it.bits ? it.bits : ring_.bits});
  const vec::Space& sp = space();
  open_round(
      layout,
      [&](std::size_t i, std::span<std::uint8_t> bytes) {
        sp.pack(*items[i].v, layout[i].bits, bytes);
      },
      [&](std::size_t i, std::span<const std::uint8_t> bytes) {
        sp.unpack_add(bytes, layout[i].bits, *items[i].v);
      });
}

void Party::send_packed(std::span<const u64> v, int bits) {
  const int b = bits ? bits : ring_.bits;
  std::vector<std::uint8_t> buf(packed_bytes(v.size(), b));
  pack_bits(v, b, buf, *pool_);  // a weight's masked values: tens of millions
  ch_->send(buf);
}

void Party::recv_packed(std::span<u64> out, int bits) {
  const int b = bits ? bits : ring_.bits;
  std::vector<std::uint8_t> buf(packed_bytes(out.size(), b));
  ch_->recv(buf);
  unpack_bits(buf, b, out, *pool_);
}

std::vector<u64> Party::read_shares(std::size_t count, int bits) {
  std::vector<u64> v;
  if (count == 0) return v;
  const int b = stored_share_bits(bits);
  ++host_time_.key_reads;
  AddWall w(host_time_.key_read_ns);
  if (std::optional<ShareBatch> s = take_shares(count, b, true)) return std::move(s->values);
  v.resize(count);
  unpack_shares(v, b);
  return v;
}

ShareBatch Party::read_share_batch(std::size_t count, int bits) {
  const int b = stored_share_bits(bits);
  ++host_time_.key_reads;
  AddWall w(host_time_.key_read_ns);
  if (std::optional<ShareBatch> s = take_shares(count, b, false)) return std::move(*s);
  ShareBatch s{b, count, std::vector<u64>(count)};
  unpack_shares(s.values, b);
  return s;
}

vec::Vec Party::read_shares_vec(std::size_t count, int bits) {
  const vec::Space& sp = space();
  if (count == 0) return sp.make(0);
  const int b = stored_share_bits(bits);
  ++host_time_.key_reads;
  AddWall w(host_time_.key_read_ns);
  if (std::optional<ShareBatch> s = take_shares(count, b, false)) {
    if (!s->resident) return sp.upload(std::move(s->values));
    if (std::optional<vec::Vec> v = sp.adopt(*s)) return std::move(*v);
    throw KeyError("a gate reads as vectors of " + sp.describe() +
                   " shares that another accelerator holds (the dealer's accelerator must be the "
                   "party's)");
  }
  // Packed shares go to the Space as they are and are unpacked there: on a device a 1-bit share
  // moves 1/64 of the bytes its unpacked words would.
  vec::Vec v = sp.make(count);
  sp.combine(v, b, 0, std::span<const vec::Term>{});
  sp.unpack_add(keys_->read_view(packed_bytes(count, b)), b, v);
  return v;
}

DcfKeys Party::read_dcf(DcfShape shape, std::size_t count) {
  return read_dcf_keys(*keys_, shape, count, id_);
}

DpfKeys Party::read_dpf(DpfShape shape, std::size_t count) {
  return read_dpf_keys(*keys_, shape, count, id_);
}

std::string Party::host_time_summary(std::size_t runs) const {
  return host_time_summary(runs, HostTime{});
}

std::string Party::host_time_summary(std::size_t runs, const HostTime& since) const {
  const HostTime& t = host_time_;
  const HostTime h{t.loops_ns - since.loops_ns,       t.loops - since.loops,
                   t.pack_ns - since.pack_ns,         t.exchange_ns - since.exchange_ns,
                   t.unpack_ns - since.unpack_ns,     t.opens - since.opens,
                   t.key_read_ns - since.key_read_ns, t.key_reads - since.key_reads};
  const double per = runs == 0 ? 1.0 : static_cast<double>(runs);
  const auto ms = [per](std::uint64_t ns) {
    return std::to_string(std::llround(static_cast<double>(ns) / 1e6 / per));
  };
  const auto n = [per](std::uint64_t c) {
    return std::to_string(std::llround(static_cast<double>(c) / per));
  };
  return "host time per run: parallel loops " + ms(h.loops_ns) + " ms (" + n(h.loops) +
         " calls), openings " + n(h.opens) + ": packing " + ms(h.pack_ns) + " ms, exchanges " +
         ms(h.exchange_ns) + " ms, unpacking " + ms(h.unpack_ns) + " ms; key share reads " +
         ms(h.key_read_ns) + " ms (" + n(h.key_reads) + " calls)";
}

namespace {
// The next queued batch of type Keys (in-memory key streams), checked against what the gate reads;
// nullopt when the stream holds bytes there (a key file) instead.
template <class Keys>
std::optional<Keys> take_batch(KeyReader& r, const char* what, int bits, std::size_t count,
                               int id) {
  std::optional<Keys> keys = r.read_object<Keys>();
  if (keys && (keys->count != count || keys->in_bits != bits || keys->party != id))
    throw KeyError("key stream out of sync: a gate reads " + std::to_string(count) + " " + what +
                   " keys of " + std::to_string(bits) + " bits for party " + std::to_string(id) +
                   " where the dealer wrote " + std::to_string(keys->count) + " of " +
                   std::to_string(keys->in_bits) + " bits for party " +
                   std::to_string(keys->party) +
                   " (dealer and party ran different call sequences)");
  return keys;
}
}  // namespace

DpfEtKeys Party::read_dpf_et(int k, std::size_t count, int leaf_log2) {
  if (count == 0) return dpf_et_deserialize({}, k, 0, id_, leaf_log2);
  if (auto keys = take_batch<DpfEtKeys>(*keys_, "DPF-ET", k, count, id_)) {
    if (keys->leaf_log2 != leaf_log2)
      throw KeyError("key stream out of sync: a gate reads DPF-ET keys with leaves of 2^" +
                     std::to_string(leaf_log2) + " blocks where the dealer wrote leaves of 2^" +
                     std::to_string(keys->leaf_log2) +
                     " (dealer and party ran different call sequences)");
    return std::move(*keys);
  }
  return dpf_et_deserialize(keys_->read_view(dpf_et_key_bytes(k, count, leaf_log2)), k, count, id_,
                            leaf_log2);
}

SigmaDcfKeys Party::read_sigma_dcf(int n, std::size_t count) {
  if (count == 0) return sigma_dcf_unpack_keys(n, id_, 0, {});
  if (auto keys = take_batch<SigmaDcfKeys>(*keys_, "SIGMA DCF", n, count, id_))
    return std::move(*keys);
  return sigma_dcf_unpack_keys(n, id_, count, keys_->read_view(sigma_dcf_record_bytes(n) * count),
                               threads_);
}

compile::GateCache& Party::gate_cache() {
  return *shared_gate_cache();
}

const std::shared_ptr<compile::GateCache>& Party::shared_gate_cache() {
  if (!gate_cache_) gate_cache_ = std::make_shared<compile::GateCache>();
  return gate_cache_;
}

void Party::set_gate_cache(std::shared_ptr<compile::GateCache> cache) {
  if (!cache) throw std::invalid_argument("Party::set_gate_cache: pass a cache, not null");
  gate_cache_ = std::move(cache);
}

}  // namespace secinfer::fss::engine
