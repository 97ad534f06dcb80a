// Distributed point functions (Boyle, Gilboa, Ishai, CCS 2016, "Function Secret Sharing:
// Improvements and Extensions", Fig. 1): f(x) = beta if x == alpha else 0, domain n bits, output
// Z_{2^m}. Batch APIs: `count` independent keys of one shape in a structure-of-arrays layout that
// the CUDA backend shares (docs/design/fss-core.md "Batch key layout").
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "fss/batch_options.h"
#include "fss/block.h"
#include "fss/prg.h"

namespace secinfer::fss {

struct DpfShape {
  int in_bits = 0;   // n, 1..64
  int out_bits = 0;  // m, 1..64
};

// One party's keys for `count` point functions.
struct DpfKeys {
  DpfShape shape;
  int party = 0;
  std::size_t count = 0;
  std::vector<Block> root;         // [count]
  std::vector<Block> cw_seed;      // [in_bits * count], index i * count + k
  std::vector<std::uint8_t> cw_t;  // [in_bits * count], bit 0 = tL, bit 1 = tR
  std::vector<u64> cw_out;         // [count]
  // The batch's copy in an accelerator's memory, if one made it (fss/accelerator.h).
  std::shared_ptr<const ResidentKeys> resident{};
};

// Keys for f_k(x) = beta[k] if x == alpha[k]. Throws std::invalid_argument on a bad shape or
// alpha/beta outside their rings (or of different lengths). Randomness from `rng` (fss-core.md
// "Randomness": s0 then s1 per key, in key order); G_j runs on opt.aes, or on rng's AES path
// in the overload without options. Both paths give identical keys.
//   auto [k0, k1] = dpf_gen({16, 16}, alpha, beta, rng);
std::pair<DpfKeys, DpfKeys> dpf_gen(DpfShape shape, std::span<const u64> alpha,
                                    std::span<const u64> beta, SeededPrg& rng);
std::pair<DpfKeys, DpfKeys> dpf_gen(DpfShape shape, std::span<const u64> alpha,
                                    std::span<const u64> beta, SeededPrg& rng,
                                    const BatchOptions& opt);

// out[k] = party's share of f_k(x[k]): dpf_eval(k0, x, y0) and dpf_eval(k1, x, y1) give
// y0[k] + y1[k] = f_k(x[k]) mod 2^m. x.size() == out.size() == count and x[k] < 2^n, else
// std::invalid_argument (also for malformed keys). With opt.accel set, the checks run here and
// the evaluation there (same outputs: fss/accelerator.h).
void dpf_eval(const DpfKeys& keys, std::span<const u64> x, std::span<u64> out);
void dpf_eval(const DpfKeys& keys, std::span<const u64> x, std::span<u64> out,
              const BatchOptions& opt);

// Full domain of key k: out[j] = share of f_k(j), j in [0, 2^in_bits); in_bits <= 24 and
// out.size() == 2^in_bits, else std::invalid_argument. Breadth first, 2 * (2^n - 1) AES calls.
void dpf_eval_full_domain(const DpfKeys& keys, std::size_t k, std::span<u64> out);
void dpf_eval_full_domain(const DpfKeys& keys, std::size_t k, std::span<u64> out,
                          const BatchOptions& opt);

// SIGMA's lookup table: out[k] = share of table[(xhat[k] - alpha[k]) mod 2^n] in Z_{2^m}
// (keys made with beta = 1): sum_j table[(xhat - j) mod 2^n] * y_b(j). table.size() == 2^in_bits
// (in_bits <= 24), xhat[k] < 2^n; table entries are taken mod 2^m. opt.accel: as dpf_eval.
void dpf_lut_eval(const DpfKeys& keys, std::span<const u64> xhat, std::span<const u64> table,
                  std::span<u64> out);
void dpf_lut_eval(const DpfKeys& keys, std::span<const u64> xhat, std::span<const u64> table,
                  std::span<u64> out, const BatchOptions& opt);

// Serialised size of one key in bits (fss-core.md "Key sizes"): 128 + n * (128 + 2) + m.
std::size_t dpf_key_bits(DpfShape shape);

// Throws std::invalid_argument unless 1 <= in_bits, out_bits <= 64.
void dpf_check_shape(DpfShape shape);
// Throws std::invalid_argument unless the key vectors match shape, party and count.
void dpf_check_keys(const DpfKeys& keys);

}  // namespace secinfer::fss
