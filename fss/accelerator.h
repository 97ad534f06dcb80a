// An accelerator for the party's batch FSS evaluations (the CUDA backend is one: fss/cuda/
// accelerator_cuda.h). BatchOptions::accel points at one (non-owning); when set, fss::dcf_eval,
// fss::dpf_eval, fss::dpf_lut_eval and fusefss::dcf_eval_multipoint check their arguments as
// always and then hand the evaluation to it instead of running the CPU path. An implementation
// must return exactly what the CPU path returns (the CUDA kernels are bit-identical to it,
// scripts/gpu_check.sh), so outputs never depend on whether an accelerator is set.
//
//   fss::cuda::CudaAccelerator gpu;                  // owned by the app, one per party process
//   engine::Party party(id, ring, f, ch, keys, threads, &gpu);
//   dcf_eval(keys, x, out, party.batch_options());   // runs on the GPU
//
// No global state: whoever owns the accelerator passes it down (Party, models::RunOptions).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "fss/dcf.h"
#include "fss/dpf.h"
#include "fss/dpf_et.h"
#include "fss/prg.h"
#include "fss/ring_matmul_shape.h"
#include "fss/share_batch.h"
#include "fss/sigma_dcf.h"

namespace secinfer::fss {

namespace cuda {
struct SharedMaskGateTables;  // fss/cuda/shared_mask_core.h: a fused gate's public tables
}
namespace vec {
class Space;  // fss/vec/vec.h
class Vec;
}  // namespace vec

// Arrays in an accelerator's memory: a key batch's, attached to the batch (DcfKeys::resident,
// DpfKeys::resident, ShareBatch::resident, DpfEtKeys::resident) by Accelerator::make_resident,
// which releases the host arrays, or an operand it holds (Accelerator::hold); freed with the last
// copy of the handle. Only the accelerator that made it reads it.
class ResidentKeys {
 public:
  virtual ~ResidentKeys() = default;
  ResidentKeys(const ResidentKeys&) = delete;
  ResidentKeys& operator=(const ResidentKeys&) = delete;

 protected:
  ResidentKeys() = default;
};

// The CPU evaluations refuse a resident batch: its arrays are in an accelerator's memory, and only
// that accelerator (BatchOptions::accel) evaluates it. Throws std::invalid_argument naming `what`.
inline void require_host_keys(const std::shared_ptr<const ResidentKeys>& resident,
                              const char* what) {
  if (resident)
    throw std::invalid_argument(std::string(what) +
                                ": this key batch lives in an accelerator's memory "
                                "(Accelerator::make_resident); evaluate it with that accelerator "
                                "in BatchOptions::accel");
}

class Accelerator {
 public:
  virtual ~Accelerator() = default;

  // One line for logs: the device and what it is ("cuda:0 NVIDIA H100 ... sm_90").
  virtual std::string describe() const = 0;
  // One line for logs after a run: what the calls so far cost (empty: nothing to say).
  virtual std::string summary() const { return {}; }
  // The memory resident key batches may hold at once (make_resident and the generators decline
  // past it); 0: this accelerator keeps no keys.
  virtual std::uint64_t key_budget_bytes() const { return 0; }

  // The vector Space in this accelerator's memory (fss/vec/vec.h) where the gates' party-local
  // vectors live when the run keeps them there; null: they stay on the host (the default).
  virtual const vec::Space* vec_space() const { return nullptr; }

  // An operand on the host, or the copy this accelerator holds of it (held: then `host` may be
  // empty).
  struct Operand {
    std::span<const u64> host;
    const ResidentKeys* held = nullptr;
    // The values as a vector of vec_space() (an activation left there by the previous op); the
    // Vec face reads it in place, the host face reads `host`.
    const vec::Vec* vec = nullptr;
  };

  // The callers (the fss entry points named above) have already checked the keys, the span
  // sizes and the input ranges with the CPU's checks; implementations may rely on that.
  // Contracts: those of the CPU function of the same name (fss/dcf.h, fss/dpf.h,
  // fss/gates/fusefss/multipoint_dcf.h).
  virtual void dcf_eval(const DcfKeys& keys, std::span<const u64> x, std::span<u64> out) const = 0;
  virtual void dpf_eval(const DpfKeys& keys, std::span<const u64> x, std::span<u64> out) const = 0;
  virtual void dpf_lut_eval(const DpfKeys& keys, std::span<const u64> xhat,
                            std::span<const u64> table, std::span<u64> out) const = 0;
  virtual void dcf_eval_multipoint(const DcfKeys& keys, std::size_t points_per_key,
                                   std::span<const u64> points, std::span<u64> out) const = 0;

  // The lookup-table sums of SIGMA's LUT over early-terminated 1-bit DPF keys (fss/dpf_et.h
  // dpf_et_lut_eval: sum mod 2^out_bits and the leaf count, keys.count each; index_xor_mask as
  // there, already checked). False when this
  // accelerator has no such pass (the caller then runs the CPU's), true when sum and count hold
  // the CPU's results bit for bit.
  virtual bool dpf_et_lut_eval(const DpfEtKeys& /*keys*/, std::span<const u64> /*xhat*/,
                               std::span<const u64> /*table*/, int /*out_bits*/,
                               std::span<u64> /*sum*/, std::span<u64> /*count*/,
                               u64 /*index_xor_mask*/) const {
    return false;
  }

  // SIGMA's DCF at points_per_key points per key (fss/sigma_dcf.h sigma_dcf_eval's contract, the
  // arguments already checked). False when this accelerator has no such pass.
  virtual bool sigma_dcf_eval(const SigmaDcfKeys& /*keys*/, std::size_t /*points_per_key*/,
                              std::span<const u64> /*x*/, std::span<std::uint8_t> /*out*/) const {
    return false;
  }

  // Moves a key batch into the accelerator's memory now (the offline phase) and attaches that
  // copy to it (DcfKeys::resident), so that the evaluations above skip the upload; the host
  // arrays are released (the batch then cannot be serialised, and only this accelerator can
  // evaluate it). May decline (no room under the accelerator's key budget): the batch stays on
  // the host and is uploaded when it is evaluated, as without. The default keeps every batch on
  // the host.
  virtual void make_resident(DcfKeys&) const {}
  virtual void make_resident(DpfKeys&) const {}
  virtual void make_resident(ShareBatch&) const {}
  virtual void make_resident(DpfEtKeys&) const {}
  virtual void make_resident(SigmaDcfKeys&) const {}
  // A copy of `v` in the accelerator's memory, for an operand that stays fixed across calls (a
  // masked weight, made in the offline phase); null when it declines (no room) or has no memory
  // of its own. The caller keeps `v` as it was while the copy is used.
  virtual std::shared_ptr<const ResidentKeys> hold(std::span<const u64> /*v*/) const {
    return nullptr;
  }

  // Key generation in the accelerator's memory (an inline dealer's batches, fss::dcf_gen /
  // fss::dpf_gen with BatchOptions::accel): the keys that the CPU's generator returns for a
  // SeededPrg(seed) standing at block `first_block`, both parties' batches resident (their
  // correction words are one array there; only the roots differ). nullopt when this accelerator
  // generates no keys or has no room under its key budget: the caller then runs the CPU's. The
  // caller has checked the arguments with the CPU's checks and passes count >= 1 (a DCF's beta:
  // count * L elements, or L for every key, as fss::dcf_gen takes them).
  // Waits for key generation this accelerator left running (the calls above may return before
  // their kernels end), so that the offline phase's time holds it and the online phase's does
  // not (engine::Dealer::finish_keys).
  virtual void finish_keygen() const {}
  virtual std::optional<std::pair<DcfKeys, DcfKeys>> dcf_gen(DcfShape, std::span<const u64>,
                                                             std::span<const u64>, Block,
                                                             u64 /*first_block*/) const {
    return std::nullopt;
  }
  virtual std::optional<std::pair<DpfKeys, DpfKeys>> dpf_gen(DpfShape, std::span<const u64>,
                                                             std::span<const u64>, Block,
                                                             u64 /*first_block*/) const {
    return std::nullopt;
  }
  // SIGMA DCF keys (fss::sigma_dcf_gen with BatchOptions::accel), the same contract: trees for
  // n >= 8 (key k's roots from blocks first_block + 2k, + 2k + 1), truth tables for n <= 7 (key
  // k's from block first_block + k).
  virtual std::optional<std::pair<SigmaDcfKeys, SigmaDcfKeys>> sigma_dcf_gen(
      int /*in_bits*/, std::span<const u64> /*alpha*/, Block, u64 /*first_block*/) const {
    return std::nullopt;
  }
  // One batch of the dealer's additive shares made in the accelerator's memory
  // (engine::Dealer's share split where the party's vectors live here): party 0's are the values
  // of SeededPrg(seed)'s stream that `slice` stands for (SeededPrg::take_slice), masked to `bits`
  // bits; party 1's are (v[i] - those) mod 2^bits, v of slice.count values (empty for party 0;
  // read from v.held where this accelerator holds them, a fixed weight mask).
  // Returns the batch's device copy, as make_resident leaves one (ShareBatch::resident); null
  // when this accelerator makes no shares or has no room under its key budget: the caller then
  // makes them on the host from the same slice (SeededPrg::fill_slice). May return before the
  // values are written, like the generators above.
  virtual std::shared_ptr<const ResidentKeys> seeded_shares(Block /*seed*/,
                                                            const StreamSlice& /*slice*/,
                                                            int /*bits*/, Operand /*v*/) const {
    return nullptr;
  }
  // seeded_shares() of the sigma suite's matmul correlation (fss/gates/sigma/linear.h), v made
  // here as well: v = (a b)[live] + fresh mod 2^bits, the live entries of `shape`'s product in
  // order (all, or each batch's lower triangle when causal; fresh has one value per live entry
  // and slice.count == fresh.size()), b read from b.held where this accelerator holds it (a
  // weight mask), else from b.host. Party 0's inline dealer thus never waits for the product
  // (docs/design/gpu-online-phase.md "The matmul correlation on the device"). The same values as
  // seeded_shares(seed, slice, bits, {v}) with v computed on the host; null where that would be
  // null or b is held by another accelerator (the caller then computes v on the host).
  virtual std::shared_ptr<const ResidentKeys> matmul_correlation_shares(
      const RingMatmulShape& /*shape*/, std::span<const u64> /*a*/, Operand /*b*/,
      std::span<const u64> /*fresh*/, Block /*seed*/, const StreamSlice& /*slice*/,
      int /*bits*/) const {
    return nullptr;
  }
  // SIGMA's 1-bit early-terminated DPF (the lookups' keys; fss::dpf_et_gen with
  // BatchOptions::accel), the same contract.
  virtual std::optional<std::pair<DpfEtKeys, DpfEtKeys>> dpf_et_gen(int /*k*/, int /*leaf_log2*/,
                                                                    std::span<const u64> /*alpha*/,
                                                                    Block,
                                                                    u64 /*first_block*/) const {
    return std::nullopt;
  }

  // c = a b over the ring (fss/ring_matmul_shape.h; the CPU's semantics with c zeroed first, so
  // the causal upper triangle comes back 0); sizes are the caller's to check. b is read from
  // b.held where this accelerator holds it (the dealer's weight masks), else from b.host.
  // Returns false when this accelerator has no ring matmul or b is held by another one (the caller
  // then runs the CPU's on b.host), true when c holds the product, bit-identical to the CPU's.
  virtual bool ring_matmul(const RingMatmulShape&, std::span<const u64> /*a*/, Operand /*b*/,
                           std::span<u64> /*c*/) const {
    return false;
  }

  // The FuseFSS shared-mask gate's party-local part for one chunk (fss/gates/fusefss/suf_gate.h,
  // compile::LookupMode::kSharedMask) in one pass: the packed compare (each DCF key of shape
  // {n, n, W} at the gate's P public points x^ - p), the interval lookup's combination and the
  // local Horner, giving this party's shares v (of P(x) + r_v) and rest (konst + helper terms),
  // bit-identical to compile::shared_mask_combine + fusefss::shared_mask_local. xhat, rv, v,
  // rest: keys.count each; vsh: keys.count * W. False when this accelerator has no such pass
  // (the caller then runs dcf_eval_multipoint and the CPU's combination).
  virtual bool shared_mask_eval(const DcfKeys& /*keys*/, const cuda::SharedMaskGateTables&,
                                std::span<const u64> /*xhat*/, std::span<const u64> /*vsh*/,
                                std::span<const u64> /*rv*/, std::span<u64> /*v*/,
                                std::span<u64> /*rest*/) const {
    return false;
  }

  // The party-local product of a masked matmul (the sigma suite's linear layer, fss/gates/sigma/
  // linear.h): c = ahat ([party == 0] bhat - rb) - ra bhat over the ring, for the products of
  // `shape` (c zeroed first: the causal upper triangle comes back 0). B-sized operands may be held
  // here from the offline phase. Returns false when this accelerator has no such product or an
  // operand is held by another one (the caller then computes it with ring_matmul or the CPU);
  // true when c holds it, bit-identical to the CPU's.
  virtual bool masked_matmul(const RingMatmulShape& /*shape*/, int /*party*/,
                             std::span<const u64> /*ahat*/, std::span<const u64> /*ra*/,
                             Operand /*bhat*/, Operand /*rb*/, std::span<u64> /*c*/) const {
    return false;
  }
  // The same with ahat, ra and c vectors of vec_space(): the product stays in c there. False
  // where the other one would be, or when a vector belongs to another Space.
  virtual bool masked_matmul(const RingMatmulShape& /*shape*/, int /*party*/,
                             const vec::Vec& /*ahat*/, const vec::Vec& /*ra*/, Operand /*bhat*/,
                             Operand /*rb*/, vec::Vec& /*c*/) const {
    return false;
  }

 protected:
  Accelerator() = default;
  Accelerator(const Accelerator&) = default;
  Accelerator& operator=(const Accelerator&) = default;
};

}  // namespace secinfer::fss
