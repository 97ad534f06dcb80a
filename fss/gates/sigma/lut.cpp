// SIGMA's DPF lookup table (contracts and cost in lut.h).
#include "fss/gates/sigma/lut.h"

#include <stdexcept>
#include <string>
#include <vector>

#include "fss/dpf.h"
#include "fss/dpf_et.h"
#include "fss/engine/gate.h"
#include "fss/engine/key_stream.h"
#include "fss/gates/sigma/truncate.h"
#include "fss/uninit_vector.h"

namespace secinfer::fss::sigma {
namespace {

constexpr std::uint32_t kTagLut = engine::key_tag("LUTD");

void check_lut(int k, int out_bits, std::size_t table_size, const char* what) {
  if (k < 1 || k > 20)
    throw std::invalid_argument(std::string(what) + ": table index width " + std::to_string(k) +
                                " bits is outside [1, 20]");
  if (out_bits < 1 || out_bits > 64)
    throw std::invalid_argument(std::string(what) + ": output width " + std::to_string(out_bits) +
                                " is outside [1, 64]");
  if (table_size != (std::size_t{1} << k))
    throw std::invalid_argument(std::string(what) + ": table has " + std::to_string(table_size) +
                                " entries, expected 2^" + std::to_string(k) +
                                " (set GateArgs::table_bits to log2 of the table size)");
}

// Pre-shift of the generic face; the index is floor(x / 2^s) mod 2^k, exact when k <= n - s.
int pre_shift(const GateArgs& args, int n, int k, const char* what) {
  const auto s = args.param;
  if (s < 0 || s + k > n)
    throw std::invalid_argument(
        std::string(what) + ": pre-shift GateArgs::param = " + std::to_string(s) + " with a " +
        std::to_string(k) + "-bit table needs 0 <= shift <= n - k = " + std::to_string(n - k));
  return static_cast<int>(s);
}

}  // namespace

// ---- SIGMA's protocol (docs/design/sigma-lut.md): an early-terminated 1-bit DPF at r, the
// parties' signed leaf sums U_b, V_b; U_0 + U_1 = 2 sigma - 1 and V_0 + V_1 = (2 sigma - 1) T[x]
// for a bit sigma fixed by the keys. One exchange opens u = sigma XOR z (1 bit) and
// V + r_V (out bits); then T[x] = (2u - 1)(w (V + r_V) - w r_V) with w = 1 - 2z, all shared.

void lut_sigma_masked_keygen(Dealer& d, int k, int out_bits, std::span<const u64> alpha,
                             std::span<u64> z, std::span<u64> r_v, int leaf_log2) {
  d.dpf_et(k, alpha, leaf_log2);
  d.random(z, 1);
  d.random(r_v, out_bits);
  d.share_vec(z, 1);
  d.share_vec(r_v, out_bits);
}

void lut_sigma_keygen(Dealer& d, int k, int out_bits, std::span<const u64> alpha, int leaf_log2) {
  const std::size_t n = alpha.size();
  const u64 m = ring_mask(out_bits);
  UninitVector<u64> z(n), r_v(n);  // every array here is written in full before it is read
  lut_sigma_masked_keygen(d, k, out_bits, alpha, z, r_v, leaf_log2);
  UninitVector<u64> w(n), w_rv(n);
  d.for_range(n, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) {
      w[i] = (u64{1} - 2 * z[i]) & m;
      w_rv[i] = (w[i] * r_v[i]) & m;
    }
  });
  d.share_vec(w, out_bits);
  d.share_vec(w_rv, out_bits);
}

void lut_sigma_masked(Party& p, int k, int out_bits, std::span<const u64> table,
                      const vec::Vec& idx, u64 index_xor_mask, vec::Vec& u, vec::Vec& v,
                      int leaf_log2, u64 v_offset) {
  const std::size_t n = idx.size();
  const vec::Space& sp = p.space();
  const DpfEtKeys keys = p.read_dpf_et(k, n, leaf_log2);
  const vec::Vec z = p.read_shares_vec(n, 1);
  const vec::Vec r_v = p.read_shares_vec(n, out_bits);
  vec::Vec sum = sp.make(n), count = sp.make(n);
  sp.dpf_et_lut_eval(keys, idx, table, out_bits, sum, count, index_xor_mask);
  // Party 1 negates its sums. U_0 + U_1 = +-1 mod 4 has one odd term, so no carry reaches bit 1:
  // sigma = [U_0 + U_1 = 1 mod 4] = 1 XOR bit1(U_0) XOR bit1(U_1), with U_1 = -count_1. Party 1
  // reads bit1(-c) = bit1(c) XOR bit0(c) off its count directly (c mod 4 = 0, 1, 2, 3 gives
  // -c mod 4 = 0, 3, 2, 1): no negation of its own, one kernel fewer before the opening.
  const bool p0 = p.id() == 0;
  const u64 sign = p0 ? 1 : ~u64{0};
  u = sp.make(n);
  v = sp.make(n);
  if (p0)
    sp.combine(u, 1, 1, {{.v = &count, .shr = 1, .width = 1}, {.v = &z}});  // XOR: mod 2
  else
    sp.combine(u, 1, 0,
               {{.v = &count, .shr = 1, .width = 1}, {.v = &count, .width = 1}, {.v = &z}});
  sp.combine(v, out_bits, v_offset, {{.v = &sum, .coef = sign}, {.v = &r_v}});
}

void lut_sigma_masked(Party& p, int k, int out_bits, std::span<const u64> table,
                      std::span<const u64> idx, u64 index_xor_mask, std::span<u64> u,
                      std::span<u64> v, int leaf_log2) {
  const vec::Space& sp = p.space();
  vec::Vec uv, vv;
  lut_sigma_masked(p, k, out_bits, table, p.operand(idx), index_xor_mask, uv, vv, leaf_log2);
  sp.download(uv, u);
  sp.download(vv, v);
}

vec::Vec lut_sigma_eval(Party& p, int k, int out_bits, std::span<const u64> table,
                        const vec::Vec& idx, u64 index_xor_mask, int leaf_log2) {
  const std::size_t n = idx.size();
  const vec::Space& sp = p.space();
  vec::Vec u, v;
  lut_sigma_masked(p, k, out_bits, table, idx, index_xor_mask, u, v, leaf_log2);
  const vec::Vec w = p.read_shares_vec(n, out_bits);
  const vec::Vec w_rv = p.read_shares_vec(n, out_bits);
  const Party::VecOpenItem items[2] = {{&u, 1}, {&v, out_bits}};
  p.open_many(items);
  // share = (2u - 1)(w v - w r_V): t where u = 1, -t where u = 0.
  vec::Vec share = sp.make(n);
  sp.combine(share, out_bits, 0,
             {{.v = &w, .times = &v, .gate = &u, .gate_when = true},
              {.v = &w_rv, .coef = ~u64{0}, .gate = &u, .gate_when = true},
              {.v = &w, .coef = ~u64{0}, .times = &v, .gate = &u, .gate_when = false},
              {.v = &w_rv, .gate = &u, .gate_when = false}});
  return share;
}

void lut_sigma_eval(Party& p, int k, int out_bits, std::span<const u64> table,
                    std::span<const u64> idx, std::span<u64> share, u64 index_xor_mask,
                    int leaf_log2) {
  const vec::Space& sp = p.space();
  sp.download(lut_sigma_eval(p, k, out_bits, table, p.operand(idx), index_xor_mask, leaf_log2),
              share);
}

void lut_core_keygen(Dealer& d, int k, int out_bits, std::span<const u64> r_idx,
                     std::span<const u64> r_out) {
  check_lut(k, out_bits, std::size_t{1} << k, "lut_core_keygen");
  std::vector<u64> alpha(r_idx.size());
  d.for_range(r_idx.size(), [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) alpha[i] = r_idx[i] & ring_mask(k);
  });
  if (d.gate_options().lut == engine::GateOptions::Lut::kSigma)
    lut_sigma_keygen(d, k, out_bits, alpha);
  else
    d.dpf(DpfShape{k, out_bits}, alpha, std::vector<u64>(alpha.size(), 1));
  if (!r_out.empty()) {
    engine::check_unary_sizes(r_idx.size(), r_out.size(), "lut_core_keygen");
    d.share_vec(r_out, out_bits);
  }
}

vec::Vec lut_core_eval(Party& p, int k, int out_bits, std::span<const u64> table,
                       const vec::Vec& idx_hat, bool with_out_mask) {
  check_lut(k, out_bits, table.size(), "lut_core_eval");
  const std::size_t n = idx_hat.size();
  const vec::Space& sp = p.space();
  vec::Vec idx = sp.make(n);
  sp.combine(idx, k, 0, {{.v = &idx_hat}});
  vec::Vec share;
  if (p.gate_options().lut == engine::GateOptions::Lut::kSigma) {
    share = lut_sigma_eval(p, k, out_bits, table, idx);
  } else {  // the n-bit DPF lookup runs from host arrays
    DpfKeys keys = p.read_dpf(DpfShape{k, out_bits}, n);
    std::vector<u64> host_idx(n), out(n);
    sp.download(idx, host_idx);
    dpf_lut_eval(keys, host_idx, table, out, p.batch_options());
    share = sp.upload(std::move(out));
  }
  if (with_out_mask) {
    const vec::Vec r = p.read_shares_vec(n, out_bits);
    sp.combine(share, out_bits, 0, {{.v = &share}, {.v = &r}});
  }
  return share;
}

void lut_core_eval(Party& p, int k, int out_bits, std::span<const u64> table,
                   std::span<const u64> idx_hat, std::span<u64> share, bool with_out_mask) {
  check_lut(k, out_bits, table.size(), "lut_core_eval");
  engine::check_unary_sizes(idx_hat.size(), share.size(), "lut_core_eval");
  const vec::Space& sp = p.space();
  sp.download(lut_core_eval(p, k, out_bits, table, p.operand(idx_hat), with_out_mask), share);
}

void lut_idx_keygen(Dealer& d, int k, int out_bits, std::span<const u64> r_idx,
                    std::span<u64> r_out) {
  engine::check_unary_sizes(r_idx.size(), r_out.size(), "lut_idx_keygen");
  d.begin(kTagLut, r_idx.size());
  d.random(r_out, out_bits);
  lut_core_keygen(d, k, out_bits, r_idx, r_out);
}

vec::Vec lut_idx_eval(Party& p, int k, int out_bits, std::span<const u64> table,
                      const vec::Vec& idx_hat) {
  p.keys().expect_record(kTagLut, idx_hat.size());
  vec::Vec share = lut_core_eval(p, k, out_bits, table, idx_hat, true);
  p.open(share, out_bits);
  return share;
}

void lut_idx_eval(Party& p, int k, int out_bits, std::span<const u64> table,
                  std::span<const u64> idx_hat, std::span<u64> yhat) {
  engine::check_unary_sizes(idx_hat.size(), yhat.size(), "lut_idx_eval");
  p.result(lut_idx_eval(p, k, out_bits, table, p.operand(idx_hat)), yhat);
}

void lut_clear(const ClearCtx& ctx, const GateArgs& args, std::span<const u64> x,
               std::span<u64> y) {
  const int k = args.table_bits;
  check_lut(k, ctx.ring.bits, args.table.size(), "lut_clear");
  engine::check_unary_sizes(x.size(), y.size(), "lut_clear");
  const int s = pre_shift(args, ctx.ring.bits, k, "lut_clear");
  for (std::size_t i = 0; i < x.size(); ++i) {
    const u64 idx = static_cast<u64>(ctx.ring.to_signed(ctx.ring.reduce(x[i])) >> s) & ring_mask(k);
    y[i] = ctx.ring.reduce(args.table[idx]);
  }
}

void lut_keygen(Dealer& dealer, const GateArgs& args, std::span<const u64> r_in,
                std::span<u64> r_out) {
  const int n = dealer.ring().bits, k = args.table_bits;
  check_lut(k, n, args.table.size(), "lut_keygen");
  engine::check_unary_sizes(r_in.size(), r_out.size(), "lut_keygen");
  const int s = pre_shift(args, n, k, "lut_keygen");
  if (s == 0) {
    lut_idx_keygen(dealer, k, n, r_in, r_out);
    return;
  }
  std::vector<u64> r_idx(r_in.size());
  trunc_slack_keygen(dealer, TruncParams{s, n, k}, r_in, r_idx);
  lut_idx_keygen(dealer, k, n, r_idx, r_out);
}

void lut_eval(Party& party, const GateArgs& args, std::span<const u64> xhat, std::span<u64> yhat) {
  const int n = party.ring().bits, k = args.table_bits;
  check_lut(k, n, args.table.size(), "lut_eval");
  engine::check_unary_sizes(xhat.size(), yhat.size(), "lut_eval");
  const int s = pre_shift(args, n, k, "lut_eval");
  if (s == 0) {
    lut_idx_eval(party, k, n, args.table, xhat, yhat);
    return;
  }
  std::vector<u64> idx(xhat.size());
  trunc_slack_eval(party, TruncParams{s, n, k}, xhat, idx);
  lut_idx_eval(party, k, n, args.table, idx, yhat);
}

}  // namespace secinfer::fss::sigma
