// SIGMA's nExp (nexp.h).
#include "fss/gates/sigma/nexp.h"

#include <stdexcept>
#include <string>

#include "fss/engine/gate.h"
#include "fss/engine/key_stream.h"
#include "fss/gates/sigma/linear.h"
#include "fss/gates/sigma/lut.h"
#include "fss/gates/sigma/nl_prims.h"
#include "fss/gates/sigma/nl_tables.h"
#include "fss/gates/sigma/truncate.h"
#include "fss/uninit_vector.h"

namespace secinfer::fss::sigma {
namespace {

constexpr std::uint32_t kTagNexp = engine::key_tag("NEXP");
constexpr int kClipBits = 16;

}  // namespace

int nexp_compare_bits(int n, int f, const char* what) {
  if (f < 9 || f > 30)
    throw std::invalid_argument(std::string(what) +
                                ": needs 9 <= frac_bits <= 30 (16-bit input "
                                "split into two bytes at scale f), got " +
                                std::to_string(f));
  const int be = n - f + 2;
  if (be < kClipBits + 2 || 2 * f + 3 > n)
    throw std::invalid_argument(std::string(what) + ": ring of " + std::to_string(n) +
                                " bits is too narrow for nExp at f = " + std::to_string(f) +
                                " (needs n >= f + 16 and n >= 2f + 3)");
  return be;
}

std::vector<u64> nexp_lo_table(int frac_bits) {
  return nexp_table(8, frac_bits, frac_bits);
}
std::vector<u64> nexp_hi_table(int frac_bits) {
  return nexp_table(8, frac_bits - 8, frac_bits);
}

void nexp_clear(const ClearCtx& ctx, const GateArgs&, std::span<const u64> x, std::span<u64> y) {
  const int n = ctx.ring.bits, f = ctx.frac_bits;
  const int be = nexp_compare_bits(n, f, "nexp_clear");
  engine::check_unary_sizes(x.size(), y.size(), "nexp_clear");
  const auto lo = nexp_lo_table(f), hi = nexp_hi_table(f);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const u64 xi = ctx.ring.reduce(x[i]);
    const u64 lt = nl::sign_clear(xi, kNexpClip, be);                          // x < P
    const u64 c = lt ? (xi & ring_mask(kClipBits)) : kNexpClip;                // clip to 16 bits
    const u64 prod = ctx.ring.mul(hi[c >> 8], lo[c & 0xFF]);                   // scale 2f
    y[i] = static_cast<u64>(ctx.ring.to_signed(prod) >> f) & ctx.ring.mask();  // floor
  }
}

void nexp_keygen(Dealer& d, const GateArgs&, std::span<const u64> r_in, std::span<u64> r_out) {
  const int n = d.ring().bits, f = d.frac_bits();
  const int be = nexp_compare_bits(n, f, "nexp_keygen");
  engine::check_unary_sizes(r_in.size(), r_out.size(), "nexp_keygen");
  const std::size_t N = r_in.size();
  d.begin(kTagNexp, N);
  // 1. lt = MSB(x - P) over be bits, masked by m_lt; MSB(r mod 2^be) folded into the correction.
  UninitVector<u64> r_be(N);  // every array here is written in full before it is read
  for (std::size_t i = 0; i < N; ++i) r_be[i] = r_in[i] & ring_mask(be);
  nl::sign_dcf_keygen(d, be, r_be);
  UninitVector<u64> m_lt(N);
  d.random(m_lt, 1);
  UninitVector<u64> corr(N), r_x16(N);
  for (std::size_t i = 0; i < N; ++i) {
    corr[i] = m_lt[i] ^ nl::msb_of(r_be[i], be);
    r_x16[i] = r_in[i] & ring_mask(kClipBits);
  }
  d.share_vec(corr, 1);
  UninitVector<u64> r_c(N);
  d.random(r_c, kClipBits);
  nl::select_share_keygen(d, kClipBits, m_lt, r_x16, r_c);
  // 2. Low byte LUT (index = c mod 2^8, mask r_c mod 2^8).
  UninitVector<u64> r_lo(N), r_hi8(N), r_hi(N), r_prod(N);
  lut_idx_keygen(d, 8, n, r_c, r_lo);
  // 3. High byte: TrWithSlack 16 -> 8 by 8, then its LUT.
  trunc_slack_keygen(d, TruncParams{8, kClipBits, 8}, r_c, r_hi8);
  lut_idx_keygen(d, 8, n, r_hi8, r_hi);
  // 4. Product and truncation by f.
  mul_keygen(d, r_hi, r_lo, r_prod);
  trunc_slack_keygen(d, TruncParams{f, n, n}, r_prod, r_out);
}

void nexp_eval(Party& party, const GateArgs&, std::span<const u64> xhat_host, std::span<u64> yhat) {
  const int n = party.ring().bits, f = party.frac_bits();
  const int be = nexp_compare_bits(n, f, "nexp_eval");
  engine::check_unary_sizes(xhat_host.size(), yhat.size(), "nexp_eval");
  const std::size_t N = xhat_host.size();
  const vec::Space& sp = party.space();
  const vec::Vec xhat = party.operand(xhat_host);
  party.keys().expect_record(kTagNexp, N);
  // 1. Round 1: lt bit; round 2: clipped value mod 2^16.
  const SigmaDcfKeys keys = nl::sign_dcf_read(party, be, N);
  const vec::Vec corr = party.read_shares_vec(N, 1);
  vec::Vec lt = sp.make(N);
  const u64 clip[1] = {kNexpClip};
  vec::Vec* lt_out[1] = {&lt};
  nl::sign_dcf_eval(party, keys, be, xhat, clip, lt_out);
  sp.combine(lt, 1, 0, {{.v = &lt}, {.v = &corr}});
  party.open(lt, 1);
  vec::Vec c = nl::select_share_eval(party, kClipBits, lt, xhat, kNexpClip, kNexpClip);
  party.open(c, kClipBits);
  // 2-3. Rounds 3-6.
  const auto lo_t = nexp_lo_table(f), hi_t = nexp_hi_table(f);
  const vec::Vec lo = lut_idx_eval(party, 8, n, lo_t, c);
  const vec::Vec hi8 = trunc_slack_eval(party, TruncParams{8, kClipBits, 8}, c);
  const vec::Vec hi = lut_idx_eval(party, 8, n, hi_t, hi8);
  // 4. Rounds 7-9.
  const vec::Vec prod = mul_eval(party, hi, lo);
  party.result(trunc_slack_eval(party, TruncParams{f, n, n}, prod), yhat);
}

}  // namespace secinfer::fss::sigma
