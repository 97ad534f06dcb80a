// The fused truncation + activation gates (contract in trunc_act.h; the protocol, its mask
// algebra and the widths are docs/design/fused-trunc-act.md, whose section names the comments
// below cite).
#include "fss/gates/fusefss/trunc_act.h"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "fss/engine/gate.h"
#include "fss/engine/key_stream.h"
#include "fss/gates/fusefss/narrow_lookup.h"
#include "fss/gates/sigma/gelu.h"
#include "fss/gates/sigma/truncate.h"
#include "fss/lut_support.h"
#include "fss/sigma_dcf.h"
#include "fss/uninit_vector.h"

namespace secinfer::fss::fusefss {
namespace {

constexpr std::uint32_t kTagFusedAct = engine::key_tag("FTAC");
constexpr int kTableScale = 6;  // SIGMA's tables read |x| at scale 6
// "Wider leaves": the lookup's DPF leaves of 2^2 128-bit blocks, unless
// GateArgs::fused_sigma_leaf asks for SIGMA's.
constexpr int kWideLeafLog2 = 2;

// "Widths": n the ring, f the shift, m = n - f the truncate-reduce ring, s = f - 6 the table's
// pre-shift, p = clip + 1 bits of xt mod 2^p, k = p + flags the table index, c_hi = C 2^s. The
// index's XOR flags are e and d, and the carry c6 as a third under GateArgs::fused_carry_flag
// ("The carry opened additively"). leaf_log2: the lookup DPF's leaves of 2^leaf_log2 blocks.
struct Widths {
  int n, f, m, s, clip, p, flags, k;
  u64 c_hi;
  int leaf_log2;

  bool carry_flag() const { return flags == 3; }

  u64 mid_mask() const { return ring_mask(m); }
  u64 low_mask() const { return ring_mask(m - 1); }  // the range DCF's domain
  u64 msb_mid(u64 v) const { return (v >> (m - 1)) & 1; }
  u64 xor_mask() const { return ring_mask(k) & ~ring_mask(p); }
};

Widths widths(int n, int f, const GateArgs& args, int clip, const char* what) {
  const std::int64_t shift = args.param == 0 ? f : args.param;
  if (shift != f)
    throw std::invalid_argument(
        std::string(what) + ": the fused gate truncates by frac_bits = " + std::to_string(f) +
        ", not by " + std::to_string(shift) + " (its table reads the result at scale frac_bits)");
  if (f < kTableScale + 1)
    throw std::invalid_argument(std::string(what) + ": needs at least " +
                                std::to_string(kTableScale + 1) + " fractional bits, got " +
                                std::to_string(f));
  const int flags = args.fused_carry_flag ? 3 : 2;
  Widths w{n,     f,
           n - f, f - kTableScale,
           clip,  clip + 1,
           flags, clip + 1 + flags,
           0,     args.fused_sigma_leaf ? 0 : kWideLeafLog2};
  w.c_hi = ((u64{1} << clip) - 1) << w.s;
  // The range tests at x_mid^ -+ c_hi must not wrap into each other, and the table index
  // (xt mod 2^p) must come from below bit m - 1.
  if (w.p + w.s > w.m - 2)
    throw std::invalid_argument(std::string(what) + ": a " + std::to_string(n) +
                                "-bit ring with f = " + std::to_string(f) + " leaves " +
                                std::to_string(w.m) + " bits after the truncation, fewer than " +
                                std::to_string(w.p + w.s + 2) + "; use a wider ring");
  return w;
}

// "The table": T'(e, d, c6, q) over the k-bit index, q the index's low field read at the leaf:
// t = q - c6 as a signed p-bit value is xt (c6 = 0 where the carry is not a flag: q is xt); the
// entry is T[|t|] when e = 1 and (d, t) is a pair an in-range x gives (d = 1: 0 <= t <= C - 1;
// d = 0: -C <= t <= -1), else T[C].
std::vector<u64> fused_table(const Widths& w, std::span<const u64> t) {
  const u64 c = (u64{1} << w.clip) - 1;
  const auto cmax = static_cast<std::int64_t>(c);
  std::vector<u64> out(std::size_t{1} << w.k);
  for (std::size_t idx = 0; idx < out.size(); ++idx) {
    const u64 flags = idx >> w.p, q = idx & ring_mask(w.p);
    const u64 c6 = w.carry_flag() ? flags & 1 : 0, ed = w.carry_flag() ? flags >> 1 : flags;
    const u64 e = ed >> 1, d = ed & 1;
    const u64 tu = (q - c6) & ring_mask(w.p);
    const auto ts = static_cast<std::int64_t>(tu) -
                    (tu >> (w.p - 1) != 0 ? (std::int64_t{1} << w.p) : std::int64_t{0});
    const bool ok =
        e == 1 && ((d == 1 && ts >= 0 && ts <= cmax - 1) || (d == 0 && ts >= -cmax && ts <= -1));
    out[idx] = ok ? t[static_cast<std::size_t>(ts < 0 ? -ts : ts)] : t[c];
  }
  return out;
}

// "Leaves that read zero": T' - T[C], zero wherever the entry is T[C] (the whole out-of-range
// half, the mirrored pairs and the table's flat tail), so that the lookup may leave those leaves
// out; party 0 adds T[C] back.
FusedLookup fused_lookup(const Widths& w, std::span<const u64> t) {
  FusedLookup out{
      w.k, w.xor_mask(), fused_table(w, t), t[(std::size_t{1} << w.clip) - 1], w.leaf_log2, 0};
  for (u64& entry : out.table) entry = (entry - out.background) & ring_mask(w.n);
  out.value_bits = narrow_lookup_width(out.table, w.n);
  return out;
}

// The cleartext function (trunc_act.h), the same for every X in Z_{2^n}.
void fused_clear(const ClearCtx& ctx, const GateArgs& args, int clip, std::span<const u64> table,
                 std::span<const u64> x, std::span<u64> y, const char* what) {
  const Widths w = widths(ctx.ring.bits, ctx.frac_bits, args, clip, what);
  engine::check_unary_sizes(x.size(), y.size(), what);
  const auto cmax = static_cast<std::int64_t>((u64{1} << clip) - 1);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const std::int64_t v = ctx.ring.to_signed(ctx.ring.reduce(x[i])) >> w.f;
    const std::int64_t xt = v >> w.s;
    const u64 t = xt >= -cmax && xt <= cmax - 1 ? table[static_cast<std::size_t>(xt < 0 ? -xt : xt)]
                                                : table[static_cast<std::size_t>(cmax)];
    y[i] = ctx.ring.sub(v >= 0 ? ctx.ring.reduce(static_cast<u64>(v)) : 0, t);
  }
}

// "Keys", in the order the evaluation reads them.
void fused_keygen(Dealer& d, const GateArgs& args, int clip, std::span<const u64> table,
                  std::span<const u64> r_in, std::span<u64> r_out, const char* what) {
  const Widths w = widths(d.ring().bits, d.frac_bits(), args, clip, what);
  engine::check_unary_sizes(r_in.size(), r_out.size(), what);
  const std::size_t N = r_in.size();
  // 1. Truncate-reduce by f: x_mid^ opened with mask r_mid (m bits).
  UninitVector<u64> r_mid(N);  // every array here is written in full before it is read
  sigma::trunc_reduce_keygen(d, sigma::TruncParams{w.f, w.n, 0}, r_in, r_mid);
  d.begin(kTagFusedAct, N);
  // 2. The range DCF on the low m - 1 bits and the carry DCF on the low s bits of x_mid, and the
  //    masks of the three opened bits.
  UninitVector<u64> a_low(N), a_carry(N);
  d.for_range(N, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) {
      a_low[i] = r_mid[i] & w.low_mask();
      a_carry[i] = r_mid[i] & ring_mask(w.s);
    }
  });
  d.sigma_dcf(w.m - 1, a_low);
  d.sigma_dcf(w.s, a_carry);
  UninitVector<u64> r_b0(N), r_e(N), r_c6(N);
  for (UninitVector<u64>* r : {&r_b0, &r_e, &r_c6}) d.random(*r, 1);
  d.share_vec(r_b0, 1);
  d.share_vec(r_e, 1);
  d.share_vec(r_c6, 1);
  // 2b. "The carry opened additively": shares of r_c6 and of a fresh rho in Z_2^p, side by side,
  //     from which the parties open z = c6 + rho.
  UninitVector<u64> rho;
  if (!w.carry_flag()) {
    rho.resize(N);
    d.random(rho, w.p);
    UninitVector<u64> carry(2 * N);
    d.for_range(N, [&](std::size_t lo, std::size_t hi) {
      for (std::size_t i = lo; i < hi; ++i) {
        carry[2 * i] = r_c6[i];
        carry[2 * i + 1] = rho[i];
      }
    });
    d.share_vec(carry, w.p);
  }
  // 3. The table's DPF at the index's mask: (r_e, r_d, r_c6, r_mid >> s mod 2^p) with the carry a
  //    flag, else (r_e, r_d, (r_mid >> s) - rho mod 2^p); r_d = the mask of the public
  //    d^ = 1 ^ msb(x_mid^) ^ b0^, i.e. msb(r_mid) ^ r_b0.
  UninitVector<u64> alpha(N), r37(N), r_d(N);
  d.for_range(N, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) {
      r37[i] = w.msb_mid(r_mid[i]);
      r_d[i] = r37[i] ^ r_b0[i];
      const u64 r_q = (r_mid[i] >> w.s) & ring_mask(w.p);
      alpha[i] = w.carry_flag()
                     ? (((r_e[i] << 2) | (r_d[i] << 1) | r_c6[i]) << w.p) | r_q
                     : (((r_e[i] << 1) | r_d[i]) << w.p) | ((r_q - rho[i]) & ring_mask(w.p));
    }
  });
  // "The lookup opened in w bits": its value width comes from the table, the same on both sides.
  narrow_lookup_keygen(d, w.k, w.n, fused_lookup(w, table).value_bits, alpha, w.leaf_log2);
  // 4. "Output": shares of r_mid, r_d, r_d r_mid and r_y in n bits, then of r37 and r37 r_b0 in
  //    n - m bits: the party multiplies those two by 2^m, which drops the bits above n - m.
  d.random(r_out, w.n);
  UninitVector<u64> out(4 * N), top(2 * N);
  d.for_range(N, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) {
      out[4 * i + 0] = r_mid[i];
      out[4 * i + 1] = r_d[i];
      out[4 * i + 2] = r_d[i] * r_mid[i];
      out[4 * i + 3] = r_out[i];
      top[2 * i + 0] = r37[i];
      top[2 * i + 1] = r37[i] & r_b0[i];
    }
  });
  d.share_vec(out, w.n);
  d.share_vec(top, w.n - w.m);
}

void fused_eval(Party& p, const GateArgs& args, int clip, std::span<const u64> table,
                std::span<const u64> xhat_host, std::span<u64> yhat, const char* what) {
  const Widths w = widths(p.ring().bits, p.frac_bits(), args, clip, what);
  engine::check_unary_sizes(xhat_host.size(), yhat.size(), what);
  const std::size_t N = xhat_host.size();
  const u64 p0 = p.id() == 0 ? 1 : 0;
  const vec::Space& sp = p.space();
  // 1. Exchanges 1-2: x_mid^.
  const vec::Vec xhat = p.operand(xhat_host);
  const vec::Vec xm = sigma::trunc_reduce_eval(p, sigma::TruncParams{w.f, w.n, 0}, xhat);
  p.keys().expect_record(kTagFusedAct, N);
  // The three points are x_mid^ and x_mid^ -+ c_hi: their paths agree above bit ~p + s, so a GPU
  // walks them once ("One walk for the three points").
  SigmaDcfKeys k_low = p.read_sigma_dcf(w.m - 1, N);
  k_low.share_prefixes = true;
  const SigmaDcfKeys k_carry = p.read_sigma_dcf(w.s, N);
  const vec::Vec s_b0 = p.read_shares_vec(N, 1), s_e = p.read_shares_vec(N, 1),
                 s_c6 = p.read_shares_vec(N, 1);
  // 2. Exchange 3: b0 = [x_mid^ < r_mid] on the low m - 1 bits; e = msb(x - c_hi) ^ msb(x + c_hi)
  //    from the borrows at x_mid^ -+ c_hi (msb(r_mid) cancels; party 0 adds the public msbs);
  //    c6 = [x_mid^ < r_mid] on the low s bits.
  // The comparisons reduce their points themselves (mod 2^(m-1) and 2^s): no kernels to form them.
  vec::Vec o0 = sp.make(N), o1 = sp.make(N), o2 = sp.make(N), oc = sp.make(N);
  const vec::Space::DcfPoint pts[3] = {{&xm, 0}, {&xm, u64{0} - w.c_hi}, {&xm, w.c_hi}};
  vec::Vec* outs[3] = {&o0, &o1, &o2};
  sp.sigma_dcf_eval(k_low, pts, outs);
  sp.sigma_dcf_eval(k_carry, xm, oc);
  vec::Vec bits = sp.make(3 * N);  // b0, e, c6: one opening of 3N bits
  vec::Vec b0 = bits.view(0, N), e = bits.view(N, N), c6 = bits.view(2 * N, N);
  // XOR of bits: their sum mod 2.
  sp.combine(b0, 1, 0, {{.v = &o0}, {.v = &s_b0}});
  // The public msbs of x_mid^ -+ c_hi in m bits, read off x_mid^ with the offsets.
  sp.combine(e, 1, 0,
             {{.v = &o1},
              {.v = &o2},
              {.v = &xm, .add = u64{0} - w.c_hi, .shr = w.m - 1, .width = 1, .coef = p0},
              {.v = &xm, .add = w.c_hi, .shr = w.m - 1, .width = 1, .coef = p0},
              {.v = &s_e}});
  sp.combine(c6, 1, 0, {{.v = &oc}, {.v = &s_c6}});
  p.open(bits, 1);
  constexpr u64 kMinus = ~u64{0};
  // 3. Exchange 4 (5 by default, after 3b): the table at the public index (e^, d^, c6^,
  //    x_mid^ >> s mod 2^p), with d^ = 1 XOR msb(x_mid^) XOR b0^; or, the carry opened
  //    additively (exchange 3b: z = c6 + rho mod 2^p, c6 = c6^ + r_c6 - 2 c6^ r_c6), at
  //    (e^, d^, (x_mid^ >> s) - z mod 2^p).
  vec::Vec dh = sp.make(N), idx = sp.make(N);
  sp.combine(dh, 1, 1, {{.v = &xm, .shr = w.m - 1, .width = 1}, {.v = &b0}});
  if (w.carry_flag()) {
    sp.combine(idx, w.k, 0,
               {{.v = &e, .coef = u64{1} << (w.p + 2)},
                {.v = &dh, .coef = u64{1} << (w.p + 1)},
                {.v = &c6, .coef = u64{1} << w.p},
                {.v = &xm, .shr = w.s, .width = w.p}});
  } else {
    const vec::Vec kc = p.read_shares_vec(2 * N, w.p);  // r_c6 and rho, side by side
    vec::Vec z = sp.make(N), low = sp.make(N);
    sp.combine(z, w.p, 0,
               {{.v = &c6, .coef = p0},
                {.v = &kc, .stride = 2, .offset = 0, .gate = &c6, .gate_when = false},
                {.v = &kc, .stride = 2, .offset = 0, .coef = kMinus, .gate = &c6},
                {.v = &kc, .stride = 2, .offset = 1}});
    p.open(z, w.p);
    sp.combine(low, w.p, 0, {{.v = &xm, .shr = w.s, .width = w.p}, {.v = &z, .coef = kMinus}});
    sp.combine(
        idx, w.k, 0,
        {{.v = &e, .coef = u64{1} << (w.p + 1)}, {.v = &dh, .coef = u64{1} << w.p}, {.v = &low}});
  }
  // The lookup reads T' - T[C] and leaves out the leaves that read zero; party 0 adds T[C] back
  // in the output below.
  const FusedLookup lookup = fused_lookup(w, table);
  const vec::Vec t_share = narrow_lookup_eval(p, w.k, w.n, lookup.value_bits, lookup.table, idx,
                                              lookup.xor_mask | kLutSkipZeros, lookup.leaf_log2);
  const u64 background = lookup.background;
  // 4. Exchange 5 (6 by default): y = d (x_mid^ - r_mid) + 2^m r37 b0 (1 - msb(x_mid^)) - T'
  //    + r_y, with d = d^ + (1 - 2 d^) r_d and b0 = b0^ + (1 - 2 b0^) r_b0; the dealer's shares
  //    per element side by side: k0..k3 (r_mid, r_d, r_d r_mid, r_y) in n bits and t0, t1 (r37,
  //    r37 r_b0) in n - m bits, which enter times 2^m (so their sum's wrap past 2^(n - m)
  //    vanishes mod 2^n).
  const vec::Vec k = p.read_shares_vec(4 * N, w.n);
  const vec::Vec t = p.read_shares_vec(2 * N, w.n - w.m);
  const u64 two_m = u64{1} << w.m;
  const auto share = [&](int j, u64 coef, bool when) {
    return vec::Term{
        .v = &k, .stride = 4, .offset = j, .coef = coef, .gate = &dh, .gate_when = when};
  };
  // d^ = 1: x - k0 - (x k1 - k2); d^ = 0: x k1 - k2 (party 0 alone adds x).
  vec::Vec y = sp.make(N);
  sp.combine(y, w.n, 0,
             {{.v = &xm, .coef = p0, .gate = &dh},
              share(0, kMinus, true),
              {.v = &k, .stride = 4, .offset = 1, .coef = kMinus, .times = &xm, .gate = &dh},
              share(2, 1, true),
              {.v = &k, .stride = 4, .offset = 1, .times = &xm, .gate = &dh, .gate_when = false},
              share(2, kMinus, false)});
  // Where msb(x_mid^) = 0: b0^ = 1 adds 2^m (t0 - t1), b0^ = 0 adds 2^m t1. One vector of two
  // flags: bit 0 [msb = 0 and b0^ = 1], bit 1 [msb = 0 and b0^ = 0], i.e. 2 - 2 msb - b0^ (1 -
  // msb) in 2 bits.
  vec::Vec flags = sp.make(N);
  sp.combine(flags, 2, 2,
             {{.v = &xm, .shr = w.m - 1, .width = 1, .coef = u64{0} - 2},
              {.v = &b0, .coef = kMinus, .gate = &xm, .gate_bit = w.m - 1, .gate_when = false}});
  sp.combine(y, w.n, p0 * (u64{0} - background),
             {{.v = &y},
              {.v = &t, .stride = 2, .offset = 0, .coef = two_m, .gate = &flags},
              {.v = &t, .stride = 2, .offset = 1, .coef = u64{0} - two_m, .gate = &flags},
              {.v = &t, .stride = 2, .offset = 1, .coef = two_m, .gate = &flags, .gate_bit = 1},
              {.v = &k, .stride = 4, .offset = 3},
              {.v = &t_share, .coef = kMinus}});
  p.open(y, w.n);
  p.result(std::move(y), yhat);
}

constexpr int kGeluClip = 8, kSiluClip = 10;  // SIGMA's table sizes (sigma/gelu.h)

}  // namespace

void trunc_gelu_clear(const ClearCtx& ctx, const GateArgs& args, std::span<const u64> x,
                      std::span<u64> y) {
  fused_clear(ctx, args, kGeluClip, sigma::gelu_table(ctx.frac_bits), x, y, "trunc_gelu_clear");
}
void trunc_gelu_keygen(Dealer& dealer, const GateArgs& args, std::span<const u64> r_in,
                       std::span<u64> r_out) {
  fused_keygen(dealer, args, kGeluClip, sigma::gelu_table(dealer.frac_bits()), r_in, r_out,
               "trunc_gelu_keygen");
}
void trunc_gelu_eval(Party& party, const GateArgs& args, std::span<const u64> xhat,
                     std::span<u64> yhat) {
  fused_eval(party, args, kGeluClip, sigma::gelu_table(party.frac_bits()), xhat, yhat,
             "trunc_gelu_eval");
}

FusedLookup trunc_gelu_lookup(int n, int f, bool carry_flag, bool sigma_leaf) {
  GateArgs args;
  args.fused_carry_flag = carry_flag;
  args.fused_sigma_leaf = sigma_leaf;
  return fused_lookup(widths(n, f, args, kGeluClip, "trunc_gelu_lookup"), sigma::gelu_table(f));
}
FusedLookup trunc_silu_lookup(int n, int f, bool carry_flag, bool sigma_leaf) {
  GateArgs args;
  args.fused_carry_flag = carry_flag;
  args.fused_sigma_leaf = sigma_leaf;
  return fused_lookup(widths(n, f, args, kSiluClip, "trunc_silu_lookup"), sigma::silu_table(f));
}

void trunc_silu_clear(const ClearCtx& ctx, const GateArgs& args, std::span<const u64> x,
                      std::span<u64> y) {
  fused_clear(ctx, args, kSiluClip, sigma::silu_table(ctx.frac_bits), x, y, "trunc_silu_clear");
}
void trunc_silu_keygen(Dealer& dealer, const GateArgs& args, std::span<const u64> r_in,
                       std::span<u64> r_out) {
  fused_keygen(dealer, args, kSiluClip, sigma::silu_table(dealer.frac_bits()), r_in, r_out,
               "trunc_silu_keygen");
}
void trunc_silu_eval(Party& party, const GateArgs& args, std::span<const u64> xhat,
                     std::span<u64> yhat) {
  fused_eval(party, args, kSiluClip, sigma::silu_table(party.frac_bits()), xhat, yhat,
             "trunc_silu_eval");
}

}  // namespace secinfer::fss::fusefss
