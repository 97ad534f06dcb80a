// SIGMA's lookup opened in w bits (contract and protocol in narrow_lookup.h; the algebra is
// docs/design/fused-trunc-act.md "The lookup opened in w bits").
#include "fss/gates/fusefss/narrow_lookup.h"

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <string>
#include <vector>

#include "fss/gates/sigma/lut.h"
#include "fss/uninit_vector.h"

namespace secinfer::fss::fusefss {

int narrow_lookup_width(std::span<const u64> table, int n) {
  const Ring rn{n};
  u64 widest = 0;
  for (const u64 entry : table) {
    const i64 v = rn.to_signed(rn.reduce(entry));
    widest = std::max(widest, static_cast<u64>(v < 0 ? -v : v));
  }
  // |T| < 2^(w-2): w - 2 bits hold the largest magnitude.
  return std::bit_width(widest) + 2;
}

namespace {

void check_narrow_width(int n, int w, const char* what) {
  if (w < 2 || w >= n)
    throw std::invalid_argument(std::string(what) + ": value width " + std::to_string(w) +
                                " must lie in [2, n) for an n = " + std::to_string(n) +
                                "-bit ring (a table as wide as the ring takes SIGMA's lookup)");
}

}  // namespace

void narrow_lookup_masked_keygen(engine::Dealer& d, int k, int n, int w, std::span<const u64> alpha,
                                 std::span<u64> z, std::span<u64> r_v, int leaf_log2,
                                 const char* what) {
  check_narrow_width(n, w, what);
  sigma::lut_sigma_masked_keygen(d, k, w, alpha, z, r_v, leaf_log2);
}

void narrow_lookup_masked(engine::Party& p, int k, int n, int w, std::span<const u64> table,
                          const vec::Vec& idx, u64 index_xor_mask, vec::Vec& u, vec::Vec& a,
                          int leaf_log2, const char* what) {
  check_narrow_width(n, w, what);
  const int need = narrow_lookup_width(table, n);
  if (need > w)
    throw std::invalid_argument(std::string(what) + ": a table entry needs " +
                                std::to_string(need) +
                                " bits of value width, more than w = " + std::to_string(w));
  std::vector<u64> narrow(table.size());  // the sums are taken mod 2^w
  for (std::size_t j = 0; j < table.size(); ++j) narrow[j] = table[j] & ring_mask(w);
  // Party 0's slack goes into the lookup's own last combine: no kernel of its own.
  sigma::lut_sigma_masked(p, k, w, narrow, idx, index_xor_mask, u, a, leaf_log2,
                          p.id() == 0 ? narrow_slack(w) : 0);
}

void narrow_lookup_keygen(engine::Dealer& d, int k, int n, int w, std::span<const u64> alpha,
                          int leaf_log2) {
  const std::size_t N = alpha.size();
  UninitVector<u64> z(N), r_v(N);  // every array here is written in full before it is read
  narrow_lookup_masked_keygen(d, k, n, w, alpha, z, r_v, leaf_log2, "narrow_lookup_keygen");
  UninitVector<u64> wz(2 * N), top(N);
  const u64 mn = ring_mask(n), mtop = ring_mask(n - w);
  d.for_range(N, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) {
      const u64 sign = (u64{1} - 2 * z[i]) & mn;  // w_z = 1 - 2z
      wz[2 * i] = sign;
      wz[2 * i + 1] = (sign * r_v[i]) & mn;
      top[i] = (sign * ((r_v[i] >> (w - 1)) & 1)) & mtop;  // w_z msb_w(r_V), times 2^w later
    }
  });
  d.share_vec(wz, n);
  d.share_vec(top, n - w);
}

vec::Vec narrow_lookup_eval(engine::Party& p, int k, int n, int w, std::span<const u64> table,
                            const vec::Vec& idx, u64 index_xor_mask, int leaf_log2) {
  const std::size_t N = idx.size();
  const vec::Space& sp = p.space();
  vec::Vec u, a;
  narrow_lookup_masked(p, k, n, w, table, idx, index_xor_mask, u, a, leaf_log2,
                       "narrow_lookup_eval");
  const u64 slack = narrow_slack(w);
  const vec::Vec wz = p.read_shares_vec(2 * N, n);  // w_z and w_z r_V, side by side
  const vec::Vec top = p.read_shares_vec(N, n - w);
  const engine::Party::VecOpenItem items[2] = {{&u, 1}, {&a, w}};
  p.open_many(items);
  // X = w_z (A - B) = w_z (A^ - B) - w_z r_V + 2^w w_z msb_w(r_V) [msb_w(A^) = 0]   (mod 2^n)
  constexpr u64 kMinus = ~u64{0};
  vec::Vec x = sp.make(N);
  sp.combine(x, n, 0,
             {{.v = &wz, .stride = 2, .offset = 0, .times = &a},
              {.v = &wz, .stride = 2, .offset = 0, .coef = u64{0} - slack},
              {.v = &wz, .stride = 2, .offset = 1, .coef = kMinus},
              {.v = &top, .coef = u64{1} << w, .gate = &a, .gate_bit = w - 1, .gate_when = false}});
  // T[x] = (2u - 1) X.
  vec::Vec share = sp.make(N);
  sp.combine(share, n, 0,
             {{.v = &x, .gate = &u, .gate_when = true},
              {.v = &x, .coef = kMinus, .gate = &u, .gate_when = false}});
  return share;
}

}  // namespace secinfer::fss::fusefss
