// Shared building blocks of the nonlinear gates (contracts in nl_prims.h).
#include "fss/gates/sigma/nl_prims.h"

#include <stdexcept>
#include <string>
#include <vector>

#include "fss/parallel.h"

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

void select_share_keygen(Dealer& d, int bits, std::span<const u64> r_d, std::span<const u64> r_x,
                         std::span<const u64> r_out) {
  check_same(r_d.size(), r_x.size(), "select_share_keygen");
  check_same(r_d.size(), r_out.size(), "select_share_keygen");
  const u64 m = ring_mask(bits);
  const std::size_t n = r_d.size();
  std::vector<u64> a(n), bx(n), c(n), d1(n), d2(n);
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
  d.share(a, bits);
  d.share(bx, bits);
  d.share(c, bits);
  d.share(d1, bits);
  d.share(d2, bits);
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

}  // namespace secinfer::fss::sigma::nl
