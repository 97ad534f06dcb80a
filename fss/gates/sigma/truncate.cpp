// SIGMA's truncations (Gupta et al., PoPETs 2024, section 4, truncate-reduce and its ARS variants;
// the constructions follow EzPC GPU-MPC fss/gpu_truncate.cu: a DCF on the low bits detects the
// borrow of xhat - r, its output bit is opened under a one-bit mask z and selects one of two
// correction shares; a second DCF does the sign extension in TrFloor; TrWithSlack replaces it by
// reading the wrap off MSB(xhat + 2^(n-2)) and MSB(r)).
#include "fss/gates/sigma/truncate.h"

#include <stdexcept>
#include <string>
#include <vector>

#include "fss/gates/sigma/trunc_corr.h"
#include "fss/sigma_dcf.h"
#include "fss/uninit_vector.h"
#include "fss/vec/vec.h"
#include "profiling/scope_names.h"

namespace secinfer::fss::sigma {

namespace {

constexpr std::uint32_t kTagReduce = engine::key_tag("TRRD");
constexpr std::uint32_t kTagSignExt = engine::key_tag("SGNX");
constexpr std::uint32_t kTagSlack = engine::key_tag("TRSL");

}  // namespace

TruncWidths trunc_widths(Ring ring, TruncParams p, const char* gate) {
  const int in = p.in_bits ? p.in_bits : ring.bits, s = p.shift;
  const int out = p.out_bits ? p.out_bits : ring.bits;
  if (in < 2 || in > 64 || out < 1 || out > 64 || s < 1 || s >= in) {
    throw std::invalid_argument(std::string(gate) +
                                ": need 1 <= shift < in_bits <= 64 and 1 <= out_bits <= 64 (got "
                                "shift " +
                                std::to_string(s) + ", in_bits " + std::to_string(in) +
                                ", out_bits " + std::to_string(out) + ")");
  }
  return {in, s, in - s, out};
}

TruncWidths slack_trunc_widths(Ring ring, TruncParams p, const char* gate) {
  const TruncWidths w = trunc_widths(ring, p, gate);
  if (w.s > w.in - 2) {
    throw std::invalid_argument(std::string(gate) + ": shift " + std::to_string(w.s) +
                                " must be at most in_bits - 2 = " + std::to_string(w.in - 2));
  }
  return w;
}

// ---- SIGMA's "TrCorr" key (trunc_corr.h): corr[2i + z] = q_nocarry, corr[2i + 1 - z] = q_nocarry
// + carry_delta mod 2^out_bits.
void corr_keygen(Dealer& d, int cmp_bits, std::span<const u64> alpha,
                 std::span<const u64> q_nocarry, u64 carry_delta, int out_bits) {
  const std::size_t n = alpha.size();
  d.sigma_dcf(cmp_bits, alpha);
  UninitVector<u64> z(n);  // every array here is written in full before it is read
  d.random(z, 1);
  d.share_vec(z, 1);
  UninitVector<u64> corr(2 * n);
  const u64 om = ring_mask(out_bits);
  d.for_range(n, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) {
      corr[2 * i + z[i]] = q_nocarry[i];
      corr[2 * i + (1 - z[i])] = (q_nocarry[i] + carry_delta) & om;
    }
  });
  d.share_vec(corr, out_bits);
}

CorrKey corr_read(Party& p, int cmp_bits, std::size_t n, int out_bits) {
  CorrKey k;
  k.dcf = p.read_sigma_dcf(cmp_bits, n);
  k.z = p.read_shares_vec(n, 1);
  k.corr = p.read_shares_vec(2 * n, out_bits);
  return k;
}

vec::Vec corr_masked_bit(Party& p, const CorrKey& k, const vec::Vec& x, u64 add) {
  const vec::Space& sp = p.space();
  vec::Vec bit = sp.make(x.size());
  sp.sigma_dcf_eval(k.dcf, x, bit, add);
  sp.combine(bit, 1, 0, {{.v = &bit}, {.v = &k.z}});  // XOR: mod 2
  return bit;
}

vec::Vec corr_pick(Party& p, const CorrKey& k, const vec::Vec& opened_bit) {
  const vec::Space& sp = p.space();
  vec::Vec sel = sp.make(opened_bit.size());
  sp.combine(sel, 64, 0,
             {{.v = &k.corr, .stride = 2, .offset = 0, .gate = &opened_bit, .gate_when = false},
              {.v = &k.corr, .stride = 2, .offset = 1, .gate = &opened_bit, .gate_when = true}});
  return sel;
}

// Round 1: the opened bit c = [xlow < alpha] XOR z; returns this party's chosen correction shares.
vec::Vec corr_select(Party& p, const CorrKey& k, const vec::Vec& x, u64 add) {
  vec::Vec bit = corr_masked_bit(p, k, x, add);
  p.open(bit, 1);
  return corr_pick(p, k, bit);
}

// ---------------------------------------------------------------- truncate-reduce (LRS)
// x >> s = (xhat >> s) - (r >> s) - [xhat_low < r_low]  (mod 2^(in-s): the wrap of xhat vanishes).

void trunc_reduce_clear(const ClearCtx& ctx, TruncParams p, std::span<const u64> x,
                        std::span<u64> y) {
  const TruncWidths w = trunc_widths(ctx.ring, p, "trunc_reduce");
  engine::check_unary_sizes(x.size(), y.size(), "trunc_reduce");
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = (x[i] & ring_mask(w.in)) >> w.s;
}

void trunc_reduce_keygen(Dealer& d, TruncParams p, std::span<const u64> r_in,
                         std::span<u64> r_out) {
  const TruncWidths w = trunc_widths(d.ring(), p, "trunc_reduce");
  engine::check_unary_sizes(r_in.size(), r_out.size(), "trunc_reduce");
  const std::size_t n = r_in.size();
  const int ob = w.mid;
  const u64 om = ring_mask(ob);
  d.begin(kTagReduce, n);
  d.random(r_out, ob);
  UninitVector<u64> alpha(n), q0(n);
  d.for_range(n, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) {
      alpha[i] = r_in[i] & ring_mask(w.s);
      q0[i] = (r_out[i] - ((r_in[i] & ring_mask(w.in)) >> w.s)) & om;
    }
  });
  corr_keygen(d, w.s, alpha, q0, ~u64{0}, ob);  // the borrow takes 1 off
}

namespace {
// trunc_reduce_eval's opened output, where the party's vectors live.
vec::Vec trunc_reduce(Party& p, const TruncWidths& w, const vec::Vec& xhat) {
  const std::size_t n = xhat.size();
  const int ob = w.mid;
  const vec::Space& sp = p.space();
  p.keys().expect_record(kTagReduce, n);
  const CorrKey k = corr_read(p, w.s, n, ob);
  vec::Vec share = corr_select(p, k, xhat);  // at xhat mod 2^s
  const u64 p0 = p.id() == 0 ? 1 : 0;
  sp.combine(share, ob, 0, {{.v = &xhat, .shr = w.s, .width = ob, .coef = p0}, {.v = &share}});
  p.open(share, ob);
  return share;
}
}  // namespace

void trunc_reduce_eval(Party& p, TruncParams tp, std::span<const u64> xhat, std::span<u64> yhat) {
  const TruncWidths w = trunc_widths(p.ring(), tp, "trunc_reduce");
  engine::check_unary_sizes(xhat.size(), yhat.size(), "trunc_reduce");
  p.result(trunc_reduce(p, w, p.operand(xhat)), yhat);
}

vec::Vec trunc_reduce_eval(Party& p, TruncParams tp, const vec::Vec& xhat) {
  return trunc_reduce(p, trunc_widths(p.ring(), tp, "trunc_reduce"), xhat);
}

// ---------------------------------------------------------------- sign extension
// x' = x + 2^(m-1) in [0, 2^m) (unsigned); x' = xhat' - r + 2^m [xhat' < r]; y = x' - 2^(m-1).

void sign_extend_clear(const ClearCtx& ctx, TruncParams p, std::span<const u64> x,
                       std::span<u64> y) {
  const int m = p.in_bits ? p.in_bits : ctx.ring.bits;
  const int out = p.out_bits ? p.out_bits : ctx.ring.bits;
  engine::check_unary_sizes(x.size(), y.size(), "sign_extend");
  const Ring rin{m};
  for (std::size_t i = 0; i < x.size(); ++i)
    y[i] = static_cast<u64>(rin.to_signed(x[i] & rin.mask())) & ring_mask(out);
}

namespace {
void check_extend(int m, int out) {
  if (m < 1 || out <= m || out > 64) {
    throw std::invalid_argument("sign_extend: need in_bits < out_bits <= 64 (got " +
                                std::to_string(m) + " -> " + std::to_string(out) + ")");
  }
}
}  // namespace

void sign_extend_keygen(Dealer& d, TruncParams p, std::span<const u64> r_in, std::span<u64> r_out) {
  const int m = p.in_bits ? p.in_bits : d.ring().bits;
  const int out = p.out_bits ? p.out_bits : d.ring().bits;
  check_extend(m, out);
  engine::check_unary_sizes(r_in.size(), r_out.size(), "sign_extend");
  const std::size_t n = r_in.size();
  const u64 om = ring_mask(out);
  d.begin(kTagSignExt, n);
  d.random(r_out, out);
  UninitVector<u64> alpha(n), q0(n);
  d.for_range(n, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) {
      alpha[i] = r_in[i] & ring_mask(m);
      q0[i] = (r_out[i] - alpha[i] - (u64{1} << (m - 1))) & om;
    }
  });
  corr_keygen(d, m, alpha, q0, u64{1} << m, out);  // the wrap adds 2^m
}

namespace {
// sign_extend_eval's opened output, where the party's vectors live.
vec::Vec sign_extend(Party& p, int m, int out, const vec::Vec& xhat) {
  const std::size_t n = xhat.size();
  const vec::Space& sp = p.space();
  p.keys().expect_record(kTagSignExt, n);
  const CorrKey k = corr_read(p, m, n, out);
  vec::Vec xs = sp.make(n);
  sp.combine(xs, m, u64{1} << (m - 1), {{.v = &xhat}});
  vec::Vec share = corr_select(p, k, xs);
  const u64 p0 = p.id() == 0 ? 1 : 0;
  sp.combine(share, out, 0, {{.v = &xs, .coef = p0}, {.v = &share}});
  p.open(share, out);
  return share;
}
}  // namespace

void sign_extend_eval(Party& p, TruncParams tp, std::span<const u64> xhat, std::span<u64> yhat) {
  const int m = tp.in_bits ? tp.in_bits : p.ring().bits;
  const int out = tp.out_bits ? tp.out_bits : p.ring().bits;
  check_extend(m, out);
  engine::check_unary_sizes(xhat.size(), yhat.size(), "sign_extend");
  p.result(sign_extend(p, m, out, p.operand(xhat)), yhat);
}

// ---------------------------------------------------------------- TrFloor

void trunc_floor_clear(const ClearCtx& ctx, TruncParams p, std::span<const u64> x,
                       std::span<u64> y) {
  const TruncWidths w = trunc_widths(ctx.ring, p, "trunc_floor");
  engine::check_unary_sizes(x.size(), y.size(), "trunc_floor");
  const Ring rin{w.in};
  for (std::size_t i = 0; i < x.size(); ++i)
    y[i] = static_cast<u64>(rin.to_signed(x[i] & rin.mask()) >> w.s) & ring_mask(w.out);
}

void trunc_floor_keygen(Dealer& d, TruncParams p, std::span<const u64> r_in, std::span<u64> r_out) {
  const TruncWidths w = trunc_widths(d.ring(), p, "trunc_floor");
  engine::check_unary_sizes(r_in.size(), r_out.size(), "trunc_floor");
  UninitVector<u64> r_mid(r_in.size());
  trunc_reduce_keygen(d, {w.s, w.in, w.mid}, r_in, r_mid);
  if (w.out > w.mid) {
    sign_extend_keygen(d, {0, w.mid, w.out}, r_mid, r_out);
  } else {
    for (std::size_t i = 0; i < r_in.size(); ++i) r_out[i] = r_mid[i] & ring_mask(w.out);
  }
}

void trunc_floor_eval(Party& p, TruncParams tp, std::span<const u64> xhat, std::span<u64> yhat) {
  const TruncWidths w = trunc_widths(p.ring(), tp, "trunc_floor");
  engine::check_unary_sizes(xhat.size(), yhat.size(), "trunc_floor");
  const vec::Space& sp = p.space();
  vec::Vec y =
      trunc_reduce(p, trunc_widths(p.ring(), {w.s, w.in, w.mid}, "trunc_reduce"), p.operand(xhat));
  if (w.out > w.mid)
    y = sign_extend(p, w.mid, w.out, y);
  else
    sp.combine(y, w.out, 0, {{.v = &y}});
  p.result(std::move(y), yhat);
}

// ---------------------------------------------------------------- TrWithSlack
// For -2^(in-2) <= x < 2^(in-2): x' = x + 2^(in-2) lies in [0, 2^(in-1)), so with
// xhat1 = xhat + 2^(in-2) the wrap of x' + r is w = MSB(r) AND NOT MSB(xhat1), and
// floor(x / 2^s) = (xhat1 >> s) - (r >> s) - [xhat_low < r_low] + 2^(in-s) w - 2^(in-s-2).

void trunc_slack_clear(const ClearCtx& ctx, TruncParams p, std::span<const u64> x,
                       std::span<u64> y) {
  trunc_floor_clear(ctx, p, x, y);
}

void trunc_slack_keygen(Dealer& d, TruncParams p, std::span<const u64> r_in, std::span<u64> r_out) {
  const TruncWidths w = slack_trunc_widths(d.ring(), p, "trunc_slack");
  engine::check_unary_sizes(r_in.size(), r_out.size(), "trunc_slack");
  const std::size_t n = r_in.size();
  const u64 om = ring_mask(w.out);
  d.begin(kTagSlack, n);
  d.random(r_out, w.out);
  UninitVector<u64> alpha(n), q0(n), msb_corr(n);
  d.for_range(n, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) {
      const u64 r = r_in[i] & ring_mask(w.in);
      alpha[i] = r & ring_mask(w.s);
      q0[i] = (r_out[i] - (r >> w.s)) & om;
      const u64 msb = (r >> (w.in - 1)) & 1;
      msb_corr[i] = (msb << w.mid) & om;
    }
  });
  corr_keygen(d, w.s, alpha, q0, ~u64{0}, w.out);  // the borrow takes 1 off
  d.share_vec(msb_corr, w.out);
}

vec::Vec trunc_slack_eval(Party& p, TruncParams tp, const vec::Vec& xhat) {
  const TruncWidths w = slack_trunc_widths(p.ring(), tp, "trunc_slack");
  const std::size_t n = xhat.size();
  const vec::Space& sp = p.space();
  p.keys().expect_record(kTagSlack, n);
  const CorrKey k = corr_read(p, w.s, n, w.out);
  const vec::Vec msb_corr = p.read_shares_vec(n, w.out);
  vec::Vec share = corr_select(p, k, xhat);  // at xhat mod 2^s
  vec::Vec x1 = sp.make(n);                  // xhat + 2^(in-2)
  sp.combine(x1, w.in, u64{1} << (w.in - 2), {{.v = &xhat}});
  const u64 p0 = p.id() == 0 ? 1 : 0;
  const u64 half_off = u64{1} << (w.mid - 2);
  // msb_corr counts where MSB(x1) = 0 (public).
  sp.combine(share, w.out, p0 * (u64{0} - half_off),
             {{.v = &share},
              {.v = &msb_corr, .gate = &x1, .gate_bit = w.in - 1, .gate_when = false},
              {.v = &x1, .shr = w.s, .coef = p0}});
  p.open(share, w.out);
  return share;
}

void trunc_slack_eval(Party& p, TruncParams tp, std::span<const u64> xhat, std::span<u64> yhat) {
  engine::check_unary_sizes(xhat.size(), yhat.size(), "trunc_slack");
  p.result(trunc_slack_eval(p, tp, p.operand(xhat)), yhat);
}

// ---------------------------------------------------------------- local shifts (LocalLRS/ARS)

namespace {
int local_out(TruncParams p, int in) {
  const int lim = in - p.shift;
  const int out = p.out_bits ? p.out_bits : lim;
  if (p.shift < 1 || lim < 1 || out > lim) {
    throw std::invalid_argument(
        "local shift: need 1 <= shift < in_bits and out_bits <= in_bits - "
        "shift (got shift " +
        std::to_string(p.shift) + ", in_bits " + std::to_string(in) + ", out_bits " +
        std::to_string(out) + ")");
  }
  return out;
}
u64 lrs(u64 x, int in, int s) {
  return (x & ring_mask(in)) >> s;
}
u64 ars_masked(u64 x, int in, int s) {
  return (((x + (u64{1} << (in - 1))) & ring_mask(in)) >> s) - (u64{1} << (in - s - 1));
}
}  // namespace

void local_lrs_clear(const ClearCtx& ctx, TruncParams p, std::span<const u64> x, std::span<u64> y) {
  const int in = p.in_bits ? p.in_bits : ctx.ring.bits;
  const int out = local_out(p, in);
  engine::check_unary_sizes(x.size(), y.size(), "local_lrs");
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = lrs(x[i], in, p.shift) & ring_mask(out);
}
void local_lrs_keygen(Dealer& d, TruncParams p, std::span<const u64> r_in, std::span<u64> r_out) {
  const int in = p.in_bits ? p.in_bits : d.ring().bits;
  const int out = local_out(p, in);
  engine::check_unary_sizes(r_in.size(), r_out.size(), "local_lrs");
  for (std::size_t i = 0; i < r_in.size(); ++i)
    r_out[i] = lrs(r_in[i], in, p.shift) & ring_mask(out);
}
void local_lrs_eval(Party& party, TruncParams p, std::span<const u64> xhat, std::span<u64> yhat) {
  const int in = p.in_bits ? p.in_bits : party.ring().bits;
  const int out = local_out(p, in);
  engine::check_unary_sizes(xhat.size(), yhat.size(), "local_lrs");
  for (std::size_t i = 0; i < xhat.size(); ++i)
    yhat[i] = lrs(xhat[i], in, p.shift) & ring_mask(out);
}

void local_ars_clear(const ClearCtx& ctx, TruncParams p, std::span<const u64> x, std::span<u64> y) {
  const int in = p.in_bits ? p.in_bits : ctx.ring.bits;
  const int out = local_out(p, in);
  engine::check_unary_sizes(x.size(), y.size(), "local_ars");
  const Ring rin{in};
  for (std::size_t i = 0; i < x.size(); ++i)
    y[i] = static_cast<u64>(rin.to_signed(x[i] & rin.mask()) >> p.shift) & ring_mask(out);
}
void local_ars_keygen(Dealer& d, TruncParams p, std::span<const u64> r_in, std::span<u64> r_out) {
  const int in = p.in_bits ? p.in_bits : d.ring().bits;
  const int out = local_out(p, in);
  engine::check_unary_sizes(r_in.size(), r_out.size(), "local_ars");
  for (std::size_t i = 0; i < r_in.size(); ++i)
    r_out[i] = ars_masked(r_in[i], in, p.shift) & ring_mask(out);
}
void local_ars_eval(Party& party, TruncParams p, std::span<const u64> xhat, std::span<u64> yhat) {
  const int in = p.in_bits ? p.in_bits : party.ring().bits;
  const int out = local_out(p, in);
  engine::check_unary_sizes(xhat.size(), yhat.size(), "local_ars");
  for (std::size_t i = 0; i < xhat.size(); ++i)
    yhat[i] = ars_masked(xhat[i], in, p.shift) & ring_mask(out);
}

TruncParams shift_params(const engine::GateArgs& args) {
  return TruncParams{static_cast<int>(args.param), 0, 0};
}

namespace {
template <void (*F)(const ClearCtx&, TruncParams, std::span<const u64>, std::span<u64>)>
void clear_face(const ClearCtx& c, const engine::GateArgs& a, std::span<const u64> x,
                std::span<u64> y) {
  F(c, shift_params(a), x, y);
}
template <void (*F)(Dealer&, TruncParams, std::span<const u64>, std::span<u64>)>
void keygen_face(Dealer& d, const engine::GateArgs& a, std::span<const u64> r, std::span<u64> o) {
  F(d, shift_params(a), r, o);
}
template <void (*F)(Party&, TruncParams, std::span<const u64>, std::span<u64>)>
void eval_face(Party& p, const engine::GateArgs& a, std::span<const u64> x, std::span<u64> y) {
  F(p, shift_params(a), x, y);
}
}  // namespace

const engine::UnaryGate& trunc_floor_gate() {
  static const engine::UnaryGate g{"trunc_floor",
                                   profiling::scopes::kTruncRescale,
                                   "trunc",
                                   &clear_face<&trunc_floor_clear>,
                                   &keygen_face<&trunc_floor_keygen>,
                                   &eval_face<&trunc_floor_eval>};
  return g;
}

const engine::UnaryGate& trunc_slack_gate() {
  static const engine::UnaryGate g{"trunc_slack",
                                   profiling::scopes::kTruncRescale,
                                   "trunc",
                                   &clear_face<&trunc_slack_clear>,
                                   &keygen_face<&trunc_slack_keygen>,
                                   &eval_face<&trunc_slack_eval>};
  return g;
}

}  // namespace secinfer::fss::sigma
