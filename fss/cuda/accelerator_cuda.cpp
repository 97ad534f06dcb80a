// CudaAccelerator (accelerator_cuda.h): grow-only device arrays, key upload in its own scope,
// event pairs around the kernels.
#include "fss/cuda/accelerator_cuda.h"

#include <cuda_runtime.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>

#include "fss/cuda/add_elapsed.h"
#include "fss/cuda/cuda_check.h"
#include "fss/cuda/dcf_cuda.h"
#include "fss/cuda/device_buffer.h"
#include "fss/cuda/dpf_cuda.h"
#include "fss/cuda/dpf_et_cuda.h"
#include "fss/cuda/keygen_clock.h"
#include "fss/cuda/keys_cuda.h"
#include "fss/cuda/multipoint_dcf_cuda.h"
#include "fss/cuda/prg_cuda.h"
#include "fss/cuda/ring_matmul_cuda.h"
#include "fss/cuda/ring_vec_cuda.h"
#include "fss/cuda/shared_mask_cuda.h"
#include "fss/cuda/sigma_dcf_cuda.h"
#include "fss/cuda/upload_ring.h"
#include "fss/cuda/vec_space_cuda.h"
#include "fss/lut_planes.h"
#include "fss/lut_support.h"
#include "fss/parallel.h"
#include "fss/thread_pool.h"
#include "profiling/scope.h"
#include "profiling/scope_names.h"

namespace secinfer::fss::cuda {
namespace {

// A device array that only grows: reallocated (old one freed first) when a call needs more.
template <class T>
class GrowBuffer {
 public:
  T* fit(std::size_t n) {
    if (n > buf_.size()) {
      buf_ = DeviceBuffer<T>();  // free before allocating the larger one
      buf_ = DeviceBuffer<T>(n);
    }
    return buf_.data();
  }
  // Copies `src` up on `stream` (asynchronous for the device; `src` must stay alive until the
  // stream is synchronised) and returns the device pointer.
  const T* put(std::span<const T> src, cudaStream_t stream) {
    T* d = fit(src.size());
    if (!src.empty())
      CUDA_CHECK(cudaMemcpyAsync(d, src.data(), src.size_bytes(), cudaMemcpyHostToDevice, stream),
                 std::to_string(src.size_bytes()) + " bytes up");
    return d;
  }
  std::size_t bytes() const { return buf_.bytes(); }

 private:
  DeviceBuffer<T> buf_;
};

// Page-locked host memory that one accelerator call stages its inputs and outputs in: copies
// from the caller's (pageable) spans into it run at memcpy speed, and the DMA from it at the
// link's. A bump allocator reset at the start of every call; growing it mid-call first waits for
// the stream (earlier copies of the call may still read the old block).
class Staging {
 public:
  void reset() { used_ = 0; }
  std::uint8_t* take(std::size_t bytes, const Stream& stream) {
    bytes = (bytes + 255) / 256 * 256;
    if (used_ + bytes > buf_.size()) {
      // The call's earlier pieces are done with once the stream is: the new block starts empty.
      stream.sync();
      const std::size_t grown = std::max({2 * buf_.size(), bytes, std::size_t{1} << 24});
      buf_ = PinnedBuffer<std::uint8_t>();
      buf_ = PinnedBuffer<std::uint8_t>(grown);
      used_ = 0;
    }
    std::uint8_t* p = buf_.data() + used_;
    used_ += bytes;
    return p;
  }
  std::size_t bytes() const { return buf_.size(); }

 private:
  PinnedBuffer<std::uint8_t> buf_;
  std::size_t used_ = 0;
};

int visible_devices() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    cudaGetLastError();  // clear the "no driver / no device" error
    return 0;
  }
  return n;
}

// Carves the arrays of one key batch out of one AsyncBlock, 256-byte aligned: copied up through
// the upload ring (put; queued, the host arrays may be released at once) or left for a kernel to
// write (take).
class Carver {
 public:
  template <class T>
  static std::size_t bytes_for(std::size_t n) {
    return (n * sizeof(T) + 255) / 256 * 256;
  }
  // V: a contiguous container (std::vector, UninitVector).
  template <class V>
  static std::size_t size_of(const V& v) {
    return bytes_for<typename V::value_type>(v.size());
  }
  Carver(std::uint8_t* base, cudaStream_t s, UploadRing& ring, ThreadPool& pool)
      : at_(base), s_(s), ring_(ring), pool_(pool) {}
  template <class T>
  T* take(std::size_t n) {
    T* d = reinterpret_cast<T*>(at_);
    at_ += bytes_for<T>(n);
    return d;
  }
  template <class V, class T = typename V::value_type>
  const T* put(const V& v) {
    T* d = take<T>(v.size());
    if (!v.empty()) ring_.put(d, v.data(), v.size() * sizeof(T), s_, pool_);
    return d;
  }

 private:
  std::uint8_t* at_;
  cudaStream_t s_;
  UploadRing& ring_;
  ThreadPool& pool_;
};

// Device memory of resident keys: one stream-ordered block, counted against the key budget while
// it lives (one batch, or both parties' batches of one generation, which share their correction
// words).
class ResidentBlock {
 public:
  ResidentBlock(std::shared_ptr<Stream> stream, std::size_t bytes,
                std::shared_ptr<std::atomic<std::uint64_t>> held, const void* owner_state)
      : block(std::move(stream), bytes, "resident keys"),
        owner(owner_state),
        bytes_(bytes),
        held_(std::move(held)) {
    *held_ += bytes_;
  }
  ResidentBlock(const ResidentBlock&) = delete;
  ResidentBlock& operator=(const ResidentBlock&) = delete;
  ~ResidentBlock() { *held_ -= bytes_; }
  AsyncBlock block;
  const void* owner;  // the accelerator (its state) whose memory this is

 private:
  std::size_t bytes_;
  std::shared_ptr<std::atomic<std::uint64_t>> held_;
};

// A batch's device copy: its view into a ResidentBlock, which it keeps alive.
template <class View>
class DeviceKeys final : public ResidentKeys {
 public:
  DeviceKeys(std::shared_ptr<const ResidentBlock> block, View v)
      : block_(std::move(block)), view(v) {}
  std::shared_ptr<const ResidentBlock> block_;
  View view;
};

// A ring array's device copy (a ShareBatch made resident, or an operand held): its pointer into
// a ResidentBlock, which it keeps alive.
class DeviceArray final : public ResidentKeys {
 public:
  DeviceArray(std::shared_ptr<const ResidentBlock> block, const u64* d, std::size_t n)
      : block_(std::move(block)), data(d), count(n) {}
  std::shared_ptr<const ResidentBlock> block_;
  const u64* data;
  std::size_t count;
};

// A fused gate's public tables flattened into one vector: the key of the accelerator's cache of
// their device copies (equal vectors, equal tables).
std::vector<u64> table_key(const SharedMaskGateTables& t) {
  std::vector<u64> k{static_cast<u64>(t.n), static_cast<u64>(t.W), static_cast<u64>(t.d1),
                     t.zero_index};
  const auto add = [&k](const auto& v) {
    k.push_back(v.size());
    k.insert(k.end(), v.begin(), v.end());
  };
  add(t.offsets);
  add(t.cut_lo);
  add(t.cut_len);
  add(t.coef);
  add(t.konst);
  add(t.lo_index);
  add(t.hi_index);
  add(t.h_const);
  add(t.h_rconst);
  add(t.h_alpha);
  add(t.h_beta);
  add(t.h_first);
  add(t.p_bound);
  add(t.p_sign);
  add(t.p_index);
  return k;
}

// The byte sizes of a batch's arrays (count keys of `shape`), in carving order: root, cw_seed,
// then the rest (DCF: cw_v, cw_final; DPF: cw_t, cw_out).
std::size_t tree_bytes(int in_bits, std::size_t count, std::size_t roots) {
  const std::size_t nc = static_cast<std::size_t>(in_bits) * count;
  return roots * Carver::bytes_for<Block>(count) + Carver::bytes_for<Block>(nc);
}
std::size_t payload_bytes(DcfShape shape, std::size_t count) {
  const auto L = static_cast<std::size_t>(shape.payload_len);
  return Carver::bytes_for<u64>(static_cast<std::size_t>(shape.in_bits) * count * L) +
         Carver::bytes_for<u64>(count * L);
}
std::size_t payload_bytes(DpfShape shape, std::size_t count) {
  return Carver::bytes_for<std::uint8_t>(static_cast<std::size_t>(shape.in_bits) * count) +
         Carver::bytes_for<u64>(count);
}

// The host arrays of keys (DcfKeys / DpfKeys), to move to the device and then release.
void put_payload(Carver& c, DcfKeys& k, DcfKeysView& v) {
  v.cw_v = c.put(k.cw_v);
  v.cw_final = c.put(k.cw_final);
  k.cw_v = {};
  k.cw_final = {};
}
void put_payload(Carver& c, DpfKeys& k, DpfKeysView& v) {
  v.cw_t = c.put(k.cw_t);
  v.cw_out = c.put(k.cw_out);
  k.cw_t = {};
  k.cw_out = {};
}

// The keygen clock's name for a generation call of `shape`.
std::string gen_kind(DcfShape shape) {
  return "DCF n=" + std::to_string(shape.in_bits) + " m=" + std::to_string(shape.out_bits) +
         " L=" + std::to_string(shape.payload_len);
}
std::string gen_kind(DpfShape shape) {
  return "DPF n=" + std::to_string(shape.in_bits) + " m=" + std::to_string(shape.out_bits);
}

template <class Keys>
struct ViewOf;
template <>
struct ViewOf<DcfKeys> {
  using type = DcfKeysView;
};
template <>
struct ViewOf<DpfKeys> {
  using type = DpfKeysView;
};

}  // namespace

struct CudaAccelerator::State {
  explicit State(int dev, KernelConfig c) : device(dev), cfg(c) {}
  ~State() {
    if (start != nullptr) cudaEventDestroy(start);
    if (stop != nullptr) cudaEventDestroy(stop);
    if (gen_done != nullptr) cudaEventDestroy(gen_done);
  }

  int device;
  KernelConfig cfg;
  std::shared_ptr<Stream> stream;  // created once the device is current; resident keys hold it
  cudaEvent_t start = nullptr, stop = nullptr;
  // Key generation runs on while the dealer goes on (a layer's keys are generated by several
  // calls with the gates' host work between them, and the calls queue on the stream): the last
  // generation call's kernels end at gen_done, which the offline phase waits for at its end
  // (finish_keygen).
  cudaEvent_t gen_done = nullptr;
  bool gen_pending = false;
  // The generation calls' stream time by kind (and the host batches' moves), read at the ends of
  // the offline phases (wait_keygen).
  KeygenClock keygen_clock;
  std::string description;

  std::mutex mu;
  GrowBuffer<Block> root, cw_seed;
  GrowBuffer<std::uint8_t> cw_t;
  GrowBuffer<u64> cw_v, cw_final, cw_out;  // DCF payload words / DPF output word
  GrowBuffer<u64> in, table, out;
  GrowBuffer<Block> leaf_cw;  // early-terminated DPF keys' leaf correction words
  GrowBuffer<Block> leaf1;    // SIGMA DCF keys' second leaf correction (the first in leaf_cw)
  GrowBuffer<u64> cw_tr;      // SIGMA DCF keys' tR bits (or truth tables)
  GrowBuffer<std::uint8_t> out8;
  // Atomics, read without the mutex: CudaEventTimer reads kernel_ns from the scopes that a call
  // opens while it holds the mutex ("KeyTransfer").
  std::atomic<std::uint64_t> kernel_ns{0}, calls{0}, key_bytes{0};
  // Resident keys: bytes held now (shared with the batches, which give theirs back), the budget,
  // and the batches made resident / declined (over the budget) so far.
  std::shared_ptr<std::atomic<std::uint64_t>> resident_held =
      std::make_shared<std::atomic<std::uint64_t>>(0);
  std::uint64_t resident_budget = 0;
  std::atomic<std::uint64_t> resident_made{0}, resident_declined{0}, resident_bytes_total{0};
  GrowBuffer<u64> mm_a, mm_b, mm_c;
  GrowBuffer<u64> mm_a2, mm_b2, mm_bt, mm_na;  // masked_matmul's second operands and temporaries
  GrowBuffer<u64> sm_rv, sm_rest;              // shared_mask_eval's mask shares and second output
  // Device copies of the fused gates' public tables (a run uses a handful), uploaded once.
  std::map<std::vector<u64>, SharedMaskGateDevice> gate_tables;
  // SIGMA's LUT tables for the vector Space's launches, as the kernel reads them (bit planes, or
  // the table itself), per distinct (table, k, out_bits, index_xor_mask); uploaded once.
  struct LutTableDevice {
    DeviceBuffer<u64> words;
    std::optional<LutPlanesView> planes;
    std::optional<LutSupport> support;  // under kLutSkipZeros
  };
  std::map<std::vector<u64>, LutTableDevice> lut_tables;
  Staging staging;
  ThreadPool copier{std::min(8, resolve_threads(0))};  // the staging copies' threads
  // The offline phase's uploads (key generation's inputs, host batches moved to the device),
  // queued without waiting for the stream: 8 page-locked slots of 32 MiB.
  UploadRing uploads{8, std::size_t{32} << 20};
  // Call statistics: wall time inside the calls, of it waiting for the stream (kernels and
  // copies), and bytes staged up and down.
  std::atomic<std::uint64_t> busy_ns{0}, wait_ns{0}, up_bytes{0}, down_bytes{0};
  // Key generation (offline): calls and wall time inside them.
  std::atomic<std::uint64_t> gen_calls{0}, gen_ns{0};
  // Host batches moved to the device offline: wall time inside make_resident and hold.
  std::atomic<std::uint64_t> move_ns{0};
  // The end of the offline phases: wall time waiting for the key generation's kernels.
  std::atomic<std::uint64_t> finish_ns{0};

  // Copies `src` up through the staging memory into `dst` (asynchronous: a later sync waits).
  template <class T>
  const T* put(GrowBuffer<T>& dst, std::span<const T> src) {
    up_bytes += src.size_bytes();
    T* d = dst.fit(src.size());
    if (src.empty()) return d;
    std::uint8_t* h = staging.take(src.size_bytes(), *stream);
    copy_bytes(copier, h, src.data(), src.size_bytes());
    CUDA_CHECK(cudaMemcpyAsync(d, h, src.size_bytes(), cudaMemcpyHostToDevice, s()),
               std::to_string(src.size_bytes()) + " bytes up");
    return d;
  }
  // Copies `src` up into `dst` through the upload ring (the offline phase's key generation):
  // queued, not waited for; `src` may be released on return.
  template <class T>
  const T* upload_queued(GrowBuffer<T>& dst, std::span<const T> src) {
    T* d = dst.fit(src.size());
    if (!src.empty()) uploads.put(d, src.data(), src.size_bytes(), s(), copier);
    return d;
  }
  // A Carver of `block`'s memory whose puts go through the upload ring.
  Carver carver(const ResidentBlock& block) {
    return Carver(block.block.data(), s(), uploads, copier);
  }
  // Copies `n` elements at `d` down into `result` through the staging memory; waits.
  template <class T>
  void get(const T* d, std::span<T> result) {
    std::uint8_t* h = result.empty() ? nullptr : staging.take(result.size_bytes(), *stream);
    if (h != nullptr)
      CUDA_CHECK(cudaMemcpyAsync(h, d, result.size_bytes(), cudaMemcpyDeviceToHost, s()),
                 std::to_string(result.size_bytes()) + " bytes down");
    {
      AddElapsed w(wait_ns);
      stream->sync();
    }
    if (h != nullptr) copy_bytes(copier, result.data(), h, result.size_bytes());
    down_bytes += result.size_bytes();
  }

  cudaStream_t s() const { return stream->get(); }

  // Every call starts here: the device made current (it may differ from the calling thread's).
  // Generation left running is not waited for: later work queues behind it on the stream, and
  // its inputs went up through the upload ring, whose slots wait for their own copies.
  void bind() { CUDA_CHECK(cudaSetDevice(device), "device " + std::to_string(device)); }
  // The key generation left running, waited for (the end of an offline phase).
  void wait_keygen() {
    if (gen_pending) {
      gen_pending = false;
      AddElapsed w(finish_ns);
      CUDA_CHECK(cudaEventSynchronize(gen_done), "the key generation left running");
    }
    keygen_clock.collect();
  }
  // Instead of a synchronisation at the end of a generation call: its kernels run on, and the
  // next calls queue behind them on the stream. Its inputs went up through the upload ring, so no
  // host memory it reads is reused before its copy is done.
  void gen_launched() {
    CUDA_CHECK(cudaEventRecord(gen_done, s()));
    gen_pending = true;
  }

  // The keys' arrays up, in their own scope, waiting for the copies so that the scope's wall time
  // is the transfer's.
  DcfKeysView upload(const DcfKeys& k) {
    profiling::Scope sc(profiling::scopes::kKeyTransfer);
    DcfKeysView v{k.shape, k.party, k.count};
    v.root = root.put(std::span<const Block>(k.root), s());
    v.cw_seed = cw_seed.put(std::span<const Block>(k.cw_seed), s());
    v.cw_v = cw_v.put(std::span<const u64>(k.cw_v), s());
    v.cw_final = cw_final.put(std::span<const u64>(k.cw_final), s());
    stream->sync();
    key_bytes += (k.root.size() + k.cw_seed.size()) * sizeof(Block) +
                 (k.cw_v.size() + k.cw_final.size()) * sizeof(u64);
    return v;
  }
  DpfKeysView upload(const DpfKeys& k) {
    profiling::Scope sc(profiling::scopes::kKeyTransfer);
    DpfKeysView v{k.shape, k.party, k.count};
    v.root = root.put(std::span<const Block>(k.root), s());
    v.cw_seed = cw_seed.put(std::span<const Block>(k.cw_seed), s());
    v.cw_t = cw_t.put(std::span<const std::uint8_t>(k.cw_t), s());
    v.cw_out = cw_out.put(std::span<const u64>(k.cw_out), s());
    stream->sync();
    key_bytes += (k.root.size() + k.cw_seed.size()) * sizeof(Block) + k.cw_t.size() +
                 k.cw_out.size() * sizeof(u64);
    return v;
  }

  // An early-terminated DPF batch from a key file (a few dozen bytes per element): staged up.
  DpfEtKeysView upload(const DpfEtKeys& k) {
    profiling::Scope sc(profiling::scopes::kKeyTransfer);
    DpfEtKeysView v{k.in_bits, k.leaf_log2, k.party, k.count};
    v.root = put(root, std::span<const Block>(k.root));
    if (!k.cw_seed.empty()) {
      v.cw_seed = put(cw_seed, std::span<const Block>(k.cw_seed));
      v.cw_t = put(cw_t, std::span<const std::uint8_t>(k.cw_t));
    }
    if (!k.leaf_cw.empty()) v.leaf_cw = put(leaf_cw, std::span<const Block>(k.leaf_cw));
    stream->sync();
    key_bytes +=
        (k.root.size() + k.cw_seed.size() + k.leaf_cw.size()) * sizeof(Block) + k.cw_t.size();
    return v;
  }

  // A SIGMA DCF batch (host keys; ~0.5 KB per element at 37 bits): staged up.
  SigmaDcfKeysView upload(const SigmaDcfKeys& k) {
    profiling::Scope sc(profiling::scopes::kKeyTransfer);
    SigmaDcfKeysView v{k.in_bits, k.party, k.count};
    if (!k.root.empty()) {
      v.root = put(root, std::span<const Block>(k.root));
      if (!k.cw_seed.empty()) v.cw_seed = put(cw_seed, std::span<const Block>(k.cw_seed));
      v.cw_tr = put(cw_tr, std::span<const u64>(k.cw_tr));
      v.leaf0 = put(leaf_cw, std::span<const Block>(k.leaf0));
      v.leaf1 = put(leaf1, std::span<const Block>(k.leaf1));
    } else {
      v.table = put(cw_tr, std::span<const u64>(k.table));
    }
    stream->sync();
    key_bytes +=
        (k.root.size() + k.cw_seed.size() + k.leaf0.size() + k.leaf1.size()) * sizeof(Block) +
        (k.cw_tr.size() + k.table.size()) * sizeof(u64);
    return v;
  }

  // The keys' device copy when this accelerator made one (make_resident), else an upload.
  DcfKeysView view_of(const DcfKeys& k) {
    if (k.resident) return mine(dynamic_cast<const DeviceKeys<DcfKeysView>*>(k.resident.get()));
    return upload(k);
  }
  DpfKeysView view_of(const DpfKeys& k) {
    if (k.resident) return mine(dynamic_cast<const DeviceKeys<DpfKeysView>*>(k.resident.get()));
    return upload(k);
  }
  DpfEtKeysView view_of(const DpfEtKeys& k) {
    if (k.resident) return mine(dynamic_cast<const DeviceKeys<DpfEtKeysView>*>(k.resident.get()));
    return upload(k);
  }
  SigmaDcfKeysView view_of(const SigmaDcfKeys& k) {
    SigmaDcfKeysView v =
        k.resident ? mine(dynamic_cast<const DeviceKeys<SigmaDcfKeysView>*>(k.resident.get()))
                   : upload(k);
    v.share_prefixes = k.share_prefixes;  // how this evaluation walks, not part of the keys
    return v;
  }
  // A resident batch's view, when this accelerator made it (another one's memory, or another
  // kind of resident array, cannot be read here).
  template <class View>
  View mine(const DeviceKeys<View>* r) const {
    if (r == nullptr || r->block_->owner != this)
      throw std::invalid_argument(
          "CudaAccelerator: this key batch is resident in another accelerator's memory; evaluate "
          "it with the accelerator that made it");
    return r->view;
  }

  // Room for `bytes` more resident key bytes under the budget; counts a refusal.
  bool admit(std::size_t bytes) {
    if (resident_held->load() + bytes > resident_budget) {
      ++resident_declined;
      return false;
    }
    ++resident_made;
    resident_bytes_total += bytes;
    return true;
  }

  // The array behind `h` when this accelerator holds it (hold, make_resident of a share batch),
  // else null: another accelerator's, or none.
  const DeviceArray* held_here(const ResidentKeys* h) const {
    const auto* a = dynamic_cast<const DeviceArray*>(h);
    return a != nullptr && a->block_->owner == this ? a : nullptr;
  }

  // The frame of every generation call that leaves its output resident (the dealer's GPU
  // keygen; generate, gen_resident_pair, seeded_shares): under the lock, timed as generation,
  // the device bound and `bytes` admitted under the key budget (else Result{}: nullopt, null).
  // launch(block) lays its arrays out in a fresh block of `bytes` and enqueues the kernels, which
  // run on (gen_launched; their stream time goes to keygen_clock under `kind`, with the
  // `elements` the call makes); wrap(block, what launch returned) then makes the caller's Result,
  // still under the lock. The caller holds no lock.
  template <class Result, class Launch, class Wrap>
  Result gen_resident(std::string kind, std::size_t elements, std::size_t bytes, Launch&& launch,
                      Wrap&& wrap) {
    std::lock_guard lock(mu);
    AddElapsed busy(gen_ns);
    bind();
    if (!admit(bytes)) return Result{};
    auto block = std::make_shared<ResidentBlock>(stream, bytes, resident_held, this);
    const auto launched = [&] {
      const auto timed_call = keygen_clock.time(s(), std::move(kind), elements);
      return launch(*block);
    }();
    gen_launched();  // finish_keygen waits for it
    ++gen_calls;
    return wrap(std::move(block), launched);
  }

  // Both parties' keys of one batch made on the device and left resident (the dealer's GPU
  // keygen): carve(Carver&) lays the pair's arrays out in one block of `bytes` and returns its
  // pair view, launch(device alphas, pair view) enqueues the generator. nullopt when the block
  // does not fit the key budget. The caller holds no lock.
  template <class Keys, class View, class Carve, class Launch>
  std::optional<std::pair<Keys, Keys>> gen_resident_pair(std::string kind, int in_bits,
                                                         std::span<const u64> alpha,
                                                         std::size_t bytes, Carve&& carve,
                                                         Launch&& launch) {
    return gen_resident<std::optional<std::pair<Keys, Keys>>>(
        std::move(kind), alpha.size(), bytes,
        [&](const ResidentBlock& block) {
          Carver c = carver(block);
          const auto v = carve(c);
          launch(upload_queued(in, alpha), v);
          return v;
        },
        [&](const std::shared_ptr<ResidentBlock>& block, const auto& v) {
          std::pair<Keys, Keys> keys;
          for (int p = 0; p < 2; ++p) {
            Keys& k = p == 0 ? keys.first : keys.second;
            k.in_bits = in_bits;
            k.party = p;
            k.count = alpha.size();
            k.resident = std::make_shared<DeviceKeys<View>>(block, v.view(p));
          }
          return keys;
        });
  }

  // launch() between the event pair: the kernels of one call.
  template <class F>
  void timed(F&& launch) {
    CUDA_CHECK(cudaEventRecord(start, s()));
    launch();
    CUDA_CHECK(cudaEventRecord(stop, s()));
  }
  // After the call has waited for its stream: the pair's time onto the kernel clock, one call.
  void count_kernels() {
    float ms = 0;
    CUDA_CHECK(cudaEventElapsedTime(&ms, start, stop));
    kernel_ns += static_cast<std::uint64_t>(std::llround(static_cast<double>(ms) * 1e6));
    ++calls;
  }
  // launch(device output) timed, then `result` down.
  template <class F>
  void run(F&& launch, std::span<u64> result) {
    u64* d = out.fit(result.size());
    timed([&] { launch(d); });
    get(d, result);
    count_kernels();
  }
};

namespace {
// CUDA's scheduling flag for `wait` (0: none asked).
unsigned schedule_flag(HostWait wait) {
  switch (wait) {
    case HostWait::kSpin:
      return cudaDeviceScheduleSpin;
    case HostWait::kYield:
      return cudaDeviceScheduleYield;
    case HostWait::kBlock:
      return cudaDeviceScheduleBlockingSync;
    case HostWait::kAuto:
      break;
  }
  return 0;
}
}  // namespace

CudaAccelerator::CudaAccelerator(int device, KernelConfig cfg, std::uint64_t key_budget_bytes,
                                 bool device_vectors, HostWait wait)
    : s_(std::make_unique<State>(device, cfg)) {
  const int n = visible_devices();
  if (device < 0 || device >= n)
    throw std::invalid_argument(
        "CudaAccelerator: CUDA device " + std::to_string(device) + " is not visible (" +
        std::to_string(n) +
        " device(s) found): check the driver (nvidia-smi) and CUDA_VISIBLE_DEVICES, or run with "
        "--backend cpu");
  s_->bind();
  if (const unsigned flag = schedule_flag(wait); flag != 0) {
    // On a device already initialised the runtime overwrites the flags (CUDA 12); read back, so
    // that a wait mode the driver did not take is an error rather than a silent default.
    CUDA_CHECK(cudaSetDeviceFlags(flag),
               "the host's wait mode on device " + std::to_string(device));
    unsigned now = 0;
    CUDA_CHECK(cudaGetDeviceFlags(&now));
    if ((now & cudaDeviceScheduleMask) != flag)
      throw std::runtime_error(
          "CudaAccelerator: device " + std::to_string(device) + " kept scheduling flags " +
          std::to_string(now & cudaDeviceScheduleMask) + " where " + std::to_string(flag) +
          " was asked (--gpu-wait); run with --gpu-wait auto");
  }
  s_->stream = std::make_shared<Stream>();
  // The default pool keeps what resident key batches free (a layer's keys reuse it at once).
  cudaMemPool_t pool = nullptr;
  CUDA_CHECK(cudaDeviceGetDefaultMemPool(&pool, device));
  std::uint64_t keep = UINT64_MAX;
  CUDA_CHECK(cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &keep));
  CUDA_CHECK(cudaEventCreate(&s_->start));
  CUDA_CHECK(cudaEventCreate(&s_->stop));
  CUDA_CHECK(cudaEventCreateWithFlags(&s_->gen_done, cudaEventDisableTiming));
  cudaDeviceProp prop{};
  CUDA_CHECK(cudaGetDeviceProperties(&prop, device));
  int driver = 0, runtime = 0;
  CUDA_CHECK(cudaDriverGetVersion(&driver));
  CUDA_CHECK(cudaRuntimeGetVersion(&runtime));
  const auto ver = [](int v) {
    return std::to_string(v / 1000) + "." + std::to_string((v % 1000) / 10);
  };
  char mem[32];
  std::snprintf(mem, sizeof mem, "%.1f GiB",
                static_cast<double>(prop.totalGlobalMem) / (1024.0 * 1024.0 * 1024.0));
  s_->resident_budget =
      key_budget_bytes != 0
          ? key_budget_bytes
          : static_cast<std::uint64_t>(0.35 * static_cast<double>(prop.totalGlobalMem));
  s_->description = "cuda:" + std::to_string(device) + " " + prop.name + " (sm_" +
                    std::to_string(prop.major) + std::to_string(prop.minor) + ", " + mem +
                    ", driver " + ver(driver) + ", runtime " + ver(runtime) + ")";
  if (device_vectors) space_ = std::make_unique<CudaSpace>(*this);
}

CudaAccelerator::~CudaAccelerator() = default;

std::string CudaAccelerator::describe() const {
  return s_->description;
}

int CudaAccelerator::device() const {
  return s_->device;
}

const vec::Space* CudaAccelerator::vec_space() const {
  return space_.get();
}

const std::shared_ptr<Stream>& CudaAccelerator::stream() const {
  return s_->stream;
}

// The vector Space's launches (vec_space_cuda.h): the keys' device view (resident, or uploaded
// and waited for), then the kernels on the stream, not waited for. Stream order keeps them ahead
// of whatever the next call writes into the grow-only arrays an uploaded batch occupies.
template <class Keys, class Launch>
void CudaAccelerator::launch_async(const Keys& keys, Launch&& launch) const {
  if (keys.count == 0) return;
  State& s = *s_;
  std::lock_guard lock(s.mu);
  AddElapsed busy(s.busy_ns);
  s.bind();
  s.staging.reset();
  launch(s, s.view_of(keys));
  ++s.calls;
}

void CudaAccelerator::dcf_launch_on_device(const DcfKeys& keys, const u64* x, u64* out) const {
  launch_async(keys,
               [&](State& s, const DcfKeysView& v) { dcf_eval_device(v, x, out, s.s(), s.cfg); });
}

void CudaAccelerator::sigma_dcf_launch_on_device(const SigmaDcfKeys& keys,
                                                 std::size_t points_per_key, const u64* x,
                                                 std::uint8_t* out) const {
  launch_async(keys, [&](State& s, const SigmaDcfKeysView& v) {
    sigma_dcf_eval_device(v, points_per_key, x, out, s.s(), s.cfg);
  });
}

void CudaAccelerator::dpf_et_lut_launch_on_device(const DpfEtKeys& keys, const u64* idx,
                                                  std::span<const u64> table, int out_bits,
                                                  u64* sum, u64* count, u64 index_xor_mask) const {
  launch_async(keys, [&](State& s, const DpfEtKeysView& v) {
    std::vector<u64> key(table.begin(), table.end());
    key.insert(key.end(),
               {static_cast<u64>(keys.in_bits), static_cast<u64>(out_bits), index_xor_mask});
    auto it = s.lut_tables.find(key);
    if (it == s.lut_tables.end()) {
      // The bit planes where the table takes them (the CPU's choice, fss/dpf_et.cpp), else the
      // table; uploaded synchronously, once.
      const std::optional<LutPlanes> planes =
          make_lut_planes(table, keys.in_bits, out_bits, index_xor_mask);
      const std::span<const u64> words = planes ? std::span<const u64>(planes->words) : table;
      State::LutTableDevice dev{DeviceBuffer<u64>(words.size()), std::nullopt, std::nullopt};
      dev.support = lut_support_if_asked(table, keys.in_bits, out_bits, index_xor_mask);
      dev.words.upload(words);
      if (planes) {
        dev.planes = planes->view();
        dev.planes->data = dev.words.data();
      }
      it = s.lut_tables.emplace(std::move(key), std::move(dev)).first;
    }
    const State::LutTableDevice& t = it->second;
    dpf_et_lut_eval_device(v, idx, t.words.data(), out_bits, sum, count, s.s(), s.cfg,
                           index_xor_mask, t.planes ? &*t.planes : nullptr,
                           t.support ? &*t.support : nullptr);
  });
}

const u64* CudaAccelerator::resident_values(const ShareBatch& shares) const {
  const auto* a = dynamic_cast<const DeviceArray*>(shares.resident.get());
  return a != nullptr && a->block_->owner == s_.get() && a->count == shares.count ? a->data
                                                                                  : nullptr;
}

void CudaAccelerator::add_kernel_ns(std::uint64_t ns) const {
  s_->kernel_ns += ns;
}

void CudaAccelerator::count_transfer(std::uint64_t up_bytes, std::uint64_t down_bytes) const {
  s_->up_bytes += up_bytes;
  s_->down_bytes += down_bytes;
}

void CudaAccelerator::dcf_eval(const DcfKeys& keys, std::span<const u64> x,
                               std::span<u64> out) const {
  if (keys.count == 0) return;
  State& s = *s_;
  std::lock_guard lock(s.mu);
  AddElapsed busy(s.busy_ns);
  s.bind();
  s.staging.reset();
  const DcfKeysView v = s.view_of(keys);
  const u64* dx = s.put(s.in, x);
  s.run([&](u64* d) { dcf_eval_device(v, dx, d, s.s(), s.cfg); }, out);
}

void CudaAccelerator::dpf_eval(const DpfKeys& keys, std::span<const u64> x,
                               std::span<u64> out) const {
  if (keys.count == 0) return;
  State& s = *s_;
  std::lock_guard lock(s.mu);
  AddElapsed busy(s.busy_ns);
  s.bind();
  s.staging.reset();
  const DpfKeysView v = s.view_of(keys);
  const u64* dx = s.put(s.in, x);
  s.run([&](u64* d) { dpf_eval_device(v, dx, d, s.s(), s.cfg); }, out);
}

void CudaAccelerator::dpf_lut_eval(const DpfKeys& keys, std::span<const u64> xhat,
                                   std::span<const u64> table, std::span<u64> out) const {
  if (keys.count == 0) return;
  State& s = *s_;
  std::lock_guard lock(s.mu);
  AddElapsed busy(s.busy_ns);
  s.bind();
  s.staging.reset();
  const DpfKeysView v = s.view_of(keys);
  const u64* dx = s.put(s.in, xhat);
  const u64* dt = s.put(s.table, table);
  s.run([&](u64* d) { dpf_lut_eval_device(v, dx, dt, d, s.s(), s.cfg); }, out);
}

bool CudaAccelerator::sigma_dcf_eval(const SigmaDcfKeys& keys, std::size_t points_per_key,
                                     std::span<const u64> x, std::span<std::uint8_t> out) const {
  if (keys.count == 0) return true;
  State& s = *s_;
  std::lock_guard lock(s.mu);
  AddElapsed busy(s.busy_ns);
  s.bind();
  s.staging.reset();
  const SigmaDcfKeysView v = s.view_of(keys);
  const u64* dx = s.put(s.in, x);
  std::uint8_t* d = s.out8.fit(out.size());
  s.timed([&] { sigma_dcf_eval_device(v, points_per_key, dx, d, s.s(), s.cfg); });
  s.get(static_cast<const std::uint8_t*>(d), out);
  s.count_kernels();
  return true;
}

bool CudaAccelerator::dpf_et_lut_eval(const DpfEtKeys& keys, std::span<const u64> xhat,
                                      std::span<const u64> table, int out_bits, std::span<u64> sum,
                                      std::span<u64> count, u64 index_xor_mask) const {
  const std::size_t n = keys.count;
  if (n == 0) return true;
  State& s = *s_;
  std::lock_guard lock(s.mu);
  AddElapsed busy(s.busy_ns);
  s.bind();
  s.staging.reset();
  const DpfEtKeysView v = s.view_of(keys);
  const u64* dx = s.put(s.in, xhat);
  // The bit planes where the table takes them (the CPU's choice, fss/dpf_et.cpp), else the table.
  const std::optional<LutPlanes> planes =
      make_lut_planes(table, keys.in_bits, out_bits, index_xor_mask);
  const std::optional<LutSupport> support =
      lut_support_if_asked(table, keys.in_bits, out_bits, index_xor_mask);
  LutPlanesView pv = planes ? planes->view() : LutPlanesView{};
  const u64* dt = s.put(s.table, planes ? std::span<const u64>(planes->words) : table);
  if (planes) pv.data = dt;
  u64* d = s.out.fit(2 * n);
  s.timed([&] {
    dpf_et_lut_eval_device(v, dx, dt, out_bits, d, d + n, s.s(), s.cfg, index_xor_mask,
                           planes ? &pv : nullptr, support ? &*support : nullptr);
  });
  s.get(d, sum);
  s.get(d + n, count);
  s.count_kernels();
  return true;
}

void CudaAccelerator::dcf_eval_multipoint(const DcfKeys& keys, std::size_t points_per_key,
                                          std::span<const u64> points, std::span<u64> out) const {
  if (keys.count == 0 || points_per_key == 0) return;
  State& s = *s_;
  std::lock_guard lock(s.mu);
  AddElapsed busy(s.busy_ns);
  s.bind();
  s.staging.reset();
  const DcfKeysView v = s.view_of(keys);
  const u64* dp = s.put(s.in, points);
  s.run(
      [&](u64* d) {
        dcf_eval_multipoint_device(v, points_per_key, dp, d, s.s(), s.cfg, MultipointWalk::kAuto);
      },
      out);
}

namespace {
template <class Keys>
void check_keys(const Keys& k) {
  if constexpr (std::is_same_v<Keys, DcfKeys>) {
    dcf_check_keys(k);
  } else {
    dpf_check_keys(k);
  }
}
}  // namespace

template <class Keys>
void CudaAccelerator::keep(Keys& keys) const {
  if (keys.count == 0 || keys.resident) return;
  check_keys(keys);  // the device reads the arrays by the shape's sizes
  State& s = *s_;
  std::lock_guard lock(s.mu);
  AddElapsed moving(s.move_ns);
  s.bind();
  const std::size_t bytes =
      tree_bytes(keys.shape.in_bits, keys.count, 1) + payload_bytes(keys.shape, keys.count);
  if (!s.admit(bytes)) return;
  auto block = std::make_shared<ResidentBlock>(s.stream, bytes, s.resident_held, &s);
  Carver c = s.carver(*block);
  typename ViewOf<Keys>::type v{keys.shape, keys.party, keys.count};
  v.root = c.put(keys.root);
  v.cw_seed = c.put(keys.cw_seed);
  put_payload(c, keys, v);
  // The arrays are in the upload ring's slots now. They are freed here, in the offline phase:
  // freeing gigabytes of keys inside the online phase (when the gate that used them returns)
  // would cost page-table work there.
  keys.root = {};
  keys.cw_seed = {};
  keys.resident = std::make_shared<DeviceKeys<typename ViewOf<Keys>::type>>(std::move(block), v);
}

void CudaAccelerator::make_resident(DcfKeys& keys) const {
  keep(keys);
}

void CudaAccelerator::make_resident(DpfKeys& keys) const {
  keep(keys);
}

void CudaAccelerator::make_resident(DpfEtKeys& keys) const {
  if (keys.count == 0 || keys.resident) return;
  dpf_et_check_keys(keys);
  State& s = *s_;
  std::lock_guard lock(s.mu);
  AddElapsed moving(s.move_ns);
  s.bind();
  const std::size_t bytes = Carver::size_of(keys.root) + Carver::size_of(keys.cw_seed) +
                            Carver::size_of(keys.cw_t) + Carver::size_of(keys.leaf_cw);
  if (!s.admit(bytes)) return;
  auto block = std::make_shared<ResidentBlock>(s.stream, bytes, s.resident_held, &s);
  Carver c = s.carver(*block);
  DpfEtKeysView v{keys.in_bits, keys.leaf_log2, keys.party, keys.count};
  v.root = c.put(keys.root);
  v.cw_seed = keys.cw_seed.empty() ? nullptr : c.put(keys.cw_seed);
  v.cw_t = keys.cw_t.empty() ? nullptr : c.put(keys.cw_t);
  v.leaf_cw = keys.leaf_cw.empty() ? nullptr : c.put(keys.leaf_cw);
  // Copied into the upload ring's slots: released here, as keep() does.
  keys.root = {};
  keys.cw_seed = {};
  keys.cw_t = {};
  keys.leaf_cw = {};
  keys.resident = std::make_shared<DeviceKeys<DpfEtKeysView>>(std::move(block), v);
}

void CudaAccelerator::make_resident(SigmaDcfKeys& keys) const {
  if (keys.count == 0 || keys.resident) return;
  sigma_dcf_check_keys(keys);
  const bool tree = !keys.root.empty();  // else n <= 7: one truth table per key
  State& s = *s_;
  std::lock_guard lock(s.mu);
  AddElapsed moving(s.move_ns);
  s.bind();
  const std::size_t bytes = tree ? Carver::size_of(keys.root) + Carver::size_of(keys.cw_seed) +
                                       Carver::size_of(keys.cw_tr) + Carver::size_of(keys.leaf0) +
                                       Carver::size_of(keys.leaf1)
                                 : Carver::size_of(keys.table);
  if (!s.admit(bytes)) return;
  auto block = std::make_shared<ResidentBlock>(s.stream, bytes, s.resident_held, &s);
  Carver c = s.carver(*block);
  SigmaDcfKeysView v{keys.in_bits, keys.party, keys.count};
  if (tree) {
    v.root = c.put(keys.root);
    v.cw_seed = keys.cw_seed.empty() ? nullptr : c.put(keys.cw_seed);
    v.cw_tr = c.put(keys.cw_tr);
    v.leaf0 = c.put(keys.leaf0);
    v.leaf1 = c.put(keys.leaf1);
  } else {
    v.table = c.put(keys.table);
  }
  // Copied into the upload ring's slots: released here, as keep() does.
  keys.root = {};
  keys.cw_seed = {};
  keys.cw_tr = {};
  keys.leaf0 = {};
  keys.leaf1 = {};
  keys.table = {};
  keys.resident = std::make_shared<DeviceKeys<SigmaDcfKeysView>>(std::move(block), v);
}

template <class Keys, class Shape, class Launch>
std::optional<std::pair<Keys, Keys>> CudaAccelerator::generate(Shape shape, std::size_t count,
                                                               std::span<const u64> alpha,
                                                               std::span<const u64> beta,
                                                               Launch&& launch) const {
  State& s = *s_;
  const std::size_t bytes = tree_bytes(shape.in_bits, count, 2) + payload_bytes(shape, count);
  return s.gen_resident<std::optional<std::pair<Keys, Keys>>>(
      gen_kind(shape), count, bytes,
      [&](const ResidentBlock& block) {
        Carver c = s.carver(block);
        Block* roots[2] = {c.take<Block>(count), c.take<Block>(count)};
        const std::size_t nc = static_cast<std::size_t>(shape.in_bits) * count;
        Block* cw_seed = c.take<Block>(nc);
        const u64* da = s.upload_queued(s.in, alpha);
        const u64* db = s.upload_queued(s.table, beta);
        return launch(c, roots, cw_seed, da, db);
      },
      [&](const std::shared_ptr<ResidentBlock>& block, const auto& pair) {
        std::pair<Keys, Keys> keys;
        for (int p = 0; p < 2; ++p) {
          Keys& k = p == 0 ? keys.first : keys.second;
          k.shape = shape;
          k.party = p;
          k.count = count;
          k.resident =
              std::make_shared<DeviceKeys<typename ViewOf<Keys>::type>>(block, pair.view(p));
        }
        return keys;
      });
}

std::optional<std::pair<DcfKeys, DcfKeys>> CudaAccelerator::dcf_gen(DcfShape shape,
                                                                    std::span<const u64> alpha,
                                                                    std::span<const u64> beta,
                                                                    Block seed,
                                                                    u64 first_block) const {
  const std::size_t count = alpha.size();
  const auto L = static_cast<std::size_t>(shape.payload_len);
  const std::size_t beta_stride =
      dcf_beta_stride(shape, count, beta.size(), "CudaAccelerator::dcf_gen");
  return generate<DcfKeys>(
      shape, count, alpha, beta,
      [&](Carver& c, Block* const* roots, Block* cw_seed, const u64* da, const u64* db) {
        DcfKeyPairView v{shape, count, {roots[0], roots[1]}, cw_seed};
        v.cw_v = c.take<u64>(static_cast<std::size_t>(shape.in_bits) * count * L);
        v.cw_final = c.take<u64>(count * L);
        dcf_gen_device(da, db, beta_stride, seed, first_block, v, s_->s(), s_->cfg);
        return v;
      });
}

std::optional<std::pair<DpfKeys, DpfKeys>> CudaAccelerator::dpf_gen(DpfShape shape,
                                                                    std::span<const u64> alpha,
                                                                    std::span<const u64> beta,
                                                                    Block seed,
                                                                    u64 first_block) const {
  const std::size_t count = alpha.size();
  return generate<DpfKeys>(
      shape, count, alpha, beta,
      [&](Carver& c, Block* const* roots, Block* cw_seed, const u64* da, const u64* db) {
        DpfKeyPairView v{shape, count, {roots[0], roots[1]}, cw_seed};
        v.cw_t = c.take<std::uint8_t>(static_cast<std::size_t>(shape.in_bits) * count);
        v.cw_out = c.take<u64>(count);
        dpf_gen_device(da, db, seed, first_block, v, s_->s(), s_->cfg);
        return v;
      });
}

std::optional<std::pair<SigmaDcfKeys, SigmaDcfKeys>> CudaAccelerator::sigma_dcf_gen(
    int in_bits, std::span<const u64> alpha, Block seed, u64 first_block) const {
  const std::size_t count = alpha.size();
  State& s = *s_;
  if (in_bits <= kSigmaDcfLeafBits) {  // truth tables: a block of the stream a key
    const std::size_t words = sigma_dcf_table_words(in_bits) * count;
    return s.gen_resident_pair<SigmaDcfKeys, SigmaDcfKeysView>(
        "SIGMA DCF n=" + std::to_string(in_bits) + " (tables)", in_bits, alpha,
        2 * Carver::bytes_for<u64>(words),
        [&](Carver& c) {
          SigmaDcfKeyPairView v{in_bits, count};
          v.table[0] = c.take<u64>(words);
          v.table[1] = c.take<u64>(words);
          return v;
        },
        [&](const u64* da, const SigmaDcfKeyPairView& v) {
          sigma_dcf_gen_device(da, seed, first_block, v, s.s(), s.cfg);
        });
  }
  const std::size_t inner = static_cast<std::size_t>(in_bits - kSigmaDcfLeafBits - 1) * count;
  const std::size_t bytes = 4 * Carver::bytes_for<Block>(count) + Carver::bytes_for<Block>(inner) +
                            Carver::bytes_for<u64>(count);
  return s.gen_resident_pair<SigmaDcfKeys, SigmaDcfKeysView>(
      "SIGMA DCF n=" + std::to_string(in_bits), in_bits, alpha, bytes,
      [&](Carver& c) {
        SigmaDcfKeyPairView v{in_bits, count};
        v.root[0] = c.take<Block>(count);
        v.root[1] = c.take<Block>(count);
        v.cw_seed = inner == 0 ? nullptr : c.take<Block>(inner);
        v.cw_tr = c.take<u64>(count);
        v.leaf0 = c.take<Block>(count);
        v.leaf1 = c.take<Block>(count);
        return v;
      },
      [&](const u64* da, const SigmaDcfKeyPairView& v) {
        sigma_dcf_gen_device(da, seed, first_block, v, s.s(), s.cfg);
      });
}

void CudaAccelerator::finish_keygen() const {
  State& s = *s_;
  std::lock_guard lock(s.mu);
  s.bind();
  s.wait_keygen();
}

std::optional<std::pair<DpfEtKeys, DpfEtKeys>> CudaAccelerator::dpf_et_gen(
    int k, int leaf_log2, std::span<const u64> alpha, Block seed, u64 first_block) const {
  const std::size_t count = alpha.size();
  const int levels = dpf_et_levels(k, leaf_log2);
  const std::size_t inner = levels > 1 ? static_cast<std::size_t>(levels - 1) * count : 0;
  const std::size_t leaves = levels > 0 ? (std::size_t{2} << leaf_log2) * count : 0;
  const std::size_t bytes = 2 * Carver::bytes_for<Block>(count) + Carver::bytes_for<Block>(inner) +
                            Carver::bytes_for<std::uint8_t>(inner) +
                            Carver::bytes_for<Block>(leaves);
  State& s = *s_;
  auto keys = s.gen_resident_pair<DpfEtKeys, DpfEtKeysView>(
      "DPF-ET k=" + std::to_string(k) + " leaf " + std::to_string(128 << leaf_log2), k, alpha,
      bytes,
      [&](Carver& c) {
        DpfEtKeyPairView v{k, leaf_log2, count};
        v.root[0] = c.take<Block>(count);
        v.root[1] = c.take<Block>(count);
        v.cw_seed = inner == 0 ? nullptr : c.take<Block>(inner);
        v.cw_t = inner == 0 ? nullptr : c.take<std::uint8_t>(inner);
        v.leaf_cw = leaves == 0 ? nullptr : c.take<Block>(leaves);
        return v;
      },
      [&](const u64* da, const DpfEtKeyPairView& v) {
        dpf_et_gen_device(da, seed, first_block, v, s.s(), s.cfg);
      });
  if (keys) keys->first.leaf_log2 = keys->second.leaf_log2 = leaf_log2;
  return keys;
}

std::shared_ptr<const ResidentKeys> CudaAccelerator::copy_up(std::span<const u64> v,
                                                             const char* kind) const {
  State& s = *s_;
  std::lock_guard lock(s.mu);
  AddElapsed moving(s.move_ns);
  s.bind();
  const std::size_t bytes = Carver::bytes_for<u64>(v.size());
  if (!s.admit(bytes)) return nullptr;
  auto block = std::make_shared<ResidentBlock>(s.stream, bytes, s.resident_held, &s);
  u64* d = reinterpret_cast<u64*>(block->block.data());
  // Queued through the upload ring: the caller may release v now.
  if (!v.empty()) {
    const auto timed_call = s.keygen_clock.time(s.s(), kind, v.size());
    s.uploads.put(d, v.data(), v.size_bytes(), s.s(), s.copier);
  }
  return std::make_shared<DeviceArray>(std::move(block), d, v.size());
}

void CudaAccelerator::make_resident(ShareBatch& shares) const {
  if (shares.count == 0 || shares.resident || shares.values.size() != shares.count) return;
  std::shared_ptr<const ResidentKeys> held = copy_up(
      shares.values, shares.vector ? "host shares moved up (vectors)" : "host shares moved up");
  if (!held) return;
  shares.values = {};  // released offline, as a key batch's arrays
  shares.resident = std::move(held);
}

std::shared_ptr<const ResidentKeys> CudaAccelerator::seeded_shares(Block seed,
                                                                   const StreamSlice& slice,
                                                                   int bits, Operand v) const {
  State& s = *s_;
  const DeviceArray* held = s.held_here(v.held);
  if (v.held != nullptr && held == nullptr && v.host.empty())
    throw std::invalid_argument(
        "seeded_shares: v is held by another accelerator and has no host "
        "values");
  const std::size_t nv = held != nullptr ? held->count : v.host.size();
  const bool has_v = held != nullptr || !v.host.empty();
  if (has_v && nv != slice.count)
    throw std::invalid_argument("seeded_shares: " + std::to_string(nv) + " values for a slice of " +
                                std::to_string(slice.count));
  if (slice.count == 0) return nullptr;
  return s.gen_resident<std::shared_ptr<const ResidentKeys>>(
      "seeded shares", slice.count, Carver::bytes_for<u64>(slice.count),
      [&](const ResidentBlock& block) {
        u64* d = reinterpret_cast<u64*>(block.block.data());
        // v where it is: held here (a weight mask, read in place), else queued up from the host.
        const u64* dv = held != nullptr  ? held->data
                        : v.host.empty() ? nullptr
                                         : s.upload_queued(s.in, v.host);
        seeded_shares_device(seed, slice, bits, dv, d, s.s(), s.cfg);
        return d;
      },
      [&](std::shared_ptr<ResidentBlock> block, u64* d) {
        return std::make_shared<DeviceArray>(std::move(block), d, slice.count);
      });
}

std::shared_ptr<const ResidentKeys> CudaAccelerator::matmul_correlation_shares(
    const RingMatmulShape& g, std::span<const u64> a, Operand b, std::span<const u64> fresh,
    Block seed, const StreamSlice& slice, int bits) const {
  State& s = *s_;
  const DeviceArray* held_b = s.held_here(b.held);
  if (b.held != nullptr && held_b == nullptr) return nullptr;  // another accelerator's
  RingGemm rg;
  static_cast<RingMatmulShape&>(rg) = g;
  validate(rg);
  const std::size_t nb = held_b != nullptr ? held_b->count : b.host.size();
  const std::size_t live = g.batches * (g.causal ? g.m * (g.m + 1) / 2 : g.m * g.n);
  if (a.size() != ring_gemm_a_size(rg) || nb != ring_gemm_b_size(rg) || fresh.size() != live ||
      slice.count != live)
    throw std::invalid_argument(
        "matmul_correlation_shares: " + std::to_string(a.size()) + ", " + std::to_string(nb) +
        ", " + std::to_string(fresh.size()) + " values and a slice of " +
        std::to_string(slice.count) + " for the product " + std::to_string(g.batches) + " x " +
        std::to_string(g.m) + "x" + std::to_string(g.k) + "x" + std::to_string(g.n) + " (needs " +
        std::to_string(ring_gemm_a_size(rg)) + ", " + std::to_string(ring_gemm_b_size(rg)) + ", " +
        std::to_string(live) + ")");
  if (live == 0) return nullptr;
  return s.gen_resident<std::shared_ptr<const ResidentKeys>>(
      "matmul correlations", live, Carver::bytes_for<u64>(live),
      [&](const ResidentBlock& block) {
        u64* d = reinterpret_cast<u64*>(block.block.data());
        // Everything queued on the stream behind the layer's other keygen: the inputs through the
        // upload ring, the product into scratch, then v and v - slice in the batch's own memory.
        const u64* da = s.upload_queued(s.mm_a, a);
        const u64* db = held_b != nullptr ? held_b->data : s.upload_queued(s.mm_b, b.host);
        u64* dc = s.mm_c.fit(ring_gemm_c_size(rg));
        ring_matmul_device(rg, da, db, dc, s.s());
        live_entries_add_device(g, dc, s.upload_queued(s.table, fresh), d, s.s());
        seeded_shares_device(seed, slice, bits, d, d, s.s(), s.cfg);
        return d;
      },
      [&](std::shared_ptr<ResidentBlock> block, u64* d) {
        return std::make_shared<DeviceArray>(std::move(block), d, live);
      });
}

std::shared_ptr<const ResidentKeys> CudaAccelerator::hold(std::span<const u64> v) const {
  return v.empty() ? nullptr : copy_up(v, "weights held");
}

// masked_matmul's operands where the device reads them: B-sized ones held here (or null), the
// sizes checked against the shape.
struct CudaAccelerator::MaskedMatmulPlan {
  RingGemm rg;
  std::size_t na = 0, nb = 0, nc = 0;
  const DeviceArray* held_b = nullptr;
  const DeviceArray* held_r = nullptr;
};

bool CudaAccelerator::plan_masked_matmul(const RingMatmulShape& g, std::size_t ahat, std::size_t ra,
                                         const Operand& bhat, const Operand& rb, std::size_t c,
                                         MaskedMatmulPlan& p) const {
  p.held_b = s_->held_here(bhat.held);
  p.held_r = s_->held_here(rb.held);
  if ((bhat.held != nullptr && p.held_b == nullptr) || (rb.held != nullptr && p.held_r == nullptr))
    return false;  // held by another accelerator
  static_cast<RingMatmulShape&>(p.rg) = g;
  p.na = ring_gemm_a_size(p.rg);
  p.nb = ring_gemm_b_size(p.rg);
  p.nc = ring_gemm_c_size(p.rg);
  const auto check = [&](const char* what, std::size_t got, std::size_t want) {
    if (got != want)
      throw std::invalid_argument(std::string("masked_matmul: ") + what + " has " +
                                  std::to_string(got) + " elements, the shape needs " +
                                  std::to_string(want));
  };
  check("ahat", ahat, p.na);
  check("ra", ra, p.na);
  check("bhat", p.held_b ? p.held_b->count : bhat.host.size(), p.nb);
  if (bhat.vec != nullptr) check("bhat (vector)", bhat.vec->size(), p.nb);
  check("rb", p.held_r ? p.held_r->count : rb.host.size(), p.nb);
  check("c", c, p.nc);
  return true;
}

// c = ahat ([party 0] bhat - rb) + (-ra) bhat: two products, the second accumulated (c zeroed
// first where causal). da, dra, dc: device addresses; B-sized operands held or staged up.
void CudaAccelerator::masked_matmul_launch(const MaskedMatmulPlan& p, int party, const u64* da,
                                           const u64* dra, Operand bhat, Operand rb,
                                           u64* dc) const {
  State& s = *s_;
  const u64* dbh = p.held_b              ? p.held_b->data
                   : bhat.vec != nullptr ? bhat.vec->data()
                                         : s.put(s.mm_b, bhat.host);
  const u64* drb = p.held_r ? p.held_r->data : s.put(s.mm_b2, rb.host);
  u64* dbt = s.mm_bt.fit(p.nb);
  u64* dna = s.mm_na.fit(p.na);
  if (p.rg.causal) CUDA_CHECK(cudaMemsetAsync(dc, 0, p.nc * sizeof(u64), s.s()));
  RingGemm rg = p.rg;
  s.timed([&] {
    ring_sub_device(party == 0 ? dbh : nullptr, drb, dbt, p.nb, rg.bits, s.s());
    ring_sub_device(nullptr, dra, dna, p.na, rg.bits, s.s());
    ring_matmul_device(rg, da, dbt, dc, s.s());
    rg.accumulate = true;
    ring_matmul_device(rg, dna, dbh, dc, s.s());
  });
}

// Both faces: the plan, the state's lock and staging, then where the faces differ: place(s) gives
// the device addresses of ahat, ra and c, finish(s, dc) brings c to where the face wants it.
template <class Place, class Finish>
bool CudaAccelerator::masked_matmul_call(const RingMatmulShape& g, int party, std::size_t na,
                                         std::size_t nra, const Operand& bhat, const Operand& rb,
                                         std::size_t nc, Place&& place, Finish&& finish) const {
  MaskedMatmulPlan plan;
  if (!plan_masked_matmul(g, na, nra, bhat, rb, nc, plan)) return false;
  if (nc == 0) return true;
  State& s = *s_;
  std::lock_guard lock(s.mu);
  AddElapsed busy(s.busy_ns);
  s.bind();
  s.staging.reset();
  const auto [da, dra, dc] = place(s);
  masked_matmul_launch(plan, party, da, dra, bhat, rb, dc);
  finish(s, dc);
  s.count_kernels();
  return true;
}

bool CudaAccelerator::masked_matmul(const RingMatmulShape& g, int party, std::span<const u64> ahat,
                                    std::span<const u64> ra, Operand bhat, Operand rb,
                                    std::span<u64> c) const {
  bhat.vec = nullptr;  // the host face reads the host values
  return masked_matmul_call(
      g, party, ahat.size(), ra.size(), bhat, rb, c.size(),
      [&](State& s) {
        return std::tuple<const u64*, const u64*, u64*>(s.put(s.mm_a, ahat), s.put(s.mm_a2, ra),
                                                        s.mm_c.fit(c.size()));
      },
      [&](State& s, u64* dc) { s.get(dc, c); });
}

bool CudaAccelerator::masked_matmul(const RingMatmulShape& g, int party, const vec::Vec& ahat,
                                    const vec::Vec& ra, Operand bhat, Operand rb,
                                    vec::Vec& c) const {
  const vec::Space* own = space_.get();
  if (own == nullptr || ahat.space() != own || ra.space() != own || c.space() != own ||
      (bhat.vec != nullptr && bhat.vec->space() != own))
    return false;
  return masked_matmul_call(
      g, party, ahat.size(), ra.size(), bhat, rb, c.size(),
      [&](State&) {
        return std::tuple<const u64*, const u64*, u64*>(ahat.data(), ra.data(), c.data());
      },
      [](State& s, u64*) {
        AddElapsed w(s.wait_ns);
        s.stream->sync();  // the event pair's time, and the staging memory free for the next call
      });
}

bool CudaAccelerator::shared_mask_eval(const DcfKeys& keys, const SharedMaskGateTables& tables,
                                       std::span<const u64> xhat, std::span<const u64> vsh,
                                       std::span<const u64> rv, std::span<u64> v,
                                       std::span<u64> rest) const {
  const std::size_t n = keys.count;
  if (n == 0) return true;
  if (keys.shape.in_bits != tables.n || keys.shape.payload_len != tables.W || xhat.size() != n ||
      vsh.size() != n * static_cast<std::size_t>(tables.W) || rv.size() != n || v.size() != n ||
      rest.size() != n)
    throw std::invalid_argument("shared_mask_eval: keys, tables and spans do not agree in size");
  State& s = *s_;
  std::lock_guard lock(s.mu);
  AddElapsed busy(s.busy_ns);
  s.bind();
  s.staging.reset();
  std::vector<u64> key = table_key(tables);
  auto it = s.gate_tables.find(key);
  if (it == s.gate_tables.end())
    it = s.gate_tables.emplace(std::move(key), upload(tables, s.s())).first;
  const SharedMaskGateView gv = it->second.view();
  const DcfKeysView kv = s.view_of(keys);
  const u64* dx = s.put(s.in, xhat);
  const u64* dvsh = s.put(s.table, vsh);
  const u64* drv = s.put(s.sm_rv, rv);
  u64* dv = s.out.fit(n);
  u64* drest = s.sm_rest.fit(n);
  s.timed([&] { shared_mask_eval_device(kv, gv, dx, dvsh, drv, dv, drest, s.s(), s.cfg); });
  // rest comes down first (asynchronously), then v with the wait; rest's staged bytes are copied
  // out after it.
  std::uint8_t* h_rest = s.staging.take(rest.size_bytes(), *s.stream);
  CUDA_CHECK(cudaMemcpyAsync(h_rest, drest, rest.size_bytes(), cudaMemcpyDeviceToHost, s.s()),
             std::to_string(rest.size_bytes()) + " bytes down");
  s.get(dv, v);
  copy_bytes(s.copier, rest.data(), h_rest, rest.size_bytes());
  s.down_bytes += rest.size_bytes();
  s.count_kernels();
  return true;
}

template <class View, class Keys>
Keys CudaAccelerator::download_resident(const Keys& keys, const char* what) const {
  const auto* r = dynamic_cast<const DeviceKeys<View>*>(keys.resident.get());
  if (r == nullptr || r->block_->owner != s_.get())
    throw std::invalid_argument(std::string("CudaAccelerator::copy_to_host: this ") + what +
                                " batch is not resident here");
  std::lock_guard lock(s_->mu);
  s_->bind();
  return download(r->view, s_->s());
}

DcfKeys CudaAccelerator::copy_to_host(const DcfKeys& keys) const {
  return download_resident<DcfKeysView>(keys, "DCF");
}

DpfKeys CudaAccelerator::copy_to_host(const DpfKeys& keys) const {
  return download_resident<DpfKeysView>(keys, "DPF");
}

SigmaDcfKeys CudaAccelerator::copy_to_host(const SigmaDcfKeys& keys) const {
  return download_resident<SigmaDcfKeysView>(keys, "SIGMA DCF");
}

DpfEtKeys CudaAccelerator::copy_to_host(const DpfEtKeys& keys) const {
  return download_resident<DpfEtKeysView>(keys, "DPF-ET");
}

bool CudaAccelerator::ring_matmul(const RingMatmulShape& g, std::span<const u64> a, Operand b,
                                  std::span<u64> c) const {
  State& s = *s_;
  const DeviceArray* held_b = s.held_here(b.held);
  if (b.held != nullptr && held_b == nullptr) return false;  // another accelerator's
  if (c.empty()) return true;
  std::lock_guard lock(s.mu);
  AddElapsed busy(s.busy_ns);
  s.bind();
  s.staging.reset();
  const u64* da = s.put(s.mm_a, a);
  // b where it is: held here (the dealer's weight mask, from the model input), else staged up.
  const u64* db = held_b != nullptr ? held_b->data : s.put(s.mm_b, b.host);
  RingGemm rg;
  static_cast<RingMatmulShape&>(rg) = g;
  u64* dc = s.mm_c.fit(c.size());
  if (g.causal) CUDA_CHECK(cudaMemsetAsync(dc, 0, c.size_bytes(), s.s()));
  s.timed([&] { ring_matmul_device(rg, da, db, dc, s.s()); });
  s.get(dc, c);
  s.count_kernels();
  return true;
}

CudaAccelerator::CallStats CudaAccelerator::call_stats() const {
  const State& s = *s_;
  return CallStats{s.calls.load(),    s.busy_ns.load(),    s.wait_ns.load(),   s.kernel_ns.load(),
                   s.up_bytes.load(), s.down_bytes.load(), s.gen_calls.load(), s.gen_ns.load(),
                   s.move_ns.load(),  s.uploads.wait_ns(), s.finish_ns.load()};
}

std::string CudaAccelerator::summary() const {
  std::string keygen_by_kind;
  {
    std::lock_guard lock(s_->mu);
    const std::string k = s_->keygen_clock.summary();
    if (!k.empty())
      keygen_by_kind =
          "; the keygen stream's time by call (event pairs, the peer's kernels "
          "between them included): " +
          k;
  }
  const CallStats c = call_stats();
  const ResidentStats r = resident_stats();
  const auto ms = whole_ms;
  const auto mib = [](std::uint64_t b) { return std::to_string(b >> 20) + " MiB"; };
  return std::to_string(c.calls) + " GPU calls: " + ms(c.busy_ns) + " inside them, of which " +
         ms(c.wait_ns) + " waiting for the stream (kernels " + ms(c.kernel_ns) + ", copies " +
         mib(c.up_bytes) + " up / " + mib(c.down_bytes) + " down through pinned staging); " +
         std::to_string(r.batches) + " key batches (" + mib(r.bytes_total) +
         ") made or moved to the device offline (" + std::to_string(c.gen_calls) +
         " generated there, " + ms(c.gen_ns) + "; moving the others " + ms(c.move_ns) +
         "; of these, waiting for an upload slot " + ms(c.upload_wait_ns) +
         "; the offline phases' ends waiting for the keygen kernels " + ms(c.finish_ns) + "), " +
         std::to_string(r.declined) + " over the key budget of " + mib(r.budget) +
         " kept on the host" + keygen_by_kind;
}

std::uint64_t CudaAccelerator::key_budget_bytes() const {
  return s_->resident_budget;
}

CudaAccelerator::ResidentStats CudaAccelerator::resident_stats() const {
  const State& s = *s_;
  return ResidentStats{s.resident_made.load(), s.resident_declined.load(),
                       s.resident_bytes_total.load(), s.resident_held->load(), s.resident_budget};
}

std::uint64_t CudaAccelerator::kernel_ns() const {
  return s_->kernel_ns.load();
}

std::uint64_t CudaAccelerator::calls() const {
  return s_->calls.load();
}

std::uint64_t CudaAccelerator::key_bytes_uploaded() const {
  return s_->key_bytes.load();
}

std::uint64_t CudaAccelerator::device_bytes() const {
  std::lock_guard lock(s_->mu);
  const State& s = *s_;
  return s.root.bytes() + s.cw_seed.bytes() + s.cw_t.bytes() + s.cw_v.bytes() + s.cw_final.bytes() +
         s.cw_out.bytes() + s.in.bytes() + s.table.bytes() + s.out.bytes() + s.mm_a.bytes() +
         s.mm_b.bytes() + s.mm_c.bytes() + s.mm_a2.bytes() + s.mm_b2.bytes() + s.mm_bt.bytes() +
         s.mm_na.bytes() + s.resident_held->load();  // staging is host memory
}

}  // namespace secinfer::fss::cuda
