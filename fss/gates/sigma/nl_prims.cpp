// Shared building blocks of the nonlinear gates (contracts in nl_prims.h).
#include "fss/gates/sigma/nl_prims.h"

#include <stdexcept>
#include <string>
#include <vector>

#include "fss/parallel.h"
#include "fss/uninit_vector.h"

namespace secinfer::fss::sigma::nl {
namespace {

void check_b(int b, const char* what) {
  if (b < 2 || b > 64)
    throw std::invalid_argument(std::string(what) + ": compared width " + std::to_string(b) +
                                " bits is outside [2, 64]");
}

void check_same(std::size_t a, std::size_t b, const char* what) {
  if (a != b)
    throw std::invalid_argument(std::string(what) + ": spans of different sizes (" +
                                std::to_string(a) + " and " + std::to_string(b) + ")");
}

}  // namespace

void sign_dcf_keygen(Dealer& d, int b, std::span<const u64> r) {
  check_b(b, "sign_dcf_keygen");
  std::vector<u64> alpha(r.size());
  d.for_range(r.size(), [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) alpha[i] = r[i] & ring_mask(b - 1);
  });
  d.sigma_dcf(b - 1, alpha);
}

SigmaDcfKeys sign_dcf_read(Party& p, int b, std::size_t count) {
  check_b(b, "sign_dcf_read");
  return p.read_sigma_dcf(b - 1, count);
}

void sign_dcf_eval(const SigmaDcfKeys& keys, int party, int b, std::span<const u64> xhat, u64 c,
                   std::span<u64> out, const BatchOptions& opt) {
  check_b(b, "sign_dcf_eval");
  check_same(xhat.size(), out.size(), "sign_dcf_eval");
  const std::size_t n = xhat.size();
  std::vector<u64> u(n), low(n);
  constexpr std::size_t kGrain = std::size_t{1} << 16;
  parallel_for(n, kGrain, opt.threads, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) {
      u[i] = (xhat[i] - c) & ring_mask(b);
      low[i] = u[i] & ring_mask(b - 1);
    }
  });
  sigma_dcf_eval(keys, low, out, opt);  // XOR share of the borrow [u' < r']
  parallel_for(n, kGrain, opt.threads, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i)
      out[i] = party == 0 ? (out[i] ^ msb_of(u[i], b)) & 1 : out[i] & 1;
  });
}

void sign_dcf_eval(Party& p, const SigmaDcfKeys& keys, int b, const vec::Vec& xhat,
                   std::span<const u64> cs, std::span<vec::Vec* const> out) {
  check_b(b, "sign_dcf_eval");
  check_same(cs.size(), out.size(), "sign_dcf_eval");
  if (cs.empty() || cs.size() > vec::Space::kMaxPoints)
    throw std::invalid_argument("sign_dcf_eval: " + std::to_string(cs.size()) +
                                " constants; one key takes 1 to " +
                                std::to_string(vec::Space::kMaxPoints));
  if (keys.in_bits != b - 1)
    throw std::invalid_argument("sign_dcf_eval: keys of " + std::to_string(keys.in_bits) +
                                "-bit comparisons for b = " + std::to_string(b) + " (need b - 1)");
  const vec::Space& sp = p.space();
  // u = xhat - c mod 2^b; the comparison reads u' = u mod 2^(b-1) and the XOR its msb, both off
  // xhat with the offset -c (no kernel of their own).
  std::vector<vec::Space::DcfPoint> points(cs.size());
  for (std::size_t j = 0; j < cs.size(); ++j) points[j] = {&xhat, u64{0} - cs[j]};
  sp.sigma_dcf_eval(keys, points, out);  // XOR shares of the borrows [u' < r']
  const u64 p0 = p.id() == 0 ? 1 : 0;
  for (std::size_t j = 0; j < cs.size(); ++j)
    sp.combine(
        *out[j], 1, 0,
        {{.v = out[j]}, {.v = &xhat, .add = u64{0} - cs[j], .shr = b - 1, .width = 1, .coef = p0}});
}

void select_share_keygen(Dealer& d, int bits, std::span<const u64> r_d, std::span<const u64> r_x,
                         std::span<const u64> r_out) {
  check_same(r_d.size(), r_x.size(), "select_share_keygen");
  check_same(r_d.size(), r_out.size(), "select_share_keygen");
  const u64 m = ring_mask(bits);
  const std::size_t n = r_d.size();
  UninitVector<u64> a(n), bx(n), c(n), d1(n), d2(n);  // written in full below
  d.for_range(n, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) {
      const u64 rd = r_d[i] & 1, rx = r_x[i] & m;
      a[i] = rd;
      bx[i] = rx;
      c[i] = (rd * rx + r_out[i]) & m;
      d1[i] = (2 * rd) & m;
      d2[i] = (u64{0} - 2 * rd * rx) & m;
    }
  });
  d.share_vec(a, bits);
  d.share_vec(bx, bits);
  d.share_vec(c, bits);
  d.share_vec(d1, bits);
  d.share_vec(d2, bits);
}

void select_share_eval(Party& p, int bits, std::span<const u64> dhat, std::span<const u64> xhat,
                       u64 p_sub, u64 q_add, std::span<u64> share) {
  check_same(dhat.size(), xhat.size(), "select_share_eval");
  check_same(dhat.size(), share.size(), "select_share_eval");
  const std::size_t n = dhat.size();
  const u64 m = ring_mask(bits);
  auto a = p.read_shares(n, bits), bx = p.read_shares(n, bits), c = p.read_shares(n, bits),
       d1 = p.read_shares(n, bits), d2 = p.read_shares(n, bits);
  const bool lead = p.id() == 0;
  p.for_range(n, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) {
      const u64 x = dhat[i] & 1, z = 1 - x;
      const u64 y = xhat[i] - p_sub;
      // SIGMA's select: sums to (x ^ r_d)(y - r_x) + r_out over the two parties.
      u64 v = c[i] - a[i] * y - bx[i] * x + z * (y * d1[i] + d2[i]);
      if (lead) v += x * y + q_add;
      share[i] = v & m;
    }
  });
}

vec::Vec select_share_eval(Party& p, int bits, const vec::Vec& dhat, const vec::Vec& xhat,
                           u64 p_sub, u64 q_add) {
  check_same(dhat.size(), xhat.size(), "select_share_eval");
  const std::size_t n = dhat.size();
  const vec::Space& sp = p.space();
  const vec::Vec a = p.read_shares_vec(n, bits), bx = p.read_shares_vec(n, bits),
                 c = p.read_shares_vec(n, bits), d1 = p.read_shares_vec(n, bits),
                 d2 = p.read_shares_vec(n, bits);
  vec::Vec shifted;
  if (p_sub != 0) {
    shifted = sp.make(n);
    sp.combine(shifted, bits, u64{0} - p_sub, {{.v = &xhat}});
  }
  const vec::Vec& y = p_sub != 0 ? shifted : xhat;  // products are reduced mod 2^bits anyway
  // SIGMA's select with x = dhat's bit, z = 1 - x: c - a y - bx x + z (y d1 + d2), plus x y +
  // q_add for party 0.
  constexpr u64 kMinus = ~u64{0};
  vec::Vec share = sp.make(n);
  sp.combine(share, bits, p.id() == 0 ? q_add : 0,
             {{.v = &c},
              {.v = &a, .coef = kMinus, .times = &y},
              {.v = &bx, .coef = kMinus, .gate = &dhat},
              {.v = &d1, .times = &y, .gate = &dhat, .gate_when = false},
              {.v = &d2, .gate = &dhat, .gate_when = false},
              {.v = &y, .coef = p.id() == 0 ? 1u : 0u, .gate = &dhat}});
  return share;
}

}  // namespace secinfer::fss::sigma::nl
