// FuseFSS's fused truncation + activation gates: SIGMA's TrFloor by f followed by SIGMA's GELU
// (or SiLU) as ONE gate, bit for bit the same function on the whole input ring
// (docs/design/fused-trunc-act.md; the design and its mask algebra are that document's).
//
// Input: X at scale 2 f (a matmul output plus bias), masked in Z_{2^n}. Output, masked in Z_{2^n}:
//   x = floor(X / 2^f) (signed),  xt = floor(x / 2^(f-6)),
//   y = max(x, 0) - (T[|xt|] if -C <= xt <= C - 1 else T[C]),  C = 2^clip - 1,
// with SIGMA's ReLU-minus-activation table T (2^clip entries at input scale 6: GELU clip 8, SiLU
// clip 10) - what sigma's trunc_floor then gelu / silu compute, for every X.
//
// Protocol, per element (fused-trunc-act.md "Protocol"): (1) SIGMA's truncate-reduce by f opens
// x_mid^ = (X >> f) + r_mid mod 2^m, m = n - f (2 exchanges); (2) ONE SIGMA DCF on the low m - 1
// bits of x_mid, evaluated at 3 points, gives the borrow b0 (hence the sign d of x) and the
// range bit e; a 2^(f-6)-entry truth-table DCF gives the table index's carry c6; b0, e, c6 are
// opened masked (1 exchange, 3 bits), then z = c6 + rho mod 2^(clip+1) (1 exchange); (3) SIGMA's
// 1-bit-leaf LUT over the (clip + 3)-bit index (e, d, (x_mid^ >> (f-6)) - z mod 2^(clip+1)), the
// two flag bits combined by XOR, opens its sign and its value in w bits (narrow_lookup.h: GELU 12,
// SiLU 13 at f = 12; 1 exchange); (4) y = d x - T' + r_y is linear in what is public and the
// dealer's shares; y^ is opened (1 exchange). 6 exchanges of 1 + m + 3 + (clip + 1) + 1 + w + n
// bits per party. Under GateArgs::fused_carry_flag c6^ is a
// third flag of a (clip + 4)-bit index instead: 5 exchanges, twice the table ("The carry opened
// additively"). The lookup's DPF has 512-bit leaves ("Wider leaves"), SIGMA's 128-bit ones
// under GateArgs::fused_sigma_leaf.
#pragma once

#include <span>
#include <vector>

#include "fss/engine/dealer.h"
#include "fss/engine/gate.h"
#include "fss/engine/party.h"

namespace secinfer::fss::fusefss {

using engine::ClearCtx;
using engine::Dealer;
using engine::GateArgs;
using engine::Party;

// The faces (fss/engine/gate.h). GateArgs::param = the truncation shift, which must equal
// frac_bits (0 is read as frac_bits); input at scale 2 frac_bits, output at frac_bits. Throws
// std::invalid_argument when the ring is too narrow for the gate (n - f must leave room for the
// clip range: fused-trunc-act.md "Widths") or frac_bits < 7.
void trunc_gelu_clear(const ClearCtx& ctx, const GateArgs& args, std::span<const u64> x,
                      std::span<u64> y);
void trunc_gelu_keygen(Dealer& dealer, const GateArgs& args, std::span<const u64> r_in,
                       std::span<u64> r_out);
void trunc_gelu_eval(Party& party, const GateArgs& args, std::span<const u64> xhat,
                     std::span<u64> yhat);

void trunc_silu_clear(const ClearCtx& ctx, const GateArgs& args, std::span<const u64> x,
                      std::span<u64> y);
void trunc_silu_keygen(Dealer& dealer, const GateArgs& args, std::span<const u64> r_in,
                       std::span<u64> r_out);
void trunc_silu_eval(Party& party, const GateArgs& args, std::span<const u64> xhat,
                     std::span<u64> yhat);

// The lookup the fused gate runs (fused-trunc-act.md "The table" and "Leaves that read zero"):
// the table T' - T[C] over the k-bit index (e, d, q), or (e, d, c6, q) with carry_flag, whose top
// flag bits xor_mask combine by XOR, T[C], which party 0 adds back, and the leaves of its DPF keys
// (2^leaf_log2 blocks: "Wider leaves"; SIGMA's 128-bit ones with sigma_leaf). For a ring of n bits
// with f fractional bits (the gates' widths checks apply); gpu_bench and trunc_act_test read it.
struct FusedLookup {
  int k = 0;
  u64 xor_mask = 0;
  std::vector<u64> table;
  u64 background = 0;
  int leaf_log2 = 0;
  int value_bits = 0;  // the lookup's opened value width (narrow_lookup.h), from the table
};
FusedLookup trunc_gelu_lookup(int n, int f, bool carry_flag = false, bool sigma_leaf = false);
FusedLookup trunc_silu_lookup(int n, int f, bool carry_flag = false, bool sigma_leaf = false);

}  // namespace secinfer::fss::fusefss
