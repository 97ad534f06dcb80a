// SIGMA's GELU (and the ReLU-minus-clipped-LUT algorithm shared with SiLU); see gelu.h.
#include "fss/gates/sigma/gelu.h"

#include <array>
#include <stdexcept>
#include <string>

#include "fss/engine/key_stream.h"
#include "fss/gates/sigma/lut.h"
#include "fss/gates/sigma/nl_prims.h"
#include "fss/gates/sigma/nl_tables.h"
#include "fss/gates/sigma/nonlinear.h"
#include "fss/gates/sigma/truncate.h"
#include "fss/uninit_vector.h"

namespace secinfer::fss::sigma {
namespace {

constexpr std::uint32_t kTagAct = engine::key_tag("ACTL");

struct Widths {
  int n, f, shift, bt, clip;
  u64 max;  // 2^clip - 1
};

Widths widths(int n, int f, const ReluSubLutParams& p, const char* what) {
  if (p.clip_bits < 1 || p.clip_bits > 16)
    throw std::invalid_argument(std::string(what) + ": clip width " + std::to_string(p.clip_bits) +
                                " bits is outside [1, 16]");
  if (p.table.size() != (std::size_t{1} << p.clip_bits))
    throw std::invalid_argument(std::string(what) + ": table has " +
                                std::to_string(p.table.size()) + " entries, expected 2^" +
                                std::to_string(p.clip_bits));
  if (f < 7)
    throw std::invalid_argument(std::string(what) +
                                ": needs at least 7 fractional bits (the "
                                "table index is |x| at scale 6), got " +
                                std::to_string(f));
  const int bt = relu_sub_lut_trunc_bits(n, f);
  if (bt < p.clip_bits + 2)
    throw std::invalid_argument(std::string(what) + ": ring of " + std::to_string(n) +
                                " bits with f = " + std::to_string(f) + " leaves " +
                                std::to_string(bt) +
                                " bits after truncation to scale 6, fewer than "
                                "clip + 2 = " +
                                std::to_string(p.clip_bits + 2) + "; use a wider ring");
  return Widths{n, f, f - 6, bt, p.clip_bits, (u64{1} << p.clip_bits) - 1};
}

// SIGMA's mux table (gpu_gelu.cu linFunc), indexed by j = 2 ic + drelu: clipped = lin0 + lin1 xt.
std::array<u64, 4> lin0(const Widths& w) {
  return {w.max, w.max, 0, 0};
}
std::array<u64, 4> lin1(const Widths& w) {
  return {0, 0, ring_mask(w.clip), 1};
}  // 0, 0, -1, 1

}  // namespace

int relu_sub_lut_trunc_bits(int n, int frac_bits) {
  return n - 2 * frac_bits + 7;
}

void relu_sub_lut_clear(const engine::ClearCtx& ctx, const ReluSubLutParams& p,
                        std::span<const u64> x, std::span<u64> y) {
  const Widths w = widths(ctx.ring.bits, ctx.frac_bits, p, "relu_sub_lut_clear");
  if (x.size() != y.size()) throw std::invalid_argument("relu_sub_lut_clear: size mismatch");
  const auto l0 = lin0(w), l1 = lin1(w);
  const u64 mbt = ring_mask(w.bt), mc = ring_mask(w.clip);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const u64 xi = ctx.ring.reduce(x[i]);
    const u64 xt = static_cast<u64>(ctx.ring.to_signed(xi) >> w.shift) & mbt;  // step 1
    const u64 drelu = 1 ^ nl::msb_of(xt, w.bt);                                // step 2
    const u64 ic =
        nl::sign_clear(xt, w.max + 1, w.bt) ^ nl::sign_clear(xt, (0 - w.max) & mbt, w.bt);
    const std::size_t j = 2 * ic + drelu;  // step 3
    const u64 clipped = (l0[j] + l1[j] * xt) & mc;
    y[i] = ctx.ring.sub(drelu ? xi : 0, p.table[clipped]);  // step 4
  }
}

void relu_sub_lut_keygen(engine::Dealer& d, const ReluSubLutParams& p, std::span<const u64> r_in,
                         std::span<u64> r_out) {
  const Widths w = widths(d.ring().bits, d.frac_bits(), p, "relu_sub_lut_keygen");
  if (r_in.size() != r_out.size())
    throw std::invalid_argument("relu_sub_lut_keygen: size mismatch");
  const std::size_t N = r_in.size();
  // 1. TrWithSlack n -> bt bits.
  UninitVector<u64> r_xt(N);  // every array here is written in full before it is read
  trunc_slack_keygen(d, TruncParams{w.shift, w.n, w.bt}, r_in, r_xt);
  d.begin(kTagAct, N);
  // 2. One DCF for both bits; masks m_d (DReLU) and m_ic (interval); MSB(r_xt) folded into the
  //    DReLU correction bit (it cancels in ic, an XOR of two sign bits).
  nl::sign_dcf_keygen(d, w.bt, r_xt);
  UninitVector<u64> m_d(N), m_ic(N);
  d.random(m_d, 1);
  d.random(m_ic, 1);
  UninitVector<u64> cd(N);
  d.for_range(N, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) cd[i] = m_d[i] ^ nl::msb_of(r_xt[i], w.bt);
  });
  d.share_vec(cd, 1);
  d.share_vec(m_ic, 1);
  // 3. Mux: entry for (ic, drelu) = j sits at index j ^ (2 m_ic + m_d), the opened pair's index.
  UninitVector<u64> r_clip(N);
  d.random(r_clip, w.clip);
  const auto l0 = lin0(w), l1 = lin1(w);
  const u64 mc = ring_mask(w.clip);
  UninitVector<u64> c0(4 * N), c1(4 * N);
  d.for_range(N, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) {
      const std::size_t perm = 2 * m_ic[i] + m_d[i];
      for (std::size_t j = 0; j < 4; ++j) {
        c0[4 * i + (j ^ perm)] = (l0[j] - l1[j] * r_xt[i] + r_clip[i]) & mc;
        c1[4 * i + (j ^ perm)] = l1[j];
      }
    }
  });
  d.share_vec(c0, w.clip);
  d.share_vec(c1, w.clip);
  // 4. LUT on the clipped value (shares, no own output mask) and select(drelu, x) carrying r_out.
  lut_core_keygen(d, w.clip, w.n, r_clip, {});
  d.random(r_out, w.n);
  nl::select_share_keygen(d, w.n, m_d, r_in, r_out);
}

void relu_sub_lut_eval(engine::Party& party, const ReluSubLutParams& p, std::span<const u64> xhat,
                       std::span<u64> yhat) {
  const Widths w = widths(party.ring().bits, party.frac_bits(), p, "relu_sub_lut_eval");
  if (xhat.size() != yhat.size()) throw std::invalid_argument("relu_sub_lut_eval: size mismatch");
  const std::size_t N = xhat.size();
  const vec::Space& sp = party.space();
  const u64 p0 = party.id() == 0 ? 1 : 0;
  const vec::Vec x = party.operand(xhat);
  // 1. Rounds 1-2.
  const vec::Vec xt = trunc_slack_eval(party, TruncParams{w.shift, w.n, w.bt}, x);
  party.keys().expect_record(kTagAct, N);
  // 2. Round 3: both bits from one DCF key at three points, opened together (2N bits): drelu =
  //    sign(xt) ^ cd ^ 1 (party 0), ic = sign(xt - max - 1) ^ sign(xt + max) ^ cic.
  const SigmaDcfKeys keys = nl::sign_dcf_read(party, w.bt, N);
  const vec::Vec cd = party.read_shares_vec(N, 1), cic = party.read_shares_vec(N, 1);
  vec::Vec bits = sp.make(2 * N);
  vec::Vec drelu = bits.view(0, N), ic = bits.view(N, N);
  vec::Vec t1 = sp.make(N), t2 = sp.make(N);
  const u64 cs[3] = {0, w.max + 1, (0 - w.max) & ring_mask(w.bt)};
  vec::Vec* outs[3] = {&drelu, &t1, &t2};
  nl::sign_dcf_eval(party, keys, w.bt, xt, cs, outs);
  sp.combine(drelu, 1, p0, {{.v = &drelu}, {.v = &cd}});
  sp.combine(ic, 1, 0, {{.v = &t1}, {.v = &t2}, {.v = &cic}});
  party.open(bits, 1);
  // 3. Round 4: mux on the public pair (ic, drelu), entry j = 2 ic + drelu of each element's
  //    four: clipped = c1[j] xt + c0[j], opened mod 2^clip.
  const vec::Vec c0 = party.read_shares_vec(4 * N, w.clip),
                 c1 = party.read_shares_vec(4 * N, w.clip);
  const auto entry = [&](const vec::Vec& c, int j, const vec::Vec* times) {
    return vec::Term{.v = &c,
                     .stride = 4,
                     .offset = j,
                     .times = times,
                     .gate = &drelu,
                     .gate_when = (j & 1) != 0};
  };
  vec::Vec& lo = t1;  // free again: ic = 0's pair, then ic = 1's
  vec::Vec& hi = t2;
  sp.combine(lo, w.clip, 0,
             {entry(c1, 0, &xt), entry(c1, 1, &xt), entry(c0, 0, nullptr), entry(c0, 1, nullptr)});
  sp.combine(hi, w.clip, 0,
             {entry(c1, 2, &xt), entry(c1, 3, &xt), entry(c0, 2, nullptr), entry(c0, 3, nullptr)});
  vec::Vec clipped = sp.make(N);
  sp.combine(clipped, w.clip, 0,
             {{.v = &lo, .gate = &ic, .gate_when = false}, {.v = &hi, .gate = &ic}});
  party.open(clipped, w.clip);
  // 4. Round 5: select(drelu, x) - T(clipped), opened once.
  const vec::Vec lut = lut_core_eval(party, w.clip, w.n, p.table, clipped, false);
  vec::Vec y = nl::select_share_eval(party, w.n, drelu, x, 0, 0);
  sp.combine(y, w.n, 0, {{.v = &y}, {.v = &lut, .coef = ~u64{0}}});
  party.open(y, w.n);
  party.result(std::move(y), yhat);
}

std::vector<u64> gelu_table(int frac_bits) {
  return relu_sub_gelu_table(8, frac_bits);
}
std::vector<u64> silu_table(int frac_bits) {
  return relu_sub_silu_table(10, frac_bits);
}

// GELU faces (nonlinear.h): reads no GateArgs field; input and output at scale frac_bits.
void gelu_clear(const ClearCtx& ctx, const GateArgs&, std::span<const u64> x, std::span<u64> y) {
  const auto t = gelu_table(ctx.frac_bits);
  relu_sub_lut_clear(ctx, ReluSubLutParams{8, t}, x, y);
}

void gelu_keygen(Dealer& dealer, const GateArgs&, std::span<const u64> r_in, std::span<u64> r_out) {
  const auto t = gelu_table(dealer.frac_bits());
  relu_sub_lut_keygen(dealer, ReluSubLutParams{8, t}, r_in, r_out);
}

void gelu_eval(Party& party, const GateArgs&, std::span<const u64> xhat, std::span<u64> yhat) {
  const auto t = gelu_table(party.frac_bits());
  relu_sub_lut_eval(party, ReluSubLutParams{8, t}, xhat, yhat);
}

}  // namespace secinfer::fss::sigma
