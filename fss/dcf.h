// Distributed comparison functions (Boyle et al., Eurocrypt 2021, "Function Secret Sharing for
// Mixed-Mode and Fixed-Point Secure Computation", Fig. 3, its tree grown as the half-tree of Guo
// et al., Eurocrypt 2023): f(x) = beta if x < alpha else 0 (unsigned n-bit compare), beta a
// vector of L elements of Z_{2^m}. Batch structure-of-arrays layout shared with the CUDA backend
// (docs/design/fss-core.md "DCF").
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

struct DcfShape {
  int in_bits = 0;      // n, 1..64
  int out_bits = 0;     // m, 1..64
  int payload_len = 1;  // L >= 1
};

struct DcfKeys {
  DcfShape shape;
  int party = 0;
  std::size_t count = 0;
  // Arrays a generator or reader writes in full: sized without zeroing (fss/uninit_vector.h).
  UninitVector<Block> root;     // [count]; bit 0 is the root's control bit
  UninitVector<Block> cw_seed;  // [in_bits * count], index i * count + k; bit 0 corrects t
  UninitVector<u64> cw_v;       // [in_bits * count * L], index (i * count + k) * L + j
  UninitVector<u64> cw_final;   // [count * L], index k * L + j
  // The batch's copy in an accelerator's memory, if one made it (fss/accelerator.h).
  std::shared_ptr<const ResidentKeys> resident{};
};

// Keys for f_k(x) = beta[k*L .. k*L+L) if x < alpha[k]. beta.size() == count * L, or L: one
// payload for every key (the same keys as that payload repeated count times, without the array).
// Throws std::invalid_argument on a bad shape or out-of-range inputs. Randomness from `rng`
// (two blocks per key, in key order: the root s0 and Delta); G_j runs on opt.aes, or on rng's AES
// path in the overload without options. Both paths give identical keys.
//   auto [k0, k1] = dcf_gen({64, 64, 1}, alpha, beta, rng);
std::pair<DcfKeys, DcfKeys> dcf_gen(DcfShape shape, std::span<const u64> alpha,
                                    std::span<const u64> beta, SeededPrg& rng);
std::pair<DcfKeys, DcfKeys> dcf_gen(DcfShape shape, std::span<const u64> alpha,
                                    std::span<const u64> beta, SeededPrg& rng,
                                    const BatchOptions& opt);

// Where key k's payload starts in dcf_gen's beta: k * L when beta holds count * L elements, 0
// when it holds L (one payload for all); else std::invalid_argument naming `what`.
std::size_t dcf_beta_stride(DcfShape shape, std::size_t count, std::size_t beta_size,
                            const char* what);

// out[k*L + j] = party's share of f_k(x[k])_j. x.size() == count, x[k] < 2^n,
// out.size() == count * L, else std::invalid_argument (also for malformed keys). With
// opt.accel set, the checks run here and the evaluation there (same outputs: fss/accelerator.h).
void dcf_eval(const DcfKeys& keys, std::span<const u64> x, std::span<u64> out);
void dcf_eval(const DcfKeys& keys, std::span<const u64> x, std::span<u64> out,
              const BatchOptions& opt);

// Serialised size of one key in bits (fss-core.md "Key sizes"): 128 + n * (128 + L * m) + L * m.
std::size_t dcf_key_bits(DcfShape shape);

// Largest payload length L accepted (keeps key sizes and allocations bounded).
inline constexpr int kDcfMaxPayload = 1 << 16;
// Throws std::invalid_argument unless 1 <= in_bits, out_bits <= 64 and 1 <= L <= kDcfMaxPayload.
void dcf_check_shape(DcfShape shape);
// Throws std::invalid_argument unless the key vectors match shape, party and count.
void dcf_check_keys(const DcfKeys& keys);

}  // namespace secinfer::fss
