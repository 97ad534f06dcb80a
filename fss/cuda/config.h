// Knobs of the CUDA kernels (defaults are the measured best on an H100, docs/perf.md "CUDA
// kernels (H100)"); the benchmark sweeps them.
#pragma once

#include <optional>

namespace secinfer::fss::cuda {

// Where the AES T-tables live (aes_tables.cuh):
//  kReplicatedTe0: Te0 in shared memory, 32 copies (one per bank): a lane reads only its own
//                  bank, never a conflict; Te1..3 are rotations of Te0 (32 KiB a block).
//  kReplicatedTe4: Te0..Te3 each with 32 copies: no rotations, 128 KiB a block.
//  kPlainTe4:      Te0..Te3 once each (4 KiB): random bank conflicts.
enum class AesVariant { kReplicatedTe0, kReplicatedTe4, kPlainTe4 };
inline constexpr AesVariant kDefaultAesVariant = AesVariant::kReplicatedTe0;
// Replicated-Te0 won the pure AES kernel (36.2 G blocks/s against 27.7 and 18.9 on an H100), DPF
// eval and DCF eval with L = 1; DCF eval with vector payloads (L >= 2) measured 15% faster with
// Te0..3 replicated at L = 3 (153 M against 133 M keys/s at n = 64), docs/perf.md.
inline constexpr AesVariant kDcfVectorAesVariant = AesVariant::kReplicatedTe4;

inline const char* to_string(AesVariant v) {
  switch (v) {
    case AesVariant::kReplicatedTe0:
      return "replicated-Te0";
    case AesVariant::kReplicatedTe4:
      return "replicated-Te0..3";
    case AesVariant::kPlainTe4:
      return "plain-Te0..3";
  }
  return "?";
}

struct KernelConfig {
  // The AES table layout; empty = the measured best for the kernel: kDefaultAesVariant, except
  // DCF eval with L >= 2 payload elements, which runs kDcfVectorAesVariant. All three layouts are
  // built for the pure AES kernel, AES with a given key, DPF eval and DCF eval (the benchmark
  // compares them there); the other kernels always use kDefaultAesVariant.
  std::optional<AesVariant> aes;
  // 512 measured 1-3% faster than 256 (and replicated-Te0..3 needs it: one 128 KiB block per SM).
  int threads_per_block = 512;
  // DCF eval: threads per key, 1 (thread per key) or 2 (a lane pair splits each level's two AES;
  // measured 29-38% slower).
  int dcf_lanes = 1;
  // DPF eval: keys walked together by one thread, 1 or 2 (two independent AES chains in flight;
  // measured +16% at n = 64).
  int dpf_keys_per_thread = 2;
  // DCF eval, thread per key, L <= 4: keys per thread, 1 or 2, as for the DPF (measured 20-40%
  // slower: the doubled registers halve the resident warps).
  int dcf_keys_per_thread = 1;
  // Full-domain DPF and LUT eval: 2^lanes_log2 threads share one key (each walks one subtree of
  // depth n - lanes_log2); -1 picks by the rule in dpf_full.cu.
  int lanes_log2 = -1;
  // SIGMA's LUT from bit planes (dpf_et_lut.cu): blocks of threads_per_block resident per SM the
  // kernel is compiled for, 1 (up to 128 registers a thread) or 2 (64, some spilled); gpu_bench's
  // "DPF-ET LUT" rows compare them.
  int lut_blocks_per_sm = 1;
  // Key generation of the DCF and SIGMA's DCF: blocks of threads_per_block resident per SM the
  // kernels are compiled for, 1 (up to 128 registers a thread: the DCF's 96-114 and SIGMA's 78
  // leave room for one 512-thread block an SM) or 2 (64 registers, a few bytes spilled; the DPF's
  // generation fits 64 as it is); gpu_bench's keygen rows and gpu_check's key comparisons run both.
  int gen_blocks_per_sm = 1;
  // The key-a-thread kernels (the DCF, DPF, SIGMA DCF and DPF-ET generators, the DCF, DPF and
  // SIGMA DCF evaluations; kernel_util.cuh plan_launch): blocks of this many threads for a call
  // whose waves of threads_per_block would leave more than 15% of the last wave's slots idle,
  // where the SM holds as many threads in them; 0 = always threads_per_block. gpu_bench's keygen
  // rows at 27,648, 98,304 and 393,216 keys compare block sizes.
  int small_call_block = 128;
  // SIGMA's LUT from bit planes: 2^lut_lanes_log2 lanes of a warp share a key, each walking one
  // subtree (0 = a thread per key; capped at 32 lanes and at the tree's inner levels).
  int lut_lanes_log2 = 0;
  // SIGMA's LUT with the leaves that read zero left out (fss/lut_support.h): the threads take the
  // keys in the order of their public index (a radix sort of the indices first), so that the
  // lanes of a warp keep the same subtrees and diverge less; every output stays at its key's
  // position. false: the keys in their own order (gpu_bench compares the two).
  bool lut_sort_by_index = true;
  // SIGMA's LUT (dpf_et_lut.cu): walks of at most kDpfEtRegDepth inner levels keep their stack in
  // registers (dpf_et_core.h DpfEtSeedStack, some spilled at the kernels' 128 registers) instead
  // of local memory; false: the generic walk everywhere (gpu_bench's "generic walk" rows).
  bool lut_register_walk = true;
};

}  // namespace secinfer::fss::cuda
