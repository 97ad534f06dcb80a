// SIGMA's lookup-table sums over early-terminated 1-bit DPF keys (fss/dpf_et.h) on the GPU: a
// thread per key runs dpf_et_core.h's dpf_et_lut_one, the code the CPU runs, so the outputs are
// the CPU's bit for bit (scripts/gpu_check.sh, group "dpf-et").
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <span>

#include "fss/block.h"
#include "fss/cuda/config.h"
#include "fss/dpf_et.h"
#include "fss/lut_planes.h"
#include "fss/lut_support.h"

namespace secinfer::fss::cuda {

// A batch's arrays in device memory (the layout of fss/dpf_et.h; null for an empty array).
struct DpfEtKeysView {
  int in_bits = 0;
  int leaf_log2 = 0;
  int party = 0;
  std::size_t count = 0;
  const Block* root = nullptr;
  const Block* cw_seed = nullptr;
  const std::uint8_t* cw_t = nullptr;
  const Block* leaf_cw = nullptr;
};

// Both parties' keys as a dealer makes them on the GPU (fss/dpf_et.h's layout; the correction
// words are common and stored once, only the roots differ). cw_seed / cw_t null when the tree
// has fewer than 2 levels, leaf_cw null when it has none.
struct DpfEtKeyPairView {
  int in_bits = 0;
  int leaf_log2 = 0;
  std::size_t count = 0;
  Block* root[2] = {nullptr, nullptr};
  Block* cw_seed = nullptr;
  std::uint8_t* cw_t = nullptr;
  Block* leaf_cw = nullptr;  // [2^(leaf_log2 + 1) count]
  DpfEtKeysView view(int party) const {
    return DpfEtKeysView{in_bits, leaf_log2, party, count, root[party], cw_seed, cw_t, leaf_cw};
  }
};

// A batch's arrays copied back to host arrays (synchronous): for checks.
DpfEtKeys download(const DpfEtKeysView& keys, cudaStream_t stream = nullptr);

// Gen on the GPU (device pointers, enqueued on `stream`): key i from blocks first_block + 2i and
// + 2i + 1 of SeededPrg(seed), dpf_et_core.h's dpf_et_gen_one, the CPU's keys bit for bit.
void dpf_et_gen_device(const u64* alpha, Block seed, u64 first_block, const DpfEtKeyPairView& out,
                       cudaStream_t stream, const KernelConfig& cfg = {});

// sum[i] = sum_j y_b(j) T[lut_index(xhat[i], j)] mod 2^out_bits, count[i] = sum_j y_b(j); all
// pointers in device memory, table of 2^k entries, xhat[i] < 2^k, index_xor_mask as
// fss/dpf_et.h dpf_et_lut_eval (the caller checked). With `planes` (make_lut_planes of the same
// table, k, out_bits and mask; its words in device memory) the sums come from the bit planes and
// `table` is not read. With `support` (make_lut_support of the same table, k, out_bits and mask,
// a host struct passed by value) the sums leave out the leaves that read a zero entry
// (fss/lut_support.h), as the CPU's under kLutSkipZeros.
void dpf_et_lut_eval_device(const DpfEtKeysView& keys, const u64* xhat, const u64* table,
                            int out_bits, u64* sum, u64* count, cudaStream_t stream,
                            const KernelConfig& cfg = {}, u64 index_xor_mask = 0,
                            const LutPlanesView* planes = nullptr,
                            const LutSupport* support = nullptr);

// The same from host arrays (uploads, evaluates, downloads): for gpu_check. use_planes: the bit
// planes where make_lut_planes gives them (the CPU's choice), else the table reads.
void dpf_et_lut_eval_cuda(const DpfEtKeys& keys, std::span<const u64> xhat,
                          std::span<const u64> table, int out_bits, std::span<u64> sum,
                          std::span<u64> count, const KernelConfig& cfg = {},
                          u64 index_xor_mask = 0, bool use_planes = true);

}  // namespace secinfer::fss::cuda
