// The fused nExp (contract in fused_nexp.h; protocol and mask algebra in docs/design/fused-nexp.md,
// whose section names the comments below cite).
#include "fss/gates/fusefss/fused_nexp.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "fss/engine/gate.h"
#include "fss/engine/key_stream.h"
#include "fss/gates/fusefss/dcf_trunc.h"
#include "fss/gates/fusefss/lut_product.h"
#include "fss/gates/fusefss/narrow_lookup.h"
#include "fss/gates/sigma/nexp.h"
#include "fss/gates/sigma/nl_prims.h"
#include "fss/gates/sigma/truncate.h"
#include "fss/sigma_dcf.h"
#include "fss/uninit_vector.h"

namespace secinfer::fss::fusefss {
namespace {

constexpr std::uint32_t kTagFusedNexp = engine::key_tag("FNXP");
constexpr int kByte = 8;
constexpr u64 kByteMask = 0xFF;
// "Tables": T_hi' over (lt, c8, q) and T_lo' over (lt, q), the flag bits on top, combined by XOR.
// T_hi'(lt, c8, q) = lt ? T_hi[q - c8 mod 2^8] : T_hi[255]: the high byte of x mod 2^16 is
// (xhat >> 8) - (r >> 8) - c8, and a clipped x (lt = 0) reads P's byte.
std::vector<u64> hi_table(int f) {
  const std::vector<u64> hi = sigma::nexp_hi_table(f);
  std::vector<u64> out(std::size_t{1} << (kByte + 2));
  for (std::size_t i = 0; i < out.size(); ++i) {
    const u64 lt = i >> (kByte + 1), c8 = (i >> kByte) & 1, q = i & kByteMask;
    out[i] = lt ? hi[(q - c8) & kByteMask] : hi[kByteMask];
  }
  return out;
}

// T_lo'(lt, q) = lt ? T_lo[q] : T_lo[255].
std::vector<u64> lo_table(int f) {
  const std::vector<u64> lo = sigma::nexp_lo_table(f);
  std::vector<u64> out(std::size_t{1} << (kByte + 1));
  for (std::size_t i = 0; i < out.size(); ++i) {
    const u64 lt = i >> kByte, q = i & kByteMask;
    out[i] = lt ? lo[q] : lo[kByteMask];
  }
  return out;
}

// The gate's public data, built once a call: the two tables, their lookups with the sums opened
// in the tables' value widths (narrow_lookup.h: f + 3 bits, the entries reaching 2^f) - T_hi'
// over k = 10 bits (lt, c8, the byte), T_lo' over 9 (lt, the byte) - and "Truncation"'s widths:
// the product z = T_hi' T_lo' lies below 2^(wz - 2) for wz = bit_width(max z) + 2 (2f + 3),
// TrWithSlack's bound, so z^ is opened in wz bits and truncated from a wz-bit ring into n bits
// (the slack's wrap term lifts it).
struct Plan {
  std::vector<u64> hi_table, lo_table;
  LookupSpec hi, lo;
  sigma::TruncParams trunc;
};
Plan plan(int n, int f) {
  Plan pl{hi_table(f), lo_table(f), {}, {}, {}};
  pl.hi = {kByte + 2, u64{3} << kByte, narrow_lookup_width(pl.hi_table, n)};
  pl.lo = {kByte + 1, u64{1} << kByte, narrow_lookup_width(pl.lo_table, n)};
  const u64 zmax = *std::max_element(pl.hi_table.begin(), pl.hi_table.end()) *
                   *std::max_element(pl.lo_table.begin(), pl.lo_table.end());
  pl.trunc = {f, std::min(n, static_cast<int>(std::bit_width(zmax)) + 2), n};
  return pl;
}

}  // namespace

void fused_nexp_clear(const engine::ClearCtx& ctx, const engine::GateArgs& args,
                      std::span<const u64> x, std::span<u64> y) {
  sigma::nexp_clear(ctx, args, x, y);  // the same function, bit for bit
}

void fused_nexp_keygen(engine::Dealer& d, const engine::GateArgs& args, std::span<const u64> r_in,
                       std::span<u64> r_out) {
  const int n = d.ring().bits, f = d.frac_bits();
  const int be = sigma::nexp_compare_bits(n, f, "fused_nexp_keygen");
  engine::check_unary_sizes(r_in.size(), r_out.size(), "fused_nexp_keygen");
  const std::size_t N = r_in.size();
  d.begin(kTagFusedNexp, N);
  // 1. "Flags": the sign DCF of x - P on be bits and the low byte's borrow DCF, and the masks of
  //    the two opened bits (lt's correction folds MSB(r mod 2^be) in, as sigma's nExp).
  UninitVector<u64> r_be(N), r_lo(N);  // every array here is written in full before it is read
  d.for_range(N, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) {
      r_be[i] = r_in[i] & ring_mask(be);
      r_lo[i] = r_in[i] & kByteMask;
    }
  });
  sigma::nl::sign_dcf_keygen(d, be, r_be);
  d.sigma_dcf(kByte, r_lo);
  UninitVector<u64> m_lt(N), m_c8(N);
  d.random(m_lt, 1);
  d.random(m_c8, 1);
  UninitVector<u64> corr(N), alpha_hi(N), alpha_lo(N);
  d.for_range(N, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) {
      corr[i] = m_lt[i] ^ sigma::nl::msb_of(r_be[i], be);
      alpha_hi[i] =
          (m_lt[i] << (kByte + 1)) | (m_c8[i] << kByte) | ((r_in[i] >> kByte) & kByteMask);
      alpha_lo[i] = (m_lt[i] << kByte) | r_lo[i];
    }
  });
  d.share_vec(corr, 1);
  d.share_vec(m_c8, 1);
  // 2. "The product of two lookups": z = T_hi' T_lo' masked by r_z.
  UninitVector<u64> r_z(N);
  d.random(r_z, n);
  const Plan pl = plan(n, f);
  lut_product_keygen(d, pl.hi, pl.lo, alpha_hi, alpha_lo, r_z);
  // 3. "Truncation": SIGMA's TrWithSlack by f.
  if (args.dcf_trunc)
    dcf_trunc_slack_keygen(d, pl.trunc, r_z, r_out);
  else
    sigma::trunc_slack_keygen(d, pl.trunc, r_z, r_out);
}

void fused_nexp_eval(engine::Party& p, const engine::GateArgs& args, std::span<const u64> xhat_host,
                     std::span<u64> yhat) {
  const int n = p.ring().bits, f = p.frac_bits();
  const int be = sigma::nexp_compare_bits(n, f, "fused_nexp_eval");
  engine::check_unary_sizes(xhat_host.size(), yhat.size(), "fused_nexp_eval");
  const std::size_t N = xhat_host.size();
  const vec::Space& sp = p.space();
  const vec::Vec xhat = p.operand(xhat_host);
  p.keys().expect_record(kTagFusedNexp, N);
  const SigmaDcfKeys k_sign = sigma::nl::sign_dcf_read(p, be, N);
  const SigmaDcfKeys k_borrow = p.read_sigma_dcf(kByte, N);
  const vec::Vec corr = p.read_shares_vec(N, 1), s_c8 = p.read_shares_vec(N, 1);
  // 1. Exchange 1: lt^ = [x < P] ^ m_lt and c8^ = [xhat mod 2^8 < r mod 2^8] ^ m_c8.
  vec::Vec bits = sp.make(2 * N);
  vec::Vec lt = bits.view(0, N), c8 = bits.view(N, N);
  const u64 clip[1] = {sigma::kNexpClip};
  vec::Vec* lt_out[1] = {&lt};
  sigma::nl::sign_dcf_eval(p, k_sign, be, xhat, clip, lt_out);
  sp.sigma_dcf_eval(k_borrow, xhat, c8);  // at xhat mod 2^8
  sp.combine(lt, 1, 0, {{.v = &lt}, {.v = &corr}});
  sp.combine(c8, 1, 0, {{.v = &c8}, {.v = &s_c8}});
  p.open(bits, 1);
  // 2. Exchanges 2-3: the two lookups at the public indices, their product opened.
  vec::Vec idx_hi = sp.make(N), idx_lo = sp.make(N);
  sp.combine(idx_hi, kByte + 2, 0,
             {{.v = &lt, .coef = u64{1} << (kByte + 1)},
              {.v = &c8, .coef = u64{1} << kByte},
              {.v = &xhat, .shr = kByte, .width = kByte}});
  sp.combine(idx_lo, kByte + 1, 0,
             {{.v = &lt, .coef = u64{1} << kByte}, {.v = &xhat, .width = kByte}});
  const Plan pl = plan(n, f);
  const vec::Vec zhat =
      lut_product_eval(p, pl.hi, pl.hi_table, idx_hi, pl.lo, pl.lo_table, idx_lo, pl.trunc.in_bits);
  // 3. Exchanges 4-5: floor(z / 2^f), from z^ in wz bits to n.
  if (args.dcf_trunc)
    p.result(dcf_trunc_slack_eval(p, pl.trunc, zhat), yhat);
  else
    p.result(sigma::trunc_slack_eval(p, pl.trunc, zhat), yhat);
}

}  // namespace secinfer::fss::fusefss
