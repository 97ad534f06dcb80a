#include "fss/gates/fusefss/trunc_floor2.h"

#include <array>
#include <vector>

#include "fss/gates/fusefss/dcf_trunc.h"
#include "fss/gates/sigma/trunc_corr.h"
#include "fss/uninit_vector.h"
#include "fss/vec/vec.h"

namespace secinfer::fss::fusefss {
namespace {

constexpr std::uint32_t kTag = engine::key_tag("TRF2");

}  // namespace

void trunc_floor2_keygen(engine::Dealer& d, sigma::TruncParams p, std::span<const u64> r_in,
                         std::span<u64> r_out) {
  const TruncWidths w = trunc_widths(d.ring(), p, r_in.size(), r_out.size(), "trunc_floor2_keygen");
  if (w.out <= w.mid) return sigma::trunc_floor_keygen(d, p, r_in, r_out);
  const std::size_t n = r_in.size();
  d.begin(kTag, n);
  d.random(r_out, w.out);
  UninitVector<u64> alpha_low(n), alpha_wrap(n), q(n);
  one_step_floor_points(d, w, r_in, r_out, alpha_low, alpha_wrap, q);
  // The borrow's pair: q without it, q - 1 with it; the wrap's: 0 and 2^m.
  sigma::corr_keygen(d, w.s, alpha_low, q, ~u64{0}, w.out);
  const std::vector<u64> zero(n, 0);
  sigma::corr_keygen(d, w.in, alpha_wrap, zero, u64{1} << w.mid, w.out);
}

void trunc_floor2_eval(engine::Party& party, sigma::TruncParams p, std::span<const u64> xhat,
                       std::span<u64> yhat) {
  const TruncWidths w =
      trunc_widths(party.ring(), p, xhat.size(), yhat.size(), "trunc_floor2_eval");
  if (w.out <= w.mid) return sigma::trunc_floor_eval(party, p, xhat, yhat);
  const std::size_t n = xhat.size();
  party.keys().expect_record(kTag, n);
  const sigma::CorrKey k_low = sigma::corr_read(party, w.s, n, w.out);
  const sigma::CorrKey k_wrap = sigma::corr_read(party, w.in, n, w.out);
  const vec::Space& sp = party.space();
  vec::Vec x1 = party.operand(xhat);
  sp.combine(x1, w.in, u64{1} << (w.in - 1), {{.v = &x1}});
  // Exchange 1: both comparisons' masked bits (the first at x1 mod 2^s).
  vec::Vec borrow_bit = sigma::corr_masked_bit(party, k_low, x1);
  vec::Vec wrap_bit = sigma::corr_masked_bit(party, k_wrap, x1);  // x1 is already below 2^in
  const std::array<engine::Party::VecOpenItem, 2> bits{{{&borrow_bit, 1}, {&wrap_bit, 1}}};
  party.open_many(bits);
  const vec::Vec borrow = sigma::corr_pick(party, k_low, borrow_bit);
  const vec::Vec wrap = sigma::corr_pick(party, k_wrap, wrap_bit);
  // Exchange 2: y^ = [party 0: (x1^ >> s) - 2^(m-1)] + the picked corrections.
  const u64 p0 = party.id() == 0 ? 1 : 0;
  const u64 half = u64{1} << (w.mid - 1);
  sp.combine(x1, w.out, p0 * (u64{0} - half),
             {{.v = &x1, .shr = w.s, .coef = p0}, {.v = &borrow}, {.v = &wrap}});
  party.open(x1, w.out);
  party.result(std::move(x1), yhat);
}

void trunc_floor2_keygen(engine::Dealer& d, const engine::GateArgs& args, std::span<const u64> r_in,
                         std::span<u64> r_out) {
  trunc_floor2_keygen(d, sigma::shift_params(args), r_in, r_out);
}
void trunc_floor2_eval(engine::Party& party, const engine::GateArgs& args,
                       std::span<const u64> xhat, std::span<u64> yhat) {
  trunc_floor2_eval(party, sigma::shift_params(args), xhat, yhat);
}

}  // namespace secinfer::fss::fusefss
