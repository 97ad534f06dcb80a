// The three faces of a gate, and the table that binds a suite's nonlinear gates to Ops.
//
// Every gate is one file with three functions side by side (docs/design/product-spec.md "Engine and
// gate rules"):
//   void X_clear (const ClearCtx&, ..., std::span<const u64> x,    std::span<u64> y);    // values
//   void X_keygen(Dealer&,         ..., std::span<const u64> r_in, std::span<u64> r_out); // masks
//   void X_eval  (Party&,          ..., std::span<const u64> xhat, std::span<u64> yhat); // masked
// * X_clear is the cleartext fixed-point reference: the SAME algorithm (same clips, tables,
//   truncations), so that opened secure output == X_clear output bit for bit (or within a bound the
//   gate documents, only where the protocol's error depends on the mask).
// * X_keygen receives the input masks r_in (the dealer knows every mask), draws fresh output masks
//   r_out (one per element, never shared across elements), and writes both parties' keys, starting
//   with Dealer::begin(tag, count).
// * X_eval receives the public masked input xhat = x + r_in, reads this party's key (starting with
//   KeyReader::expect_record(tag, count)), and writes the opened yhat = y + r_out (it does the
//   opening itself, so both parties return the same yhat).
// Batch-first: all spans hold N elements (structure of arrays); the CUDA backend implements the
// same faces. Gates compose by calling each other's faces in the same order in keygen and eval.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "fss/ring.h"

namespace secinfer::fss::compile {
class GateCache;
}

namespace secinfer::fss::engine {

class Dealer;
class Party;

// What the cleartext reference needs to know.
struct ClearCtx {
  Ring ring{64};
  int frac_bits = 12;
  // The run's compiled fused gates (fss/compile/gate_cache.h; ClearOps passes its own). Null: a
  // fusefss clear face compiles its gate for the call alone (correct, slow).
  compile::GateCache* gate_cache = nullptr;
};

// Parameters of a unary (elementwise) gate beyond ring and frac_bits. Each gate documents which
// fields it reads; unused fields are ignored. Both faces of one call must get equal args.
struct GateArgs {
  std::size_t cols = 0;          // row length where the gate depends on it (inverse: the number of
                                 // summed terms = seq length; rsqrt: hidden size)
  int in_scale = -1;             // input fixed-point scale, -1 = frac_bits
  int out_scale = -1;            // output fixed-point scale, -1 = frac_bits
  std::span<const u64> table{};  // a public table (generic LUT)
  int table_bits = 0;            // log2 of table.size() for a LUT
  std::int64_t param = 0;        // gate-specific, documented by the gate
  // fusefss's fused gates: their own truncation steps from ring-payload DCFs
  // (fss/gates/fusefss/dcf_trunc.h) instead of SIGMA's, one exchange fewer; the same outputs.
  bool dcf_trunc = false;
  // fusefss's fused truncation + activation gates: the table index's carry as a third XOR flag
  // (one exchange fewer, twice the table) instead of opened additively
  // (docs/design/fused-trunc-act.md "The carry opened additively").
  bool fused_carry_flag = false;
  // fusefss's fused truncation + activation gates: the lookup's DPF with SIGMA's 128-bit leaves
  // instead of the 512-bit leaves that halve its AES (docs/design/fused-trunc-act.md "Wider
  // leaves"); the same outputs.
  bool fused_sigma_leaf = false;
};

// GateArgs with only `param` set (a truncation's shift, a ReLU's ring width).
inline GateArgs with_param(std::int64_t param) {
  GateArgs args;
  args.param = param;
  return args;
}

// A unary gate's faces take input and output of one length; `what` names the face in the error.
inline void check_unary_sizes(std::size_t in, std::size_t out, const char* what) {
  if (in != out)
    throw std::invalid_argument(std::string(what) + ": input has " + std::to_string(in) +
                                " elements but output has " + std::to_string(out));
}

// One unary elementwise gate of a suite: y[i] = g(x[i]), same size in and out.
struct UnaryGate {
  std::string_view name;       // for error messages ("gelu")
  std::string_view top_scope;  // profiling scope when called from model code ("Activation::GELU")
  std::string_view nested_scope;  // profiling scope when called inside another op ("gelu")
  void (*clear)(const ClearCtx&, const GateArgs&, std::span<const u64> x,
                std::span<u64> y) = nullptr;
  void (*keygen)(Dealer&, const GateArgs&, std::span<const u64> r_in,
                 std::span<u64> r_out) = nullptr;
  void (*eval)(Party&, const GateArgs&, std::span<const u64> xhat, std::span<u64> yhat) = nullptr;

  bool provided() const { return clear && keygen && eval; }
};

}  // namespace secinfer::fss::engine
