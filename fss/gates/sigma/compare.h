// SIGMA's comparison family (Gupta et al., PoPETs 2024, section 4 "DReLU", "Select", "ReLU",
// "Maxpool/max"; facts from EzPC GPU-MPC fss/gpu_relu.cu, gpu_select.cu, gpu_maxpool.cu), built on
// SIGMA's own DCF (fss/sigma_dcf.h: a 1-bit-output DPF tree with early termination).
//
// Bits on wires: a DReLU output is a masked BIT dhat = d XOR r_d (r_d a fresh random bit per
// element), held in a u64 as 0/1; select takes such a bit.
#pragma once

#include <cstddef>
#include <span>

#include "fss/engine/dealer.h"
#include "fss/engine/gate.h"
#include "fss/engine/party.h"

namespace secinfer::fss::sigma {

using engine::ClearCtx;
using engine::Dealer;
using engine::Party;

// DReLU: d = 1 if x >= 0 (signed view of Z_{2^n}) else 0. One DCF on the low n-1 bits (the borrow
// of xhat - r below the MSB), MSB(xhat) and MSB(r) give the sign bit. Online: 1 round, 1 bit per
// party per element. Key: SIGMA's DCF on n-1 bits (sigma_dcf_key_bits(n-1)) + 1 bit.
void drelu_clear(const ClearCtx& ctx, std::span<const u64> x, std::span<u64> d);
void drelu_keygen(Dealer& dealer, std::span<const u64> r_in, std::span<u64> r_d);
void drelu_eval(Party& party, std::span<const u64> xhat, std::span<u64> dhat);

// Comparison: d = 1 if x >= y else 0, as DReLU(x - y) (x - y is local on masked wires, its mask
// r_x - r_y). Valid while |x - y| < 2^(n-1). Cost and key: those of DReLU.
void geq_clear(const ClearCtx& ctx, std::span<const u64> x, std::span<const u64> y,
               std::span<u64> d);
void geq_keygen(Dealer& dealer, std::span<const u64> r_x, std::span<const u64> r_y,
                std::span<u64> r_d);
void geq_eval(Party& party, std::span<const u64> xhat, std::span<const u64> yhat,
              std::span<u64> dhat);

// Select (mux): y = d ? x : 0. Online: 1 round, n bits per party per element. Key: 5 ring
// elements per element (SIGMA's select key: shares of r_d, r_x, r_d r_x + r_out, 2 r_d, -2 r_d
// r_x).
void select_clear(const ClearCtx& ctx, std::span<const u64> d, std::span<const u64> x,
                  std::span<u64> y);
void select_keygen(Dealer& dealer, std::span<const u64> r_d, std::span<const u64> r_x,
                   std::span<u64> r_out);
void select_eval(Party& party, std::span<const u64> dhat, std::span<const u64> xhat,
                 std::span<u64> yhat);

// ReLU = select(DReLU(x), x). Online: 2 rounds, 1 + n bits per party per element.
void relu_clear(const ClearCtx& ctx, std::span<const u64> x, std::span<u64> y);
void relu_keygen(Dealer& dealer, std::span<const u64> r_in, std::span<u64> r_out);
void relu_eval(Party& party, std::span<const u64> xhat, std::span<u64> yhat);

// SIGMA's ReLU in a reduced ring of `bits` bits (its softmax max,
// docs/design/sigma-softmax-max.md): DReLU of x's low bits - 1 bits (a DCF on bits - 2 bits), the
// select in Z_{2^bits}. The output is ReLU(x) mod 2^bits (higher bits zero) while |x| < 2^(bits-2).
// Online: 2 rounds, 1 + bits bits per party per element. bits = 0: the functions above (the ring).
void relu_clear(const ClearCtx& ctx, std::span<const u64> x, std::span<u64> y, int bits);
void relu_keygen(Dealer& dealer, std::span<const u64> r_in, std::span<u64> r_out, int bits);
void relu_eval(Party& party, std::span<const u64> xhat, std::span<u64> yhat, int bits);
// That ReLU as a gate (GateArgs::param = bits): what engine::GateSuite::relu_gate gives for a
// suite without a ReLU of its own.
const engine::UnaryGate& relu_gate();

// Row max over `cols` columns (x is rows x cols, y has rows elements), as a tree (SIGMA's max):
// each level pairs neighbours, max(a, b) = ReLU(a - b) + b, an odd element passes through.
// ceil(log2 cols) levels, each one ReLU = 2 rounds. Valid while |a - b| < 2^(n-1). bits > 0: each
// ReLU in the reduced ring (above); the max is then right mod 2^bits while |a - b| < 2^(bits-2).
// `relu`: the gate each level runs, its faces called with GateArgs::param = bits (a suite's
// engine::GateSuite::relu_gate; SIGMA's by default). With SIGMA's ReLU and cols a power of two
// the party's levels run over the vector vocabulary (where its vectors live) from input to output.
void max_clear(const ClearCtx& ctx, std::size_t cols, std::span<const u64> x, std::span<u64> y,
               int bits = 0, const engine::UnaryGate& relu = relu_gate());
void max_keygen(Dealer& dealer, std::size_t cols, std::span<const u64> r_in, std::span<u64> r_out,
                int bits = 0, const engine::UnaryGate& relu = relu_gate());
void max_eval(Party& party, std::size_t cols, std::span<const u64> xhat, std::span<u64> yhat,
              int bits = 0, const engine::UnaryGate& relu = relu_gate());

}  // namespace secinfer::fss::sigma
