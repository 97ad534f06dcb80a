// SIGMA's rsqrt: F2BF16 to a 13-bit float code, then an 8192-entry LUT (rsqrt.h).
#include "fss/gates/sigma/rsqrt.h"

#include <stdexcept>
#include <string>
#include <vector>

#include "fss/dcf.h"
#include "fss/engine/gate.h"
#include "fss/engine/key_stream.h"
#include "fss/gates/fusefss/multipoint_dcf.h"
#include "fss/gates/sigma/lut.h"
#include "fss/gates/sigma/nl_tables.h"

namespace secinfer::fss::sigma {
namespace {

constexpr std::uint32_t kTagRsqrt = engine::key_tag("RSQT");
constexpr int kCodeBits = 13;  // 7-bit mantissa, 6-bit exponent
constexpr int kTopBits = 8;    // leading one + 7 mantissa bits

void check(int n, std::size_t cols, const char* what) {
  if (cols == 0)
    throw std::invalid_argument(std::string(what) +
                                ": GateArgs::cols (the row length the "
                                "variance divides by) must be set (> 0)");
  if (n < 16)
    throw std::invalid_argument(std::string(what) + ": ring of " + std::to_string(n) +
                                " bits is too narrow for the 13-bit float code (needs >= 16)");
}

}  // namespace

u64 rsqrt_code(u64 v, int n) {
  const Ring ring{n};
  v = ring.reduce(v);
  // Step 1: res_i = [v < 2^i]; k and m pick the first i with res_i = 1 (telescoping sums).
  u64 k = 0, m = 0, prev = 0;
  for (int i = 1; i < n; ++i) {
    const u64 res = v < (u64{1} << i) ? 1 : 0;
    const u64 diff = res - prev;
    k += static_cast<u64>(i - 1) * diff;
    m += (u64{1} << (n - i)) * diff;
    prev = res;
  }
  k = ring.reduce(k);
  m = ring.reduce(m);
  // Steps 2-3.
  const u64 xm = ring.mul(v, m);
  const u64 mant = ((xm >> (n - kTopBits)) - 128) & ring_mask(kTopBits);
  return ((mant << 6) + k) & ring_mask(kCodeBits);
}

void rsqrt_clear(const ClearCtx& ctx, const GateArgs& args, std::span<const u64> x,
                 std::span<u64> y) {
  const int n = ctx.ring.bits;
  check(n, args.cols, "rsqrt_clear");
  engine::check_unary_sizes(x.size(), y.size(), "rsqrt_clear");
  const auto t = rsqrt_table(args.cols, ctx.frac_bits);
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = ctx.ring.reduce(t[rsqrt_code(x[i], n)]);
}

void rsqrt_keygen(Dealer& d, const GateArgs& args, std::span<const u64> r_in,
                  std::span<u64> r_out) {
  const int n = d.ring().bits;
  check(n, args.cols, "rsqrt_keygen");
  engine::check_unary_sizes(r_in.size(), r_out.size(), "rsqrt_keygen");
  const std::size_t N = r_in.size();
  const Ring ring{n};
  d.begin(kTagRsqrt, N);
  // Round 1: [v < c] for all c = 2^i from one DCF at alpha = r_in.
  const u64 one[] = {1};  // one payload for every key (fss/dcf.h)
  d.dcf(DcfShape{n, n, 1}, r_in, one);
  const auto r_k = d.random(N, n), r_m = d.random(N, n), r_xm = d.random(N, n);
  std::vector<u64> prod(N), r_top(N), r_low(N), r_code_k(N);
  for (std::size_t i = 0; i < N; ++i) {
    prod[i] = ring.add(ring.mul(r_in[i], r_m[i]), r_xm[i]);
    r_top[i] = r_xm[i] >> (n - kTopBits);
    r_low[i] = r_xm[i] & ring_mask(n - kTopBits);
  }
  d.share(r_k, n);
  d.share(r_m, n);
  // Round 2: Beaver product v m.
  d.share(r_in, n);
  d.share(prod, n);
  // Round 3: truncate-reduce xm to its top byte (carry DCF on the low n-8 bits, 8-bit output).
  d.dcf(DcfShape{n - kTopBits, kTopBits, 1}, r_low, one);
  // Choice: SIGMA's key stores this share (and r_code - r_k) as full ring elements; only its value
  // mod 2^8 (mod 2^13) matters, so we store 8 (13) bits: smaller key, identical output.
  d.share(r_top, kTopBits);
  const auto r_code = d.random(N, kCodeBits);
  for (std::size_t i = 0; i < N; ++i) r_code_k[i] = (r_code[i] - r_k[i]) & ring_mask(kCodeBits);
  d.share(r_code_k, kCodeBits);
  // Round 4: the table.
  lut_idx_keygen(d, kCodeBits, n, r_code, r_out);
}

void rsqrt_eval(Party& party, const GateArgs& args, std::span<const u64> xhat,
                std::span<u64> yhat) {
  std::vector<u64> host_x;
  xhat = party.on_host(xhat, host_x);  // read on the host below
  const int n = party.ring().bits;
  check(n, args.cols, "rsqrt_eval");
  engine::check_unary_sizes(xhat.size(), yhat.size(), "rsqrt_eval");
  const std::size_t N = xhat.size();
  const Ring ring{n};
  const bool lead = party.id() == 0;
  party.keys().expect_record(kTagRsqrt, N);
  const DcfKeys cmp = party.read_dcf(DcfShape{n, n, 1}, N);
  const auto s_rk = party.read_shares(N, n), s_rm = party.read_shares(N, n);
  const auto s_rin = party.read_shares(N, n), s_prod = party.read_shares(N, n);
  const DcfKeys carry = party.read_dcf(DcfShape{n - kTopBits, kTopBits, 1}, N);
  const auto s_rtop = party.read_shares(N, kTopBits);
  const auto s_rcode = party.read_shares(N, kCodeBits);

  // Round 1: res_i = [v < 2^i] = [y < r] - [xhat < r] + [xhat < 2^i], y = xhat - 2^i, where
  // [xhat < 2^i] = [y >= 2^n - 2^i] is public (party 0 adds it). The one key per element is
  // evaluated at its n points (xhat, then y for i = 1 .. n-1) in one batch walk.
  const auto P = static_cast<std::size_t>(n);
  std::vector<u64> xr(N), pts(N * P), t(N * P), km(2 * N, 0);
  for (std::size_t e = 0; e < N; ++e) {
    xr[e] = ring.reduce(xhat[e]);
    pts[e * P] = xr[e];
    for (int i = 1; i < n; ++i)
      pts[e * P + static_cast<std::size_t>(i)] = ring.sub(xr[e], u64{1} << i);
  }
  if (party.accelerator() != nullptr) {
    fusefss::dcf_eval_multipoint(cmp, P, pts, t, party.batch_options());  // one GPU call
  } else {
    // On the CPU the n points of a key are far apart (their paths share few levels), where n
    // batch evaluations, one per offset, walk less than the multipoint trie: same outputs.
    std::vector<u64> col(N), out(N);
    for (std::size_t j = 0; j < P; ++j) {
      for (std::size_t e = 0; e < N; ++e) col[e] = pts[e * P + j];
      dcf_eval(cmp, col, out, party.batch_options());
      for (std::size_t e = 0; e < N; ++e) t[e * P + j] = out[e];
    }
  }
  for (std::size_t e = 0; e < N; ++e) {
    const u64 t1 = t[e * P];
    u64 prev = 0;
    for (int i = 1; i < n; ++i) {
      const u64 y = pts[e * P + static_cast<std::size_t>(i)];
      u64 res = t[e * P + static_cast<std::size_t>(i)] - t1;
      if (lead && y >= ring.neg(u64{1} << i)) res += 1;
      const u64 diff = res - prev;
      km[e] += static_cast<u64>(i - 1) * diff;
      km[N + e] += (u64{1} << (n - i)) * diff;
      prev = res;
    }
  }
  for (std::size_t e = 0; e < N; ++e) {
    km[e] = ring.add(km[e], s_rk[e]);
    km[N + e] = ring.add(km[N + e], s_rm[e]);
  }
  party.open(km, km, n);
  const std::span<const u64> khat(km.data(), N), mhat(km.data() + N, N);

  // Round 2: xm = v m.
  std::vector<u64> xm(N);
  for (std::size_t e = 0; e < N; ++e) {
    u64 v = s_prod[e] - s_rin[e] * mhat[e] - xr[e] * s_rm[e];
    if (lead) v += xr[e] * mhat[e];
    xm[e] = ring.reduce(v);
  }
  party.open(xm, xm, n);

  // Round 3: code = ((xm >> (n-8)) - 128 mod 2^8) << 6 + k, masked by r_code.
  std::vector<u64> low(N), tc(N), code(N);
  for (std::size_t e = 0; e < N; ++e) low[e] = xm[e] & ring_mask(n - kTopBits);
  dcf_eval(carry, low, tc, party.batch_options());
  for (std::size_t e = 0; e < N; ++e) {
    u64 top = u64{0} - s_rtop[e] - tc[e];
    if (lead) top += (xm[e] >> (n - kTopBits)) - 128;
    u64 c = (top << 6) + s_rcode[e];
    if (lead) c += khat[e];
    code[e] = c & ring_mask(kCodeBits);
  }
  party.open(code, code, kCodeBits);

  // Round 4.
  lut_idx_eval(party, kCodeBits, n, rsqrt_table(args.cols, party.frac_bits()), code, yhat);
}

}  // namespace secinfer::fss::sigma
