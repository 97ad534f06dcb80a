// One party of the online phase: its id, the ring, its key stream and the channel to the peer.
//
//   Party p(0, ring, frac_bits, channel, keys);
//   p.keys().expect_record(kTag, n);   // first thing in every gate eval (mirrors Dealer::begin)
//   std::vector<u64> s = p.read_shares(n);         // this party's additive shares from the dealer
//   p.open(my_share, yhat);                        // ONE round: yhat = my_share + peer's share
//
// Openings bit-pack each element to the ring width (or `bits`), as SIGMA does on the wire
// (docs/design/product-spec.md "Engine and gate rules"), so the bytes charged to the profiler are
// exactly ceil(N * bits / 8) per party per opening, one message each way and one round
// (net::Channel::exchange).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "fss/batch_options.h"
#include "fss/dcf.h"
#include "fss/dpf.h"
#include "fss/dpf_et.h"
#include "fss/engine/gate_options.h"
#include "fss/engine/key_stream.h"
#include "fss/ring.h"
#include "fss/sigma_dcf.h"
#include "fss/thread_pool.h"
#include "fss/vec/host_space.h"
#include "fss/vec/vec.h"
#include "net/channel.h"

namespace secinfer::fss::compile {
class GateCache;
}

namespace secinfer::fss::engine {

class Party {
 public:
  // threads: worker threads a gate may use for local work (>= 1). accel: where the batch FSS
  // evaluations run (fss/accelerator.h; non-owning, must outlive the party); null = the CPU.
  Party(int id, Ring ring, int frac_bits, net::Channel& channel, KeyReader& keys, int threads = 1,
        const Accelerator* accel = nullptr);

  int id() const { return id_; }
  Ring ring() const { return ring_; }
  int frac_bits() const { return frac_bits_; }
  int threads() const { return threads_; }
  const Accelerator* accelerator() const { return accel_; }
  void set_accelerator(const Accelerator* accel) { accel_ = accel; }
  // Options for the FSS core's batch evaluations (dcf_eval, dpf_eval, ...): this party's threads
  // and accelerator. Every gate passes these to its evaluations.
  BatchOptions batch_options() const { return BatchOptions{AesImpl::kAuto, threads_, accel_}; }
  net::Channel& channel() { return *ch_; }
  // Runs fn(begin, end) over disjoint ranges covering [0, n) on this party's threads (ranges of
  // at least 2^16 elements; inline below that). For a gate's elementwise party-local arithmetic:
  // fn writes only the outputs of its own range, so results never depend on the thread count.
  void for_range(std::size_t n, const std::function<void(std::size_t, std::size_t)>& fn) const;
  KeyReader& keys() { return *keys_; }

  // Reconstructs additive shares in Z_{2^bits} (0 = ring width) in ONE round: packs my_share to
  // `bits` bits per element, exchanges with the peer, out = my_share + theirs (mod 2^bits).
  // out may alias my_share. bits = 1 reconstructs XOR-shared bits.
  void open(std::span<const u64> my_share, std::span<u64> out, int bits = 0);
  // Several openings of different widths in ONE round (one message each way, concatenated).
  struct OpenItem {
    std::span<const u64> share;
    std::span<u64> out;
    int bits = 0;
  };
  void open_many(std::span<const OpenItem> items);

  // Where the gates' party-local vectors live and their ops run (fss/vec/vec.h): the
  // accelerator's Space when it has one, else the host (this party's threads).
  const vec::Space& space();
  // open() of a vector of space(), in place: packed where it lives, exchanged as host bytes in
  // one round, the peer's share added where it lives.
  void open(vec::Vec& v, int bits = 0);
  // Several in ONE round, as open_many.
  struct VecOpenItem {
    vec::Vec* v = nullptr;
    int bits = 0;
  };
  void open_many(std::span<const VecOpenItem> items);

  // The operands and the result of the op PartyOps is running, where they already are in
  // space() (tensor_values.h: a gate's output stays there for the next gate). A gate takes its
  // input through operand(xhat), which returns a copy of the bound vector when xhat is a bound
  // operand's stand-in span and uploads xhat otherwise, and hands its output over through
  // result(y, yhat), which keeps y when yhat is the bound output span and downloads it otherwise.
  vec::Vec operand(std::span<const u64> xhat);
  void result(vec::Vec&& y, std::span<u64> yhat);
  // The vector a bound operand's stand-in span stands for (null when `xhat` is host memory); the
  // operand counts as read.
  const vec::Vec* bound(std::span<const u64> xhat);
  // xhat's values readable on the host: xhat itself, a bound vector's host memory, or a bound
  // device vector downloaded into `scratch` (for a gate's host-side code).
  std::span<const u64> on_host(std::span<const u64> xhat, std::vector<u64>& scratch);
  // For PartyOps: binds `v` to a stand-in span (over v's own memory, which the host must not
  // read: it may be on a device) and returns the span; out_span(n) is where the op writes an
  // output of n elements (memory kept by the party); unbind() ends the op, returns the output the
  // gate handed to result() (nullopt: it is in the out_span), and throws std::logic_error when a
  // bound operand was never taken through operand() or bound() (a gate that read the stand-in
  // span itself).
  std::span<const u64> bind(const vec::Vec& v);
  std::span<u64> out_span(std::size_t n);
  std::optional<vec::Vec> unbind();
  // unbind() without the check, for an op that ends with an exception.
  void unbind_quietly();

  // One-way transfer in one message (input gate): the sender packs, the receiver unpacks.
  void send_packed(std::span<const u64> v, int bits = 0);
  void recv_packed(std::span<u64> out, int bits = 0);

  // Key reading (mirrors Dealer::share / write_public / dcf / dpf).
  // Unpacked on the party's threads (pack_bits layout, so the bits never depend on them).
  void read_shares(std::span<u64> out, int bits = 0);
  std::vector<u64> read_shares(std::size_t count, int bits = 0);
  // What Dealer::share_batch wrote: the queued batch itself (held by the accelerator when it made
  // it resident) or, from a key file, the batch parsed from its bytes. Throws KeyError when the
  // queued batch has another size or width.
  ShareBatch read_share_batch(std::size_t count, int bits = 0);
  // What Dealer::share_vec wrote, as a vector of space(): the device copy made offline when there
  // is one (no transfer), else the values uploaded.
  vec::Vec read_shares_vec(std::size_t count, int bits = 0);
  DcfKeys read_dcf(DcfShape shape, std::size_t count);
  DpfKeys read_dpf(DpfShape shape, std::size_t count);
  DpfEtKeys read_dpf_et(int k, std::size_t count,
                        int leaf_log2 = 0);  // leaves of 2^leaf_log2 blocks
  SigmaDcfKeys read_sigma_dcf(int n, std::size_t count);

  // The run's gate protocol choices (engine/gate_options.h), the dealer's.
  void set_gate_options(GateOptions o) { gate_options_ = o; }
  const GateOptions& gate_options() const { return gate_options_; }

  // Wall time this party's own host work took so far (nanoseconds), for a log line after the
  // runs: the parallel elementwise loops (for_range), the openings' packing, their exchanges
  // (send + wait for the peer) and their unpacking, and the reading of key shares. Timed on the
  // calling thread.
  struct HostTime {
    std::uint64_t loops_ns = 0, loops = 0;
    std::uint64_t pack_ns = 0, exchange_ns = 0, unpack_ns = 0, opens = 0;
    std::uint64_t key_read_ns = 0, key_reads = 0;
  };
  const HostTime& host_time() const { return host_time_; }
  // The openings one by one, where tracing is on (trace_openings): when each round started
  // packing, finished packing (its kernels and the copy down waited for), had the peer's message
  // and had added it back, on the steady clock (nanoseconds since its epoch, which on one host is
  // both parties' clock), and its message's bytes. A microbenchmark writes them out per run
  // (scripts/round_trace.py lines the two parties up).
  struct OpeningTiming {
    std::int64_t start_ns = 0, packed_ns = 0, exchanged_ns = 0, unpacked_ns = 0;
    std::uint64_t bytes = 0;
  };
  void trace_openings(bool on) { trace_on_ = on; }
  // The trace's clock: the steady clock's nanoseconds since its epoch.
  static std::int64_t clock_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  // The openings traced since the last call, handed over.
  std::vector<OpeningTiming> take_opening_trace() { return std::exchange(trace_, {}); }
  // One line: "host: loops 812 ms (3,120 calls), ..." (milliseconds per `runs` of what was spent
  // after `since`, a host_time() read earlier, e.g. after the model input).
  std::string host_time_summary(std::size_t runs, const HostTime& since) const;
  std::string host_time_summary(std::size_t runs) const;  // since the start

  // The run's compiled fused gates (as Dealer::gate_cache: fresh on first use unless shared).
  compile::GateCache& gate_cache();
  const std::shared_ptr<compile::GateCache>& shared_gate_cache();
  void set_gate_cache(std::shared_ptr<compile::GateCache> cache);

 private:
  // The one round of open_many: item i of layout[i] = {count, bits} elements packed on its own
  // byte boundary by pack(i, its bytes), the peer's bytes added back by unpack_add(i, its bytes);
  // packing, exchange and unpacking timed into host_time_.
  struct Packing {
    std::size_t count;
    int bits;
  };
  void open_round(
      std::span<const Packing> layout,
      const std::function<void(std::size_t, std::span<std::uint8_t>)>& pack,
      const std::function<void(std::size_t, std::span<const std::uint8_t>)>& unpack_add);
  template <class Holder>
  friend class NarrowRing;  // narrow_ring.h: swaps ring_ for a scope
  // The next queued share batch (an in-memory stream's object), checked against what the gate
  // reads (`on_host`: its values must be on the host); nullopt when the stream holds packed bytes
  // there.
  std::optional<ShareBatch> take_shares(std::size_t count, int bits, bool on_host);
  // Reads out.size() packed b-bit shares from the key stream (where take_shares found none).
  void unpack_shares(std::span<u64> out, int b);
  // The width the keys store a share of `bits` bits in (0 = the ring's; GateOptions).
  int stored_share_bits(int bits) const {
    return gate_options_.share_storage_bits(bits ? bits : ring_.bits);
  }

  int id_;
  Ring ring_;
  int frac_bits_;
  net::Channel* ch_;
  KeyReader* keys_;
  int threads_;
  // The workers of for_range and of the packing of openings and key shares, started once.
  std::unique_ptr<ThreadPool> pool_;
  const Accelerator* accel_;
  std::unique_ptr<vec::HostSpace> host_space_;
  GateOptions gate_options_;
  std::shared_ptr<compile::GateCache> gate_cache_;
  mutable HostTime host_time_;
  bool trace_on_ = false;
  std::vector<OpeningTiming> trace_;
  // The bindings of the op PartyOps runs (bind, out_span, unbind).
  struct Bound {
    const vec::Vec* v;
    bool taken = false;
  };
  std::vector<Bound> bound_;
  std::vector<u64> out_;  // out_span's memory, grown to the largest
  std::span<u64> out_span_{};
  std::optional<vec::Vec> produced_;
  // open_round's two messages, kept from round to round and grown to the largest (a round writes
  // its bytes before it reads them): from the Space, so page-locked where the vectors are on a
  // device and its pack / unpack copy them in place.
  vec::HostBytes mine_, theirs_;
};

}  // namespace secinfer::fss::engine
