// SIGMA's DPF with 1-bit leaves and early termination (Gupta et al., PoPETs 2024, the DPF-based
// lookup table; docs/design/sigma-lut.md): f(x) = [x == alpha] over a k-bit domain, XOR-shared,
// 128 leaves per AES block, so a tree of L = max(k - 7, 0) levels; full-domain evaluation costs
// about 2^(L+1) AES per key instead of the m-bit DPF's 2 (2^k - 1) (fss/dpf.h). The lookup-table
// sums that SIGMA's LUT gate needs (fss/gates/sigma/lut.h) are this primitive's evaluation.
//
// The fused suite's lookups may take wider leaves, 2^w blocks of 128 (w = leaf_log2 <= 2): the
// tree is w levels shorter and a walk computes only the leaf blocks it reads
// (docs/design/fused-trunc-act.md "Wider leaves"); w = 0 is SIGMA's key.
//
// Batch layout (structure of arrays, as fss/dpf.h): root[count]; cw_seed / cw_t for the L - 1
// inner levels at [i * count + key]; leaf_cw[2^(w+1) count], block sub of leaf dir at
// [(dir 2^w + sub) count + key] (w = 0: l_0 at [key], l_1 at [count + key]; empty when L = 0).
// Serialised in that order: 16 + 17 (L - 1) + 32 2^w bytes per key (16 when L = 0).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "fss/batch_options.h"
#include "fss/block.h"
#include "fss/dpf_et_core.h"
#include "fss/prg.h"

namespace secinfer::fss {

// Domains this primitive takes: 1 <= k <= kDpfEtMaxBits.
inline constexpr int kDpfEtMaxBits = 20;

struct DpfEtKeys {
  int in_bits = 0;    // k
  int leaf_log2 = 0;  // w: leaves of 2^w 128-bit blocks
  int party = 0;
  std::size_t count = 0;
  std::vector<Block> root;         // [count]
  std::vector<Block> cw_seed;      // [(L - 1) * count]
  std::vector<std::uint8_t> cw_t;  // [(L - 1) * count], bit 0 = tL, bit 1 = tR
  std::vector<Block> leaf_cw;      // [2^(w+1) count] (L >= 1)
  // The batch's copy in an accelerator's memory, if one made it (fss/accelerator.h); the host
  // arrays are then released.
  std::shared_ptr<const ResidentKeys> resident{};
};

// Keys for [x == alpha[i]], alpha[i] < 2^k, with leaves of 2^leaf_log2 blocks. Randomness: two
// blocks per key from `rng`, keys in order (s0 then s1), whatever the leaf width. With opt.accel
// set the keys are made there when it has this pass (Accelerator::dpf_et_gen): the same keys,
// resident in its memory. Throws std::invalid_argument on k outside [1, kDpfEtMaxBits], a leaf
// width the domain does not take (dpf_et_core.h dpf_et_shape_ok) or alpha out of range.
std::pair<DpfEtKeys, DpfEtKeys> dpf_et_gen(int k, std::span<const u64> alpha, SeededPrg& rng,
                                           const BatchOptions& opt = {}, int leaf_log2 = 0);

// Full domain of key `key`: out[j] = y_b(j) in {0, 1}, j < 2^k (out.size() == 2^k).
void dpf_et_eval_full_domain(const DpfEtKeys& keys, std::size_t key, std::span<u64> out);

// The lookup-table sums of every key (dpf_et_core.h dpf_et_lut_one): sum[i] = sum_j y_b(j)
// T[(xhat[i] - j) mod 2^k] mod 2^out_bits and count[i] = sum_j y_b(j) (at most 2^k).
// table.size() == 2^k, xhat[i] < 2^k. With opt.accel set the evaluation runs there when it has
// this pass (Accelerator::dpf_et_lut_eval), with the same outputs. index_xor_mask: the top bits
// of the index that combine by XOR instead (dpf_et_core.h lut_index; 0 = none); it must be 0 or
// a run of top bits of [0, 2^k), else std::invalid_argument. With kLutSkipZeros set in it
// (fss/lut_support.h) the sums leave out leaves whose table entry is 0: they then cover a set of
// leaves fixed by xhat and the table, and the parties' differences stay those of the whole domain.
void dpf_et_lut_eval(const DpfEtKeys& keys, std::span<const u64> xhat, std::span<const u64> table,
                     int out_bits, std::span<u64> sum, std::span<u64> count,
                     const BatchOptions& opt = {}, u64 index_xor_mask = 0);

// Bytes of `count` serialised keys of a k-bit domain with leaves of 2^leaf_log2 blocks.
std::size_t dpf_et_key_bytes(int k, std::size_t count, int leaf_log2 = 0);
// The batch as bytes (out.size() == dpf_et_key_bytes), and back (throws std::invalid_argument on a
// size mismatch).
void dpf_et_serialize(const DpfEtKeys& keys, std::span<std::uint8_t> out);
DpfEtKeys dpf_et_deserialize(std::span<const std::uint8_t> in, int k, std::size_t count, int party,
                             int leaf_log2 = 0);

// Throws std::invalid_argument unless the arrays match in_bits, leaf_log2, party and count (a
// resident batch: only its shape and party are checked here).
void dpf_et_check_keys(const DpfEtKeys& keys);

// The key-stream interface of a batch (fss/engine/key_stream.h KeyBatch, as ShareBatch's):
// exactly dpf_et_key_bytes bytes, dpf_et_serialize's.
std::size_t serialized_size(const DpfEtKeys& keys);
void serialize_keys(const DpfEtKeys& keys, std::span<std::uint8_t> out);
std::vector<std::uint8_t> serialize_keys(const DpfEtKeys& keys);

}  // namespace secinfer::fss
