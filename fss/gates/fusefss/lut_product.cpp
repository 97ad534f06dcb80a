// The product of two lookups (contract and algebra in lut_product.h).
#include "fss/gates/fusefss/lut_product.h"

#include <stdexcept>
#include <string>
#include <vector>

#include "fss/gates/fusefss/narrow_lookup.h"
#include "fss/uninit_vector.h"

namespace secinfer::fss::fusefss {
namespace {

constexpr std::size_t kTerms = 5;  // a, b, c, d, r_z

// `of_a` / `of_b`: what the two counts are of ("first lookup", "output masks", ...).
void check_sizes(std::size_t a, std::size_t b, const char* what, const char* of_a,
                 const char* of_b) {
  if (a != b)
    throw std::invalid_argument(std::string(what) + ": " + std::to_string(a) + " elements in the " +
                                of_a + " but " + std::to_string(b) + " in the " + of_b);
}

}  // namespace

void lut_product_keygen(engine::Dealer& d, LookupSpec l1, LookupSpec l2,
                        std::span<const u64> alpha1, std::span<const u64> alpha2,
                        std::span<const u64> r_z) {
  check_sizes(alpha1.size(), alpha2.size(), "lut_product_keygen", "first lookup", "second lookup");
  check_sizes(alpha1.size(), r_z.size(), "lut_product_keygen", "lookups", "output masks");
  const int n = d.ring().bits, w1 = l1.value_bits, w2 = l2.value_bits;
  const u64 m = ring_mask(n);
  const std::size_t N = alpha1.size();
  UninitVector<u64> z1(N), rv1(N), z2(N), rv2(N);  // written in full before they are read
  narrow_lookup_masked_keygen(d, l1.k, n, w1, alpha1, z1, rv1, 0, "lut_product_keygen");
  narrow_lookup_masked_keygen(d, l2.k, n, w2, alpha2, z2, rv2, 0, "lut_product_keygen");
  UninitVector<u64> terms(kTerms * N), top1(2 * N), top2(2 * N), top12(N);
  const bool with_top12 = n > w1 + w2;
  d.for_range(N, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) {
      const u64 a = (u64{1} - 2 * z1[i]) * (u64{1} - 2 * z2[i]);
      const u64 m1 = (rv1[i] >> (w1 - 1)) & 1, m2 = (rv2[i] >> (w2 - 1)) & 1;
      u64* t = &terms[kTerms * i];
      t[0] = a & m;
      t[1] = (a * rv2[i]) & m;
      t[2] = (a * rv1[i]) & m;
      t[3] = (a * rv1[i] * rv2[i]) & m;
      t[4] = r_z[i] & m;
      // The wraps' terms, each entering times 2^w1, 2^w2 or 2^(w1 + w2).
      top1[2 * i] = (a * m1) & ring_mask(n - w1);
      top1[2 * i + 1] = (a * m1 * rv2[i]) & ring_mask(n - w1);
      top2[2 * i] = (a * m2) & ring_mask(n - w2);
      top2[2 * i + 1] = (a * rv1[i] * m2) & ring_mask(n - w2);
      if (with_top12) top12[i] = (a * m1 * m2) & ring_mask(n - w1 - w2);
    }
  });
  d.share_vec(terms, n);
  d.share_vec(top1, n - w1);
  d.share_vec(top2, n - w2);
  if (with_top12) d.share_vec(top12, n - w1 - w2);
}

vec::Vec lut_product_eval(engine::Party& p, LookupSpec l1, std::span<const u64> t1,
                          const vec::Vec& idx1, LookupSpec l2, std::span<const u64> t2,
                          const vec::Vec& idx2, int out_bits) {
  check_sizes(idx1.size(), idx2.size(), "lut_product_eval", "first lookup", "second lookup");
  const int n = p.ring().bits, w1 = l1.value_bits, w2 = l2.value_bits;
  if (out_bits < 0 || out_bits > n)
    throw std::invalid_argument("lut_product_eval: output width " + std::to_string(out_bits) +
                                " is outside [0, n = " + std::to_string(n) + "] (0: n)");
  const int zbits = out_bits == 0 ? n : out_bits;
  const std::size_t N = idx1.size();
  const vec::Space& sp = p.space();
  // v_i = A_i + r_V_i mod 2^w_i, A_i = (2 sigma_i - 1) T_i + B_i (narrow_lookup.h).
  vec::Vec u1, v1, u2, v2;
  narrow_lookup_masked(p, l1.k, n, w1, t1, idx1, l1.index_xor_mask, u1, v1, 0,
                       "lut_product_eval (first table)");
  narrow_lookup_masked(p, l2.k, n, w2, t2, idx2, l2.index_xor_mask, u2, v2, 0,
                       "lut_product_eval (second table)");
  const vec::Vec t = p.read_shares_vec(kTerms * N, n);
  const vec::Vec top1 = p.read_shares_vec(2 * N, n - w1);
  const vec::Vec top2 = p.read_shares_vec(2 * N, n - w2);
  const bool with_top12 = n > w1 + w2;
  const vec::Vec top12 = with_top12 ? p.read_shares_vec(N, n - w1 - w2) : vec::Vec{};
  const engine::Party::VecOpenItem items[4] = {{&u1, 1}, {&v1, w1}, {&u2, 1}, {&v2, w2}};
  p.open_many(items);
  const auto field = [&](int j) {
    return vec::Term{.v = &t, .stride = static_cast<int>(kTerms), .offset = j};
  };
  constexpr u64 kMinus = ~u64{0};
  // P_i = A_i^ - B_i and c_i = 1 - msb_w_i(A_i^): A_i - B_i = P_i - R_i, R_i = r_V_i - 2^w_i
  // msb(r_V_i) c_i.
  vec::Vec P1 = sp.make(N), P2 = sp.make(N), c1 = sp.make(N), c2 = sp.make(N);
  sp.combine(P1, n, u64{0} - narrow_slack(w1), {{.v = &v1}});
  sp.combine(P2, n, u64{0} - narrow_slack(w2), {{.v = &v2}});
  sp.combine(c1, 1, 1, {{.v = &v1, .shr = w1 - 1, .width = 1}});
  sp.combine(c2, 1, 1, {{.v = &v2, .shr = w2 - 1, .width = 1}});
  // prod = a P1 P2 - b P1 - c P2 + d, then the wraps' terms; s = (2 u1 - 1)(2 u2 - 1) = +1 when
  // the two sign bits agree.
  vec::Vec prod = sp.make(N);
  sp.combine(prod, n, 0, {{.v = &P1, .times = &P2}});
  vec::Term a = field(0), b = field(1), c = field(2);
  a.times = &prod;
  b.times = &P1;
  b.coef = kMinus;
  c.times = &P2;
  c.coef = kMinus;
  sp.combine(prod, n, 0, {a, b, c, field(3)});
  const u64 two1 = u64{1} << w1, two2 = u64{1} << w2;
  std::vector<vec::Term> wraps = {
      {.v = &prod},
      {.v = &top1, .stride = 2, .offset = 0, .coef = two1, .times = &P2, .gate = &c1},
      {.v = &top1, .stride = 2, .offset = 1, .coef = u64{0} - two1, .gate = &c1},
      {.v = &top2, .stride = 2, .offset = 0, .coef = two2, .times = &P1, .gate = &c2},
      {.v = &top2, .stride = 2, .offset = 1, .coef = u64{0} - two2, .gate = &c2}};
  vec::Vec c12;  // c1 c2, where the m1 m2 term is not dropped by its power of two
  if (with_top12) {
    c12 = sp.make(N);
    sp.combine(c12, 1, 0, {{.v = &c1, .times = &c2}});
    wraps.push_back({.v = &top12, .coef = two1 << w2, .gate = &c12});
  }
  sp.combine(prod, n, 0, wraps);
  vec::Vec& differ = u1;  // u1 XOR u2, in place
  sp.combine(differ, 1, 0, {{.v = &u1}, {.v = &u2}});
  vec::Vec z = sp.make(N);
  vec::Term rz = field(4);
  sp.combine(z, n, 0,
             {{.v = &prod, .gate = &differ, .gate_when = false},
              {.v = &prod, .coef = kMinus, .gate = &differ},
              rz});
  p.open(z, zbits);
  return z;
}

}  // namespace secinfer::fss::fusefss
