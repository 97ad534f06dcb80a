// SIGMA's softmax inverse (inverse.h).
#include "fss/gates/sigma/inverse.h"

#include <stdexcept>
#include <string>

#include "fss/engine/gate.h"
#include "fss/gates/sigma/lut.h"
#include "fss/gates/sigma/nl_tables.h"
#include "fss/gates/sigma/truncate.h"
#include "fss/vec/vec.h"

namespace secinfer::fss::sigma {
namespace {

struct InvWidths {
  int in_bits, shift, k;
};

InvWidths widths(int n, int f, std::size_t cols, const char* what) {
  if (cols == 0)
    throw std::invalid_argument(std::string(what) +
                                ": GateArgs::cols (number of summed terms, "
                                "the softmax row length) must be set (> 0)");
  if (f < 7)
    throw std::invalid_argument(std::string(what) + ": needs frac_bits >= 7, got " +
                                std::to_string(f));
  const int k = inverse_table_bits(cols);
  if (k > 16)
    throw std::invalid_argument(std::string(what) + ": row length " + std::to_string(cols) +
                                " needs a 2^" + std::to_string(k) +
                                "-entry inverse table; SIGMA's tables stop at 2^16 (cols <= 1024)");
  const InvWidths w{f + k - 6, f - 6, k};
  if (w.in_bits > n)
    throw std::invalid_argument(std::string(what) + ": ring of " + std::to_string(n) +
                                " bits is narrower than the row sum's " +
                                std::to_string(w.in_bits) + " bits");
  return w;
}

}  // namespace

int inverse_table_bits(std::size_t cols) {
  int l = 0;
  while ((std::size_t{1} << l) < cols) ++l;  // ceil(log2 cols)
  return l + 6;
}

std::vector<u64> inverse_lut(std::size_t cols, int frac_bits) {
  return inverse_table(inverse_table_bits(cols), 6, frac_bits);
}

void inverse_clear(const ClearCtx& ctx, const GateArgs& args, std::span<const u64> x,
                   std::span<u64> y) {
  const InvWidths w = widths(ctx.ring.bits, ctx.frac_bits, args.cols, "inverse_clear");
  engine::check_unary_sizes(x.size(), y.size(), "inverse_clear");
  const auto t = inverse_lut(args.cols, ctx.frac_bits);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const u64 idx = ((x[i] & ring_mask(w.in_bits)) >> w.shift) & ring_mask(w.k);
    y[i] = ctx.ring.reduce(t[idx]);
  }
}

void inverse_keygen(Dealer& d, const GateArgs& args, std::span<const u64> r_in,
                    std::span<u64> r_out) {
  const InvWidths w = widths(d.ring().bits, d.frac_bits(), args.cols, "inverse_keygen");
  engine::check_unary_sizes(r_in.size(), r_out.size(), "inverse_keygen");
  std::vector<u64> r_red(r_in.size()), r_idx(r_in.size());
  for (std::size_t i = 0; i < r_in.size(); ++i) r_red[i] = r_in[i] & ring_mask(w.in_bits);
  if (w.shift > 0)
    trunc_slack_keygen(d, TruncParams{w.shift, w.in_bits, w.k}, r_red, r_idx);
  else
    r_idx = r_red;
  lut_idx_keygen(d, w.k, d.ring().bits, r_idx, r_out);
}

void inverse_eval(Party& party, const GateArgs& args, std::span<const u64> xhat,
                  std::span<u64> yhat) {
  const InvWidths w = widths(party.ring().bits, party.frac_bits(), args.cols, "inverse_eval");
  engine::check_unary_sizes(xhat.size(), yhat.size(), "inverse_eval");
  const vec::Space& sp = party.space();
  vec::Vec red = party.operand(xhat);
  sp.combine(red, w.in_bits, 0, {{.v = &red}});  // the low in_bits bits
  const vec::Vec idx = w.shift > 0
                           ? trunc_slack_eval(party, TruncParams{w.shift, w.in_bits, w.k}, red)
                           : std::move(red);
  party.result(
      lut_idx_eval(party, w.k, party.ring().bits, inverse_lut(args.cols, party.frac_bits()), idx),
      yhat);
}

}  // namespace secinfer::fss::sigma
