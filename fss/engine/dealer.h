// The dealer of the offline phase (docs/design/product-spec.md "The run model"): draws every mask
// and writes both parties' keys.
//
//   KeyWriter w0 = KeyWriter::memory(buf0), w1 = KeyWriter::discard();   // inline mode, party 0
//   Dealer d(ring, frac_bits, dealer_seed, w0, w1);
//   std::vector<u64> r_out(n);
//   sigma::trunc_keygen(d, r_in, r_out, ...);     // gate keygen: reads input masks, draws output
//   masks
//
// All randomness comes from ONE SeededPrg stream keyed with the shared dealer seed, consumed in
// call order, so the dealers of both parties (inline mode) and the dealer process (file mode) draw
// exactly the same masks and keys: in inline mode each party keeps only its own key (the other
// writer is KeyWriter::discard()), and the keys match those of the other party's process.
//
// Gate keygen functions must (1) call begin(tag, count) first, (2) draw all randomness through this
// Dealer, (3) write the same key layout for both parties (sizes never depend on a mask).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "fss/batch_options.h"
#include "fss/block.h"
#include "fss/dcf.h"
#include "fss/dpf.h"
#include "fss/engine/gate_options.h"
#include "fss/engine/key_stream.h"
#include "fss/prg.h"
#include "fss/ring.h"
#include "fss/thread_pool.h"
#include "fss/uninit_vector.h"

namespace secinfer::fss::compile {
class GateCache;
}

namespace secinfer::fss::engine {

class Dealer {
 public:
  // `p0` / `p1` receive party 0's / party 1's keys. Throws std::invalid_argument on a bad ring or
  // frac_bits outside [0, bits).
  Dealer(Ring ring, int frac_bits, Block seed, KeyWriter& p0, KeyWriter& p1);

  Ring ring() const { return ring_; }
  int frac_bits() const { return frac_bits_; }
  SeededPrg& rng() { return rng_; }
  // Threads of the deterministic work after drawing (DCF / DPF key generation, the matmul
  // correlation): 0 (the default) = all hardware threads. Keys never depend on it: randomness is
  // drawn from rng() in call order first.
  void set_threads(int threads);
  int threads() const { return threads_; }
  // Elements per thread's range of elementwise arithmetic (and of the masks' AES): a gate's tensor
  // at seq 128 is 98K-393K elements, which ranges of 2^16 left on one or a few threads while the
  // dealer's host work set its keygen time (docs/perf.md, session 35).
  static constexpr std::size_t kGrain = std::size_t{1} << 14;
  // Runs fn(begin, end) over disjoint ranges covering [0, n) on the dealer's threads (inline below
  // two kGrain), for a gate keygen's elementwise arithmetic after its masks are drawn: fn
  // writes only the outputs of its own range, so keys never depend on the thread count.
  void for_range(std::size_t n, const std::function<void(std::size_t, std::size_t)>& fn);
  // The same for per-element work far heavier than arithmetic (compiling one SUF instance, tens of
  // microseconds): ranges of `grain` elements, on the dealer's threads from 2 grains on.
  void for_range(std::size_t n, std::size_t grain,
                 const std::function<void(std::size_t, std::size_t)>& fn);
  // for_range over `rows` rows of `cols` elements each, in ranges of about kGrain elements (whole
  // rows, at least one): fn(first_row, end_row), for row-wise arithmetic.
  void for_rows(std::size_t rows, std::size_t cols,
                const std::function<void(std::size_t, std::size_t)>& fn);
  // DCF / DPF keys generated on `accel` (null: the CPU), in its memory (resident,
  // fss/accelerator.h): the same keys, made where the online phase of this process evaluates them.
  // Only for writers that keep keys in this process (KeyWriter::memory, discard); a file writer
  // must serialise them, so this throws std::invalid_argument when either writer is one.
  void set_accelerator(const Accelerator* accel);
  const Accelerator* accelerator() const { return accel_; }
  // The end of an offline phase: key generation left running on the accelerator finishes
  // (Accelerator::finish_keygen), so that the online phase's time does not hold it.
  void finish_keys() const;
  // The dealer's threads and accelerator for an FSS batch call (its range checks on pool()).
  BatchOptions batch_options() { return BatchOptions{rng_.impl(), threads_, accel_, &pool()}; }
  KeyWriter& out(int party) { return *out_[party]; }
  // The run's gate protocol choices (engine/gate_options.h); the parties must be given the same.
  void set_gate_options(GateOptions o) { gate_options_ = o; }
  const GateOptions& gate_options() const { return gate_options_; }

  // Writes the record header {tag, count} to both parties' keys (KeyReader::expect_record).
  void begin(std::uint32_t tag, std::uint64_t count);

  // Fresh uniform ring elements (masks); `bits` = 0 means the ring width.
  void random(std::span<u64> out, int bits = 0);
  std::vector<u64> random(std::size_t count, int bits = 0);

  // Additive sharing of v in Z_{2^bits} (0 = ring width): draws one party's shares uniform from
  // the stream (the drawn party, chosen as kBalanced says) and gives the other v minus them, each
  // bit-packed to `bits` bits (ceil(count * bits / 8) bytes per party). bits = 1 gives XOR sharing
  // of bits.
  void share(std::span<const u64> v, int bits = 0);
  // The drawn party of a share() or share_vec() that names none: the one whose dealer has so far
  // made more wide shares as v minus the stream's (party 0 on a tie), so that the other makes
  // these and the two inline dealers' work evens out: where the party computes on an
  // accelerator, the dealer of the party that is not drawn uploads v
  // (docs/design/gpu-online-phase.md "The shares on the device"). The choice depends on the
  // calls' counts and widths alone, never on a value, so every dealer of a run (either party's
  // inline one, `secinfer deal`, the CPU's) makes the same choices and streams.
  static constexpr int kBalanced = -1;
  // Whether share(), share_vec() and share_batch() read the values they are given: not in a dealer
  // whose writer for the party other than `drawn` discards (e.g. party 0's inline dealer), since
  // the drawn party's shares are the stream's next values whatever v is. A gate may then skip
  // computing values only shared.
  bool reads_share_values(int drawn = 0) const { return !out_[1 - drawn]->discards(); }
  // share() for shares the party reads as a vector (Party::read_shares_vec, fss/vec/vec.h): the
  // same randomness and key bytes; in an in-memory stream a wide batch is marked so that it can
  // move to the device offline where the party's vectors live there (keep_batches_on).
  // drawn: the party whose shares are the stream's next values (the other's are v minus them),
  // kBalanced to let the dealer choose; a gate that skips computing v in the dealer that does
  // not read it names the party (reads_share_values).
  void share_vec(std::span<const u64> v, int bits = 0, int drawn = kBalanced);
  // share_vec(v, bits, drawn) of a v that the party's accelerator can make itself (the sigma
  // suite's matmul correlation: Accelerator::matmul_correlation_shares), with the same stream,
  // shares and key bytes. Where share_vec would split on the device, make(slice, from_v) returns
  // the kept party's batch made there (from_v: v - the slice's values, else the slice's values),
  // and host_v(storage) gives v only where the device declines; true then. False, nothing drawn,
  // where share_vec would split on the host: the caller computes v and calls share_vec.
  using DeviceShares =
      std::function<std::shared_ptr<const ResidentKeys>(const StreamSlice& slice, bool from_v)>;
  using HostValues = std::function<std::span<const u64>(std::vector<u64>& storage)>;
  bool share_vec_made_on_device(std::size_t count, int bits, int drawn, const DeviceShares& make,
                                const HostValues& host_v);
  // share(), each party's shares handed over as one ShareBatch (KeyWriter::write_keys): the same
  // randomness and the same key bytes, but an in-memory stream queues the batch as an object that
  // an accelerator can hold from the offline phase (keep_batches_on). For large shares that a
  // party's accelerator reads as a whole (a matmul's weight-mask shares: Party::read_share_batch).
  // v_held: the accelerator's copy of v (a weight mask held from the model input), which the
  // share split on the device then reads in place; v stays the values either way.
  void share_batch(std::span<const u64> v, int bits = 0, const ResidentKeys* v_held = nullptr);
  // Writes v to one party only (a mask its owner holds, read with Party::read_shares), stored as
  // a share of `bits` bits (0 = the ring's): handed over unpacked in an in-memory stream where
  // wide, as share() does, else packed on the dealer's threads. The other party's stream gets
  // nothing.
  void write_to(int party, std::span<const u64> v, int bits = 0);
  // Writes the same public value(s) to both parties (e.g. a gate parameter both must agree on),
  // stored as shares are (Party::read_shares reads them).
  void write_public(std::span<const u64> v, int bits = 0);
  // The width the keys store a share of `bits` bits in (0 = the ring's; GateOptions).
  int stored_share_bits(int bits) const {
    return gate_options_.share_storage_bits(bits ? bits : ring_.bits);
  }

  // DCF / DPF keys (fss/dcf.h, fss/dpf.h) generated from this dealer's stream and written to both
  // parties (serialised as in docs/design/fss-core.md "Key sizes"; see key_codec.h).
  void dcf(DcfShape shape, std::span<const u64> alpha, std::span<const u64> beta);
  void dpf(DpfShape shape, std::span<const u64> alpha, std::span<const u64> beta);
  // Early-terminated 1-bit DPF keys at alpha over k bits with leaves of 2^leaf_log2 blocks
  // (fss/dpf_et.h), dpf_et_key_bytes(k, n, leaf_log2) bytes to each party (Party::read_dpf_et).
  void dpf_et(int k, std::span<const u64> alpha, int leaf_log2 = 0);
  // SIGMA's early-terminated comparison keys [x < alpha] over n bits (fss/sigma_dcf.h), one batch
  // per party (sigma_dcf_record_bytes(n) bytes per key serialised; Party::read_sigma_dcf).
  void sigma_dcf(int n, std::span<const u64> alpha);

  // Wall time of the dealer's host work so far (nanoseconds), for a log line after the runs:
  // drawing masks (AES-CTR), splitting and packing shares, making FSS keys (trees on the CPU or an
  // accelerator; DPF-ET, DCF, DPF, SIGMA DCF) and the parallel elementwise loops. What the
  // offline phase took beyond these is the gates' own serial code and the key stream's
  // bookkeeping (moving batches to an accelerator included). Timed on the calling thread.
  struct HostTime {
    std::uint64_t random_ns = 0, share_ns = 0, keys_ns = 0, loops_ns = 0;
    // Per party, the wide shares (stored in 32 bits or more: the ones an in-memory stream hands
    // over unpacked) made so far as v minus the stream's values; kBalanced evens these out.
    std::uint64_t wide_from_v[2] = {0, 0};
  };
  const HostTime& host_time() const { return host_time_; }
  // One line: "dealer host time per run: masks 812 ms, shares ..." (milliseconds per `runs` of
  // what was spent after `since`, a host_time() read earlier, e.g. after the model input), and
  // the wide shares made as v minus the stream's per party and run.
  std::string host_time_summary(std::size_t runs, const HostTime& since) const;
  std::string host_time_summary(std::size_t runs) const;  // since the start

  // Total key bytes written for each party so far.
  std::uint64_t key_bytes(int party) const { return out_[party]->bytes_written(); }

  // The run's compiled fused gates (fss/compile/gate_cache.h; the fusefss suite's faces read it):
  // a fresh cache on first use, unless set_gate_cache shares one (a run's dealer and party share
  // theirs, so the online phase reuses the offline phase's compilations).
  compile::GateCache& gate_cache();
  const std::shared_ptr<compile::GateCache>& shared_gate_cache();
  void set_gate_cache(std::shared_ptr<compile::GateCache> cache);

 private:
  // Additive shares of v in Z_{2^bits} (0 = ring width): the drawn party's uniform from the
  // stream, the other's v minus them; what share(), share_vec() and share_batch() write. The
  // batches' width is the one the keys store them in (GateOptions::share_storage_bits). A batch
  // for a discarding writer has its count and no values. drawn: 0 or 1 (share() and share_vec()
  // resolve kBalanced first; share_batch() draws party 0's). With `pack`, a party whose writer
  // packs the batch (keeps it, but not unpacked: hands_over_unpacked) gets a batch with no values
  // and its values in packed_[party], for the caller to pack: no batch vector to zero and drop.
  std::pair<ShareBatch, ShareBatch> split(std::span<const u64> v, int bits, int drawn = 0,
                                          bool pack = false);
  // share() and share_vec(): `vector` marks the wide in-memory batches.
  void share_as(std::span<const u64> v, int bits, bool vector, int drawn = 0);
  // share_vec() and share_batch() where this process's party computes on the accelerator (an
  // inline dealer with one writer dropping its shares): the kept party's batch is made in the
  // accelerator's memory from the stream slice that split() would draw (the drawn party's the
  // slice, the other's v - slice; docs/design/gpu-online-phase.md "The shares on the device"), with
  // the same key bytes and the stream left where split() leaves it. False (nothing drawn) where it
  // does not apply; the host then splits.
  bool share_on_device(std::span<const u64> v, int bits, bool vector,
                       const ResidentKeys* v_held = nullptr, int drawn = 0);
  // share_on_device() with the kept party's batch made by `make` (share_vec_made_on_device).
  bool share_made_on_device(std::size_t count, int bits, bool vector, int drawn,
                            const DeviceShares& make, const HostValues& host_v);
  // The drawn party of a share of `count` values of `bits` bits (kBalanced resolved), counted in
  // host_time_.wide_from_v.
  int pick_drawn(std::size_t count, int bits, int drawn);
  // The other party's shares s1 = v - s0 in Z_{2^bits} from the drawn ones, on the dealer's threads
  // (split() and share_on_device()'s host fallback). `s1` may be `s0` (in place).
  void subtract_shares(std::span<const u64> v, std::span<const u64> s0, std::span<u64> s1,
                       int bits);
  // Whether a share batch of `bits` stored bits goes to `out` unpacked (ShareBatch::host): where
  // it is wide and `out` keeps it in this process's memory (neither drops nor serialises it).
  static bool hands_over_unpacked(const KeyWriter& out, int bits);
  template <class Holder>
  friend class NarrowRing;  // narrow_ring.h: swaps ring_ for a scope

  Ring ring_;
  int frac_bits_;
  SeededPrg rng_;
  KeyWriter* out_[2];
  int threads_ = 0;
  // The workers of for_range, of the PRG's counter blocks and of the packing (started on first
  // use with threads_).
  ThreadPool& pool();
  // The pool for `n` elements in ranges of `grain`, or null where n is below two grains (run
  // inline: a pool's hand-off costs more than it saves).
  ThreadPool* pool_for(std::size_t n, std::size_t grain = kGrain);
  // fn over [0, n) in ranges of `grain`, on pool_for(n, grain); untimed (the caller's timer counts
  // it).
  void run_range(std::size_t n, const std::function<void(std::size_t, std::size_t)>& fn,
                 std::size_t grain = kGrain);
  std::unique_ptr<ThreadPool> pool_;
  // split()'s buffers, which keep their memory from call to call: the drawn party's shares where
  // its writer drops them, and each party's shares that its writer packs.
  UninitVector<u64> share_scratch_;
  UninitVector<u64> packed_[2];
  HostTime host_time_;
  const Accelerator* accel_ = nullptr;
  GateOptions gate_options_;
  std::shared_ptr<compile::GateCache> gate_cache_;
};

}  // namespace secinfer::fss::engine
