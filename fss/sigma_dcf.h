// SIGMA's distributed comparison function (Gupta, Jawalkar, Mukherjee, Chandran, Gupta, Panwar,
// Sharma, "SIGMA: Secure GPT Inference with Function Secret Sharing", PoPETs 2024: the DPF of its
// FSS background, Theorem 1, with early termination at v = 7 bits, read as a comparison by prefix
// parity as GPU-MPC's fss/gpu_dpf.cu does): f(x) = [x < alpha] (unsigned n-bit compare), output
// as XOR shares of one bit. The construction, bit for bit, is docs/design/sigma-dcf.md:
//   n >= 8: a DPF tree at alpha over the top n - 7 bits with 128-bit leaves (the last 7 bits pick
//           a leaf bit), ONE AES per level per point (n - 7 per evaluation); the output is the
//           parity of the control bits where the path turns plus the parity of a leaf segment;
//   n <= 7: a 2^n-bit truth table, XOR-shared (no AES at evaluation).
// One key may be evaluated at several points (SIGMA evaluates GELU's one key at 3 points).
// Batch structure-of-arrays layout shared with the CUDA backend (fss/cuda/sigma_dcf_cuda.h).
// Compared with fss/dcf.h (full-depth Boyle et al. DCF, 2 AES per level): keys of
// 129 n - 648 bits instead of 128 + n (128 + m) + m, n - 7 AES per point instead of 2 n + 1.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "fss/batch_options.h"
#include "fss/block.h"
#include "fss/prg.h"
#include "fss/uninit_vector.h"

namespace secinfer::fss {

// Widths up to this use the truth table; wider ones the tree, whose leaves hold 2^7 = 128 bits
// (one AES block) so the last 7 levels cost no AES (SIGMA's early termination).
inline constexpr int kSigmaDcfLeafBits = 7;

// One party's keys for `count` comparisons of one width n (1..64). Unused arrays are empty.
struct SigmaDcfKeys {
  int in_bits = 0;  // n
  int party = 0;
  std::size_t count = 0;
  // n >= 8 (tree of depth d = n - 7):
  // Arrays a generator writes in full: sized without zeroing (fss/uninit_vector.h).
  UninitVector<Block> root;     // [count], bit 0 = this party's root control bit
  UninitVector<Block> cw_seed;  // [(d - 1) * count], index i * count + k; bit 0 = tL correction
  UninitVector<u64> cw_tr;      // [count], bit i = tR correction of level i (i < d - 1)
  UninitVector<Block> leaf0;    // [count], the last level's correction for direction 0
  UninitVector<Block> leaf1;    // [count], ... for direction 1
  // n <= 7: this party's share of the truth table, bit j = share of [j < alpha]:
  UninitVector<u64> table;  // [count * sigma_dcf_table_words(n)], index k * words + w
  // The batch's copy in an accelerator's memory, if one made or holds it (fss/accelerator.h
  // sigma_dcf_gen, make_resident); the host arrays are then released.
  std::shared_ptr<const ResidentKeys> resident{};
  // How a GPU evaluation at several points walks a tree: false, a walk a point (SIGMA's); true,
  // one walk a key whose points take each other's nodes where their paths agree
  // (cuda/sigma_dcf_core.h sigma_dcf_eval_shared; the fused truncation + activation sets it,
  // docs/design/fused-trunc-act.md "One walk for the three points"). The same bits either way
  // (the CPU always walks a point); not part of the key.
  bool share_prefixes = false;
};

// 64-bit words per key of the truth table (n <= 7): 2 for n = 7, else 1.
inline constexpr std::size_t sigma_dcf_table_words(int n) {
  return n >= 7 ? 2 : 1;
}

// Keys for f_k(x) = [x < alpha[k]]. Throws std::invalid_argument unless 1 <= in_bits <= 64 and
// every alpha[k] < 2^n. Randomness from `rng` (docs/design/sigma-dcf.md "Randomness"): n >= 8,
// two next_block() per key in key order; n <= 7, one. G_j runs on opt.aes (or rng's AES path in
// the overload without options); both give identical keys.
//   auto [k0, k1] = sigma_dcf_gen(38, alpha, rng);
std::pair<SigmaDcfKeys, SigmaDcfKeys> sigma_dcf_gen(int in_bits, std::span<const u64> alpha,
                                                    SeededPrg& rng);
std::pair<SigmaDcfKeys, SigmaDcfKeys> sigma_dcf_gen(int in_bits, std::span<const u64> alpha,
                                                    SeededPrg& rng, const BatchOptions& opt);

// Each key at P = points_per_key points: out[k * P + j] = this party's share (0 or 1) of
// [x[k * P + j] < alpha_k]; sigma_dcf_eval(k0, ...) XOR sigma_dcf_eval(k1, ...) = the bit.
// x.size() == out.size() == count * P, x < 2^n, P >= 1, else std::invalid_argument (also for
// malformed keys). P = 1 is one point per key. Trees (n >= 8) run on opt.accel when it has the
// pass (Accelerator::sigma_dcf_eval), else on opt.threads; outputs never depend on opt.
//   sigma_dcf_eval(k0, 3, xs, y0);   // 3 points per key
void sigma_dcf_eval(const SigmaDcfKeys& keys, std::size_t points_per_key, std::span<const u64> x,
                    std::span<std::uint8_t> out, const BatchOptions& opt = {});

// One point per key, outputs as 0 / 1 in u64 (the gates' XOR-shared bits): out[k] = this party's
// share of [x[k] < alpha_k]. The same contract and options as above.
void sigma_dcf_eval(const SigmaDcfKeys& keys, std::span<const u64> x, std::span<u64> out,
                    const BatchOptions& opt = {});

// Serialised size of one key in bits (docs/design/sigma-dcf.md "Key size"):
// n >= 8: 128 (root) + (n - 8) (128 + 1) (cw_seed with tL, tR) + 2 * 128 (leaves) = 129 n - 648;
// n <= 7: 2^n. Throws std::invalid_argument unless 1 <= n <= 64.
std::size_t sigma_dcf_key_bits(int in_bits);
// AES calls per evaluated point (n - 7 for n >= 8, else 0) and per generated key (4 (n - 7) + 2
// for n >= 8, counting the two SeededPrg blocks; else 1).
std::size_t sigma_dcf_eval_aes(int in_bits);
std::size_t sigma_dcf_gen_aes(int in_bits);

// Throws std::invalid_argument unless the arrays match in_bits, party and count (a resident batch:
// only its width and party are checked here).
void sigma_dcf_check_keys(const SigmaDcfKeys& keys);

// The key-stream interface of a batch (fss/engine/key_stream.h KeyBatch): the packed records of
// sigma_dcf_pack_keys, sigma_dcf_record_bytes(n) bytes per key.
std::size_t serialized_size(const SigmaDcfKeys& keys);
void serialize_keys(const SigmaDcfKeys& keys, std::span<std::uint8_t> out);
std::vector<std::uint8_t> serialize_keys(const SigmaDcfKeys& keys);

// One key record as the bit string of sigma_dcf_key_bits(n) bits, little-endian bit order as
// pack_bits, zero-padded to whole bytes: n >= 8: root, then per level i < n - 8: cw_seed (128),
// tR (1); then leaf0, leaf1 (blocks lo then hi); n <= 7: the 2^n table bits. `out` must hold
// ceil(bits / 8) bytes per key (count of them), else std::invalid_argument. `threads` (0 = all)
// split the records; the bytes never depend on it.
void sigma_dcf_pack_keys(const SigmaDcfKeys& keys, std::span<std::uint8_t> out, int threads = 1);
// The inverse for `count` records of one party; throws std::invalid_argument on a wrong size,
// std::runtime_error on non-zero padding bits.
SigmaDcfKeys sigma_dcf_unpack_keys(int in_bits, int party, std::size_t count,
                                   std::span<const std::uint8_t> in, int threads = 1);
// Bytes of one packed record: ceil(sigma_dcf_key_bits(n) / 8).
std::size_t sigma_dcf_record_bytes(int in_bits);

}  // namespace secinfer::fss
