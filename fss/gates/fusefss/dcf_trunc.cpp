// TrFloor from ring-payload DCFs (contract in dcf_trunc.h; derivation in
// docs/design/dcf-truncation.md, whose section names the comments cite).
#include "fss/gates/fusefss/dcf_trunc.h"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "fss/dcf.h"
#include "fss/engine/key_stream.h"
#include "fss/uninit_vector.h"
#include "fss/vec/vec.h"

namespace secinfer::fss::fusefss {
namespace {

constexpr std::uint32_t kTagReduce = engine::key_tag("DTRR");
constexpr std::uint32_t kTagFloor = engine::key_tag("DTRF");
constexpr std::uint32_t kTagSlack = engine::key_tag("DTRS");
// Every comparison's payload is 1 (scaled where the party adds it): one payload for all keys.
constexpr u64 kOnePayloadValue[] = {1};
constexpr std::span<const u64> kOnePayload{kOnePayloadValue};

// This party's shares of the keys' DCF at every x mod 2^bits, where x lives.
vec::Vec dcf_at(const vec::Space& sp, const DcfKeys& k, const vec::Vec& x, int bits) {
  vec::Vec low = sp.make(x.size()), out = sp.make(x.size());
  sp.combine(low, bits, 0, {{.v = &x}});
  sp.dcf_eval(k, low, out);
  return out;
}

// "Truncate-reduce": x >> s = (xhat >> s) - (r >> s) - [xhat_low < r_low] mod 2^mid. The DCF at
// xhat_low with alpha = r_low and payload 1 in Z_{2^mid} shares the borrow; q = r_mid - (r >> s)
// is shared; y_mid^ = [party 0: xhat >> s] + q - borrow is opened.
void reduce_keygen(Dealer& d, const TruncWidths& w, std::span<const u64> r_in,
                   std::span<u64> r_mid) {
  const std::size_t n = r_in.size();
  const u64 mm = ring_mask(w.mid);
  d.begin(kTagReduce, n);
  d.random(r_mid, w.mid);
  UninitVector<u64> alpha(n), q(n);
  d.for_range(n, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) {
      const u64 r = r_in[i] & ring_mask(w.in);
      alpha[i] = r & ring_mask(w.s);
      q[i] = (r_mid[i] - (r >> w.s)) & mm;
    }
  });
  d.dcf(DcfShape{w.s, w.mid, 1}, alpha, kOnePayload);
  d.share_vec(q, w.mid);
}

vec::Vec reduce_eval(Party& p, const TruncWidths& w, const vec::Vec& xhat) {
  const std::size_t n = xhat.size();
  p.keys().expect_record(kTagReduce, n);
  const DcfKeys k = p.read_dcf(DcfShape{w.s, w.mid, 1}, n);
  const vec::Space& sp = p.space();
  const vec::Vec q = p.read_shares_vec(n, w.mid);
  const vec::Vec borrow = dcf_at(sp, k, xhat, w.s);
  const u64 p0 = p.id() == 0 ? 1 : 0;  // party 0 adds the public part
  vec::Vec y = sp.make(n);
  sp.combine(y, w.mid, 0,
             {{.v = &xhat, .shr = w.s, .width = w.in - w.s, .coef = p0},
              {.v = &q},
              {.v = &borrow, .coef = ~u64{0}}});
  p.open(y, w.mid);
  return y;
}

// "TrFloor in one exchange": with x' = x + 2^(in-1) (x signed in in bits, x' unsigned) and its
// public masked value x1 = x^ + 2^(in-1) mod 2^in, floor(x / 2^s) = (x1 >> s) - (r >> s)
// - [x1 mod 2^s < r mod 2^s] + 2^mid [x1 < r] - 2^(mid-1) as integers (the borrow of the low bits
// and the wrap of x' + r), so mod 2^out as well. Both comparisons are at public points: a DCF on s
// bits at alpha = r mod 2^s with payload 1 in Z_{2^out}, and a DCF on in bits at alpha = r whose
// payload 1 lives in Z_{2^(out - mid)}, since only 2^mid times the wrap is needed mod 2^out.
void floor_keygen(Dealer& d, const TruncWidths& w, std::span<const u64> r_in,
                  std::span<u64> r_out) {
  const std::size_t n = r_in.size();
  d.begin(kTagFloor, n);
  d.random(r_out, w.out);
  UninitVector<u64> alpha_low(n), alpha_wrap(n), q(n);
  one_step_floor_points(d, w, r_in, r_out, alpha_low, alpha_wrap, q);
  d.dcf(DcfShape{w.s, w.out, 1}, alpha_low, kOnePayload);
  d.dcf(DcfShape{w.in, w.out - w.mid, 1}, alpha_wrap, kOnePayload);
  d.share_vec(q, w.out);
}

void floor_eval(Party& p, const TruncWidths& w, std::span<const u64> xhat, std::span<u64> yhat) {
  const std::size_t n = xhat.size();
  p.keys().expect_record(kTagFloor, n);
  const DcfKeys k_low = p.read_dcf(DcfShape{w.s, w.out, 1}, n);
  const DcfKeys k_wrap = p.read_dcf(DcfShape{w.in, w.out - w.mid, 1}, n);
  const vec::Space& sp = p.space();
  const vec::Vec q = p.read_shares_vec(n, w.out);
  vec::Vec x1 = p.operand(xhat);
  sp.combine(x1, w.in, u64{1} << (w.in - 1), {{.v = &x1}});
  const vec::Vec borrow = dcf_at(sp, k_low, x1, w.s);  // x1's low bits are x^'s
  vec::Vec wrap = sp.make(n);
  sp.dcf_eval(k_wrap, x1, wrap);  // x1 is already below 2^in
  const u64 p0 = p.id() == 0 ? 1 : 0;
  const u64 half = u64{1} << (w.mid - 1);
  sp.combine(x1, w.out, p0 * (u64{0} - half),
             {{.v = &x1, .shr = w.s, .coef = p0},
              {.v = &q},
              {.v = &borrow, .coef = ~u64{0}},
              {.v = &wrap, .coef = u64{1} << w.mid}});
  p.open(x1, w.out);
  p.result(std::move(x1), yhat);
}

// "TrWithSlack": for |x| < 2^(in-2), x1 = x + 2^(in-2) lies in [0, 2^(in-1)), so with xhat1 =
// xhat + 2^(in-2) the wrap of x1 + r is w = MSB(r) AND NOT MSB(xhat1) and floor(x / 2^s) =
// (xhat1 >> s) - (r >> s) - [xhat_low < r_low] + 2^(in-s) w - 2^(in-s-2). The DCF shares the
// borrow in Z_{2^out}; MSB(r) 2^(in-s) is shared and kept where MSB(xhat1) = 0.
void slack_keygen(Dealer& d, const TruncWidths& w, std::span<const u64> r_in,
                  std::span<u64> r_out) {
  const std::size_t n = r_in.size();
  const u64 om = ring_mask(w.out);
  d.begin(kTagSlack, n);
  d.random(r_out, w.out);
  UninitVector<u64> alpha(n), q(n), msb_corr(n);
  d.for_range(n, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) {
      const u64 r = r_in[i] & ring_mask(w.in);
      alpha[i] = r & ring_mask(w.s);
      q[i] = (r_out[i] - (r >> w.s)) & om;
      msb_corr[i] = (((r >> (w.in - 1)) & 1) << w.mid) & om;
    }
  });
  d.dcf(DcfShape{w.s, w.out, 1}, alpha, kOnePayload);
  d.share_vec(q, w.out);
  d.share_vec(msb_corr, w.out);
}

vec::Vec slack_eval(Party& p, const TruncWidths& w, const vec::Vec& xhat) {
  const std::size_t n = xhat.size();
  p.keys().expect_record(kTagSlack, n);
  const DcfKeys k = p.read_dcf(DcfShape{w.s, w.out, 1}, n);
  const vec::Space& sp = p.space();
  const vec::Vec q = p.read_shares_vec(n, w.out);
  const vec::Vec msb_corr = p.read_shares_vec(n, w.out);
  const vec::Vec borrow = dcf_at(sp, k, xhat, w.s);
  vec::Vec x1 = sp.make(n);
  sp.combine(x1, w.in, u64{1} << (w.in - 2), {{.v = &xhat}});
  const u64 p0 = p.id() == 0 ? 1 : 0;
  const u64 half_off = u64{1} << (w.mid - 2);
  // msb_corr counts where MSB(x1) = 0 (public).
  sp.combine(x1, w.out, p0 * (u64{0} - half_off),
             {{.v = &x1, .shr = w.s, .coef = p0},
              {.v = &q},
              {.v = &borrow, .coef = ~u64{0}},
              {.v = &msb_corr, .gate = &x1, .gate_bit = w.in - 1, .gate_when = false}});
  p.open(x1, w.out);
  return x1;
}

}  // namespace

TruncWidths trunc_widths(Ring ring, sigma::TruncParams p, std::size_t a, std::size_t b,
                         const char* what) {
  engine::check_unary_sizes(a, b, what);
  return sigma::trunc_widths(ring, p, what);
}

TruncWidths slack_trunc_widths(Ring ring, sigma::TruncParams p, std::size_t a, std::size_t b,
                               const char* what) {
  engine::check_unary_sizes(a, b, what);
  return sigma::slack_trunc_widths(ring, p, what);
}

void one_step_floor_points(Dealer& d, const TruncWidths& w, std::span<const u64> r_in,
                           std::span<const u64> r_out, std::span<u64> alpha_low,
                           std::span<u64> alpha_wrap, std::span<u64> q) {
  const u64 om = ring_mask(w.out), im = ring_mask(w.in);
  d.for_range(r_in.size(), [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) {
      const u64 r = r_in[i] & im;
      alpha_low[i] = r & ring_mask(w.s);
      alpha_wrap[i] = r;
      q[i] = (r_out[i] - (r >> w.s)) & om;
    }
  });
}

void dcf_trunc_floor_keygen(Dealer& d, sigma::TruncParams p, std::span<const u64> r_in,
                            std::span<u64> r_out) {
  const TruncWidths w =
      trunc_widths(d.ring(), p, r_in.size(), r_out.size(), "dcf_trunc_floor_keygen");
  if (w.out > w.mid) {
    floor_keygen(d, w, r_in, r_out);
    return;
  }
  UninitVector<u64> r_mid(r_in.size());
  reduce_keygen(d, w, r_in, r_mid);
  for (std::size_t i = 0; i < r_mid.size(); ++i)  // no sign extension: the reduce's low out bits
    r_out[i] = r_mid[i] & ring_mask(w.out);
}

void dcf_trunc_floor_eval(Party& party, sigma::TruncParams p, std::span<const u64> xhat,
                          std::span<u64> yhat) {
  const TruncWidths w =
      trunc_widths(party.ring(), p, xhat.size(), yhat.size(), "dcf_trunc_floor_eval");
  if (w.out > w.mid) {
    floor_eval(party, w, xhat, yhat);
    return;
  }
  const vec::Space& sp = party.space();
  vec::Vec y = reduce_eval(party, w, party.operand(xhat));
  sp.combine(y, w.out, 0, {{.v = &y}});  // no sign extension: the reduce's low out bits
  party.result(std::move(y), yhat);
}

void dcf_trunc_reduce_keygen(Dealer& d, sigma::TruncParams p, std::span<const u64> r_in,
                             std::span<u64> r_out) {
  p.out_bits = 0;
  reduce_keygen(d, trunc_widths(d.ring(), p, r_in.size(), r_out.size(), "dcf_trunc_reduce_keygen"),
                r_in, r_out);
}

void dcf_trunc_reduce_eval(Party& party, sigma::TruncParams p, std::span<const u64> xhat,
                           std::span<u64> yhat) {
  p.out_bits = 0;
  const TruncWidths w =
      trunc_widths(party.ring(), p, xhat.size(), yhat.size(), "dcf_trunc_reduce_eval");
  party.result(reduce_eval(party, w, party.operand(xhat)), yhat);
}

vec::Vec dcf_trunc_reduce_eval(Party& party, sigma::TruncParams p, const vec::Vec& xhat) {
  p.out_bits = 0;
  return reduce_eval(
      party, trunc_widths(party.ring(), p, xhat.size(), xhat.size(), "dcf_trunc_reduce_eval"),
      xhat);
}

void dcf_trunc_slack_keygen(Dealer& d, sigma::TruncParams p, std::span<const u64> r_in,
                            std::span<u64> r_out) {
  const TruncWidths w =
      slack_trunc_widths(d.ring(), p, r_in.size(), r_out.size(), "dcf_trunc_slack_keygen");
  slack_keygen(d, w, r_in, r_out);
}

void dcf_trunc_slack_eval(Party& party, sigma::TruncParams p, std::span<const u64> xhat,
                          std::span<u64> yhat) {
  const TruncWidths w =
      slack_trunc_widths(party.ring(), p, xhat.size(), yhat.size(), "dcf_trunc_slack_eval");
  party.result(slack_eval(party, w, party.operand(xhat)), yhat);
}

vec::Vec dcf_trunc_slack_eval(Party& party, sigma::TruncParams p, const vec::Vec& xhat) {
  const TruncWidths w =
      slack_trunc_widths(party.ring(), p, xhat.size(), xhat.size(), "dcf_trunc_slack_eval");
  return slack_eval(party, w, xhat);
}

void trunc_floor_keygen(Dealer& d, const GateArgs& args, std::span<const u64> r_in,
                        std::span<u64> r_out) {
  dcf_trunc_floor_keygen(d, sigma::shift_params(args), r_in, r_out);
}
void trunc_floor_eval(Party& party, const GateArgs& args, std::span<const u64> xhat,
                      std::span<u64> yhat) {
  dcf_trunc_floor_eval(party, sigma::shift_params(args), xhat, yhat);
}

void trunc_slack_keygen(Dealer& d, const GateArgs& args, std::span<const u64> r_in,
                        std::span<u64> r_out) {
  dcf_trunc_slack_keygen(d, sigma::shift_params(args), r_in, r_out);
}
void trunc_slack_eval(Party& party, const GateArgs& args, std::span<const u64> xhat,
                      std::span<u64> yhat) {
  dcf_trunc_slack_eval(party, sigma::shift_params(args), xhat, yhat);
}

}  // namespace secinfer::fss::fusefss
